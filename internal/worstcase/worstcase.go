// Package worstcase builds the hostile and merely unlucky messages that
// the limits of bounced are measured against: a 24 MiB HTML-only bounce in
// an 8-bit charset and base64, a delivery-status report with 100,000
// recipients, a 5 MB Diagnostic-Code, a thousand recipients with 20 KB
// diagnostics each. Tests of internal/dsn, internal/bounce and
// internal/server use them to check that memory per message, time per
// message and response size stay bounded, and cmd/loadgen can send them.
//
// Every message is well-formed RFC 5322 with CRLF line endings (RFC 5322
// section 2.1), in the RFC 6522 multipart/report structure where it is a
// report, so that only its size is hostile.
package worstcase

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// Sizes of the standard worst cases (issue 9).
const (
	HTMLBytes          = 24 << 20 // raw size of the HTML-only bounce
	ManyRecipients     = 100000   // recipients of the big report
	LongDiagnostic     = 5000000  // bytes of one Diagnostic-Code
	WideRecipients     = 1000     // recipients with WideDiagnostic each
	WideDiagnosticSize = 20000    // bytes of each of their diagnostics
)

const boundary = "worstcase-boundary-0123456789"

// header writes the bounce's own header and, for a report, the
// multipart/report Content-Type.
func header(b *bytes.Buffer, subject, contentType string) {
	fmt.Fprintf(b, "From: MAILER-DAEMON@mx.sender.example\r\n")
	fmt.Fprintf(b, "To: bounces@sender.example\r\n")
	fmt.Fprintf(b, "Subject: %s\r\n", subject)
	fmt.Fprintf(b, "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n")
	fmt.Fprintf(b, "Message-ID: <worstcase@mx.sender.example>\r\n")
	fmt.Fprintf(b, "MIME-Version: 1.0\r\n")
	fmt.Fprintf(b, "Content-Type: %s\r\n\r\n", contentType)
}

// HTML returns an HTML-only bounce of about size bytes: one text/html
// part in windows-1252, base64-encoded in 76-character lines (RFC 2045
// section 6.8), whose decoded text repeats a paragraph with 8-bit
// characters and tags. The first paragraph names the failed recipient
// and the server's answer, as Exchange's HTML notices do.
func HTML(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 4096)
	header(&b, "Undeliverable: Rapport trimestriel", "text/html; charset=windows-1252")
	// Content-Transfer-Encoding belongs in the header block: rewrite the
	// last CRLF CRLF.
	b.Truncate(b.Len() - 2)
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")

	// The decoded HTML: 3 bytes of it make 4 of base64, plus CRLF every 76.
	want := (size - b.Len()) * 57 / 78
	var h bytes.Buffer
	h.Grow(want + 1024)
	h.WriteString("<html><head><style>p{font-family:Calibri}</style></head><body>")
	h.WriteString("<p><b>Delivery has failed to these recipients or groups:</b></p>")
	h.WriteString("<p><a href=\"mailto:ren\xe9e@dest.example\">ren\xe9e@dest.example</a><br>")
	h.WriteString("Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'</p>")
	// A paragraph of windows-1252 text (e, a and quote marks above 0x7F)
	// with entities and inline tags, repeated to the size.
	para := "<div class=\"x\"><p>Le serveur distant a r\xe9pondu &laquo;&nbsp;bo\xeete pleine&nbsp;&raquo; " +
		"\x93d\xe9j\xe0 vu\x94 &amp; <span style=\"color:#333\">r\xe9essayez</span> plus tard.</p></div>\r\n"
	for h.Len()+len(para) < want-len("</body></html>") {
		h.WriteString(para)
	}
	h.WriteString("</body></html>")

	enc := base64.StdEncoding
	src := h.Bytes()
	line := make([]byte, 76)
	for len(src) > 0 {
		n := min(len(src), 57)
		enc.Encode(line, src[:n])
		b.Write(line[:enc.EncodedLen(n)])
		b.WriteString("\r\n")
		src = src[n:]
	}
	return b.Bytes()
}

// report writes a multipart/report with a short text part, the
// delivery-status part that recipient writes n blocks into, and the
// original's headers.
func report(subject string, n int, recipient func(b *bytes.Buffer, i int)) []byte {
	var b bytes.Buffer
	header(&b, subject, "multipart/report; report-type=delivery-status; boundary=\""+boundary+"\"")
	b.WriteString("This is a MIME-encapsulated message.\r\n\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n", boundary)
	b.WriteString("The message could not be delivered to some recipients.\r\n\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	b.WriteString("Reporting-MTA: dns; mx.sender.example\r\nArrival-Date: Mon, 2 Mar 2026 09:59:58 +0000\r\n")
	for i := range n {
		b.WriteString("\r\n")
		recipient(&b, i)
	}
	fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary)
	b.WriteString("From: news@sender.example\r\nTo: list@dest.example\r\nSubject: News\r\n")
	b.WriteString("Message-ID: <orig-1@sender.example>\r\n\r\n")
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// Recipients returns a delivery-status report with n recipients, each
// with Final-Recipient, Action, Status, Remote-MTA and a short
// Diagnostic-Code (RFC 3464 section 2.3).
func Recipients(n int) []byte {
	return report("Undelivered Mail Returned to Sender", n, func(b *bytes.Buffer, i int) {
		fmt.Fprintf(b, "Final-Recipient: rfc822; user%d@dest%d.example\r\n", i, i%97)
		b.WriteString("Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.dest.example\r\n")
		fmt.Fprintf(b, "Diagnostic-Code: smtp; 550 5.1.1 <user%d@dest%d.example>: Recipient address rejected\r\n", i, i%97)
	})
}

// diagnostic writes a Diagnostic-Code of about size bytes, folded at
// 78 characters (RFC 5322 section 2.1.1), that starts like a real answer.
func diagnostic(b *bytes.Buffer, size, seed int) {
	start := b.Len()
	fmt.Fprintf(b, "Diagnostic-Code: smtp; 550 5.7.1 Message rejected as spam by Content Filtering (ref %d)", seed)
	words := []string{"policy", "reputation", "content", "blocked", "see", "https://help.dest.example/ndr", "for", "details"}
	col := b.Len() - start
	for i := 0; b.Len()-start < size; i++ {
		w := words[i%len(words)]
		if col+1+len(w) > 78 {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		col += 1 + len(w)
	}
	b.WriteString("\r\n")
}

// LongDiag returns a report with one recipient whose Diagnostic-Code is
// about size bytes.
func LongDiag(size int) []byte {
	return report("Delivery Status Notification (Failure)", 1, func(b *bytes.Buffer, i int) {
		b.WriteString("Final-Recipient: rfc822; victim@dest.example\r\nAction: failed\r\nStatus: 5.7.1\r\n")
		b.WriteString("Remote-MTA: dns; mx.dest.example\r\n")
		diagnostic(b, size, i)
	})
}

// WideDiags returns a report with n recipients whose Diagnostic-Codes are
// about size bytes each.
func WideDiags(n, size int) []byte {
	return report("Delivery Status Notification (Failure)", n, func(b *bytes.Buffer, i int) {
		fmt.Fprintf(b, "Final-Recipient: rfc822; user%d@dest.example\r\nAction: failed\r\nStatus: 5.7.1\r\n", i)
		b.WriteString("Remote-MTA: dns; mx.dest.example\r\n")
		diagnostic(b, size, i)
	})
}

// PlainText returns a text/plain bounce of about size bytes, not encoded,
// whose first lines are a Postfix-style notice naming the recipient.
func PlainText(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	header(&b, "Undelivered Mail Returned to Sender", "text/plain; charset=us-ascii")
	b.WriteString("This is the mail system at host mx.sender.example.\r\n\r\n")
	b.WriteString("<victim@dest.example>: host mx.dest.example[192.0.2.1] said: 550 5.1.1\r\n")
	b.WriteString("    <victim@dest.example>: Recipient address rejected: User unknown (in reply\r\n    to RCPT TO command)\r\n\r\n")
	line := "> quoted text of the original message, returned in full by the server.\r\n"
	for b.Len()+len(line) < size {
		b.WriteString(line)
	}
	return b.Bytes()
}
