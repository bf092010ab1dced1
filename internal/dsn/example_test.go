package dsn_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/dsn"
)

func ExampleParse() {
	raw := "From: MAILER-DAEMON@mx.example.org\n" +
		"To: sender@example.com\n" +
		"Subject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: message/delivery-status\n\n" +
		"Reporting-MTA: dns; mx.example.org\n\n" +
		"Final-Recipient: rfc822; rcpt@example.net\nAction: failed\nStatus: 5.0.0\n" +
		"Diagnostic-Code: smtp; 554 5.7.1 <rcpt@example.net>: Relay access denied (in reply to RCPT TO command)\n" +
		"--b--\n"
	rep, err := dsn.Parse([]byte(raw), dsn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rep.Recipients[0]
	fmt.Println(rep.Kind, rep.DecodedBy, r.Recipient, r.Action, r.Status, r.ServerStatus, r.ReplyCode, r.Stage)
	// Output: bounce rfc3464 rcpt@example.net failed 5.0.0 5.7.1 554 RCPT
}

func ExampleScanDiagnostic() {
	d := dsn.ScanDiagnostic("host mx.example.com[192.0.2.1] said: 554 5.7.1 <a@example.com>: Relay access denied (in reply to RCPT TO command)")
	fmt.Println(d.Reply, d.Status, d.Command, d.Host)
	// Output: 554 5.7.1 RCPT mx.example.com
}
