package classify

import (
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// relayBounce is a Postfix-style bounce whose recipients were all refused
// with "454 4.7.1 Relay access denied" by host (a name that tells neither
// side: mail.hostingco.example, as in testdata/relay/*-unknown.eml).
func relayBounce(host string, rcpts ...string) *dsn.Report {
	rep := &dsn.Report{Kind: dsn.KindBounce, DecodedBy: "rfc3464", To: "alice@sender.example",
		Original: dsn.Original{From: "alice@sender.example"}}
	for _, r := range rcpts {
		rep.Recipients = append(rep.Recipients, dsn.Recipient{
			Recipient: r, Action: dsn.ActionFailed, Status: smtpcode.Status{Class: 4, Subject: 7, Detail: 1},
			DiagnosticType: "smtp", Diagnostic: "454 4.7.1 <" + r + ">: Relay access denied", RemoteMTA: "dns; " + host,
		})
	}
	return rep
}

func hasEvidence(v Verdict, signal Signal, sub string) bool {
	for _, e := range v.Evidence {
		if e.Signal == signal && (strings.Contains(e.Value, sub) || strings.Contains(e.RuleID, sub)) {
			return true
		}
	}
	return false
}

// TestSameHostInBounce: issue 11 item 4, one host refusing to relay for two
// unrelated recipient domains in one bounce is the sender's relay.
func TestSameHostInBounce(t *testing.T) {
	one := relayBounce("mail.hostingco.example", "bob@recipient.example")
	if v := Classify(one, &one.Recipients[0], nil); v.Reason != NoRelaying || v.Side != SideUnknown {
		t.Fatalf("one recipient: %s %s, want norelaying unknown (the baseline this test moves)", v.Reason, v.Side)
	}
	two := relayBounce("mail.hostingco.example", "bob@recipient.example", "carol@other.example")
	for i := range two.Recipients {
		v := Classify(two, &two.Recipients[i], nil)
		if v.Reason != NoRelaying || v.Side != SideSender || !hasEvidence(v, SignalHost, "same bounce") {
			t.Errorf("%s: %s %s %+v, want norelaying sender with same-host evidence", two.Recipients[i].Recipient, v.Reason, v.Side, v.Evidence)
		}
	}
	// Two addresses of one domain say nothing: an MX serves its own domain.
	same := relayBounce("mail.hostingco.example", "bob@recipient.example", "dan@recipient.example")
	if v := Classify(same, &same.Recipients[0], nil); v.Side != SideUnknown {
		t.Errorf("same domain twice: side %s, want unknown", v.Side)
	}
}

// TestHostHistory: issue 11 item 4, over time a host that refused relaying
// for many recipient domains of one sender is that sender's smarthost; the
// same count spread over many senders says nothing about the host.
func TestHostHistory(t *testing.T) {
	rep := relayBounce("mail.hostingco.example", "bob@recipient.example")
	tests := []struct {
		name string
		host History
		want Side
	}{
		{"smarthost of one sender", History{Domain: "hostingco.example", Total: 5, Reasons: map[string]int64{"norelaying": 5}, DistinctSenders: 1, DistinctRecipientDomains: 4}, SideSender},
		{"too few domains", History{Domain: "hostingco.example", Total: 5, Reasons: map[string]int64{"norelaying": 5}, DistinctSenders: 1, DistinctRecipientDomains: 2}, SideUnknown},
		{"many senders", History{Domain: "hostingco.example", Total: 50, Reasons: map[string]int64{"norelaying": 50}, DistinctSenders: 30, DistinctRecipientDomains: 20}, SideUnknown},
	}
	for _, tt := range tests {
		v := ClassifyWith(rep, &rep.Recipients[0], Input{Host: &tt.host})
		if v.Side != tt.want {
			t.Errorf("%s: side %s, want %s (%+v)", tt.name, v.Side, tt.want, v.Evidence)
		}
	}
}

// TestDNSRelay: the MX set decides a relay denial, whatever the host's
// name suggests, and the evidence names the records.
func TestDNSRelay(t *testing.T) {
	tests := []struct {
		name string
		host string
		dns  DNSFacts
		want Side
	}{
		{"host among MX", "mail.hostingco.example", DNSFacts{Domain: "recipient.example", Relay: RelayAmongMX,
			RelayEvidence: "MX recipient.example = mail.hostingco.example.; refusing host mail.hostingco.example is mail.hostingco.example."}, SideRecipient},
		{"host not among MX", "mail.hostingco.example", DNSFacts{Domain: "recipient.example", Relay: RelayNotAmong,
			RelayEvidence: "MX recipient.example = mx1.recipient.example.; refusing host mail.hostingco.example is not among them"}, SideSender},
		// The name looks like the recipient's MX, DNS says otherwise.
		{"MX-like name not among MX", "mx1.recipient.example", DNSFacts{Domain: "recipient.example", Relay: RelayNotAmong,
			RelayEvidence: "MX recipient.example = mx.provider.example.; refusing host mx1.recipient.example is not among them"}, SideSender},
		// A provider's relay and its MX share a domain: DNS cannot tell.
		{"same provider", "out-7.mail.hostingco.example", DNSFacts{Domain: "recipient.example", Relay: RelayNotAmong, MXHosts: []string{"in-1.mx.hostingco.example."},
			RelayEvidence: "MX recipient.example = in-1.mx.hostingco.example.; refusing host out-7.mail.hostingco.example is not among them"}, SideUnknown},
		{"unknown decides nothing", "mail.hostingco.example", DNSFacts{Domain: "recipient.example", Failed: []string{"MX recipient.example: timeout"}}, SideUnknown},
	}
	for _, tt := range tests {
		rep := relayBounce(tt.host, "bob@recipient.example")
		v := ClassifyWith(rep, &rep.Recipients[0], Input{DNS: &tt.dns})
		if v.Reason != NoRelaying || v.Side != tt.want || v.Hard {
			t.Errorf("%s: %s %s hard=%v, want norelaying %s soft", tt.name, v.Reason, v.Side, v.Hard, tt.want)
		}
		if tt.dns.RelayEvidence != "" && !hasEvidence(v, SignalDNS, tt.dns.RelayEvidence) {
			t.Errorf("%s: evidence does not name the records: %+v", tt.name, v.Evidence)
		}
		if len(tt.dns.Failed) > 0 && !hasEvidence(v, SignalDNS, "timeout") {
			t.Errorf("%s: the failed lookup is not in the evidence: %+v", tt.name, v.Evidence)
		}
		if v.DNS == nil {
			t.Errorf("%s: Verdict.DNS not set", tt.name)
		}
	}
}

// TestDNSDeadDomain: NXDOMAIN, null MX or no mail host make the failure
// hostunknown, hard, recipient side; a delay stays soft.
func TestDNSDeadDomain(t *testing.T) {
	for _, d := range []DNSFacts{
		{Domain: "recipient.example", NXDomain: true, MX: "MX recipient.example: NXDOMAIN"},
		{Domain: "recipient.example", NullMX: true, MX: "MX recipient.example = 0 ."},
		{Domain: "recipient.example", NoMailHost: true, MX: "MX recipient.example: none"},
	} {
		rep := relayBounce("mail.hostingco.example", "bob@recipient.example")
		v := ClassifyWith(rep, &rep.Recipients[0], Input{DNS: &d})
		if v.Reason != HostUnknown || v.Side != SideRecipient || !v.Hard || !hasEvidence(v, SignalDNS, d.MX) {
			t.Errorf("%+v: %s %s hard=%v, want hostunknown recipient hard", d, v.Reason, v.Side, v.Hard)
		}
		rep.Recipients[0].Action = dsn.ActionDelayed
		if v := ClassifyWith(rep, &rep.Recipients[0], Input{DNS: &d}); v.Reason != HostUnknown || v.Hard {
			t.Errorf("delay, %+v: %s hard=%v, want hostunknown soft", d, v.Reason, v.Hard)
		}
	}
}

// TestDNSBLListing: a block naming a list, with the sending IP listed or
// not (any more).
func TestDNSBLListing(t *testing.T) {
	rep := &dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{{
		Recipient: "bob@recipient.example", Action: dsn.ActionFailed, Status: smtpcode.Status{Class: 5, Subject: 7, Detail: 1},
		DiagnosticType: "smtp", Diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org",
		RemoteMTA: "dns; mx1.recipient.example",
	}}}
	rc := &rep.Recipients[0]
	listed := DNSFacts{Domain: "recipient.example", SendingIP: "192.0.2.10", Checked: []string{"zen.spamhaus.org"},
		Listings: []Listing{{Zone: "zen.spamhaus.org", Codes: []string{"127.0.0.2"}, Reason: "https://check.spamhaus.org/"}}}
	v := ClassifyWith(rep, rc, Input{DNS: &listed})
	if v.Side != SideSender || !hasEvidence(v, SignalDNSBL, "192.0.2.10 listed on zen.spamhaus.org (127.0.0.2)") {
		t.Errorf("listed: %s %s %+v", v.Reason, v.Side, v.Evidence)
	}
	base := Classify(rep, rc, nil)
	if v.Reason != base.Reason || v.Confidence < base.Confidence {
		t.Errorf("listed: reason %s conf %.2f, want %s with at least %.2f", v.Reason, v.Confidence, base.Reason, base.Confidence)
	}
	clean := DNSFacts{Domain: "recipient.example", SendingIP: "192.0.2.10", Checked: []string{"zen.spamhaus.org"}}
	v = ClassifyWith(rep, rc, Input{DNS: &clean})
	if !hasEvidence(v, SignalDNSBL, "not listed (any more)") {
		t.Errorf("not listed: no evidence saying so: %+v", v.Evidence)
	}
	// A refusal that names no list and says nothing specific becomes a
	// block when the IP is listed.
	rc.Diagnostic = "550 5.7.1 Message rejected"
	base = Classify(rep, rc, nil)
	v = ClassifyWith(rep, rc, Input{DNS: &listed})
	if blockable[base.Reason] && (v.Reason != Blocked || v.Side != SideSender) {
		t.Errorf("unexplained refusal, IP listed: %s %s (was %s), want blocked sender", v.Reason, v.Side, base.Reason)
	}
}

func TestCompareDNS(t *testing.T) {
	live := &DNSFacts{MX: "MX d.example = mx.d.example.", MXHosts: []string{"mx.d.example."}}
	dead := &DNSFacts{MX: "MX d.example: NXDOMAIN", NXDomain: true}
	failed := &DNSFacts{MX: "MX d.example: lookup failed", Failed: []string{"MX d.example: timeout"}}
	tests := []struct {
		memory, looksDead bool
		d                 *DNSFacts
		want              Agreement
	}{
		{true, true, dead, Agree},
		{true, false, live, Agree},
		{true, true, live, Disagree},
		{true, false, dead, Disagree},
		{true, true, failed, AgreementUnknown},
		{false, false, live, AgreementUnknown},
		{true, true, nil, AgreementUnknown},
	}
	for _, tt := range tests {
		if got, why := CompareDNS(tt.memory, tt.looksDead, tt.d); got != tt.want || why == "" {
			t.Errorf("CompareDNS(%v, %v, %+v) = %v %q, want %v", tt.memory, tt.looksDead, tt.d, got, why, tt.want)
		}
	}
}

// TestDNSDeadDomainLater: a mailbox-level refusal shows a server took mail
// for the domain; NXDOMAIN now does not turn it into hostunknown.
func TestDNSDeadDomainLater(t *testing.T) {
	rep := &dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{{
		Recipient: "bob@recipient.example", Action: dsn.ActionFailed, Status: smtpcode.Status{Class: 5, Subject: 1, Detail: 1},
		DiagnosticType: "smtp", Diagnostic: "550 5.1.1 <bob@recipient.example>: Recipient address rejected: User unknown in virtual mailbox table",
		RemoteMTA: "dns; mx1.recipient.example",
	}}}
	d := DNSFacts{Domain: "recipient.example", NXDomain: true, MX: "MX recipient.example: NXDOMAIN"}
	v := ClassifyWith(rep, &rep.Recipients[0], Input{DNS: &d})
	if v.Reason != UserUnknown || !hasEvidence(v, SignalDNS, "may have died since") {
		t.Errorf("%s %+v, want userunknown kept with the DNS evidence", v.Reason, v.Evidence)
	}
}
