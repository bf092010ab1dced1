package classify

// ReasonInfo is one row of the reason vocabulary.
type ReasonInfo struct {
	Reason Reason
	// DefaultSide is whose side usually must act; a verdict's own Side
	// comes from its evidence.
	DefaultSide Side
	// CanBeHard is true for the reasons whose permanent failure means the
	// address itself is dead, so retrying it is pointless.
	CanBeHard bool
	// Meaning is one line for people (testdata/bounces/REASONS.md).
	Meaning string
}

// Reasons is the one reason vocabulary of bounced, sorted by name. Every
// package reads it (explain, server, domaincache) instead of retyping it;
// the wire enum Reason is checked against it by a test in internal/server.
// Names are a stable contract: more may be added, none dropped or renamed.
var Reasons = []ReasonInfo{
	{AuthFailure, SideSender, false, "refused for failing SPF, DKIM or DMARC (or a provider's sender-authentication rule)"},
	{BadReputation, SideSender, false, "refused for the sending IP's or domain's low reputation"},
	{Blocked, SideSender, false, "refused because of the connecting IP or host name (blocklist, no PTR match, IP block)"},
	{ContentError, SideSender, false, "refused for malformed headers or content encoding"},
	{Delivered, SideUnknown, false, "a success report (DSN action delivered/relayed/expanded), not a failure"},
	{EmailTooLarge, SideSender, false, "the message exceeds a size limit of the receiving side"},
	{Expired, SideNetwork, false, "the sending queue gave up after retrying (connection failures, timeouts)"},
	{FailedSTARTTLS, SideNetwork, false, "delivery failed over a STARTTLS problem"},
	{Feedback, SideUnknown, false, "a complaint (ARF feedback report), not a bounce"},
	{Filtered, SideRecipient, false, "refused after DATA by a header or content filter of the recipient"},
	{HasMoved, SideRecipient, true, "the mailbox moved and mail is not forwarded"},
	{HostUnknown, SideRecipient, true, "the recipient domain does not exist or cannot receive mail (NXDOMAIN, null MX)"},
	{MailboxFull, SideRecipient, false, "the recipient's mailbox is over quota"},
	{MailerError, SideRecipient, false, "a local delivery program failed"},
	{NetworkError, SideNetwork, false, "DNS or network failure on the way"},
	{NoRelaying, SideUnknown, false, "relaying denied: the refusing server will not pass the mail on"},
	{NotAccept, SideRecipient, true, "the destination accepts no mail at all"},
	{NotCompliantRFC, SideSender, false, "the message violates the RFCs (e.g. duplicate headers)"},
	{OnHold, SideUnknown, false, "too little evidence to decide yet"},
	{PolicyViolation, SideSender, false, "refused by a policy of the receiving side (content, attachment types, rules)"},
	{RateLimited, SideSender, false, "too many messages or connections: slow down and retry"},
	{Rejected, SideSender, false, "refused because of the envelope sender address or its domain"},
	{RequirePTR, SideSender, false, "the sending IP has no valid reverse DNS"},
	{SecurityError, SideSender, false, "a security requirement failed: authentication required, credentials, TLS policy"},
	{SpamDetected, SideSender, false, "judged to be spam"},
	{Suppressed, SideUnknown, false, "on the sending platform's own suppression list"},
	{Suspend, SideRecipient, true, "the recipient account is disabled or suspended"},
	{SyntaxError, SideSender, false, "the SMTP client sent a bad command"},
	{SystemError, SideRecipient, false, "the receiving system failed"},
	{SystemFull, SideRecipient, false, "the receiving system is out of disk"},
	{Undefined, SideUnknown, false, "no reason could be found"},
	{UserUnknown, SideRecipient, true, "the recipient mailbox does not exist"},
	{Vacation, SideUnknown, false, "an auto-reply, not a bounce"},
	{VirusDetected, SideSender, false, "a virus scanner refused the message"},
}

var reasonIndex = func() map[string]int {
	m := make(map[string]int, len(Reasons))
	for i, r := range Reasons {
		m[string(r.Reason)] = i
	}
	return m
}()

// ReasonByName returns the vocabulary row of a reason name ("norelaying").
func ReasonByName(name string) (ReasonInfo, bool) {
	i, ok := reasonIndex[name]
	if !ok {
		return ReasonInfo{}, false
	}
	return Reasons[i], true
}

// defaultSide is the side a reason usually points at.
func defaultSide(r Reason) Side {
	if ri, ok := ReasonByName(string(r)); ok {
		return ri.DefaultSide
	}
	return SideUnknown
}

// isHardReason reports the reasons for which a permanent failure means the
// address itself is dead: unknown user, unknown host or null MX, moved,
// disabled. Blocklists, policy, content, rate limits and relay denials
// never are: they say nothing about the recipient.
func isHardReason(r Reason) bool {
	ri, ok := ReasonByName(string(r))
	return ok && ri.CanBeHard
}
