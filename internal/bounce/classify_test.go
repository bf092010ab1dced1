package bounce

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
)

// Replies written after the Postfix and Exim log formats and Google's
// SMTP error reference (https://support.google.com/a/answer/3726730).
func TestClassifyReply(t *testing.T) {
	store := domaincache.NewMemory(100, 0)
	e := New(Config{Store: store})
	ctx := context.Background()
	tests := []struct {
		name      string
		reply     dsn.Reply
		kind      dsn.Kind
		action    dsn.Action
		status    string
		code      int
		command   string
		host      string
		wantHard  bool
		wantSoft  bool
		wantRcpt  string
		wantError error
	}{
		{name: "postfix user unknown", reply: dsn.Reply{Recipient: "<Alice@Dest.example>",
			Text: "host mx.dest.example[192.0.2.10] said: 550 5.1.1 <alice@dest.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"},
			kind: dsn.KindBounce, action: dsn.ActionFailed, status: "5.1.1", code: 550, command: "RCPT", host: "mx.dest.example", wantHard: true, wantRcpt: "Alice@dest.example"},
		{name: "exim greylisting is a delay", reply: dsn.Reply{Recipient: "erin@grey.example", RemoteHost: "mx.grey.example",
			Text: "SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 451 4.7.1 Please try again later"},
			kind: dsn.KindDelay, action: dsn.ActionDelayed, status: "4.7.1", code: 451, command: "RCPT", host: "mx.grey.example", wantSoft: true, wantRcpt: "erin@grey.example"},
		{name: "deferred by the log with no code", reply: dsn.Reply{Recipient: "bob@slow.example", Deferred: true,
			Text: "connect to mx.slow.example[198.51.100.7]:25: Connection timed out"},
			kind: dsn.KindDelay, action: dsn.ActionDelayed, host: "mx.slow.example", wantSoft: true, wantRcpt: "bob@slow.example"},
		{name: "bare gmail reply, command given", reply: dsn.Reply{Recipient: "x@gmail.example", Command: "data",
			Text: "550 5.7.1 [198.51.100.2] Our system has detected that this message is likely unsolicited mail."},
			kind: dsn.KindBounce, action: dsn.ActionFailed, status: "5.7.1", code: 550, command: "DATA", wantRcpt: "x@gmail.example"},
		{name: "empty", reply: dsn.Reply{Text: "  "}, wantError: dsn.ErrEmpty},
		{name: "too long", reply: dsn.Reply{Text: "550 " + strings.Repeat("x", dsn.MaxReplyBytes)}, wantError: dsn.ErrTooLarge},
	}
	for _, tt := range tests {
		res, err := e.Classify(ctx, ClassifyRequest{Reply: tt.reply, Source: tt.name, SendingIP: "198.51.100.2"})
		if tt.wantError != nil {
			if !errors.Is(err, tt.wantError) {
				t.Errorf("%s: Classify err = %v, want %v", tt.name, err, tt.wantError)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		rep, r := res.Report, res.Recipients[0]
		if rep.Kind != tt.kind || rep.DecodedBy != DecodedByReply || rep.ReportingMTA != "198.51.100.2" {
			t.Errorf("%s: report kind %v by %q from %q, want %v by %q", tt.name, rep.Kind, rep.DecodedBy, rep.ReportingMTA, tt.kind, DecodedByReply)
		}
		f := r.Facts
		if f.Action != tt.action || (tt.status != "" && f.Status.String() != tt.status) || int(f.ReplyCode) != tt.code ||
			f.Command != tt.command || f.RemoteMTA != tt.host || f.Recipient != tt.wantRcpt {
			t.Errorf("%s: facts = action %s status %s code %d command %q host %q rcpt %q, want %s %s %d %q %q %q", tt.name,
				f.Action, f.Status, f.ReplyCode, f.Command, f.RemoteMTA, f.Recipient, tt.action, tt.status, tt.code, tt.command, tt.host, tt.wantRcpt)
		}
		if tt.wantHard && !r.Verdict.Hard || tt.wantSoft && r.Verdict.Hard {
			t.Errorf("%s: hard = %v (reason %s)", tt.name, r.Verdict.Hard, r.Verdict.Reason)
		}
		if r.Verdict.Reason == "" || r.Explanation.Headline == "" {
			t.Errorf("%s: no reason or explanation: %+v", tt.name, r.Verdict)
		}
	}
	// The replies fed the domain memory like bounces do.
	hist, err := store.Get(ctx, []string{"dest.example", "grey.example"})
	if err != nil {
		t.Fatal(err)
	}
	if hist["dest.example"].Total != 1 || hist["grey.example"].Total != 1 {
		t.Errorf("domain memory after Classify = %+v, want one observation per domain", hist)
	}
}
