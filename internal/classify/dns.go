package classify

import (
	"strconv"
	"strings"

	"github.com/bounced/bounced/internal/dsn"
)

// Input is everything Classify reads beside the report: the remembered
// history and the DNS evidence, all looked up by the caller (classify does
// no I/O). Every field may be nil.
type Input struct {
	// History is the recipient domain's history.
	History *History
	// Host is the history of the rejecting host's registered domain (what
	// the same host did to others), when it differs from the recipient's.
	Host *History
	// DNS is what DNS said about the recipient's domain and the sending IP.
	DNS *DNSFacts
	// Evidence, when it has room for a few (EvidenceRoom), is where the
	// verdict's evidence is written (from Evidence[:0]) rather than in a
	// new slice, so that a caller can keep it in an allocation of its own.
	Evidence []Evidence
}

// EvidenceRoom is how much evidence Input.Evidence should have room for:
// a verdict usually has two to four pieces.
const EvidenceRoom = 4

// DNSFacts is the DNS evidence for one recipient, gathered by the caller
// (internal/bounce through internal/dnscheck). The zero value means no
// lookup was made.
type DNSFacts struct {
	// Domain is the recipient domain looked up.
	Domain string
	// MX is the answer as dig prints it: "MX example.com = mx1.example.net.,
	// mx2.example.net." (or NXDOMAIN, null MX, implicit MX ...).
	MX string
	// MXHosts are the MX targets, fully qualified.
	MXHosts []string
	// NXDomain, NullMX and NoMailHost say the domain cannot receive mail:
	// it does not exist, it publishes "MX 0 ." (RFC 7505), or it has
	// neither MX nor address records (RFC 5321 5.1).
	NXDomain, NullMX, NoMailHost bool
	// Relay is whether the refusing host is one of the MX hosts, and
	// RelayEvidence the sentence that says so ("MX example.com =
	// mx1.example.net.; refusing host smtp.isp.example is not among them").
	Relay         RelayMatch
	RelayEvidence string
	// SendingIP is the sending server's address the lists were asked about.
	SendingIP string
	// Listings are the lists that list SendingIP.
	Listings []Listing
	// Checked are the list zones that answered (listed or not).
	Checked []string
	// Lookups names the lookups made ("MX example.com", "DNSBL 192.0.2.10
	// zen.spamhaus.org"), cached answers included.
	Lookups []string
	// Failed names the lookups that failed and how: "MX example.com:
	// timeout". A failed lookup decides nothing.
	Failed []string
	// NamedList is set by Classify (on the verdict's copy) when the
	// refusal names a blocklist ("blocked using zen.spamhaus.org") but
	// none of the lists checked lists the sending IP (any more).
	NamedList string
}

// RelayMatch is whether a refusing host is among a domain's MX hosts.
type RelayMatch int

const (
	RelayUnknown  RelayMatch = iota // not checked, or DNS could not tell
	RelayAmongMX                    // the host is one of the MX hosts
	RelayNotAmong                   // the host is not among them
)

// Listing is one blocklist that lists the sending IP.
type Listing struct {
	Zone   string   // "zen.spamhaus.org"
	Codes  []string // "127.0.0.2"
	Reason string   // the TXT record
}

// DeadDomain reports whether DNS says the domain cannot receive mail.
func (d *DNSFacts) DeadDomain() bool {
	return d != nil && (d.NXDomain || d.NullMX || d.NoMailHost)
}

// addFunc records one relay-side signal (relaySide's add).
type addFunc func(side Side, w float64, signal Signal, value, id, src string)

// Sources of the DNS rules.
const (
	srcMX    = "RFC 5321 5.1 (MX lookup); DESIGN.md, Relaying denied"
	srcDead  = "RFC 5321 5.1; RFC 7505 (null MX); RFC 1035 4.1.1 (NXDOMAIN)"
	srcDNS   = "RFC 1035; RFC 2308"
	srcDNSBL = "RFC 5782 (DNS blocklists)"
)

// Weights of the DNS and same-host evidence.
const (
	// wDNSMX is the MX set deciding a relay denial. It decides whatever
	// the textual signals say (relaySide): the records say where the
	// recipient's mail goes, the text only hints at it.
	wDNSMX = 1.0
	// wSameHostInBounce: one host refused to relay for two unrelated
	// recipient domains in the same bounce: an MX serves its own domains,
	// a relay serves all of them.
	wSameHostInBounce = 0.6
	// wHostHistory: the rejecting host has refused relaying for many
	// different recipient domains, for few senders: a smarthost refusing
	// this sender.
	wHostHistory = 0.5
	// MinHostDomains is how many distinct recipient domains a rejecting
	// host must have refused before its history counts.
	MinHostDomains = 3
	// maxHostSenders is the most distinct senders a host's history may
	// hold and still read as one sender's smarthost.
	maxHostSenders = 2
)

// dnsRelayEvidence adds the MX set's decision to a relay denial and
// returns the side it decides, SideUnknown when DNS could not tell.
//
// A host that is not among the MX hosts but shares a registered domain
// with one of them decides nothing: a provider's outbound relays and its
// inbound MX hosts share its domain (outlook.com, google.com).
func dnsRelayEvidence(f *facts, d *DNSFacts, add addFunc) Side {
	if d == nil {
		return SideUnknown
	}
	if d.Relay == RelayNotAmong && f.hostDom() != "" {
		near := ""
		for _, m := range d.MXHosts {
			if near == "" && dsn.RegisteredDomain(strings.TrimSuffix(m, ".")) == f.hostDom() {
				near = "the MX host " + m
			}
		}
		if near != "" {
			add(SideRecipient, 0, SignalDNS, d.RelayEvidence+", but it shares its registered domain with "+near+": DNS cannot tell the provider's relay from its MX",
				"dns-host-near-mx", srcMX)
			return SideUnknown
		}
	}
	switch d.Relay {
	case RelayAmongMX:
		add(SideRecipient, wDNSMX, SignalDNS, d.RelayEvidence+": the recipient domain's own MX refuses it (dead domain, unfinished migration)", "dns-host-among-mx", srcMX)
		return SideRecipient
	case RelayNotAmong:
		add(SideSender, wDNSMX, SignalDNS, d.RelayEvidence+": the sender's relay or smarthost refused", "dns-host-not-among-mx", srcMX)
		return SideSender
	}
	return SideUnknown
}

// hostHistoryEvidence adds what the rejecting host did to other recipient
// domains over time.
func hostHistoryEvidence(h *History, add addFunc) {
	if h == nil || h.Total == 0 {
		return
	}
	nr := h.Reasons[string(NoRelaying)]
	if nr >= MinHostDomains && h.DistinctRecipientDomains >= MinHostDomains && h.DistinctSenders <= maxHostSenders {
		add(SideSender, wHostHistory, SignalHostHistory,
			h.Domain+" refused relaying "+strconv.FormatInt(nr, 10)+" times for "+strconv.FormatInt(h.DistinctRecipientDomains, 10)+
				" recipient domains from "+strconv.FormatInt(h.DistinctSenders, 10)+" sender(s): it is that sender's smarthost, not an MX",
			"host-history-many-domains", "DESIGN.md, Relaying denied; issue 11 item 4")
	}
}

// sameHostInBounce returns the other recipient domain of rep, unrelated to
// rcpt's, refused to relay by the same host as rcpt, or "".
func sameHostInBounce(f *facts, rep *dsn.Report, rcpt *dsn.Recipient) string {
	if f.remoteHost() == "" || len(rep.Recipients) < 2 {
		return ""
	}
	rdom := dsn.RegisteredDomain(rcpt.Domain())
	// At most maxWindowRecipients others are looked at, cheap checks
	// first, so a report with many recipients costs linear time.
	for i, n := 0, 0; i < len(rep.Recipients) && n < maxWindowRecipients; i++ {
		o := &rep.Recipients[i]
		if o == rcpt || o.Recipient == rcpt.Recipient {
			continue
		}
		n++
		if o.RemoteHost() != f.remoteHost() {
			continue
		}
		od := dsn.RegisteredDomain(o.Domain())
		if od == "" || od == rdom {
			continue
		}
		diag := o.Diagnostic
		if len(diag) > MaxDiagnosticBytes {
			diag = diag[:MaxDiagnosticBytes]
		}
		if firstOf(strings.ToLower(diag), relayDenialPhrases) != "" {
			return od
		}
	}
	return ""
}

// relayDenialPhrases are the phrases of the rules table's "relay-denied"
// row (rules.go), so the two never drift apart.
var relayDenialPhrases = func() []string {
	for i := range rules {
		if rules[i].id == "relay-denied" {
			return rules[i].phrases
		}
	}
	panic("classify: rules.go has no relay-denied row")
}()

// dnsVerdict applies what DNS says about the recipient's domain and the
// sending IP to v: a domain that cannot receive mail is hostunknown (hard
// unless the report is a delay), a listing of the sending IP is named and
// turns an unexplained block into "blocked", and failed lookups are listed.
func dnsVerdict(v *Verdict, f *facts, d *DNSFacts) {
	if d == nil {
		return
	}
	c := *d // the verdict's own copy: the caller's facts stay as given
	d = &c
	v.DNS = d
	for _, fl := range d.Failed {
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNS, Value: fl + ": the lookup failed, it decides nothing", RuleID: "dns.lookup-failed", Source: srcDNS, Weight: 0})
	}
	if d.DeadDomain() {
		why := "NXDOMAIN: the domain does not exist"
		switch {
		case d.NullMX:
			why = "null MX (RFC 7505): the domain accepts no mail"
		case d.NoMailHost:
			why = "neither MX nor address records (RFC 5321 5.1): no host receives its mail"
		}
		if !deadDomainOverrides[v.Reason] {
			// The refusal came from a server that took mail for the
			// domain (a mailbox, content or policy answer): the domain
			// existed then. A resolver that answers NXDOMAIN for
			// everything must not turn such bounces into dead domains.
			v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNS, Value: d.MX + ": " + why + " now, but the refusal (" + string(v.Reason) +
				") came from a server that accepted mail for the domain; the domain may have died since", RuleID: "dns.dead-domain-later", Source: srcDead, Weight: 0})
			listBlock(v, f, d)
			return
		}
		if v.Reason != HostUnknown {
			v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNS, Value: d.MX + ": overrides " + string(v.Reason) + ", the recipient domain cannot receive mail",
				RuleID: "dns.dead-domain-overrides", Source: srcMX, Weight: 0})
		}
		v.Reason, v.Side = HostUnknown, SideRecipient
		v.Hard = !f.delayed()
		v.Confidence = max(v.Confidence, 0.95)
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNS, Value: d.MX + ": " + why, RuleID: "dns.dead-domain", Source: srcDead, Weight: 0.95})
		return
	}
	listBlock(v, f, d)
}

// deadDomainOverrides are the reasons a dead domain in DNS replaces with
// hostunknown: those that do not show a server accepting mail for the
// domain (relay denials, unknown hosts, network and queue failures,
// unexplained refusals).
var deadDomainOverrides = map[Reason]bool{
	HostUnknown: true, NotAccept: true, NoRelaying: true, Undefined: true, Expired: true, NetworkError: true,
	SystemError: true, SystemFull: true, OnHold: true, MailerError: true, Rejected: true,
}

// listBlock names the sending IP's listings, and says when a block names a
// list that does not list the IP (any more).
func listBlock(v *Verdict, f *facts, d *DNSFacts) {
	named := blocklistFirst.first(f.lowDiag())
	for _, z := range d.Checked {
		if strings.Contains(f.lowDiag(), z) {
			named = z
			break
		}
	}
	if len(d.Listings) > 0 {
		zones := make([]string, len(d.Listings))
		for i, l := range d.Listings {
			zones[i] = l.Zone
			value := d.SendingIP + " listed on " + l.Zone + " (" + strings.Join(l.Codes, ", ") + ")"
			if l.Reason != "" {
				value += ": " + l.Reason
			}
			v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNSBL, Value: value, RuleID: "dnsbl.listed", Source: srcDNSBL, Weight: 0.3})
		}
		switch {
		case v.Reason == Blocked || v.Reason == BadReputation:
			v.Side = SideSender
			v.Confidence = min(0.97, v.Confidence+0.15)
		case named != "" || blockable[v.Reason]:
			v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNSBL, Value: strings.Join(zones, ", ") + ": overrides " + string(v.Reason) + ", the refusal matches the sending IP's listing",
				RuleID: "dnsbl.explains-refusal", Source: srcDNSBL, Weight: 0.3})
			v.Reason, v.Side = Blocked, SideSender
			v.Confidence = max(v.Confidence, 0.85)
		}
		return
	}
	if named != "" && len(d.Checked) > 0 && d.SendingIP != "" {
		d.NamedList = named
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalDNSBL, Value: d.SendingIP + " not listed (any more) on " + strings.Join(d.Checked, ", ") +
			", though the refusal names a blocklist (" + named + ")", RuleID: "dnsbl.not-listed", Source: srcDNSBL, Weight: 0})
	}
}

// BlocklistRelevant reports whether a listing of the sending IP could
// explain or change v (a block, a bad reputation, or a refusal that says
// nothing more specific), so that callers ask blocklists only then.
func BlocklistRelevant(v Verdict) bool {
	return v.Reason == Blocked || v.Reason == BadReputation || blockable[v.Reason]
}

// blockable are the reasons a listing of the sending IP explains better:
// refusals that say nothing more specific.
var blockable = map[Reason]bool{Rejected: true, Undefined: true, PolicyViolation: true, SpamDetected: true}

// blocklistPhrases say that a refusal came from a blocklist lookup
// (Postfix reject_rbl_client "blocked using", Exim "is listed in",
// Spamhaus and Barracuda reply texts).
var blocklistPhrases = []string{
	"blocked using", "listed at", "listed in", "listed on", "is listed by", "rbl", "dnsbl", "blacklist", "blocklist",
	"spamhaus", "spamcop", "barracudacentral", "sorbs",
}
