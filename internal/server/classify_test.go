package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/domaincache"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Replies written after Google's SMTP error reference
// (https://support.google.com/a/answer/3726730) and the Postfix and Exim
// log formats (internal/mtalog).
func TestClassify(t *testing.T) {
	store := domaincache.NewMemory(100, time.Hour)
	c := startServer(t, store)
	ctx := context.Background()

	resp, err := c.Classify(ctx, &pb.ClassifyRequest{
		Reply:     "host mx.dest.example[192.0.2.10] said: 550 5.1.1 <alice@dest.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
		Recipient: "alice@dest.example", SendingIp: "198.51.100.2", Source: "mail.log:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.GetResult()
	if r.GetKind() != pb.Kind_KIND_BOUNCE || r.GetDecodedBy() != "smtp-reply" || r.GetSource() != "mail.log:1" || r.GetReportingMta() != "198.51.100.2" || len(r.GetRecipients()) != 1 {
		t.Fatalf("Classify = %v", r)
	}
	rc := r.GetRecipients()[0]
	if rc.GetRecipient() != "alice@dest.example" || rc.GetStatus() != "5.1.1" || rc.GetReplyCode() != 550 || rc.GetCommand() != "RCPT" ||
		rc.GetRemoteMta() != "mx.dest.example" || rc.GetReason() != pb.Reason_REASON_USER_UNKNOWN || !rc.GetHardBounce() || len(rc.GetExplanations()) == 0 || rc.GetExplanations()[0].GetHeadline() == "" {
		t.Errorf("recipient = %v, want userunknown, hard, 550 5.1.1 RCPT from mx.dest.example", rc)
	}
	if r.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_MISS {
		t.Errorf("cache status = %v, want MISS on the first reply", r.GetCacheStatus())
	}

	// A deferral is a soft delay, and the domain memory now has dest.example.
	resp, err = c.Classify(ctx, &pb.ClassifyRequest{Reply: "451 4.7.1 Greylisted, please try again later", Recipient: "bob@dest.example", Command: "rcpt"})
	if err != nil {
		t.Fatal(err)
	}
	r = resp.GetResult()
	rc = r.GetRecipients()[0]
	if r.GetKind() != pb.Kind_KIND_DELAY || rc.GetAction() != pb.Action_ACTION_DELAYED || rc.GetHardBounce() || rc.GetCommand() != "RCPT" {
		t.Errorf("deferral = %v, want a soft delay at RCPT", r)
	}
	if r.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_HIT || rc.GetDomain().GetTotal() == 0 {
		t.Errorf("second reply: cache %v, domain %v; want the first reply remembered", r.GetCacheStatus(), rc.GetDomain())
	}

	// Errors carry Parse's reasons.
	for _, tt := range []struct {
		reply  string
		code   codes.Code
		reason string
	}{
		{"   ", codes.InvalidArgument, "EMPTY_MESSAGE"},
		{"550 " + strings.Repeat("x", 17<<10), codes.ResourceExhausted, "MESSAGE_TOO_LARGE"},
	} {
		_, err := c.Classify(ctx, &pb.ClassifyRequest{Reply: tt.reply})
		st := status.Convert(err)
		reason := ""
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				reason = info.GetReason()
			}
		}
		if st.Code() != tt.code || reason != tt.reason {
			t.Errorf("Classify(%.20q) = %v %s, want %v %s", tt.reply, st.Code(), reason, tt.code, tt.reason)
		}
	}
}
