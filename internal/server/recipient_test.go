package server

import (
	"context"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// An Original-Recipient (RFC 3464 2.3.1) that differs from the
// Final-Recipient: the wire reports the address the sender used and keeps
// the failed mailbox beside it (issue 10 item 1).
const forwardedDSN = "From: MAILER-DAEMON@mx.dest.example\r\n" +
	"To: news@sender.example\r\n" +
	"Subject: Undelivered Mail Returned to Sender\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n" +
	"\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver it.\r\n" +
	"--b\r\nContent-Type: message/delivery-status\r\n\r\n" +
	"Reporting-MTA: dns; mx.dest.example\r\n\r\n" +
	"Final-Recipient: rfc822; bob.smith@inbox.example\r\n" +
	"Original-Recipient: rfc822; bob@alias.example\r\n" +
	"Action: failed\r\nStatus: 5.1.1\r\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 <bob.smith@inbox.example>: Recipient address rejected: User unknown\r\n" +
	"--b--\r\n"

func TestFinalRecipientBeside(t *testing.T) {
	c := startServer(t, domaincache.NewMemory(100, time.Hour))
	resp, err := c.Parse(context.Background(), &pb.ParseRequest{Raw: []byte(forwardedDSN)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(resp.GetRecipients()) != 1 {
		t.Fatalf("recipients = %d, want 1", len(resp.GetRecipients()))
	}
	r := resp.GetRecipients()[0]
	if r.GetRecipient() != "bob@alias.example" || r.GetFinalRecipient() != "bob.smith@inbox.example" {
		t.Errorf("recipient %q final %q, want bob@alias.example beside bob.smith@inbox.example", r.GetRecipient(), r.GetFinalRecipient())
	}
	// The failed mailbox's domain is the remote domain.
	if r.GetRemoteDomain() != "inbox.example" {
		t.Errorf("remote domain %q, want inbox.example", r.GetRemoteDomain())
	}
}

func TestFinalRecipientEmptyWhenSame(t *testing.T) {
	c := startServer(t, nil)
	resp, err := c.Parse(context.Background(), &pb.ParseRequest{Raw: []byte(relayDenied)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, r := range resp.GetRecipients() {
		if r.GetFinalRecipient() != "" {
			t.Errorf("final_recipient %q set although it equals recipient %q", r.GetFinalRecipient(), r.GetRecipient())
		}
	}
}
