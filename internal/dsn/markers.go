package dsn

import "strings"

// lowerText is a message's text lower-cased once (ASCII only, so offsets
// match the original) with a filter of the byte pairs it contains. Every
// marker lookup of a message goes through it: a marker with a byte pair
// the text lacks is rejected without scanning the text, which keeps the
// cost of a recogniser table of a hundred rows close to one pass over the
// text (DESIGN.md, "Budgets").
type lowerText struct {
	s     string
	pairs *[1 << 10]uint64 // bit (a<<8|b) is set when s contains the bytes a, b in a row
}

func newLowerText(text string) lowerText {
	l := lowerText{s: asciiLower(text), pairs: new([1 << 10]uint64)}
	for i := 0; i+1 < len(l.s); i++ {
		p := uint(l.s[i])<<8 | uint(l.s[i+1])
		l.pairs[p>>6] |= 1 << (p & 63)
	}
	return l
}

// prefix returns the view of the first n bytes; the pair filter is kept
// (it may then say yes to a pair only the rest has, never no to one the
// prefix has).
func (l lowerText) prefix(n int) lowerText {
	return lowerText{s: l.s[:n], pairs: l.pairs}
}

// mayContain reports whether s may contain sub: false means it does not.
func (l lowerText) mayContain(sub string) bool {
	if l.pairs == nil {
		return true
	}
	for i := 0; i+1 < len(sub); i++ {
		p := uint(sub[i])<<8 | uint(sub[i+1])
		if l.pairs[p>>6]&(1<<(p&63)) == 0 {
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
