package smtpcode

// This file lists the SMTP reply codes a bounce can quote, as data: those
// of RFC 5321 section 4.2.3, the two of RFC 7504, and the ones that the
// STARTTLS (RFC 3207) and AUTH (RFC 4954) extensions add. Titles are our own
// short paraphrases.

// reply is one known reply code.
type reply struct {
	code  ReplyCode
	title string
	ref   string
}

// replies is ordered by code; the tests check that codes are unique.
var replies = []reply{
	// RFC 5321 section 4.2.3.
	{211, "System status or help reply", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{214, "Help message", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{220, "Service ready", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{221, "Service closing the connection", "RFC 5321 section 4.2.3"},
	// RFC 4954 section 6: AUTH succeeded.
	{235, "Authentication succeeded", "RFC 4954 section 6"},
	// RFC 5321 section 4.2.3.
	{250, "Requested action completed", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3 and section 3.4.
	{251, "User not local; the server will forward", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3 and section 3.5.3.
	{252, "Cannot verify the user, but will try delivery", "RFC 5321 section 4.2.3"},
	// RFC 4954 section 4: a SASL challenge.
	{334, "Authentication challenge", "RFC 4954 section 4"},
	// RFC 5321 section 4.2.3.
	{354, "Start sending the message data", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3: may answer any command when the server shuts down.
	{421, "Service not available, closing the connection", "RFC 5321 section 4.2.3"},
	// RFC 4954 section 6.
	{432, "Password transition needed", "RFC 4954 section 6"},
	// RFC 5321 section 4.2.3: mailbox busy or blocked for now, often greylisting.
	{450, "Mailbox unavailable for now", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{451, "Local error in processing; action aborted", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3; section 4.5.3.1.10 also uses it for too many recipients.
	{452, "Insufficient system storage", "RFC 5321 section 4.2.3"},
	// RFC 3207 section 4 (TLS not available) and RFC 4954 section 6 (temporary AUTH failure).
	{454, "TLS or authentication temporarily unavailable", "RFC 3207 section 4"},
	// RFC 5321 section 4.2.3.
	{455, "Server cannot accommodate the parameters", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3; RFC 4954 section 6 also uses it for an AUTH line too long.
	{500, "Syntax error, command not recognised", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{501, "Syntax error in parameters or arguments", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{502, "Command not implemented", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{503, "Bad sequence of commands", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{504, "Command parameter not implemented", "RFC 5321 section 4.2.3"},
	// RFC 7504: the host does not accept mail at all.
	{521, "Host does not accept mail", "RFC 7504"},
	// RFC 3207 section 4 (STARTTLS first) and RFC 4954 section 6 (AUTH first).
	{530, "TLS or authentication required", "RFC 3207 section 4"},
	// RFC 4954 section 6.
	{534, "Authentication mechanism too weak", "RFC 4954 section 6"},
	// RFC 4954 section 6.
	{535, "Authentication credentials invalid", "RFC 4954 section 6"},
	// RFC 4954 section 6.
	{538, "Encryption required for the authentication mechanism", "RFC 4954 section 6"},
	// RFC 5321 section 4.2.3: mailbox not found, no access, or refused by policy.
	{550, "Mailbox unavailable or refused by policy", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3 and section 3.4.
	{551, "User not local; try another path", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{552, "Storage allocation exceeded", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3: for example bad mailbox syntax.
	{553, "Mailbox name not allowed", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3: also "no SMTP service here" at connection time.
	{554, "Transaction failed", "RFC 5321 section 4.2.3"},
	// RFC 5321 section 4.2.3.
	{555, "MAIL FROM or RCPT TO parameters not recognised", "RFC 5321 section 4.2.3"},
	// RFC 7504: the domain does not accept mail (a null MX, RFC 7505).
	{556, "Domain does not accept mail", "RFC 7504"},
}

// Describe gives a short meaning of c for people, such as
// "Mailbox unavailable or refused by policy (permanent failure)". A code
// missing from the table is described by its class alone; zero and
// malformed codes give "".
func (c ReplyCode) Describe() string {
	if c < 200 || c > 559 || c%100 > 59 {
		return ""
	}
	what := "Unlisted reply"
	for _, r := range replies {
		if r.code == c {
			what = r.title
			break
		}
	}
	return what + " (" + classWords[c.Class()] + ")"
}
