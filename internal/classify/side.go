package classify

import (
	"strconv"
	"strings"

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
func relaySide(f *facts, rep *dsn.Report, rcpt *dsn.Recipient, in *Input) (Side, float64, []Evidence) {
	hist := in.History
	host := f.remoteHost()
	var snd, rcv float64
	var ev []Evidence
	// add records one signal; id names the check ("relay.<id>"), src cites
	// it, value says what was seen and what it tells.
	add := func(side Side, w float64, signal Signal, value, id, src string) {
		if side == SideSender {
			snd += w
		} else {
			rcv += w
		}
		ev = append(ev, Evidence{Signal: signal, Value: value + " (" + string(side) + " side)", RuleID: "relay." + id, Source: src, Weight: w})
	}

	const design = "DESIGN.md, Relaying denied"
	rdom := dsn.RegisteredDomain(rcpt.Domain())
	if host != "" && !dsn.IsIP(host) {
		hdom := f.hostDom()
		sdom, sfrom := senderDomain(rep, hdom)
		switch {
		case rdom != "" && hdom == rdom:
			add(SideRecipient, wHostInRcptDomain, SignalHost, host+" is in the recipient's domain "+rdom+": its own MX does not accept it",
				"host-in-recipient-domain", design)
		case sdom != "":
			add(SideSender, wHostInSenderDomain, SignalHost, host+" is in the sender's domain ("+sfrom+"): the sender's own relay refused",
				"host-in-sender-domain", design)
		default:
			if h, ok := classifyHost(host); ok {
				w := wHostNamingHabit
				if h.strong {
					w = wProviderHost
				}
				switch h.kind {
				case hostInbound:
					add(SideRecipient, w, SignalHost, host+" looks like the recipient domain's MX", "host-looks-inbound", h.src)
				case hostOutbound:
					add(SideSender, w, SignalHost, host+" looks like a submission relay or smarthost", "host-looks-outbound", h.src)
				}
			}
		}
	}
	if ph := relaySenderFirst.first(f.lowDiag()); ph != "" {
		add(SideSender, wSenderText, SignalPhrase, ph+": the client must authenticate or be verified", "sender-phrase", "RFC 4954 6; RFC 5321 3.6.2")
	}
	if ph := relayRecipientFirst.first(f.lowDiag()); ph != "" {
		add(SideRecipient, wRecipientText, SignalPhrase, ph+": the recipient's domain is not one of the server's own", "recipient-phrase", "RFC 5321 3.6.2")
	}
	switch {
	case f.reply == 530 || f.reply == 535 || (f.status.Subject == 7 && f.status.Detail == 8):
		add(SideSender, wAuthCode, codeSignalOf(f), codeValueOf(f)+": an authentication code", "auth-code", "RFC 4954 6")
	case f.status.Class == 5 && f.status.Subject == 7 && f.status.Detail == 0:
		add(SideSender, wStatus570, SignalStatus, f.status.String()+": often the relay wants authentication", "status-5.7.0", "RFC 3463 3.8; RFC 4954 6")
	}
	switch f.stage {
	case dsn.StageConnect, dsn.StageHelo, dsn.StageStartTLS, dsn.StageAuth, dsn.StageMail:
		add(SideSender, wEarlyCommand, SignalStage, f.stage.String()+": refused before RCPT TO, the relay refused the client itself",
			"early-stage", "RFC 5321 3.3")
	}
	if rep.Original.IsAutoReply() {
		value := autoReplyValue(rep.Original.AutoReply)
		if value == "" {
			value = "Subject: " + rep.Original.Subject
		}
		add(SideRecipient, wOriginalIsAutoReply, SignalOriginal, value+": an auto-reply to a return address was refused by that domain",
			"original-auto-reply", "RFC 3834 3.1.5")
	}
	if hist != nil && hist.Total > 0 {
		nr := hist.Reasons[string(NoRelaying)]
		switch {
		case nr >= 2 && hist.DistinctSenders >= MinDistinctSenders:
			w := min(wHistoryMax, wHistoryBase+wHistoryStep*float64(hist.DistinctSenders-MinDistinctSenders))
			add(SideRecipient, w, SignalDomainHistory, strconv.FormatInt(nr, 10)+" relay denials from "+
				strconv.FormatInt(hist.DistinctSenders, 10)+" distinct senders refused by "+histDomain(hist, rcpt),
				"history-many-senders", design)
		case nr >= 2 && hist.DistinctSenders == 1:
			add(SideSender, wHistoryOneSender, SignalDomainHistory, strconv.FormatInt(nr, 10)+" relay denials, all from one sender, by "+
				histDomain(hist, rcpt), "history-one-sender", design)
		}
	}

	if od := sameHostInBounce(f, rep, rcpt); od != "" {
		add(SideSender, wSameHostInBounce, SignalHost, host+" refused to relay for "+od+" too, in the same bounce: an MX serves its own domains, a relay serves all of them",
			"same-host-two-domains", "DESIGN.md, Relaying denied; issue 11 item 4")
	}
	hostHistoryEvidence(in.Host, add)
	if side := dnsRelayEvidence(f, in.DNS, add); side != SideUnknown {
		return side, 0.95, ev
	}

	margin := rcv - snd
	switch {
	case margin >= relayMargin:
		return SideRecipient, min(0.95, 0.55+margin/2), ev
	case margin <= -relayMargin:
		return SideSender, min(0.95, 0.55-margin/2), ev
	}
	ev = append(ev, Evidence{Signal: SignalHost, Value: host + ": the evidence does not tell the sender's relay from the recipient's MX (sender " +
		strconv.FormatFloat(snd, 'f', 2, 64) + ", recipient " + strconv.FormatFloat(rcv, 'f', 2, 64) + ")",
		RuleID: "relay.side-unknown", Source: design, Weight: 0})
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
		if d != "" && dsn.RegisteredDomain(d) == hdom {
			return hdom, c.from
		}
	}
	return "", ""
}

// feedbackVerdict is the verdict for an RFC 5965 feedback report.
func feedbackVerdict(rep *dsn.Report) Verdict {
	v := Verdict{Reason: Feedback, Side: SideUnknown, Confidence: 0.9}
	if rep.Feedback != nil {
		v.Confidence = 0.98
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalFormat, Value: "Feedback-Type: " + rep.Feedback.Type,
			RuleID: "feedback-report", Source: "RFC 5965 3.1", Weight: 0.98})
	} else {
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalFormat, Value: "kind " + rep.Kind.String(),
			RuleID: "feedback-kind", Source: "RFC 5965", Weight: 0.9})
	}
	return v
}

// vacationVerdict is the verdict for an RFC 3834 automatic reply.
func vacationVerdict(rep *dsn.Report) Verdict {
	v := Verdict{Reason: Vacation, Side: SideUnknown, Confidence: 0.9}
	if m := rep.AutoReply; !m.Empty() {
		v.Confidence = 0.95
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalFormat, Value: autoReplyValue(m) + ": an automatic reply, not a bounce",
			RuleID: "auto-reply-header", Source: "RFC 3834 5", Weight: 0.95})
	} else {
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalFormat, Value: "kind " + rep.Kind.String() + ": an automatic reply, not a bounce",
			RuleID: "auto-reply-kind", Source: "RFC 3834", Weight: 0.9})
	}
	return v
}
