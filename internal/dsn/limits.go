package dsn

import (
	"bytes"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/swar"
)

// Budgets that bound what one message costs while it is read (issue 9).
// Each is enforced as the bytes come, not after: a decoder is read up to
// its budget and no further, a field value is cut before it is copied,
// recipient blocks are counted before their values are read.
//
// With them a message costs at most about twice its size (a copy when
// its line endings are CRLF, the decoded bodies of encoded parts, which
// are never larger than their encoding) plus a fixed amount (the text
// kept, the decoder buffers).
const (
	// MaxDiagnosticBytes caps one recipient's Diagnostic, from a
	// Diagnostic-Code field or from the text. A longer one is cut at a
	// UTF-8 boundary and Recipient.DiagnosticTruncated is set.
	MaxDiagnosticBytes = 8 << 10
	// MaxFieldBytes caps the raw value of one DSN field, folding
	// included, before it is unfolded and copied; what is beyond is
	// dropped. It leaves room over MaxDiagnosticBytes for a diagnostic's
	// type ("smtp; ") and its folding white space.
	MaxFieldBytes = MaxDiagnosticBytes + 1<<10
	// MaxPartBytes caps the decoded body of one transfer-encoded part
	// that is kept whole: a delivery-status or feedback report, a
	// returned original or its headers. Parts without a transfer encoding
	// are not copied and not cut.
	MaxPartBytes = 8 << 20
	// maxHTMLBytes caps the decoded HTML kept from the text/html parts,
	// all together: the text they hold is at most MaxTextBytes, and
	// markup rarely takes more than three bytes in four.
	maxHTMLBytes = 4 * MaxTextBytes
)

// readLimited reads r up to limit bytes into a buffer sized from hint (the
// expected size, e.g. the encoded length) rather than grown by doubling
// from nothing. It reports whether r had more.
func readLimited(r io.Reader, limit, hint int) ([]byte, bool, error) {
	buf := make([]byte, 0, min(limit, max(hint, 512))+1)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 1) // the next size append would pick
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit+1)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return buf[:limit], true, nil
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}

// cutUTF8String cuts s to at most n bytes without splitting a UTF-8
// sequence.
func cutUTF8String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// countRecipientBlocks counts the recipient blocks of a delivery-status
// body without reading them: the lines that start a Final-Recipient or an
// Original-Recipient field, whichever is more. Every recipient block has
// at most one of each (RFC 3464 section 2.3), so the count never exceeds
// the recipients, and it costs one pass over the bytes and no allocation.
func countRecipientBlocks(b []byte) int {
	var final, orig int
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) < len("final-recipient:") {
			continue
		}
		f, o := recipientFieldLine(line)
		final, orig = final+f, orig+o
	}
	return max(final, orig)
}

// recipientFieldLine returns 1, 0 for a line that starts a Final-Recipient
// field (in any case), 0, 1 for an Original-Recipient one, else 0, 0.
func recipientFieldLine(line []byte) (final, orig int) {
	switch line[0] | 0x20 {
	case 'f':
		if hasPrefixFold(line, "final-recipient") {
			return 1, 0
		}
	case 'o':
		if hasPrefixFold(line, "original-recipient") {
			return 0, 1
		}
	}
	return 0, 0
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// in any case, followed by optional spaces and a colon.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) <= len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i]|0x20 != prefix[i] { // '-' has the 0x20 bit already
			return false
		}
	}
	rest := bytes.TrimLeft(b[len(prefix):], " \t")
	return len(rest) > 0 && rest[0] == ':'
}

// unfoldBytes is unfold for a raw value still in the message: it joins
// folded lines and trims (RFC 5322 section 2.2.3), copying once when the
// value is valid UTF-8.
func unfoldBytes(v []byte) string {
	return unfoldInto(nil, v)
}

// trimSpaces returns v without its leading and trailing spaces (only
// ' ': the caller knows there is no other white space).
func trimSpaces(v []byte) []byte {
	i, j := 0, len(v)
	for i < j && v[i] == ' ' {
		i++
	}
	for j > i && v[j-1] == ' ' {
		j--
	}
	return v[i:j]
}

// unfoldInto is unfoldBytes writing into arena, when not nil, so that the
// values of a block share its allocations: what a strings.Builder has
// written stays valid however it grows later.
func unfoldInto(arena *strArena, v []byte) string {
	if swar.Printable(v) {
		// Printable ASCII and spaces (one pass for the usual value):
		// valid UTF-8, no line to join, no tab, only spaces to trim.
		v = trimSpaces(v)
		if arena == nil || len(v) == 0 {
			return string(v)
		}
		start := arena.Len()
		arena.Write(v)
		return arena.String()[start:]
	}
	if !bytesValidUTF8(v) {
		return unfold(string(v)) // and its toUTF8
	}
	// One look for a tab in the whole value, rather than one in each
	// line: most folded values have none (a Received continued with a
	// tab is the usual exception).
	tabs := bytes.IndexByte(v, '\t') >= 0
	if !tabs && bytes.IndexByte(v, '\n') < 0 {
		v = bytes.TrimSpace(v)
		if arena == nil || len(v) == 0 {
			return string(v)
		}
		start := arena.Len()
		arena.Write(v)
		return arena.String()[start:]
	}
	var own strArena
	sb := arena
	if sb == nil {
		sb = &own
		sb.Grow(len(v))
	}
	start := sb.Len()
	for len(v) > 0 {
		line := v
		if i := bytes.IndexByte(v, '\n'); i >= 0 {
			line, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if sb.Len() > start {
			sb.WriteByte(' ')
		}
		for tabs {
			i := bytes.IndexByte(line, '\t')
			if i < 0 {
				break
			}
			sb.Write(line[:i])
			sb.WriteByte(' ')
			line = line[i+1:]
		}
		sb.Write(line)
	}
	return sb.String()[start:]
}

// appendUnfolded appends unfoldBytes(v) to dst, a line at a time, in the
// case it was written: its one reader, the recognisers' key scan
// (msgView.keyHits), ignores ASCII case.
func appendUnfolded(dst, v []byte) []byte {
	if !bytesValidUTF8(v) {
		return append(dst, unfoldBytes(v)...)
	}
	first := true
	for len(v) > 0 {
		line := v
		if i := bytes.IndexByte(v, '\n'); i >= 0 {
			line, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		n := len(dst)
		dst = append(dst, line...)
		for b := dst[n:]; ; {
			i := bytes.IndexByte(b, '\t')
			if i < 0 {
				break
			}
			b[i], b = ' ', b[i+1:]
		}
	}
	return dst
}
