package dsn_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/bounced/bounced/internal/dsn"
)

func ExampleReplyRecipient() {
	// A Postfix log line's reply (see internal/mtalog).
	rc, err := dsn.ReplyRecipient(dsn.Reply{
		Recipient: "alice@example.com",
		Text:      "host mx.example.com[192.0.2.10] said: 550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rc.Action, rc.ReplyCode, rc.Status, rc.Command, rc.RemoteMTA)
	// Output: failed 550 5.1.1 RCPT mx.example.com
}

func ExampleMboxReader() {
	mbox := "From a Sun Nov 29 10:00:00 2026\nSubject: one\n\nbody\n\nFrom b Sun Nov 29 10:00:01 2026\nSubject: two\n\nbody\n"
	r := dsn.NewMboxReader(strings.NewReader(mbox), 0)
	for {
		msg, err := r.Next()
		if err == io.EOF {
			break
		}
		fmt.Printf("%q\n", strings.SplitN(string(msg), "\n", 2)[0])
	}
	// Output:
	// "Subject: one"
	// "Subject: two"
}
