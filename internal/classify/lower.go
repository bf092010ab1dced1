package classify

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"
)

// Lower-casing is on the per-recipient path: every diagnostic and, when
// the diagnostic decides nothing, up to MaxTextBytes of the report's text
// are read lower-cased. strings.ToLower asks unicode.ToLower (a binary
// search of unicode.CaseRanges) about every non-ASCII rune, which made a
// Japanese or French bounce cost several times an English one. The
// functions here give byte for byte the same result as strings.ToLower
// (invalid UTF-8 included: each bad byte becomes U+FFFD, as strings.Map
// writes it) but ask unicode.ToLower only about the runes that have a case
// mapping at all.

// hasLower marks the runes of the Basic Multilingual Plane that
// unicode.ToLower changes: one bit per rune, 8 KiB, built once. Only the
// runes of unicode.CaseRanges can change (unicode.ToLower maps every other
// rune to itself), so only they are asked.
var hasLower = func() *[0x10000 / 64]uint64 {
	var t [0x10000 / 64]uint64
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi) && r <= 0xffff; r++ {
			if unicode.ToLower(r) != r {
				t[r>>6] |= 1 << (r & 63)
			}
		}
	}
	return &t
}()

// lowerRune is unicode.ToLower, asked only about the runes it changes.
func lowerRune(r rune) rune {
	if r < 0x10000 && hasLower[r>>6]&(1<<(r&63)) == 0 {
		return r
	}
	return unicode.ToLower(r)
}

// putLowerRune writes at b[n:] the lower case of the rune that starts s
// (not empty, s[0] not ASCII) as strings.ToLower writes it, and returns b
// (grown if it had to be), the bytes written and the bytes of s read. b
// must have room for n + len(s) bytes: the lower case of a rune is written
// in place when it is no longer (the usual case, and every rune without a
// case is copied as it is); one that is longer (a few runes; an invalid
// byte becomes U+FFFD, three bytes) grows b so that the room holds again.
func putLowerRune(b []byte, n int, s string) ([]byte, int, int) {
	r, w := decodeRune(s)
	if r < 0x10000 && hasLower[r>>6]&(1<<(r&63)) == 0 && (r != utf8.RuneError || w != 1) {
		switch w {
		case 2:
			b[n], b[n+1] = s[0], s[1]
		case 3:
			b[n], b[n+1], b[n+2] = s[0], s[1], s[2]
		default:
			copy(b[n:], s[:w])
		}
		return b, w, w
	}
	l := utf8.RuneError // an invalid byte is written as U+FFFD
	if r != utf8.RuneError || w != 1 {
		l = unicode.ToLower(r)
	}
	if k := utf8.RuneLen(l); k > w && n+k+len(s)-w > len(b) {
		b = slices.Grow(b[:n], k+len(s)-w)
		b = b[:cap(b)]
	}
	return b, utf8.EncodeRune(b[n:], l), w
}

// plainLower writes to b[:k] the lower case of s[:k] and returns k: the
// longest prefix of s made of whole eight-byte words of printable ASCII
// and spaces, with no space first and no two side by side (across words
// too). b must be at least as long as s. It is swar.Plain and swar.Lower
// in one tight loop, for the usual diagnostic, which is plain throughout.
func plainLower(b []byte, s string) int {
	const (
		ones  uint64 = 0x0101010101010101
		highs uint64 = 0x8080808080808080
	)
	carry := uint64(0x80) // byte 0 may not be a space: as if one came before
	i := 0
	for ; i+8 <= len(s) && i+8 <= len(b); i += 8 {
		x := swar.Load(s, i)
		// A byte >= 0x7f or < 0x20 (as swar.Plain tests them).
		if ((x+ones)|x)&highs != 0 || (x-ones*0x20)&^x&highs != 0 {
			break
		}
		z := x ^ ones*0x20
		m := ^((z&^highs + ^highs) | z | ^highs) // high bit set where a space
		if m&(m<<8|carry) != 0 {
			break // two spaces side by side, or a space first
		}
		carry = m >> 56
		swar.Store(b[i:i+8], swar.Lower(x))
	}
	return i
}

// decodeRune is utf8.DecodeRuneInString for s not empty with s[0] not
// ASCII: the two- and three-byte forms (Latin, Greek, Cyrillic, Arabic,
// Hebrew, Indic scripts, CJK) are read inline, the rest by utf8.
func decodeRune(s string) (rune, int) {
	if len(s) >= 2 {
		c, c1 := s[0], s[1]
		switch {
		case 0xc2 <= c && c <= 0xdf && c1&0xc0 == 0x80:
			return rune(c&0x1f)<<6 | rune(c1&0x3f), 2
		case 0xe1 <= c && c <= 0xef && c != 0xed && len(s) >= 3 && c1&0xc0 == 0x80 && s[2]&0xc0 == 0x80:
			// 0xe0 (overlong forms) and 0xed (surrogates) need a
			// narrower second byte: left to utf8.
			return rune(c&0x0f)<<12 | rune(c1&0x3f)<<6 | rune(s[2]&0x3f), 3
		}
	}
	return utf8.DecodeRuneInString(s)
}

// toLower is strings.ToLower, byte for byte, faster on non-ASCII text.
// Like strings.ToLower it returns s itself when nothing changes in ASCII
// text.
func toLower(s string) string {
	// The first byte that may change ends the search.
	i := 0
	for i < len(s) {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			break
		}
		i++
	}
	if i == len(s) {
		return s
	}
	b := appendLower(make([]byte, 0, len(s)), s)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not written again
}

// lowersIntoASCII reports whether strings.ToLower(s) has ASCII that s
// has not. Only two runes have an ASCII lower case, U+0130 (into 'i') and
// U+212A, the Kelvin sign (into 'k'); TestLowerIntoASCII asks every rune.
// Every other non-ASCII rune, and each invalid byte (written as U+FFFD),
// stays non-ASCII, and ASCII stays ASCII: without those two, the ASCII of
// the lower case is that of s with its letters lower-cased, in the same
// runs between non-ASCII bytes, which is all an ASCII phrase matcher that
// folds case sees (scanReportText, scansAsIs).
func lowersIntoASCII(s string) bool {
	return strings.Contains(s, "\u0130") || strings.Contains(s, "\u212a")
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool { return swar.IsASCII(s) }

// lowerASCII lower-cases the ASCII letters of b in place.
func lowerASCII(b []byte) {
	for k, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[k] = c + 'a' - 'A'
		}
	}
}

// lowerTrim is strings.ToLower(strings.TrimSpace(s)), with no work for
// the usual value: lower-case ASCII with nothing to trim.
func lowerTrim(s string) string {
	if len(s) == 0 || s[0] <= ' ' || s[len(s)-1] <= ' ' {
		return toLower(strings.TrimSpace(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return toLower(strings.TrimSpace(s))
		}
	}
	return s
}

// appendLower appends strings.ToLower(s) to dst: ASCII eight bytes at a
// time (swar.Lower), other runes by putLowerRune, written by index into
// room for s.
func appendLower(dst []byte, s string) []byte {
	n := len(dst)
	b := slices.Grow(dst, len(s))
	b = b[:cap(b)] // room for n + len(s) - i, as putLowerRune keeps it
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			if x := swar.Load(s, i); x&0x8080808080808080 == 0 {
				swar.Store(b[n:n+8], swar.Lower(x))
				n += 8
				i += 8
				continue
			}
		}
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[n] = c
			n++
			i++
			continue
		}
		var wrote, read int
		b, wrote, read = putLowerRune(b, n, s[i:])
		n += wrote
		i += read
	}
	return b[:n]
}
