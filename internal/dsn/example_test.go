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

// The facts of a reply found in an MTA log line, read as Parse reads them.
func ExampleCompleteFacts() {
	rc := dsn.Recipient{
		Recipient:      "bob@example.org",
		Action:         dsn.ActionFailed,
		DiagnosticType: "smtp",
		Diagnostic: "host mx1.mail.example.org[192.0.2.7] said: 550 5.1.1 <bob@example.org>: " +
			"Recipient address rejected: User unknown (in reply to RCPT TO command)",
	}
	dsn.CompleteFacts(&rc)
	fmt.Println(rc.ReplyCode, rc.Status, rc.ServerStatus, rc.Command, rc.Stage, rc.RemoteMTA, rc.RemoteMTADomain)
	// Output: 550 5.1.1 5.1.1 RCPT RCPT mx1.mail.example.org example.org
}

func ExampleRegisteredDomain() {
	fmt.Println(dsn.RegisteredDomain("mx1.mail.example.co.uk."))
	fmt.Println(dsn.RegisteredDomain("[192.0.2.1]") == "")
	// Output:
	// example.co.uk
	// true
}
