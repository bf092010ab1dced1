package dsn

import "strings"

// lowerText is a message's text lower-cased once (ASCII only, so offsets
// match the original) with a filter of the three-byte sequences it
// contains. Every marker lookup of a message goes through it: a marker
// with a sequence the text lacks is rejected without scanning the text,
// which keeps the cost of a recogniser table of a hundred rows close to one
// pass over the text (DESIGN.md, "Budgets").
type lowerText struct {
	s     string
	grams *[gramWords]uint64 // bit gramBit(a, b, c) is set when s contains the bytes a, b, c in a row
}

// gramWords sizes the filter: 16384 bits, a hash of three bytes in a row.
const gramWords = 256

func gramBit(a, b, c byte) uint {
	return (uint(a)*7919 + uint(b)*131 + uint(c)) & (gramWords*64 - 1)
}

func newLowerText(text string) lowerText {
	l := lowerText{s: asciiLower(text), grams: new([gramWords]uint64)}
	for i := 0; i+2 < len(l.s); i++ {
		p := gramBit(l.s[i], l.s[i+1], l.s[i+2])
		l.grams[p>>6] |= 1 << (p & 63)
	}
	return l
}

// prefix returns the view of the first n bytes; the filter is kept (it
// may then say yes to a sequence only the rest has, never no to one the
// prefix has).
func (l lowerText) prefix(n int) lowerText {
	return lowerText{s: l.s[:n], grams: l.grams}
}

// mayContain reports whether s may contain sub: false means it does not.
func (l lowerText) mayContain(sub string) bool {
	if l.grams == nil {
		return true
	}
	for i := 0; i+2 < len(sub); i++ {
		p := gramBit(sub[i], sub[i+1], sub[i+2])
		if l.grams[p>>6]&(1<<(p&63)) == 0 {
			return false
		}
	}
	return true
}

// index returns the offset of the first match of a marker, or -1. A marker
// that begins with '^' must start a line and one that ends with '$' must
// end it (white space around it aside): "^the mail system$".
func (l lowerText) index(mk string) int {
	start, end := strings.HasPrefix(mk, "^"), strings.HasSuffix(mk, "$")
	core := strings.TrimSuffix(strings.TrimPrefix(mk, "^"), "$")
	if !l.mayContain(core) {
		return -1
	}
	s := l.s
	if !start && !end {
		return strings.Index(s, core)
	}
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], core)
		if i < 0 {
			return -1
		}
		i += off
		off = i + 1
		if start && !lineStartsAt(s, i) || end && !lineEndsAt(s, i+len(core)) {
			continue
		}
		return i
	}
	return -1
}

// containsAny reports whether any marker matches.
func (l lowerText) containsAny(markers []string) bool {
	for _, mk := range markers {
		if l.index(mk) >= 0 {
			return true
		}
	}
	return false
}

// contains reports whether a marker matches.
func (l lowerText) contains(mk string) bool { return l.index(mk) >= 0 }

// lineStartsAt reports whether only spaces and tabs come between the start
// of the line and s[i]. It looks back no further than the spaces.
func lineStartsAt(s string, i int) bool {
	for i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') {
		i--
	}
	return i == 0 || s[i-1] == '\n'
}

// lineEndsAt reports whether only white space comes between s[j] and the
// end of the line.
func lineEndsAt(s string, j int) bool {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r') {
		j++
	}
	return j == len(s) || s[j] == '\n'
}
