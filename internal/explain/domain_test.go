package explain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
)

// TestDomain checks the words of a domain assessment in every language.
func TestDomain(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// DESIGN.md "Relaying denied", recipient side: many senders get the
	// same answer from the domain's MX.
	misconf := classify.AssessDomain(classify.History{Domain: "migrated.example", Total: 40, DistinctSenders: 25,
		Reasons: map[string]int64{"norelaying": 36, "userunknown": 4}, Sides: map[string]int64{"recipient": 38, "unknown": 2},
		FirstSeen: day, LastSeen: day.Add(48 * time.Hour)})
	dead := classify.AssessDomain(classify.History{Domain: "gone.example", Total: 10, DistinctSenders: 3,
		Reasons: map[string]int64{"hostunknown": 5, "notaccept": 3, "expired": 2}, Sides: map[string]int64{"recipient": 8, "network": 2}})
	tests := []struct {
		a    classify.DomainAssessment
		lang string
		want []string
	}{
		{misconf, "en", []string{"migrated.example: 40 bounces from 25 distinct senders between 2026-03-01 and 2026-03-03",
			"mostly norelaying (90%), recipient side (95%)", "looks misconfigured: its MX denied relaying 36 times to 25 distinct senders"}},
		{misconf, "fr-CA", []string{"40 rejets venant de 25 expéditeurs distincts", "côté destinataire (95 %)", "semble mal configuré"}},
		{dead, "en", []string{"looks dead: 8 of 10 bounces"}},
		{dead, "fr", []string{"semble mort : 8 rejets sur 10"}},
		{classify.AssessDomain(classify.History{Domain: "new.example"}), "en", []string{"new.example: no history"}},
		{classify.AssessDomain(classify.History{Domain: "new.example"}), "fr", []string{"new.example : aucun historique"}},
	}
	for _, tt := range tests {
		got := Domain(tt.a, tt.lang)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Domain(%s, %q) = %q, want it to contain %q", tt.a.Domain, tt.lang, got, w)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("Domain(%s, %q) is not valid UTF-8", tt.a.Domain, tt.lang)
		}
	}
	for _, l := range langs {
		if domainWordsByLang[l.tag] == nil {
			t.Errorf("language %s has no domain words", l.tag)
		}
	}
}

// TestDelayNotice checks that a delayed recipient is never explained as a
// final failure, whatever the verdict's reason, in every language and for
// every audience (issue 8 item 4; RFC 3464 2.3.3 and 2.3.8).
func TestDelayNotice(t *testing.T) {
	rep := &dsn.Report{Kind: dsn.KindDelay, ReportingMTA: "mta.sender.example"}
	rcpt := &dsn.Recipient{Recipient: "bob@example.org", Action: dsn.ActionDelayed, ReplyCode: 451,
		Diagnostic: "451 4.4.1 connection timed out", WillRetryUntil: "Tue, 3 Mar 2026 10:00:00 +0000"}
	final := []string{"gave up", "abandonn", "Undeliverable", "n'existe pas", "does not exist"}
	for _, reason := range []classify.Reason{classify.Expired, classify.NetworkError, classify.UserUnknown, classify.OnHold, classify.MailboxFull} {
		v := classify.Verdict{Reason: reason, Side: classify.SideNetwork}
		for _, lang := range []string{"en", "fr"} {
			for aud := Marketer; aud < numAudiences; aud++ {
				e := Explain(v, rep, rcpt, aud, lang)
				if !strings.Contains(e.Headline, "Tue, 3 Mar 2026 10:00:00 +0000") {
					t.Errorf("%s %s %s: headline %q does not say until when", reason, lang, aud, e.Headline)
				}
				all := e.Headline + e.WhatHappened + e.WhoseSide + strings.Join(e.Steps, " ")
				for _, f := range final {
					if strings.Contains(all, f) {
						t.Errorf("%s %s %s: delay explained as a final failure (%q): %q", reason, lang, aud, f, all)
					}
				}
			}
		}
	}
	// A delayed full mailbox says so, and that it is still being tried.
	e0 := Explain(classify.Verdict{Reason: classify.MailboxFull, Side: classify.SideRecipient}, rep, rcpt, Marketer, "en")
	if !strings.Contains(e0.Headline, "mailbox is full") || !strings.Contains(e0.Headline, "still trying") {
		t.Errorf("delayed mailboxfull headline = %q", e0.Headline)
	}
	// Without Will-Retry-Until the headline still says it is being retried.
	rcpt.WillRetryUntil = ""
	e := Explain(classify.Verdict{Reason: classify.Expired, Side: classify.SideNetwork}, rep, rcpt, Marketer, "en")
	if !strings.Contains(e.Headline, "still trying") || strings.Contains(e.Headline, "until") {
		t.Errorf("headline without Will-Retry-Until = %q", e.Headline)
	}
	// A failed recipient of the same reason is told as a failure.
	rcpt.Action = dsn.ActionFailed
	e = Explain(classify.Verdict{Reason: classify.Expired, Side: classify.SideNetwork}, rep, rcpt, Marketer, "en")
	if strings.Contains(e.Headline, "still trying") {
		t.Errorf("failed recipient explained as a delay: %q", e.Headline)
	}
}
