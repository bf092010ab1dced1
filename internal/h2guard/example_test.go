package h2guard_test

import (
	"fmt"
	"time"

	"golang.org/x/sync/semaphore"
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

// A server whose connections also admit every message into one budget of
// 256 MiB (here a semaphore) when its length prefix arrives: without room
// within a second, a handler finds a busy stand-in (h2guard.Busy), and the
// connection's AuthInfo tells it not to admit the message again
// (h2guard.Admits).
func ExampleAdmittingCredentials() {
	const limit = 50 << 20
	budget := &h2guard.Admission{Budget: semaphore.NewWeighted(256 << 20), Size: 256 << 20, Wait: time.Second}
	srv := grpc.NewServer(
		grpc.Creds(h2guard.AdmittingCredentials(insecure.NewCredentials(), limit, budget)),
		grpc.MaxRecvMsgSize(limit),
	)
	defer srv.Stop()

	fmt.Println(h2guard.Admits(h2guard.AuthInfo{}))
	// Output: true
}
