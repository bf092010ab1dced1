package dsn

import (
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
// at the first line end after more than limit bytes are decoded.
//
// The body is read once, front to back: runs of plain bytes are copied
// eight at a time (qpStop finds where one ends, a line end included), and
// the white space the standard reader trims from a line's end is taken
// back from the output when the line end comes (never what an escape
// wrote).
//
// ok is false where the standard reader would return an error (a control
// byte, a bad escape at a line end, bytes after a soft break, a line over
// its buffer): the caller then decodes with mime/quotedprintable, so that
// what is kept of a broken body and the warning are the same.
//
// The output is written into dst's memory when it has room for it.
func decodeQP(dst, body []byte, limit int) (out []byte, ok bool) {
	// The output is never longer than the input read, and the input stops
	// at the first line end past limit: a line's length over it at most.
	// (Never nil: a nil output is no output to decodeBody.)
	if size := min(len(body), limit+qpMaxLine+2); dst != nil && cap(dst) >= size {
		out = dst[:size]
	} else {
		out = make([]byte, size)
	}
	n := 0         // bytes written to out
	floor := 0     // out[:floor] is never trimmed: earlier lines, escapes
	lineStart := 0 // offset in body of the line being read
	k := 0
	for k < len(body) {
		// A run of plain bytes, eight at a time: each word is stored
		// whole, and only its plain bytes are counted.
		// (n <= k: the output never runs ahead of the input.)
		for last := min(len(body), len(out)) - 8; k <= last; {
			x := binary.LittleEndian.Uint64(body[k : k+8])
			binary.LittleEndian.PutUint64(out[n:n+8], x)
			if m := qpStop(x); m != 0 {
				z := bits.TrailingZeros64(m) / 8
				k += z
				n += z
				break
			}
			k += 8
			n += 8
		}
		if k == len(body) {
			break
		}
		switch c := body[k]; {
		case qpRun[c]:
			// A tab, a CR or a byte over 0x7f, or a plain byte the words
			// did not reach (the last few).
			if n == len(out) {
				return nil, false // a line longer than the reader's buffer
			}
			out[n] = c
			n++
			k++
		case c == '\n':
			if k+1-lineStart > qpMaxLine {
				return nil, false
			}
			hasCR := k > lineStart && body[k-1] == '\r'
			for n > floor && (out[n-1] == ' ' || out[n-1] == '\t' || out[n-1] == '\r') {
				n-- // TrimRightFunc of the line's white space
			}
			if hasCR {
				out[n] = '\r' // never past out: the input had it too
				n++
			}
			out[n] = '\n'
			n++
			k++
			floor, lineStart = n, k
			if n > limit {
				return out[:limit], true
			}
		case c == '=':
			if k+2 < len(body) {
				if hb, ok1 := unhex(body[k+1]); ok1 {
					if lb, ok2 := unhex(body[k+2]); ok2 {
						if n == len(out) {
							return nil, false
						}
						out[n] = hb<<4 | lb
						n++
						k += 3
						floor = n
						continue
					}
				}
			}
			// A soft line break when only white space follows on the
			// line: spaces and tabs, then the line end (or the end of
			// the body, after something on the line).
			j := k + 1
			for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
				j++
			}
			if e, soft := qpLineEnd(body, j); soft {
				switch {
				case j < len(body) && body[j] == '\n', j+1 < len(body) && body[j] == '\r' && body[j+1] == '\n':
				case j == len(body) && k > lineStart:
				default:
					return nil, false // "invalid bytes after ="
				}
				if e < len(body) {
					e++ // the LF
				}
				if e-lineStart > qpMaxLine {
					return nil, false
				}
				k = e
				floor, lineStart = n, k
				if n > limit {
					return out[:limit], true
				}
				continue
			}
			// Not an escape: a literal '=' when a byte other than a line
			// end follows, else the reader's error. The byte after may
			// not be the line's soft break either ("a==").
			if k+1 < len(body) && body[k+1] != '\r' && body[k+1] != '\n' && n < len(out) {
				if _, soft := qpLineEnd(body, k+2); body[k+1] == '=' && soft {
					return nil, false
				}
				out[n] = '='
				n++
				k++
				floor = n
				continue
			}
			return nil, false
		default:
			return nil, false // "invalid unescaped byte"
		}
	}
	// The last line, without a line end.
	if len(body)-lineStart > qpMaxLine {
		return nil, false
	}
	for n > floor && (out[n-1] == ' ' || out[n-1] == '\t' || out[n-1] == '\r') {
		n--
	}
	return out[:min(n, limit)], true
}

// qpLineEnd reports whether only the white space the reader trims from a
// line's end (spaces, tabs, CRs) follows body[i] up to the line end, and
// where it ends: the LF, or the end of the body.
func qpLineEnd(body []byte, i int) (int, bool) {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r') {
		i++
	}
	return i, i == len(body) || body[i] == '\n'
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

// qpRun marks the bytes a run of plain bytes may hold: qpPlain but the
// line end, which decodeQP handles.
var qpRun = func() (t [256]bool) {
	t = qpPlain
	t['\n'] = false
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
