package dsn

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"
)

// Every string that leaves this package is valid UTF-8, whatever the bytes
// of the message. Text is decoded by its declared charset where MIME
// declares one (RFC 2045 charset parameter, RFC 2047 encoded words, both
// through go-message's charset tables); what remains undeclared is read by
// toUTF8's fallback.

// cp1252 maps the bytes 0x80..0x9F of Windows-1252 to their code points;
// 0 marks the five bytes Windows-1252 leaves undefined.
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0,
}

// toUTF8 returns s as valid UTF-8. A valid string is returned as it is.
// Otherwise every valid UTF-8 sequence is kept and every byte that is not
// part of one is read as Windows-1252, the superset of ISO-8859-1 that
// undeclared 8-bit text in bounces almost always is ("Empf\xe4nger
// unbekannt" gives "Empfänger unbekannt"); the five bytes Windows-1252
// leaves undefined become U+FFFD.
//
// QUIRK: RFC 3464 section 2.1.1 makes delivery-status fields US-ASCII and
// RFC 5322 section 2.2 does the same for header fields, but MTAs copy 8-bit
// server replies and local-part bytes into both without any charset.
// fixUTF8 makes *p valid UTF-8 (toUTF8), writing it only when it
// changes: a pointer written into the heap while the collector marks
// costs a write barrier, and nearly every string is valid already.
func fixUTF8(p *string) {
	if textIsASCII(*p) || utf8.ValidString(*p) {
		return
	}
	*p = toUTF8(*p)
}

func toUTF8(s string) string {
	if textIsASCII(s) || utf8.ValidString(s) { // ASCII, the usual case, 32 bytes a step
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		b.WriteRune(latin(c))
		i++
	}
	return b.String()
}

// textIsASCII reports whether s is all ASCII.
func textIsASCII(s string) bool { return swar.IsASCII(s) }

// asciiValid reports whether b is all ASCII and whether it is valid
// UTF-8, in one pass: words of b up to the first byte over 0x7f (32
// bytes a step, then eight, as swar.IsASCII), then utf8.Valid from that
// byte on (b's ASCII prefix is whole sequences, so the rest is valid
// exactly when b is).
func asciiValid(b []byte) (ascii, valid bool) {
	const highs = 0x8080808080808080
	le := binary.LittleEndian
	i := 0
	for ; i+32 <= len(b); i += 32 {
		t := b[i : i+32]
		if (le.Uint64(t)|le.Uint64(t[8:])|le.Uint64(t[16:])|le.Uint64(t[24:]))&highs != 0 {
			break
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if le.Uint64(b[i:])&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return false, utf8.Valid(b[i:])
		}
	}
	return true, true
}

// bytesValidUTF8 is utf8.Valid, with asciiValid's quicker pass first.
func bytesValidUTF8(b []byte) bool {
	_, valid := asciiValid(b)
	return valid
}

// latin reads one byte as Windows-1252.
func latin(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		if r := cp1252[c-0x80]; r != 0 {
			return r
		}
		return utf8.RuneError
	}
	return rune(c)
}

// cutUTF8 returns the longest prefix of b of at most n bytes that does not
// end inside a UTF-8 sequence.
func cutUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	if !utf8.RuneStart(b[i]) {
		i = n // not UTF-8 here: cut where asked, toUTF8 reads the bytes
	}
	return b[:i]
}

// ensureUTF8 makes every string of the report valid UTF-8 (toUTF8). It is
// the last step of Parse; TestEveryStringUTF8 checks that it reaches every
// string field of Report.
func (r *Report) ensureUTF8() {
	for _, p := range [...]*string{&r.DecodedBy, &r.ReportingMTA, &r.ReceivedFromMTA, &r.ArrivalDate,
		&r.From, &r.To, &r.Subject, &r.ReturnTo, &r.MessageID, &r.VERPRecipient, &r.SendingIP, &r.SendingIPFrom} {
		if *p != "" {
			fixUTF8(p)
		}
	}
	// An ASCII text is valid UTF-8: one pass says both, unless finish
	// knew it already (addText looks at each text for a byte over 0x7f).
	if !r.TextASCII {
		if r.TextASCII = textIsASCII(r.Text); !r.TextASCII && !r.textValid {
			r.Text = toUTF8(r.Text)
		}
	}
	utf8Slice(r.FailedRecipients)
	utf8Slice(r.Warnings)
	r.AutoReply.ensureUTF8()
	for i := range r.Recipients {
		rc := &r.Recipients[i]
		for _, p := range [...]*string{&rc.Recipient, &rc.FinalRecipient, &rc.OriginalRecipient, (*string)(&rc.Action), &rc.Command,
			&rc.DiagnosticType, &rc.Diagnostic, &rc.RemoteMTA, &rc.RemoteMTADomain, &rc.LastAttemptDate, &rc.WillRetryUntil} {
			if *p != "" { // most are empty: no call
				fixUTF8(p)
			}
		}
	}
	o := &r.Original
	fixUTF8(&o.MessageID) // Parse may set it after readOriginal
	if !o.valid {
		for _, p := range [...]*string{&o.From, &o.To, &o.Subject, &o.Date, &o.ReturnPath, &o.ListID} {
			if *p != "" {
				fixUTF8(p)
			}
		}
		o.AutoReply.ensureUTF8()
		utf8Slice(o.Received)
		for i := range o.Headers {
			fixUTF8(&o.Headers[i].Name)
			fixUTF8(&o.Headers[i].Value)
		}
	}
	if f := r.Feedback; f != nil {
		for _, p := range [...]*string{&f.Type, &f.UserAgent, &f.OriginalRcptTo, &f.OriginalMailFrom, &f.SourceIP,
			&f.ReportedDomain, &f.ArrivalDate} {
			fixUTF8(p)
		}
		utf8Slice(f.Recipients)
	}
}

func (m *AutoReplyMarkers) ensureUTF8() {
	for _, p := range [...]*string{&m.AutoSubmitted, &m.Precedence, &m.XAutoreply, &m.Other} {
		if *p != "" {
			fixUTF8(p)
		}
	}
}

func utf8Slice(list []string) {
	for i := range list {
		fixUTF8(&list[i])
	}
}

// toLower is strings.ToLower, with an ASCII s (the usual field, address
// or line) looked at eight bytes at a time in one pass (lowerIfASCII):
// returned as it is when it has no capital, lowered otherwise (the same
// bytes).
func toLower(s string) string {
	if l, ok := lowerIfASCII(s); ok {
		return l
	}
	return strings.ToLower(s)
}

// lowerBufBytes is the room of a lowerView buffer: a transfer encoding,
// a charset name or a usual address fits.
const lowerBufBytes = 64

// lowerView is toLower(s) for a caller that only compares the result and
// keeps none of it: an ASCII s with a capital that fits in buf is lowered
// into buf (the result is then a view of buf, valid until buf is written
// again), so that the usual case allocates nothing; any other s is
// toLower's.
func lowerView(buf *[lowerBufBytes]byte, s string) string {
	if len(s) > len(buf) {
		return toLower(s)
	}
	capital := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return toLower(s)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
			capital = true
		}
		buf[i] = c
	}
	if !capital {
		return s
	}
	return unsafe.String(&buf[0], len(s))
}
