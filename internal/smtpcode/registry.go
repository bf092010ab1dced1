package smtpcode

import (
	"slices"
	"strconv"
)

// This file is the IANA "SMTP Enhanced Status Codes" registry (RFC 5248)
// as data: the subjects and the enumerated subject.detail codes, each row
// with a comment naming the document and section that defines it, the
// registry's sample text and its associated reply codes. Titles and meanings
// are our own short paraphrases, written for people reading a bounce.

// Classes is a set of status classes (2, 4, 5) a registered code is meant
// to be used with.
type Classes uint8

const (
	c2 Classes = 1 << iota // 2.X.X success
	c4                     // 4.X.X persistent transient failure
	c5                     // 5.X.X permanent failure

	c25  = c2 | c5
	c45  = c4 | c5
	c245 = c2 | c4 | c5
)

// Has reports whether class (2, 4 or 5) is in the set.
func (c Classes) Has(class int) bool {
	switch class {
	case 2:
		return c&c2 != 0
	case 4:
		return c&c4 != 0
	case 5:
		return c&c5 != 0
	}
	return false
}

// Entry is one row of the enumerated status code registry: the code
// X.Subject.Detail for the classes in Classes.
type Entry struct {
	Subject int
	Detail  int
	// Classes are the classes the defining document or the registry's
	// associated reply codes use the code with; a code is still looked up
	// with any class (see Lookup).
	Classes Classes
	Title   string // a few words, e.g. "Recipient mailbox does not exist"
	Meaning string // one plain sentence
	Ref     string // defining document and section, e.g. "RFC 3463 section 3.2"
}

// subject is one row of the subject sub-code registry (X.N.XXX).
type subject struct {
	num     int
	name    string // short name, e.g. "Addressing"
	meaning string // what a code of this subject is about
}

// maxSubject is the highest registered subject; Find ignores higher ones.
const maxSubject = 7

// subjects is the subject sub-code registry, RFC 3463 section 2 (indexed by
// subject number).
var subjects = [maxSubject + 1]subject{
	{0, "Other or undefined", "Undefined problem"},
	{1, "Addressing", "Problem with the sender's or the recipient's address"},
	{2, "Mailbox", "Problem with the recipient's mailbox"},
	{3, "Mail system", "Problem with the receiving mail system"},
	{4, "Network and routing", "Network or routing problem"},
	{5, "Mail delivery protocol", "SMTP protocol problem"},
	{6, "Message content or media", "Problem with the message content or format"},
	{7, "Security or policy", "Refused for security or policy reasons"},
}

// registry is the enumerated status code registry, ordered by subject and
// detail. Keys are unique, so the order only helps the reader; the tests
// check both. Comments give the registry's sample text and associated reply
// codes ("any", "-" when the registry gives none), which with the RFC text
// decide Classes.
var registry = []Entry{
	// RFC 3463 section 3.1 "Other undefined Status"; any.
	{0, 0, c245, "Undefined status",
		"Only the class of the status is known: success, transient failure or permanent failure.",
		"RFC 3463 section 3.1"},

	// RFC 3463 section 3.2 "Other address status"; -.
	{1, 0, c245, "Other address problem",
		"Something about an address in the message caused this report.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Bad destination mailbox address"; 451, 550.
	{1, 1, c45, "Recipient mailbox does not exist",
		"The destination has no mailbox by the name before the @.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Bad destination system address"; -; permanent only.
	{1, 2, c5, "Recipient domain cannot receive mail",
		"The part after the @ is not a domain that exists and accepts mail.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Bad destination mailbox address syntax"; 501; permanent only.
	{1, 3, c5, "Recipient address is malformed",
		"The recipient address breaks the address syntax.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Destination mailbox address ambiguous"; -.
	{1, 4, c45, "Recipient address is ambiguous",
		"The address fits more than one mailbox at the destination, for example through fuzzy name " +
			"matching.", "RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Destination address valid"; 250; success reports.
	{1, 5, c2, "Recipient address is valid",
		"The destination accepted the address; a code for success reports.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Destination mailbox has moved, No forwarding address"; -; permanent only.
	{1, 6, c5, "Mailbox moved, no forwarding address",
		"The address once worked but takes no more mail, and no new address is known.",
		"RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Bad sender's mailbox address syntax"; -.
	{1, 7, c45, "Sender address is malformed", "The sender address breaks the address syntax.", "RFC 3463 section 3.2"},
	// RFC 3463 section 3.2 "Bad sender's system address"; 451, 501.
	{1, 8, c45, "Sender domain cannot receive replies",
		"The domain of the sender address does not exist or cannot take mail back.",
		"RFC 3463 section 3.2"},
	// RFC 3886 (message tracking), "Message relayed to non-compliant mailer"; -; a relayed report.
	{1, 9, c2, "Relayed to a system that cannot report",
		"The address was good, but the message went on to a system that gives no further status.",
		"RFC 3886"},
	// RFC 7505 section 6 and RFC 7504, "Recipient address has null MX"; 556.
	{1, 10, c5, "Recipient domain has a null MX",
		"The recipient's domain publishes a null MX record: it accepts no mail at all.",
		"RFC 7505 section 6"},

	// RFC 3463 section 3.3 "Other or undefined mailbox status"; -.
	{2, 0, c245, "Other mailbox problem",
		"The mailbox exists, but something about it caused this report.",
		"RFC 3463 section 3.3"},
	// RFC 3463 section 3.3 "Mailbox disabled, not accepting messages"; -; permanent or transient.
	{2, 1, c45, "Mailbox disabled",
		"The mailbox exists but takes no messages, for now or for good.",
		"RFC 3463 section 3.3"},
	// RFC 3463 section 3.3 "Mailbox full"; 552; the RFC asks for class 4, the reply code is class 5.
	{2, 2, c45, "Mailbox full",
		"The recipient is over quota; delivery can work again once they make room.",
		"RFC 3463 section 3.3"},
	// RFC 3463 section 3.3 "Message length exceeds administrative limit"; 552; permanent.
	{2, 3, c5, "Message too big for this mailbox",
		"The message is larger than this mailbox's own size limit.",
		"RFC 3463 section 3.3"},
	// RFC 3463 section 3.3 "Mailing list expansion problem"; 450, 452; permanent or transient.
	{2, 4, c45, "Mailing list expansion failed",
		"The address is a mailing list whose members could not be worked out.",
		"RFC 3463 section 3.3"},

	// RFC 3463 section 3.4 "Other or undefined mail system status"; 221, 250, 421, 451, 550, 554.
	{3, 0, c245, "Other mail system problem",
		"The destination normally takes mail, but something about the system caused this report.",
		"RFC 3463 section 3.4"},
	// RFC 3463 section 3.4 "Mail system full"; 452; transient only.
	{3, 1, c4, "Mail system full",
		"The receiving system is out of storage, which the recipient cannot fix by deleting mail.",
		"RFC 3463 section 3.4"},
	// RFC 3463 section 3.4 and RFC 7504, "System not accepting network messages"; 453, 521.
	{3, 2, c45, "System not accepting mail",
		"The receiving host refuses mail, for example while it shuts down, is overloaded or is in " +
			"maintenance.", "RFC 3463 section 3.4"},
	// RFC 3463 section 3.4 "System not capable of selected features"; -.
	{3, 3, c45, "Requested features not supported",
		"The destination cannot provide features the message asked for, as can happen at gateways.",
		"RFC 3463 section 3.4"},
	// RFC 3463 section 3.4 "Message too big for system"; 552, 554; permanent only.
	{3, 4, c5, "Message too big for the system",
		"The message is larger than the receiving system accepts at all.",
		"RFC 3463 section 3.4"},
	// RFC 3463 section 3.4 "System incorrectly configured"; -.
	{3, 5, c45, "System misconfigured",
		"The receiving system is not set up in a way that lets it take this message.",
		"RFC 3463 section 3.4"},
	// RFC 6710 (IANA Considerations) "Requested priority was changed"; 250, 251.
	{3, 6, c2, "Requested priority changed",
		"The message was accepted, but not at the priority it asked for.",
		"RFC 6710"},

	// RFC 3463 section 3.5 "Other or undefined network or routing status"; -.
	{4, 0, c245, "Other network or routing problem",
		"Something went wrong in the network or in routing, and no narrower code fits.",
		"RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "No answer from host"; 451; transient only.
	{4, 1, c4, "No answer from host",
		"The connection attempt got no answer: the remote host was busy or could not be reached.",
		"RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Bad connection"; 421; transient only.
	{4, 2, c4, "Bad connection",
		"A connection was made but the transaction could not finish, through a time-out or a poor " +
			"link.", "RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Directory server failure"; 451, 550; the RFC says transient only.
	{4, 3, c45, "Directory server failure",
		"A directory service, typically DNS, could not be reached to route the message.",
		"RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Unable to route"; -; permanent or transient.
	{4, 4, c45, "Unable to route",
		"No next hop could be found for the destination, for example because DNS holds no usable " +
			"record.", "RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Mail system congestion"; 451; transient only.
	{4, 5, c4, "Mail system congestion",
		"The mail system was too busy to deliver the message.",
		"RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Routing loop detected"; -; transient only (Postfix sends 5.4.6).
	{4, 6, c4, "Routing loop detected",
		"The message went round too many times, through a bad route or a forwarding loop.",
		"RFC 3463 section 3.5"},
	// RFC 3463 section 3.5 "Delivery time expired"; -.
	{4, 7, c45, "Delivery time expired",
		"The message grew too old: it waited in a queue too long or outlived its time-to-live.",
		"RFC 3463 section 3.5"},

	// RFC 3463 section 3.6 "Other or undefined protocol status"; 220 ... 554.
	{5, 0, c245, "Other protocol problem",
		"Something went wrong in the mail protocol exchange, and no narrower code fits.",
		"RFC 3463 section 3.6"},
	// RFC 3463 section 3.6 "Invalid command"; 430, 500, 501, 503, 530, 550, 554, 555.
	{5, 1, c45, "Invalid command", "A command came out of order or is not supported.", "RFC 3463 section 3.6"},
	// RFC 3463 section 3.6 "Syntax error"; 500, 501, 502, 550, 555; permanent only.
	{5, 2, c5, "Syntax error", "A command could not be understood.", "RFC 3463 section 3.6"},
	// RFC 3463 section 3.6 "Too many recipients"; 451.
	{5, 3, c45, "Too many recipients",
		"The message named more recipients than could be handled in one delivery.",
		"RFC 3463 section 3.6"},
	// RFC 3463 section 3.6 "Invalid command arguments"; 451, 501, 502, 503, 504, 550, 555.
	{5, 4, c45, "Invalid command arguments",
		"A known command carried arguments that are out of range or not recognised.",
		"RFC 3463 section 3.6"},
	// RFC 3463 section 3.6 "Wrong protocol version"; -.
	{5, 5, c45, "Wrong protocol version",
		"The two systems could not agree on a protocol version.",
		"RFC 3463 section 3.6"},
	// RFC 4954 section 6 "Authentication Exchange line is too long"; 500; permanent or transient.
	{5, 6, c45, "Authentication line too long",
		"A line of the SMTP AUTH exchange was longer than the server can buffer.",
		"RFC 4954 section 6"},

	// RFC 3463 section 3.7 "Other or undefined media error"; -.
	{6, 0, c245, "Other content problem",
		"Something in the content made the message undeliverable, and no narrower code fits.",
		"RFC 3463 section 3.7"},
	// RFC 3463 section 3.7 "Media not supported"; -; permanent only.
	{6, 1, c5, "Media type not supported",
		"The delivery protocol or the next system cannot carry this kind of content.",
		"RFC 3463 section 3.7"},
	// RFC 3463 section 3.7 "Conversion required and prohibited"; -.
	{6, 2, c45, "Conversion needed but forbidden",
		"The content would have to be converted, and the sender or a policy forbids that.",
		"RFC 3463 section 3.7"},
	// RFC 3463 section 3.7 "Conversion required but not supported"; 554.
	{6, 3, c45, "Conversion needed but not possible",
		"The content would have to be converted, for example from 8-bit to 7-bit, and no system on " +
			"the way can do it.", "RFC 3463 section 3.7"},
	// RFC 3463 section 3.7 "Conversion with loss performed"; 250; a warning, or permanent when loss was forbidden.
	{6, 4, c25, "Conversion lost data",
		"Delivery needed a conversion that lost some data; a failure if the sender forbade that.",
		"RFC 3463 section 3.7"},
	// RFC 3463 section 3.7 "Conversion Failed"; -; permanent or transient.
	{6, 5, c45, "Conversion failed", "A needed conversion was tried and did not work.", "RFC 3463 section 3.7"},
	// RFC 4468 (IANA Considerations) "Message content not available"; 554; permanent or transient.
	{6, 6, c45, "Message content not available",
		"Content the message includes by reference (BURL) could not be fetched.",
		"RFC 4468"},
	// RFC 6531 (IANA Considerations) "Non-ASCII addresses not permitted for that sender/recipient"; 553, 550.
	{6, 7, c5, "Non-ASCII address not allowed",
		"An internationalized (non-ASCII) address was used where it is not allowed.",
		"RFC 6531"},
	// RFC 6531 (IANA Considerations) "UTF-8 string reply is required, but not permitted by the SMTP client";
	// 252, 553, 550.
	{6, 8, c25, "UTF-8 reply needed but not allowed",
		"Naming the mailbox needs a UTF-8 reply, which the client did not allow.",
		"RFC 6531"},
	// RFC 6531 (IANA Considerations) "UTF-8 header message cannot be transferred ..."; 550.
	{6, 9, c5, "UTF-8 message cannot be delivered",
		"A message with UTF-8 headers cannot reach one or more of its recipients, so it is refused.",
		"RFC 6531"},
	// RFC 6531 (IANA Considerations), deprecated duplicate of X.6.8; -.
	{6, 10, c25, "UTF-8 reply needed (deprecated duplicate of X.6.8)",
		"Registered twice for the meaning of X.6.8; senders should use X.6.8.",
		"RFC 6531"},

	// RFC 3463 section 3.8 "Other or undefined security status"; 220, 235, 450, 454, 500, 501, 503, 504, 530, 535, 550.
	{7, 0, c245, "Other security or policy problem",
		"Security or policy caused this report, or policy forbids saying more.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Delivery not authorized, message refused"; 451, 454, 502, 503, 533, 550, 551.
	{7, 1, c45, "Delivery not authorized",
		"The sender may not send to this recipient; the usual code for policy and spam refusals.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Mailing list expansion prohibited"; 550; permanent only.
	{7, 2, c5, "Mailing list posting not allowed",
		"The sender may not send to this mailing list.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Security conversion required but not possible"; -; permanent only.
	{7, 3, c5, "Security conversion not possible",
		"Delivery needed a conversion between secure message formats that could not be done.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Security features not supported"; 504; permanent only.
	{7, 4, c5, "Security features not supported",
		"The message used security features the delivery protocol cannot carry.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Cryptographic failure"; -.
	{7, 5, c45, "Cryptographic failure",
		"A system meant to verify or decrypt the message lacked a key or had invalid key data.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Cryptographic algorithm not supported"; -.
	{7, 6, c45, "Cryptographic algorithm not supported",
		"A system meant to verify or decrypt the message does not know the algorithm used.",
		"RFC 3463 section 3.8"},
	// RFC 3463 section 3.8 "Message integrity failure"; -; any class.
	{7, 7, c245, "Message integrity failure",
		"Verification found the message corrupted or altered on the way.",
		"RFC 3463 section 3.8"},
	// RFC 4954 section 6 "Authentication credentials invalid"; 535, 554.
	{7, 8, c5, "Authentication credentials invalid",
		"SMTP AUTH failed because the user name or password was wrong or not enough.",
		"RFC 4954 section 6"},
	// RFC 4954 section 6 "Authentication mechanism is too weak"; 534.
	{7, 9, c5, "Authentication mechanism too weak",
		"The server wants this user to log in with a stronger SMTP AUTH mechanism.",
		"RFC 4954 section 6"},
	// RFC 5248 (initial registry values) "Encryption Needed"; 523.
	{7, 10, c5, "Encryption needed",
		"The chosen way of logging in needs an encrypted connection such as TLS first.",
		"RFC 5248"},
	// RFC 4954 section 6 "Encryption required for requested authentication mechanism"; 524, 538.
	{7, 11, c5, "Encryption required for this mechanism",
		"This SMTP AUTH mechanism may only be used over an encrypted connection.",
		"RFC 4954 section 6"},
	// RFC 4954 section 6 "A password transition is needed"; 422, 432.
	{7, 12, c4, "Password transition needed",
		"The user must log in once with PLAIN before this mechanism works.",
		"RFC 4954 section 6"},
	// RFC 5248 (initial registry values) "User Account Disabled"; 525.
	{7, 13, c5, "User account disabled",
		"The account logged in to is disabled until an administrator turns it back on.",
		"RFC 5248"},
	// RFC 5248 (initial registry values) "Trust relationship required"; 535, 554.
	{7, 14, c5, "Trust relationship required",
		"The submission server needs a set-up trust with a third-party server to fetch the content.",
		"RFC 5248"},
	// RFC 6710 (IANA Considerations) "Priority Level is too low"; 450, 550.
	{7, 15, c45, "Priority too low",
		"The message's priority is below what the server accepts, possibly only for now.",
		"RFC 6710"},
	// RFC 6710 (IANA Considerations) "Message is too big for the specified priority"; 552.
	{7, 16, c45, "Message too big for its priority",
		"The server takes messages this large only at a higher priority, possibly only for now.",
		"RFC 6710"},
	// RFC 7293 (IANA Considerations) "Mailbox owner has changed"; 5XX.
	{7, 17, c5, "Mailbox owner has changed",
		"The recipient mailbox changed hands after the date the sender gave (RRVS).",
		"RFC 7293"},
	// RFC 7293 (IANA Considerations) "Domain owner has changed"; 5XX.
	{7, 18, c5, "Domain owner has changed",
		"The recipient's domain changed hands after the date the sender gave (RRVS).",
		"RFC 7293"},
	// RFC 7293 (IANA Considerations) "RRVS test cannot be completed"; 5XX.
	{7, 19, c5, "RRVS check not possible",
		"The receiver kept no record to check mailbox ownership against the date the sender gave.",
		"RFC 7293"},
	// RFC 7372 section 3 "No passing DKIM signature found"; 550.
	{7, 20, c5, "No passing DKIM signature",
		"Local policy wants a valid DKIM signature and the message had none.",
		"RFC 7372 section 3"},
	// RFC 7372 section 3 "No acceptable DKIM signature found"; 550.
	{7, 21, c5, "No acceptable DKIM signature",
		"The message had valid DKIM signatures, but none that local policy accepts.",
		"RFC 7372 section 3"},
	// RFC 7372 section 3 "No valid author-matched DKIM signature found"; 550.
	{7, 22, c5, "No DKIM signature matching the author",
		"No valid DKIM signature belongs to the domain of the From address.",
		"RFC 7372 section 3"},
	// RFC 7372 section 3 "SPF validation failed"; 550.
	{7, 23, c5, "SPF check failed",
		"The sender domain's SPF record does not allow the sending host.",
		"RFC 7372 section 3"},
	// RFC 7372 section 3 "SPF validation error"; 451, 550.
	{7, 24, c45, "SPF check error", "Checking the sender domain's SPF record ended in an error.", "RFC 7372 section 3"},
	// RFC 7372 section 3 "Reverse DNS validation failed"; 550.
	{7, 25, c5, "Reverse DNS check failed",
		"The sending host's IP address failed the receiver's reverse DNS check.",
		"RFC 7372 section 3"},
	// RFC 7372 section 3 "Multiple authentication checks failed"; 550.
	{7, 26, c5, "Several authentication checks failed",
		"The message failed more than one authentication check; which ones is not said.",
		"RFC 7372 section 3"},
	// RFC 7505 section 6 "Sender address has null MX"; 550.
	{7, 27, c5, "Sender domain has a null MX",
		"The sender's domain publishes a null MX, so replies could not reach it and the receiver " +
			"refuses the mail.", "RFC 7505 section 6"},
	// draft-levine-mailbomb-header (registered from the draft) "Mail flood detected"; -.
	{7, 28, c45, "Mail flood detected",
		"The message looks like one of a flood of similar abusive messages.",
		"draft-levine-mailbomb-header"},
	// RFC 8617 (IANA Considerations) "ARC validation failure"; 550.
	{7, 29, c5, "ARC validation failed", "The message's Authenticated Received Chain did not validate.", "RFC 8617"},
	// RFC 8689 (IANA Considerations) "REQUIRETLS support required"; 550.
	{7, 30, c5, "REQUIRETLS not available on the way",
		"The message demanded REQUIRETLS and a system on the way could not provide it.",
		"RFC 8689"},
}

// Lookup returns the registry row for s's subject and detail. It reports
// false for an invalid status (class not 2, 4 or 5) and for a detail the
// registry does not list.
//
// QUIRK: the class is not matched against Entry.Classes. Real servers send
// 4.1.1 (greylisting, RFC 3463 section 3.2 asks for permanent only) and
// 5.4.6 (Postfix forwarding loops, section 3.5 asks for transient only);
// their meaning is still the registered one. Check e.Classes.Has(s.Class)
// for the strict reading.
func Lookup(s Status) (Entry, bool) {
	if !s.Valid() {
		return Entry{}, false
	}
	for _, e := range registry {
		if e.Subject == s.Subject && e.Detail == s.Detail {
			return e, true
		}
	}
	return Entry{}, false
}

// Entries returns a copy of the registry rows, ordered by subject and detail.
func Entries() []Entry { return slices.Clone(registry) }

// SubjectName returns the short name of a registered subject ("Addressing"
// for 1), or "" for an unregistered one.
func SubjectName(subject int) string {
	if subject < 0 || subject > maxSubject {
		return ""
	}
	return subjects[subject].name
}

// classWords names the classes of status and reply codes for Describe,
// indexed by class; callers check the class first.
var classWords = [...]string{
	2: "success",
	3: "intermediate", // reply codes only
	4: "transient failure",
	5: "permanent failure",
}

// Describe gives a short meaning of s for people, such as
// "Recipient mailbox does not exist (permanent failure)". For a detail the
// registry does not list it falls back to the subject's meaning, and for an
// unregistered subject to the class alone. An invalid or zero Status gives "".
func (s Status) Describe() string {
	if !s.Valid() {
		return ""
	}
	what := "Unregistered status"
	if e, ok := Lookup(s); ok {
		what = e.Title
	} else if s.Subject <= maxSubject {
		what = subjects[s.Subject].meaning + ", detail " + strconv.Itoa(s.Detail) + " unregistered"
	}
	return what + " (" + classWords[s.Class] + ")"
}
