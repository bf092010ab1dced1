package dsn

import (
	"fmt"
	"strings"
)

// MaxReplyBytes caps the reply text ReplyRecipient reads. An SMTP reply
// line is at most 512 bytes (RFC 5321 section 4.5.3.1.5); multi-line
// replies and MTA framing stay far below this.
const MaxReplyBytes = 16 << 10

// Reply is an SMTP reply seen outside a bounce message: a line of an MTA
// log, or a Classify call. Only Text is required.
type Reply struct {
	// Text is the reply as the MTA logged it, with or without its framing:
	// "550 5.1.1 <a@b>: User unknown", "host mx.b[192.0.2.1] said: 550 ...
	// (in reply to RCPT TO command)", "SMTP error from remote mail server
	// after RCPT TO:<a@b>: 550 ...", "connect to mx.b[...]: Connection timed out".
	Text string
	// Recipient is the address that failed, when known.
	Recipient string
	// RemoteHost is the server that answered, when known; else it is read
	// from Text.
	RemoteHost string
	// Command is the SMTP command the reply answered ("RCPT", "DATA",
	// "MAIL", "CONN", ...), when known; else it is read from Text.
	Command string
	// Deferred says the MTA will try again. A reply with a 4yz code or a
	// 4.x.x status is deferred too.
	Deferred bool
}

// ReplyRecipient reads a reply into the facts of one recipient, as a
// delivery-status report would state them: the reply code, the status
// (Status and, being the server's own, the server status), the command
// and stage, the remote host, and Action "delayed" for a deferral or
// "failed". The text is read by the same code that reads Diagnostic-Code
// fields, so a reply means the same here as in a bounce.
//
// It returns an error wrapping ErrTooLarge for a Text over MaxReplyBytes
// and ErrEmpty for an empty one. Invalid UTF-8 is replaced.
func ReplyRecipient(r Reply) (Recipient, error) {
	text := strings.TrimSpace(r.Text)
	switch {
	case len(text) > MaxReplyBytes:
		return Recipient{}, fmt.Errorf("%w: reply of %d bytes, limit %d", ErrTooLarge, len(text), MaxReplyBytes)
	case text == "":
		return Recipient{}, fmt.Errorf("%w: no reply text", ErrEmpty)
	}
	rc := Recipient{
		Recipient:      normalizeAddress(strings.ToValidUTF8(r.Recipient, "\uFFFD")),
		Action:         ActionFailed,
		DiagnosticType: "smtp",
		Diagnostic:     unfold(strings.ToValidUTF8(text, "\uFFFD")),
		RemoteMTA:      cleanHost(strings.ToValidUTF8(r.RemoteHost, "\uFFFD")),
		Command:        strings.ToUpper(strings.TrimSpace(strings.ToValidUTF8(r.Command, "\uFFFD"))),
	}
	completeFromDiagnostic(&rc)
	if r.Deferred || rc.ReplyCode/100 == 4 || rc.Status.Class == 4 {
		rc.Action = ActionDelayed
	}
	return rc, nil
}
