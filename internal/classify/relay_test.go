package classify

import (
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// relayReport builds the report a sending MTA of sender.example writes when
// bob@recipient.example was refused with a relay denial.
func relayReport(decodedBy, status string, reply int, remote, diag string) (*dsn.Report, *dsn.Recipient) {
	rc := dsn.Recipient{
		Recipient:      "bob@recipient.example",
		Action:         dsn.ActionFailed,
		Status:         smtpcode.MustStatus(status),
		ReplyCode:      smtpcode.ReplyCode(reply),
		Command:        "RCPT",
		DiagnosticType: "smtp",
		Diagnostic:     diag,
		RemoteMTA:      remote,
	}
	rep := &dsn.Report{
		Kind:         dsn.KindBounce,
		DecodedBy:    decodedBy,
		ReportingMTA: "mta1.sender.example",
		To:           "alice@sender.example",
		Original:     dsn.Original{From: "Alice <alice@sender.example>", ReturnPath: "alice@sender.example", To: "bob@recipient.example", Found: true},
		Recipients:   []dsn.Recipient{rc},
	}
	dsn.CompleteFacts(&rep.Recipients[0])
	return rep, &rep.Recipients[0]
}

func hasSignal(v Verdict, signal string) bool {
	for _, e := range v.Evidence {
		if e.Signal.String() == signal {
			return true
		}
	}
	return false
}

// TestRelayDenied covers the three relay-denied codes of DESIGN.md, each on
// the sender's side, the recipient's side, and undecidable, with the
// wording of Postfix (454 4.7.1), Exim (550 5.7.0) and Exchange (554 5.7.1).
func TestRelayDenied(t *testing.T) {
	tests := []struct {
		name      string
		decodedBy string
		status    string
		reply     int
		remote    string
		diag      string
		want      Side
	}{
		// Postfix: the sender's own relay (same domain as the sender) defers with defer_unauth_destination.
		{"postfix 454 4.7.1 own smarthost", "postfix", "4.7.1", 454, "dns; smtp.sender.example",
			"host smtp.sender.example[203.0.113.5] said: 454 4.7.1 <bob@recipient.example>: Relay access denied (in reply to RCPT TO command)", SideSender},
		// Postfix: the recipient domain's MX no longer lists the domain in relay_domains after a migration.
		{"postfix 454 4.7.1 recipient MX", "postfix", "4.7.1", 454, "dns; mx1.recipient.example",
			"host mx1.recipient.example[198.51.100.7] said: 454 4.7.1 <bob@recipient.example>: Relay access denied (in reply to RCPT TO command)", SideRecipient},
		// Postfix relayed through a hosting company's server that is neither the sender's nor the recipient's.
		{"postfix 454 4.7.1 unknown host", "postfix", "4.7.1", 454, "dns; mail.hosting.example",
			"host mail.hosting.example[192.0.2.8] said: 454 4.7.1 <bob@recipient.example>: Relay access denied (in reply to RCPT TO command)", SideUnknown},
		// Exim smarthost that wants SMTP AUTH.
		{"exim 550 5.7.0 smarthost wants auth", "exim", "5.7.0", 550, "",
			"SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host smarthost.isp.example [203.0.113.9]: 550 5.7.0 relay not permitted, authentication required", SideSender},
		// Exim on the recipient domain's MX without the domain in local_domains/relay_to_domains.
		{"exim 550 5.7.0 recipient MX", "exim", "5.7.0", 550, "",
			"SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host mx.recipient.example [198.51.100.7]: 550 5.7.0 relay not permitted", SideRecipient},
		// Exim: a host that says nothing of itself.
		{"exim 550 5.7.0 unknown host", "exim", "5.7.0", 550, "",
			"SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host mail.hosting.example [192.0.2.8]: 550 5.7.0 relay not permitted", SideUnknown},
		// Exchange (hybrid) sending through Microsoft 365's submission host.
		{"exchange 554 5.7.1 via smtp.office365.com", "exchange2007", "5.7.1", 554, "smtp.office365.com",
			"Remote Server returned '554 5.7.1 <bob@recipient.example>: Relay access denied'", SideSender},
		// Exchange: the recipient domain's MX is Exchange Online, where the domain is not an accepted domain.
		{"exchange 554 5.7.1 EOP MX", "exchange2007", "5.7.1", 554, "recipient-example.mail.protection.outlook.com",
			"Remote Server returned '554 5.7.1 <bob@recipient.example>: Relay access denied'", SideRecipient},
		// Exchange: only an IP address is known.
		{"exchange 554 5.7.1 IP only", "exchange2007", "5.7.1", 554, "[192.0.2.10]",
			"#554 5.7.1 Unable to relay ##", SideUnknown},
	}
	for _, tt := range tests {
		rep, rc := relayReport(tt.decodedBy, tt.status, tt.reply, tt.remote, tt.diag)
		v := Classify(rep, rc, nil)
		if v.Reason != NoRelaying || v.Hard {
			t.Errorf("%s: Classify = %s hard=%v, want norelaying, not hard", tt.name, v.Reason, v.Hard)
		}
		if v.Side != tt.want {
			t.Errorf("%s: Classify side = %s, want %s (evidence %+v)", tt.name, v.Side, tt.want, v.Evidence)
		}
		if v.Confidence <= 0 || v.Confidence > 1 {
			t.Errorf("%s: confidence %v out of range", tt.name, v.Confidence)
		}
	}
}

// TestRelayDeniedDomainHistory: a domain that refuses many distinct senders
// with relay denied is itself misconfigured.
func TestRelayDeniedDomainHistory(t *testing.T) {
	rep, rc := relayReport("exim", "5.7.0", 550, "",
		"SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host mail.hosting.example [192.0.2.8]: 550 5.7.0 relay not permitted")
	alone := Classify(rep, rc, nil)
	if alone.Side != SideUnknown {
		t.Fatalf("without history: side %s, want unknown", alone.Side)
	}
	hist := &History{
		Domain: "recipient.example", Total: 40, DistinctSenders: 12,
		Reasons: map[string]int64{"norelaying": 35, "userunknown": 5},
		Sides:   map[string]int64{"unknown": 35, "recipient": 5},
	}
	v := Classify(rep, rc, hist)
	if v.Side != SideRecipient {
		t.Errorf("with history of 12 senders: side %s, want recipient (evidence %+v)", v.Side, v.Evidence)
	}
	if v.Confidence <= alone.Confidence {
		t.Errorf("with history: confidence %v, want more than %v", v.Confidence, alone.Confidence)
	}
	var said bool
	for _, e := range v.Evidence {
		if e.Signal == SignalDomainHistory && strings.Contains(e.Value, "12 distinct senders") && e.Weight > 0 {
			said = true
		}
	}
	if !said {
		t.Errorf("with history: evidence %+v does not name the domain history", v.Evidence)
	}

	// The recipient side seen by the MX itself only gains from history.
	rep2, rc2 := relayReport("exim", "5.7.0", 550, "",
		"SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host mx.recipient.example [198.51.100.7]: 550 5.7.0 relay not permitted")
	if a, b := Classify(rep2, rc2, nil), Classify(rep2, rc2, hist); b.Confidence <= a.Confidence || b.Side != SideRecipient {
		t.Errorf("recipient MX with history: %s %v, want recipient above %v", b.Side, b.Confidence, a.Confidence)
	}

	// Few senders, or one sender again and again, do not make it the domain's fault.
	for _, h := range []*History{
		{Domain: "recipient.example", Total: 3, DistinctSenders: 2, Reasons: map[string]int64{"norelaying": 3}},
		{Domain: "recipient.example", Total: 9, DistinctSenders: 1, Reasons: map[string]int64{"norelaying": 9}},
		{},
	} {
		if v := Classify(rep, rc, h); v.Side != SideUnknown {
			t.Errorf("history %+v: side %s, want unknown", h, v.Side)
		}
	}
}

// TestRelayDeniedAutoReply: the refused message was a vacation reply sent
// to a platform's return address (DESIGN.md).
func TestRelayDeniedAutoReply(t *testing.T) {
	rep, rc := relayReport("postfix", "5.7.1", 554, "dns; mail.hosting.example",
		"host mail.hosting.example[192.0.2.8] said: 554 5.7.1 <bounce-42@return.platform.example>: Relay access denied (in reply to RCPT TO command)")
	rep.Original.AutoReply = dsn.AutoReplyMarkers{AutoSubmitted: "auto-replied"}
	rep.Original.Subject = "Out of office: your order"
	v := Classify(rep, rc, nil)
	if v.Side != SideRecipient || !hasSignal(v, "original") {
		t.Errorf("auto-reply refused: side %s, want recipient with evidence \"original\" (evidence %+v)", v.Side, v.Evidence)
	}
}

// TestRelayDeniedSenderSignals: sender-side signals other than the host.
func TestRelayDeniedSenderSignals(t *testing.T) {
	tests := []struct {
		name   string
		reply  int
		status string
		cmd    string
		diag   string
	}{
		// Sendmail's smarthost: "Relaying denied. Proper authentication required."
		{"sendmail proper authentication", 550, "5.7.1", "RCPT", "550 5.7.1 <bob@recipient.example>... Relaying denied. Proper authentication required."},
		// RFC 4954 530 on a relay refusal
		{"530 relay", 530, "5.7.0", "RCPT", "530 5.7.0 Relaying not permitted; must authenticate first"},
		// refused before RCPT TO
		{"at MAIL FROM", 550, "5.7.1", "MAIL", "550 5.7.1 Relaying denied"},
	}
	for _, tt := range tests {
		rep, rc := relayReport("rfc3464", tt.status, tt.reply, "", tt.diag)
		rc.Command, rc.Stage = tt.cmd, dsn.StageUnknown
		dsn.CompleteFacts(rc)
		v := Classify(rep, rc, nil)
		if v.Reason != NoRelaying || v.Side != SideSender {
			t.Errorf("%s: Classify = %s/%s, want norelaying/sender (evidence %+v)", tt.name, v.Reason, v.Side, v.Evidence)
		}
	}
}
