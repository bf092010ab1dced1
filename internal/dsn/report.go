package dsn

import "github.com/bounced/bounced/internal/smtpcode"

// Kind is what sort of message a Report describes, as far as its structure
// tells. The classifier may refine it.
type Kind int

const (
	KindUnknown   Kind = iota
	KindBounce         // at least one recipient failed
	KindDelay          // delivery still being tried
	KindDelivery       // success report: delivered, relayed or expanded
	KindAutoReply      // RFC 3834 auto-reply, vacation message
	KindFeedback       // RFC 5965 feedback report
	KindNotBounce      // none of the above
)

var kindNames = [...]string{"unknown", "bounce", "delay", "delivery", "autoreply", "feedback", "notbounce"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Action is the RFC 3464 section 2.3.3 action value, lower case:
// "failed", "delayed", "delivered", "relayed", "expanded".
type Action string

const (
	ActionFailed    Action = "failed"
	ActionDelayed   Action = "delayed"
	ActionDelivered Action = "delivered"
	ActionRelayed   Action = "relayed"
	ActionExpanded  Action = "expanded"
)

// Report is everything a bounce says, as facts.
type Report struct {
	Kind Kind
	// DecodedBy names the format that was read: a row of the recognisers
	// table ("postfix", "sendmail", "exim", "qmail", "exchange2007",
	// "office365", "gmail", "amazonses", ...) also when the report has a
	// delivery-status part, "rfc3464" for a report no row recognises,
	// "arf" for RFC 5965 feedback, "rfc3834" for auto-replies, "generic"
	// for the generic scanner, and "x-failed-recipients", "verp" or
	// "generic-original" for the fallbacks of a text that names no
	// recipient.
	DecodedBy string

	// Per-message DSN fields (RFC 3464 section 2.2), values without their type.
	ReportingMTA    string
	ReceivedFromMTA string
	ArrivalDate     string

	// The bounce's own headers that matter.
	From      string // From of the bounce
	To        string // To of the bounce (VERP lives here)
	Subject   string // decoded Subject of the bounce
	ReturnTo  string // Return-Path of the bounce
	MessageID string // Message-ID of the bounce

	// FailedRecipients lists the addresses of the bounce's own
	// X-Failed-Recipients header (Exim, Gmail), normalised.
	FailedRecipients []string
	// VERPRecipient is the recipient encoded in the VERP address the bounce
	// was sent to (its To, Return-Path, Delivered-To or X-Original-To):
	// "bounces+alice=example.com@esp.example" gives "alice@example.com".
	// It is the failed recipient when the text names none.
	VERPRecipient string

	// AutoReply holds the RFC 3834 markers found on the bounce itself.
	AutoReply AutoReplyMarkers

	Recipients []Recipient
	Original   Original

	// SendingIP is the address of the server that sent the message to
	// the refusing host, "" when no public one is known; SendingIPFrom
	// says where it was read (received.go). Both are ASCII.
	SendingIP, SendingIPFrom string
	// Feedback is set for RFC 5965 feedback reports.
	Feedback *Feedback

	// Text is the human-readable part of the report (first text part),
	// decoded to UTF-8, capped at MaxTextBytes.
	Text string
	// TextASCII is true when Parse found Text all ASCII, so lower-casing
	// it changes ASCII letters only (classify then scans it without a
	// lower-cased copy). False says nothing: a Report built by hand, or a
	// Text changed after Parse, is checked by whoever needs to know.
	TextASCII bool `json:"-"`
	// textValid is true when finish took Text from text it knows is valid
	// UTF-8 (ensureUTF8 need not look at it again). finish sets TextASCII
	// when it knows Text is all ASCII (ensureUTF8 then passes over it
	// too); ensureUTF8 sets it exactly otherwise.
	textValid bool
	// checked is set by Parse once ensureUTF8 has made every string of
	// the Report valid UTF-8 (CheckedUTF8).
	checked bool

	// Warnings lists non-fatal problems met while reading.
	Warnings []string
}

// CheckedUTF8 reports whether r is a Report as Parse returned it, every
// string of which Parse checked to be valid UTF-8 (invalid bytes made
// U+FFFD, FuzzParse holds it to that): a writer of r's strings need not
// check them again. False for a Report built by hand. A caller that
// changes a Parse Report's strings keeps them valid.
func (r *Report) CheckedUTF8() bool { return r.checked }

// AutoReplyMarkers are the headers that mark an automatic reply.
type AutoReplyMarkers struct {
	AutoSubmitted string // RFC 3834 Auto-Submitted
	Precedence    string // bulk, junk, list, auto_reply
	XAutoreply    string // X-Autoreply, X-Autorespond, X-Autoresponder
	Other         string // name: value of another vendor marker (X-Auto-Response-Suppress, ...)
}

// Empty reports whether no marker was found.
func (m AutoReplyMarkers) Empty() bool { return m == AutoReplyMarkers{} }

// Recipient is one per-recipient block (RFC 3464 section 2.3) or the same
// facts read from a non-standard bounce's text.
type Recipient struct {
	// Recipient is the failed address as the sender wrote it: the
	// Original-Recipient (RFC 3464 section 2.3.1) or the address an alias or
	// forward was "expanded from" when the bounce names one, else the
	// Final-Recipient; normalised (see normalizeAddress).
	Recipient string
	// FinalRecipient is the mailbox that failed (RFC 3464 section 2.3.2)
	// when it differs from Recipient, "" otherwise.
	FinalRecipient    string
	OriginalRecipient string // Original-Recipient address, normalised
	// Weak is true when the bounce does not name the address as a failed
	// recipient: it was taken from the returned message's To by the last
	// fallback (Report.DecodedBy "generic-original"). Such an address is
	// never a hard bounce. The generic scanner reads only addresses that
	// start a line of the report or follow a lead phrase, never the
	// returned message's headers, its List-* links or running prose.
	Weak   bool
	Action Action
	// Status is the Status field as written (RFC 3464 section 2.3.4), or,
	// when there is none, the code read from the diagnostic text
	// (StatusFromText). Which of Status and ServerStatus decides a verdict
	// is classify's policy, not dsn's.
	Status smtpcode.Status
	// ServerStatus is the enhanced status code of the remote server's reply
	// in the diagnostic text ("550 5.7.1 ..."), zero if none.
	ServerStatus   smtpcode.Status
	ReplyCode      smtpcode.ReplyCode
	Command        string // SMTP command the reply answered: "RCPT", "DATA", "MAIL", "CONN", "EHLO", ...
	Stage          Stage  // step of the dialogue or delivery that failed
	DiagnosticType string // "smtp", "x-unix", ...
	Diagnostic     string // unfolded diagnostic text, at most MaxDiagnosticBytes
	// DiagnosticTruncated is true when the diagnostic was longer than
	// MaxDiagnosticBytes and Diagnostic holds its start.
	DiagnosticTruncated bool
	// RemoteMTA is the Remote-MTA field, else the host the diagnostic says
	// answered ("host mx.example.com[192.0.2.1] said").
	RemoteMTA string
	// RemoteMTADomain is the registered domain (RegisteredDomain) of the
	// rejecting host, RemoteHost; "" for IP literals and unknown hosts.
	RemoteMTADomain string
	LastAttemptDate string
	WillRetryUntil  string
	// StatusFromText is true when Status was read out of the diagnostic text
	// because the Status field was missing or generic.
	StatusFromText bool

	// host is RemoteHost's answer for RemoteMTA == hostOf (keepRemoteHost).
	hostOf, host string
}

// Domain returns the domain of the mailbox that failed: the part after the
// last '@' of FinalRecipient when set, else of Recipient. It is the domain
// whose servers answered, the one a domain's history is kept for.
func (r Recipient) Domain() string {
	a := r.Recipient
	if r.FinalRecipient != "" {
		a = r.FinalRecipient
	}
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return a[i+1:]
		}
	}
	return ""
}

// Original is what the bounce carries of the message that failed.
type Original struct {
	MessageID  string
	From       string
	To         string
	Subject    string
	Date       string
	ReturnPath string
	ListID     string
	AutoReply  AutoReplyMarkers
	// Headers are the selected headers in order: the above plus X- headers,
	// Auto-Submitted, Precedence, Feedback-ID and List-Unsubscribe.
	Headers []Header
	// Found is true when any original headers were found.
	Found bool
	// Received are the original's first MaxReceived Received fields,
	// unfolded, newest first (received.go).
	Received []string

	// valid is true when readOriginal found every string it wrote valid
	// UTF-8 (the fields above, AutoReply, Headers and Received), so
	// ensureUTF8 need not look at them again; MessageID, which Parse may
	// set afterwards from elsewhere, it still checks.
	valid bool
}

// Header is one header field.
type Header struct {
	Name, Value string
}

// Feedback is the machine-readable part of an RFC 5965 feedback report.
type Feedback struct {
	Type             string // Feedback-Type: abuse, fraud, opt-out, virus, not-spam, other
	UserAgent        string
	OriginalRcptTo   string   // the first Original-Rcpt-To
	Recipients       []string // every Original-Rcpt-To, else every Removal-Recipient, normalised
	OriginalMailFrom string
	SourceIP         string
	ReportedDomain   string
	ArrivalDate      string
}
