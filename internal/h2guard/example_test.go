package h2guard_test

import (
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/bounced/bounced/internal/h2guard"
)

// A server whose receive limit is 50 MiB: larger messages reach its
// handlers as substitutes, which h2guard.Announced recognises.
func ExampleCredentials() {
	const limit = 50 << 20
	srv := grpc.NewServer(
		grpc.Creds(h2guard.Credentials(insecure.NewCredentials(), limit)),
		grpc.MaxRecvMsgSize(limit),
	)
	defer srv.Stop()

	// What a handler finds in the unknown fields of a request that was
	// 80 MiB on the wire.
	sub := h2guard.Substitute(80 << 20)
	size, ok := h2guard.Announced(sub[5:])
	fmt.Println(size, ok)
	// Output: 83886080 true
}
