package dsn

import (
	"strings"
	"testing"
	"time"
)

// adversarial builds inputs of about n bytes that would take quadratic
// time in a parser that rescans its input: long lines without line
// breaks, many markers, many recipients, deep folding.
func adversarial(n int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, n/len(s)+1)[:n] }
	postfix := "From: MAILER-DAEMON@example.org (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\n\n" +
		"This is the mail system at host example.org.\n\n"
	dsn := func(body string) string {
		return "From: MAILER-DAEMON@example.org\nContent-Type: multipart/report; boundary=B\n\n--B\nContent-Type: text/plain\n\nx\n--B\n" +
			"Content-Type: message/delivery-status\n\n" + body + "\n--B--\n"
	}
	return map[string]string{
		"anchored markers on one line": postfix + rep("the mail system "),
		"brackets in a diagnostic": dsn("Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: smtp; 550 " +
			rep("x [") + "\n"),
		"host words":          postfix + "<a@example.net>: " + rep("host host.example "),
		"many DSN recipients": dsn(rep("Final-Recipient: rfc822; a@b.example\nAction: failed\n\n")),
		"deep folding":        dsn("Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: smtp; 550\n" + rep(" x\n")),
		"exim bare local parts": "From: Mail Delivery System <Mailer-Daemon@example.org>\nSubject: Mail delivery failed\n\n" +
			"A message that you sent could not be delivered to one or more of its\nrecipients. The following address(es) failed:\n\n" +
			rep("  kijitora\n") + "\n------ This is a copy of the message, including all the headers. ------\n\n" +
			"To: someone@example.com\n\n" + rep("kijitora@x"),
		"exim sections": "From: Mail Delivery System <Mailer-Daemon@example.org>\nSubject: Mail delivery failed\n\n" +
			"A message that you sent could not be delivered to one or more of its\nrecipients. The following address(es) failed:\n\n" +
			strings.Repeat("  a@b.example\n    550 no\n", 1000) + rep("------ a@b.example ------\n"),
		"sendmail transcript": "From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\nSubject: Returned mail: see transcript for details\n\n" +
			"The original message was received at now\n   ----- Transcript of session follows -----\n" + rep("<<< 550 5.1.1 <a@b.example>... User unknown\n"),
		"addresses at line starts": postfix + rep("a@b.example: 550 no\n"),
		"addresses on one line":    postfix + rep("a@a"),
		"codes":                    postfix + "<a@example.net>: " + rep("550 5.1.1 "),
		"html tags":                "From: postmaster@example.org\nSubject: Undeliverable\nContent-Type: text/html\n\n" + rep("<a"),
		"received lines":           postfix + rep("\nReceived: x\n"),
		"quoted forward":           "From: a@example.org\nSubject: Fwd: failure notice\n\nBegin forwarded message:\n" + rep("> x\n"),
		"header lines":             rep("X-A: b\n") + "\n\nbody",
		"long header line":         "Subject: " + rep("a") + "\n\nbody",
		"multipart boundaries":     "Content-Type: multipart/mixed; boundary=b\n\n" + rep("--b\n"),
		"json":                     "From: no-reply@sns.amazonaws.com\n\n{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[" + rep("{\"emailAddress\":\"a@b.example\"},") + "]}}",
	}
}

// TestLinearTime parses each adversarial input of 1 MiB and fails when one
// takes more than a generous budget (a quadratic step takes minutes).
func TestLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for name, in := range adversarial(1 << 20) {
		start := time.Now()
		_, _ = Parse([]byte(in), Options{})
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: %v for 1 MiB", name, d)
		} else if testing.Verbose() {
			t.Logf("%s: %v", name, d)
		}
	}
}
