package classify

import "time"

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

// Evidence is one signal behind a verdict.
type Evidence struct {
	Signal string  // "status", "reply_code", "phrase", "mta", "command", "action", "domain_history", "host"
	Value  string  // the value seen
	Rule   string  // the rule that used it
	Weight float64 // how much it moved the verdict, 0..1
}

// Verdict is the classifier's reading of one recipient.
type Verdict struct {
	Reason     Reason
	Side       Side
	Hard       bool
	Confidence float64
	Evidence   []Evidence
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
}
