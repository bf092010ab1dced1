package classify

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/bounced/bounced/internal/dsn"
)

// Weights of the relay-denied side signals (DESIGN.md "Relaying denied").
// A side wins when its total beats the other's by relayMargin; otherwise the
// verdict says SideUnknown.
const (
	relayMargin          = 0.25
	wHostInRcptDomain    = 0.6  // rejecting host shares the recipient's registered domain
	wHostInSenderDomain  = 0.55 // rejecting host shares the sender's or reporting MTA's domain
	wProviderHost        = 0.45 // a provider's published MX or submission host
	wHostNamingHabit     = 0.2  // mx*, smtp.*, relay* ...
	wSenderText          = 0.5  // "authentication required", "sender verify failed" ...
	wRecipientText       = 0.4  // "not in my list of allowed rcpthosts" ...
	wAuthCode            = 0.4  // 530, 535, X.7.8
	wStatus570           = 0.1  // 5.7.0: often "authentication required"
	wEarlyCommand        = 0.3  // refused before RCPT TO
	wOriginalIsAutoReply = 0.3  // a responder's reply to a platform's return address
	wHistoryBase         = 0.25 // many senders refused by the same domain
	wHistoryStep         = 0.05
	wHistoryMax          = 0.5
	wHistoryOneSender    = 0.1 // only ever one sender refused: its own setup
)

// relaySide decides whose side a relay denial is on, with a confidence and
// the evidence.
func relaySide(f *facts, rep *dsn.Report, rcpt *dsn.Recipient, hist *History) (Side, float64, []Evidence) {
	var snd, rcv float64
	var ev []Evidence
	add := func(side Side, w float64, signal, value, rule string) {
		if side == SideSender {
			snd += w
		} else {
			rcv += w
		}
		ev = append(ev, Evidence{Signal: signal, Value: value, Rule: "relay side " + string(side) + ": " + rule, Weight: w})
	}

	rdom := registeredDomain(rcpt.Domain())
	if f.host != "" && !isIP(f.host) {
		hdom := registeredDomain(f.host)
		sdom, sfrom := senderDomain(rep, hdom)
		switch {
		case rdom != "" && hdom == rdom:
			add(SideRecipient, wHostInRcptDomain, "host", f.host, "the rejecting host ("+f.hostFrom+") is in the recipient's domain "+rdom+": its own MX does not accept it")
		case sdom != "":
			add(SideSender, wHostInSenderDomain, "host", f.host, "the rejecting host ("+f.hostFrom+") is in the sender's domain ("+sfrom+"): the sender's own relay refused")
		default:
			if h, ok := classifyHost(f.host); ok {
				w := wHostNamingHabit
				if h.strong {
					w = wProviderHost
				}
				switch h.kind {
				case hostInbound:
					add(SideRecipient, w, "host", f.host, "the rejecting host looks like the recipient domain's MX ("+h.src+")")
				case hostOutbound:
					add(SideSender, w, "host", f.host, "the rejecting host looks like a submission relay or smarthost ("+h.src+")")
				}
			}
		}
	}
	if ph := firstOf(f.diag, relaySenderPhrases); ph != "" {
		add(SideSender, wSenderText, "phrase", ph, "the reply asks the client to authenticate or be verified")
	}
	if ph := firstOf(f.diag, relayRecipientPhrases); ph != "" {
		add(SideRecipient, wRecipientText, "phrase", ph, "the server says the recipient's domain is not one of its own")
	}
	switch {
	case f.reply == 530 || f.reply == 535 || (f.status.Subject == 7 && f.status.Detail == 8):
		add(SideSender, wAuthCode, codeSignalOf(f), codeValueOf(f), "an authentication code (RFC 4954)")
	case f.status.Class == 5 && f.status.Subject == 7 && f.status.Detail == 0:
		add(SideSender, wStatus570, "status", f.status.String(), "5.7.0 often means the relay wants authentication")
	}
	switch f.command {
	case "CONN", "EHLO", "HELO", "MAIL", "AUTH", "STARTTLS":
		add(SideSender, wEarlyCommand, "command", f.command, "refused before RCPT TO: the relay refused the client itself")
	}
	if rep.Original.IsAutoReply() {
		value := autoReplyValue(rep.Original.AutoReply)
		if value == "" {
			value = "Subject: " + rep.Original.Subject
		}
		add(SideRecipient, wOriginalIsAutoReply, "original", value, "the refused message was an auto-reply sent to a return address: that domain refused it")
	}
	if hist != nil && hist.Total > 0 {
		nr := hist.Reasons[string(NoRelaying)]
		switch {
		case nr >= 2 && hist.DistinctSenders >= MinDistinctSenders:
			w := min(wHistoryMax, wHistoryBase+wHistoryStep*float64(hist.DistinctSenders-MinDistinctSenders))
			add(SideRecipient, w, "domain_history", strconv.FormatInt(nr, 10)+" relay denials from "+strconv.FormatInt(hist.DistinctSenders, 10)+" distinct senders",
				"many different senders are refused by "+histDomain(hist, rcpt)+": the domain's own MX does not accept it")
		case nr >= 2 && hist.DistinctSenders == 1:
			add(SideSender, wHistoryOneSender, "domain_history", strconv.FormatInt(nr, 10)+" relay denials, all from one sender",
				"only one sender is ever refused by "+histDomain(hist, rcpt))
		}
	}

	margin := rcv - snd
	switch {
	case margin >= relayMargin:
		return SideRecipient, min(0.95, 0.55+margin/2), ev
	case margin <= -relayMargin:
		return SideSender, min(0.95, 0.55-margin/2), ev
	}
	ev = append(ev, Evidence{Signal: "host", Value: f.host, Rule: "relay side unknown: the evidence does not tell the sender's relay from the recipient's MX (sender " + strconv.FormatFloat(snd, 'f', 2, 64) + ", recipient " + strconv.FormatFloat(rcv, 'f', 2, 64) + ")", Weight: 0})
	return SideUnknown, 0.4, ev
}

func histDomain(h *History, rcpt *dsn.Recipient) string {
	if h.Domain != "" {
		return h.Domain
	}
	return rcpt.Domain()
}

func autoReplyValue(m dsn.AutoReplyMarkers) string {
	switch {
	case m.AutoSubmitted != "":
		return "Auto-Submitted: " + m.AutoSubmitted
	case m.XAutoreply != "":
		return "X-Autoreply: " + m.XAutoreply
	case m.Precedence != "":
		return "Precedence: " + m.Precedence
	}
	return m.Other
}

// senderDomain returns the registered domain of the sending side that
// equals hdom, and where it was found, or "".
func senderDomain(rep *dsn.Report, hdom string) (string, string) {
	if hdom == "" {
		return "", ""
	}
	cands := [...]struct{ v, from string }{
		{rep.Original.From, "original From"},
		{rep.Original.ReturnPath, "original Return-Path"},
		{rep.To, "bounce To"},
		{rep.ReportingMTA, "Reporting-MTA"},
		{rep.ReceivedFromMTA, "Received-From-MTA"},
	}
	for _, c := range cands {
		if c.v == "" {
			continue
		}
		d := c.v
		if i := strings.LastIndexByte(d, '@'); i >= 0 {
			d = d[i+1:]
		}
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), "<>\". ")
		if d != "" && registeredDomain(d) == hdom {
			return hdom, c.from
		}
	}
	return "", ""
}

// registeredDomain returns the registrable domain ("eTLD+1") of a host or
// domain name, lower case, or "" for IP literals and bad names.
func registeredDomain(name string) string {
	name = strings.Trim(strings.ToLower(name), ". []")
	if name == "" || isIP(name) {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return name
	}
	return d
}

func isIP(s string) bool {
	s = strings.Trim(s, "[]")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "ipv6:"), "IPv6:")
	_, err := netip.ParseAddr(s)
	return err == nil
}

// rejectingHost returns the host that refused the message: the Remote-MTA
// field, else the host named in the diagnostic ("host X[ip] said",
// "host X [ip]:", "connect to X[ip]", "talking to X").
func rejectingHost(remote, lowerDiag string) (string, string) {
	if h := cleanHost(remote); h != "" {
		return h, "remote-mta"
	}
	for _, marker := range [...]string{"host ", "connect to ", "talking to ", " by "} {
		for off := 0; off < len(lowerDiag); {
			i := strings.Index(lowerDiag[off:], marker)
			if i < 0 {
				break
			}
			start := off + i + len(marker)
			j := start
			for j < len(lowerDiag) && isHostByte(lowerDiag[j]) {
				j++
			}
			name := strings.TrimRight(lowerDiag[start:j], ".-")
			if strings.IndexByte(name, '.') > 0 && hasLetter(name) {
				return name, "diagnostic"
			}
			off = start
		}
	}
	return "", ""
}

// cleanHost reads a host name out of a Remote-MTA value such as
// "mx.example.jp. (198.51.100.225, the server for the domain example.jp.)",
// "[192.0.2.1]" or "dns; mx.example.com".
func cleanHost(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = strings.TrimSpace(v[i+1:])
	}
	if i := strings.IndexAny(v, " (\t"); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, '['); i > 0 {
		v = v[:i]
	}
	return strings.Trim(v, ".[]")
}

func isHostByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_'
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

// feedbackVerdict is the verdict for an RFC 5965 feedback report.
func feedbackVerdict(rep *dsn.Report) Verdict {
	v := Verdict{Reason: Feedback, Side: SideUnknown, Confidence: 0.9}
	if rep.Feedback != nil {
		v.Confidence = 0.98
		v.Evidence = append(v.Evidence, Evidence{Signal: "feedback_type", Value: rep.Feedback.Type, Rule: "ARF feedback report (RFC 5965 3.1 Feedback-Type): a complaint, not a bounce", Weight: 0.98})
	} else {
		v.Evidence = append(v.Evidence, Evidence{Signal: "kind", Value: rep.Kind.String(), Rule: "the report is a feedback report (RFC 5965)", Weight: 0.9})
	}
	return v
}

// vacationVerdict is the verdict for an RFC 3834 automatic reply.
func vacationVerdict(rep *dsn.Report) Verdict {
	v := Verdict{Reason: Vacation, Side: SideUnknown, Confidence: 0.9}
	if m := rep.AutoReply; !m.Empty() {
		v.Confidence = 0.95
		v.Evidence = append(v.Evidence, Evidence{Signal: "header", Value: autoReplyValue(m), Rule: "automatic reply (RFC 3834 5): not a bounce, never hard", Weight: 0.95})
	} else {
		v.Evidence = append(v.Evidence, Evidence{Signal: "kind", Value: rep.Kind.String(), Rule: "the report is an automatic reply (RFC 3834): not a bounce, never hard", Weight: 0.9})
	}
	return v
}
