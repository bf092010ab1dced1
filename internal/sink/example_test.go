package sink_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/sink"
)

// A webhook receiver checks X-Bounced-Signature against the raw body.
func ExampleVerify() {
	secret := []byte("shared secret")
	body := []byte(`{"source":"lmtp:1","kind":"KIND_BOUNCE"}`)
	header := sink.Sign(secret, body) // what bounced sends
	fmt.Println(header[:7], sink.Verify(secret, body, header), sink.Verify(secret, append(body, ' '), header))
	// Output: sha256= true false
}
