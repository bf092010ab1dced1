package dsn

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// maxFastQPBytes is the largest quoted-printable body decodeQP decodes in
// one go when a charset conversion follows (which needs the whole decoded
// body): beyond it the streaming reader of mime/quotedprintable keeps the
// memory of a large part to its budget.
const maxFastQPBytes = 1 << 20

// qpMaxLine is the longest line (LF excluded) decodeQP reads itself:
// mime/quotedprintable reads lines through a 4 KiB bufio.Reader and fails
// on longer ones ("bufio: buffer full"), so decodeQP leaves those to it.
const qpMaxLine = 4096 - 2

// decodeQP decodes a quoted-printable body (RFC 2045 section 6.7) exactly
// as mime/quotedprintable.Reader does, byte for byte, in one pass over
// the body without its per-byte Read loop and buffers: a soft line break
// is "=" before the line end (trailing white space dropped), "=XY" a hex
// escape (small letters accepted), "=" not followed by two hex digits a
// literal "=" inside a line, bytes 0x80 and over passed through. It stops
// once more than limit bytes are decoded.
//
// ok is false where the standard reader would return an error (a control
// byte, a bad escape at a line end, bytes after a soft break, a line over
// its buffer): the caller then decodes with mime/quotedprintable, so that
// what is kept of a broken body and the warning are the same.
func decodeQP(body []byte, limit int) (out []byte, ok bool) {
	out = make([]byte, 0, min(len(body), limit+1))
	rest := body
	for len(rest) > 0 && len(out) <= limit {
		// One line, with its LF when it has one (bufio.Reader.ReadSlice).
		line := rest
		eof := true
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest, eof = rest[:i+1], rest[i+1:], false
		} else {
			rest = nil
		}
		if len(line) > qpMaxLine {
			return nil, false
		}
		hasLF := !eof
		hasCR := hasLF && len(line) >= 2 && line[len(line)-2] == '\r'
		whole := line
		// TrimRightFunc of '\n', '\r', ' ', '\t'.
		n := len(line)
		for n > 0 && (line[n-1] == '\n' || line[n-1] == '\r' || line[n-1] == ' ' || line[n-1] == '\t') {
			n--
		}
		line = line[:n]
		soft := n > 0 && line[n-1] == '='
		if soft {
			after := bytes.TrimLeft(whole[n:], " \t")
			line = line[:n-1]
			if !(len(after) > 0 && after[0] == '\n') && !bytes.HasPrefix(after, []byte("\r\n")) &&
				!(len(after) == 0 && len(line) > 0 && eof) {
				return nil, false // "invalid bytes after ="
			}
		}
		for i := 0; i < len(line); {
			// A run of plain bytes is checked, then copied in one go.
			j := i
			for j+8 <= len(line) {
				if m := qpStop(binary.LittleEndian.Uint64(line[j:])); m != 0 {
					j += bits.TrailingZeros64(m) / 8 // the first byte to look at
					break
				}
				j += 8
			}
			for j < len(line) && qpPlain[line[j]] {
				j++
			}
			out = append(out, line[i:j]...)
			i = j
			if i == len(line) {
				break
			}
			if line[i] != '=' {
				return nil, false // "invalid unescaped byte"
			}
			if i+2 < len(line) {
				if hb, ok1 := unhex(line[i+1]); ok1 {
					if lb, ok2 := unhex(line[i+2]); ok2 {
						out = append(out, hb<<4|lb)
						i += 3
						continue
					}
				}
			}
			// Not an escape: a literal '=' when a byte other than a line
			// end follows, else the reader's error.
			if i+1 < len(line) && line[i+1] != '\r' && line[i+1] != '\n' {
				out = append(out, '=')
				i++
				continue
			}
			return nil, false
		}
		if !soft && hasLF {
			if hasCR {
				out = append(out, '\r', '\n')
			} else {
				out = append(out, '\n')
			}
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, true
}

// unhex reads one hex digit, either case.
func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// qpPlain marks the bytes mime/quotedprintable passes through as they
// are: printable ASCII but '=', tab, CR, LF and bytes 0x80 and over.
var qpPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= ' ' && c <= '~' && c != '=' || c == '\t' || c == '\r' || c == '\n' || c >= 0x80
	}
	return t
}()

// qpPlainWord reports whether the eight bytes of x (little-endian) are all
// printable ASCII but '=', the usual run of a quoted-printable line,
// tested at once (the bytes qpPlain also passes, tab and 0x80 and over,
// are then read one at a time).
func qpPlainWord(x uint64) bool { return qpStop(x) == 0 }

// qpStop marks the high bit of each byte of x from the first that is not
// plain printable ASCII (below ' ', above '~', or '='); the lowest mark
// is that byte, exactly (a borrow or carry only marks bytes above it).
func qpStop(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// A byte >= 0x7f sets its high bit in x or in x+1; a byte < 0x20
	// borrows into its high bit in x-0x20 (exact once no byte is >= 0x80).
	z := x ^ ones*'=' // a zero byte where x has '='
	return ((x + ones) | x | (x-ones*0x20)&^x | (z-ones)&^z) & highs
}
