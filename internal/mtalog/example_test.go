package mtalog_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/mtalog"
)

func ExampleParse() {
	line := `2026-11-29 10:00:05 1tABCE-000124-CD == erin@grey.example R=dnslookup T=remote_smtp defer (-44) ` +
		`H=mx.grey.example [203.0.113.5]: SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 451 4.7.1 Try later`
	r, ok := mtalog.Parse(line)
	fmt.Println(ok, r.Format, r.Recipient, r.Deferred, r.RemoteHost, r.RemoteIP)
	fmt.Println(r.Text)
	// Output:
	// true exim erin@grey.example true mx.grey.example 203.0.113.5
	// SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 451 4.7.1 Try later
}
