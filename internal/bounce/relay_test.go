package bounce

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/explain"
)

// TestRelayDeniedMessages runs the relay-denied scenarios of DESIGN.md as
// whole messages through the pipeline: three codes (Postfix 454 4.7.1, Exim
// 550 5.7.0, Exchange 554 5.7.1), each refused by the sender's own relay
// (smtp.sender.example), by the recipient domain's MX
// (mx1.recipient.example), and by a host that tells neither
// (mail.hostingco.example). The messages in testdata/relay are written for
// this test in each MTA's wording.
func TestRelayDeniedMessages(t *testing.T) {
	// Words the ADMIN explanation must contain for each side.
	mustSay := map[classify.Side][]string{
		classify.SideSender:    {"587", "permit_sasl_authenticated"},
		classify.SideRecipient: {"MX", "mydestination"},
		classify.SideUnknown:   {"587", "MX"},
	}
	files, _ := filepath.Glob("testdata/relay/*.eml")
	if len(files) != 9 {
		t.Fatalf("found %d scenario messages, want 9", len(files))
	}
	e := New(Config{})
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want classify.Side
			switch {
			case strings.HasSuffix(f, "-sender.eml"):
				want = classify.SideSender
			case strings.HasSuffix(f, "-recipient.eml"):
				want = classify.SideRecipient
			default:
				want = classify.SideUnknown
			}
			res, err := e.Parse(context.Background(), Request{Raw: raw, Audience: explain.Admin})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Recipients) != 1 {
				t.Fatalf("%d recipients, want 1", len(res.Recipients))
			}
			r := res.Recipients[0]
			if r.Facts.Recipient != "bob@recipient.example" || r.Verdict.Reason != classify.NoRelaying || r.Verdict.Hard || r.Verdict.Side != want {
				t.Errorf("got %s %s side=%s hard=%v, want bob@recipient.example norelaying side=%s soft",
					r.Facts.Recipient, r.Verdict.Reason, r.Verdict.Side, r.Verdict.Hard, want)
			}
			text := strings.Join(append([]string{r.Explanation.WhatHappened, r.Explanation.WhoseSide}, r.Explanation.Steps...), "\n")
			for _, w := range mustSay[want] {
				if !strings.Contains(text, w) {
					t.Errorf("ADMIN explanation for side %s does not mention %q:\n%s", want, w, text)
				}
			}
		})
	}
}

// TestVacationReplyRefused is the marketer's case of the brief: a client's
// out-of-office reply to the platform's return address bounced with
// "550 5.7.1 relaying denied". The original is flagged as an auto-reply,
// the refusing domain is the platform's, and the explanation tells the
// client that their mailbox is fine.
func TestVacationReplyRefused(t *testing.T) {
	raw, err := os.ReadFile("testdata/autoreply/postfix-550-5.7.1-vacation-reply.eml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(Config{}).Parse(context.Background(), Request{Raw: raw, Audience: explain.Marketer})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Report.Original.IsAutoReply() || len(res.Recipients) != 1 {
		t.Fatalf("original auto-reply %v, %d recipients", res.Report.Original.IsAutoReply(), len(res.Recipients))
	}
	r := res.Recipients[0]
	if r.Verdict.Reason != classify.NoRelaying || r.Verdict.Side != classify.SideRecipient || r.Verdict.Hard {
		t.Errorf("verdict = %s %s hard=%v, want norelaying recipient soft", r.Verdict.Reason, r.Verdict.Side, r.Verdict.Hard)
	}
	all := strings.ToLower(r.Explanation.Headline + " " + r.Explanation.WhatHappened + " " + r.Explanation.WhoseSide)
	for _, w := range []string{"mailbox is fine", "automatic reply"} {
		if !strings.Contains(all, w) {
			t.Errorf("explanation does not say %q:\n%s", w, all)
		}
	}
}
