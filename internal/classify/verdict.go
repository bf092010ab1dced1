package classify

import (
	"time"

	"github.com/bounced/bounced/internal/smtpcode"
)

// Reason is a cause of a bounce, named as in the vocabulary of
// REASONS.md (testdata/bounces/REASONS.md). Names are a stable contract.
type Reason string

const (
	AuthFailure     Reason = "authfailure"
	BadReputation   Reason = "badreputation"
	Blocked         Reason = "blocked"
	ContentError    Reason = "contenterror"
	Delivered       Reason = "delivered"
	EmailTooLarge   Reason = "emailtoolarge"
	Expired         Reason = "expired"
	FailedSTARTTLS  Reason = "failedstarttls"
	Feedback        Reason = "feedback"
	Filtered        Reason = "filtered"
	HasMoved        Reason = "hasmoved"
	HostUnknown     Reason = "hostunknown"
	MailboxFull     Reason = "mailboxfull"
	MailerError     Reason = "mailererror"
	NetworkError    Reason = "networkerror"
	NoRelaying      Reason = "norelaying"
	NotAccept       Reason = "notaccept"
	NotCompliantRFC Reason = "notcompliantrfc"
	OnHold          Reason = "onhold"
	PolicyViolation Reason = "policyviolation"
	RateLimited     Reason = "ratelimited"
	Rejected        Reason = "rejected"
	RequirePTR      Reason = "requireptr"
	SecurityError   Reason = "securityerror"
	SpamDetected    Reason = "spamdetected"
	Suppressed      Reason = "suppressed"
	Suspend         Reason = "suspend"
	SyntaxError     Reason = "syntaxerror"
	SystemError     Reason = "systemerror"
	SystemFull      Reason = "systemfull"
	Undefined       Reason = "undefined"
	UserUnknown     Reason = "userunknown"
	Vacation        Reason = "vacation"
	VirusDetected   Reason = "virusdetected"
)

// Side says whose side must act.
type Side string

const (
	SideSender    Side = "sender"
	SideRecipient Side = "recipient"
	SideNetwork   Side = "network"
	SideUnknown   Side = "unknown"
)

// Signal is the kind of fact a piece of Evidence is about.
type Signal int

// The signals, in a stable order (the wire enum follows it).
const (
	SignalUnknown       Signal = iota
	SignalStatus               // the enhanced status code (RFC 3463)
	SignalReplyCode            // the SMTP reply code (RFC 5321 4.2)
	SignalPhrase               // a phrase of the diagnostic or the report's text
	SignalFormat               // the report's format: the recogniser, diagnostic type, kind, header
	SignalStage                // the SMTP command or delivery stage that failed
	SignalAction               // the RFC 3464 Action field
	SignalDomainHistory        // what is remembered of the recipient's domain
	SignalHost                 // the rejecting host or the recipient's domain
	SignalOriginal             // the returned original message
	SignalDNS                  // DNS evidence (MX, null MX, NXDOMAIN)
	SignalDNSBL                // a DNS blocklist listing
	SignalHostHistory          // what is remembered of the rejecting host
)

var signalNames = [...]string{
	"unknown", "status", "reply_code", "phrase", "format", "stage", "action",
	"domain_history", "host", "original", "dns", "dnsbl", "host_history",
}

// String returns the signal's lower-case name ("reply_code").
func (s Signal) String() string {
	if s >= 0 && int(s) < len(signalNames) {
		return signalNames[s]
	}
	return "unknown"
}

// Evidence is one signal behind a verdict.
type Evidence struct {
	Signal Signal
	Value  string // the value seen, and what it told
	// RuleID names the rule that used it: a row of the reason table
	// (rules.go id, "ms-relay") or a fixed check ("relay.host-in-rcpt-domain").
	// IDs are stable; clients may key on them.
	RuleID string
	// Source cites the RFC or vendor document behind the rule.
	Source string
	Weight float64 // how much it moved the verdict, 0..1
}

// Verdict is the classifier's reading of one recipient.
type Verdict struct {
	Reason     Reason
	Side       Side
	Hard       bool
	Confidence float64
	Evidence   []Evidence
	// Status is the enhanced status code the verdict was decided on: the
	// report's Status field or the remote server's own code, by the one
	// policy of decisiveStatus. Zero when the bounce gives none.
	Status smtpcode.Status
	// OriginalIsAutoReply is true when the returned original was itself an
	// automatic reply (RFC 3834): the responder's reply was refused, not
	// the client's mail.
	OriginalIsAutoReply bool
	// DNS is the DNS evidence the verdict used, nil when none was looked up.
	DNS *DNSFacts
}

// History is what is remembered of a remote domain, as the classifier sees
// it. The zero value means no history.
type History struct {
	Domain          string
	Total           int64
	Reasons         map[string]int64 // per Reason name
	Sides           map[string]int64 // per Side name
	DistinctSenders int64
	FirstSeen       time.Time
	LastSeen        time.Time
	LastReason      string
	LastSide        string
	LastStatus      string

	// DistinctRecipientDomains is, for a rejecting host's history, how
	// many different recipient domains it refused (an estimate).
	DistinctRecipientDomains int64
}
