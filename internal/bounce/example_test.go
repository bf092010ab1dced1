package bounce_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/explain"
)

func ExampleEngine_Parse() {
	raw := "From: MAILER-DAEMON@mail.sender.example\n" +
		"To: news@sender.example\n" +
		"Subject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: message/delivery-status\n\n" +
		"Reporting-MTA: dns; mail.sender.example\n\n" +
		"Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.2.2\n" +
		"Diagnostic-Code: smtp; 552 5.2.2 <bob@example.net>: Mailbox full\n" +
		"--b--\n"
	e := bounce.New(bounce.Config{Store: domaincache.NewMemory(1000, 24*time.Hour)})
	res, err := e.Parse(context.Background(), bounce.Request{Raw: []byte(raw), Audience: explain.EndUser})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := res.Recipients[0]
	fmt.Println(r.Facts.Recipient, r.Facts.Status, r.Verdict.Reason, r.Verdict.Side, r.Verdict.Hard, res.CacheStatus == bounce.CacheMiss)
	// Output: bob@example.net 5.2.2 mailboxfull recipient false true
}
