package explain

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// The texts in text_*.go are small templates with two constructs:
//
//	template = *( literal / slot / group )
//	slot     = "{" name "}"             ; a fact, see slotNames
//	group    = "[[" *( literal / slot ) "]]"
//	                                    ; dropped whole when any slot in it is empty
//	literal  = any text without "{", "}", "[[" or "]]"
//
// Outside a group an empty fact is written as the language's fallback words
// ("the receiving server"), so a sentence never has a hole in it. Inside a
// group it removes the group, which is how optional clauses such as
// " (reply {code})" are written.
//
// text/template would do, but it costs reflection and several allocations
// per execution; this grammar is all the texts need, is compiled once at
// init, and renders into one buffer per explanation.

// slot is a fact a template may name.
type slot uint8

const (
	slotNone     slot = iota
	slotRcpt          // {rcpt} recipient address
	slotDomain        // {domain} recipient domain
	slotMTA           // {mta} the remote MTA that answered
	slotReporter      // {reporter} the Reporting-MTA
	slotStatus        // {status} enhanced status code, "5.7.1"
	slotReply         // {reply} SMTP reply code, "554"
	slotCode          // {code} reply and status together, "554 5.7.1"
	slotCommand       // {command} the SMTP command answered, "RCPT"
	slotDiag          // {diag} diagnostic excerpt, cleaned and truncated
	slotFrom          // {from} From of the returned original
	slotUntil         // {until} Will-Retry-Until of a delayed recipient (RFC 3464 2.3.8)
	numSlots
)

var slotNames = [numSlots]string{
	slotRcpt:     "rcpt",
	slotDomain:   "domain",
	slotMTA:      "mta",
	slotReporter: "reporter",
	slotStatus:   "status",
	slotReply:    "reply",
	slotCode:     "code",
	slotCommand:  "command",
	slotDiag:     "diag",
	slotFrom:     "from",
	slotUntil:    "until",
}

// part is a literal, a slot, or a group of literals and slots.
type part struct {
	lit   string
	slot  slot
	group []part
}

// tmpl is one compiled text.
type tmpl struct {
	parts  []part
	static int              // bytes of literal text, an upper bound on it
	uses   [numSlots]uint16 // how often each slot appears, groups included
	used   uint16           // bit s set when uses[s] is not 0
	// fixed is set when the text has neither slot nor group: its
	// rendering is always text, which an explanation then points to
	// instead of copying it (most steps, many headlines).
	fixed bool
	text  string
}

// A tmpl's used has a bit per slot: this does not compile with more.
var _ [16 - numSlots]struct{}

var (
	errUnclosedSlot  = errors.New("explain: unclosed {")
	errUnknownSlot   = errors.New("explain: unknown slot")
	errStrayBrace    = errors.New("explain: stray }")
	errNestedGroup   = errors.New("explain: nested [[")
	errUnclosedGroup = errors.New("explain: unclosed [[")
	errStrayGroupEnd = errors.New("explain: stray ]]")
)

// compile parses src by the grammar above.
func compile(src string) (tmpl, error) {
	var t tmpl
	var cur []part // the parts of the open group, when inGroup
	inGroup := false
	add := func(p part) {
		if inGroup {
			cur = append(cur, p)
		} else {
			t.parts = append(t.parts, p)
		}
	}
	i := 0
	for i < len(src) {
		j := strings.IndexAny(src[i:], "{}[]")
		if j < 0 {
			add(part{lit: src[i:]})
			t.static += len(src) - i
			break
		}
		j += i
		c := src[j]
		// A lone '[' or ']' is ordinary text ("[192.0.2.1]").
		if (c == '[' || c == ']') && (j+1 >= len(src) || src[j+1] != c) {
			k := j + 1
			add(part{lit: src[i:k]})
			t.static += k - i
			i = k
			continue
		}
		if j > i {
			add(part{lit: src[i:j]})
			t.static += j - i
		}
		switch c {
		case '{':
			end := strings.IndexByte(src[j:], '}')
			if end < 0 {
				return tmpl{}, fmt.Errorf("%w at %d in %q", errUnclosedSlot, j, src)
			}
			name := src[j+1 : j+end]
			s := lookupSlot(name)
			if s == slotNone {
				return tmpl{}, fmt.Errorf("%w %q in %q", errUnknownSlot, name, src)
			}
			add(part{slot: s})
			t.uses[s]++
			t.used |= 1 << s
			i = j + end + 1
		case '}':
			return tmpl{}, fmt.Errorf("%w at %d in %q", errStrayBrace, j, src)
		case '[':
			if inGroup {
				return tmpl{}, fmt.Errorf("%w at %d in %q", errNestedGroup, j, src)
			}
			inGroup, cur = true, nil
			i = j + 2
		case ']':
			if !inGroup {
				return tmpl{}, fmt.Errorf("%w at %d in %q", errStrayGroupEnd, j, src)
			}
			inGroup = false
			t.parts = append(t.parts, part{group: mergeLits(cur)})
			i = j + 2
		}
	}
	if inGroup {
		return tmpl{}, fmt.Errorf("%w in %q", errUnclosedGroup, src)
	}
	t.parts = mergeLits(t.parts)
	switch {
	case len(t.parts) == 0:
		t.fixed = true
	case len(t.parts) == 1 && t.parts[0].slot == slotNone && t.parts[0].group == nil:
		t.fixed, t.text = true, t.parts[0].lit
	}
	return t, nil
}

// mergeLits joins neighbouring literals, which the lone-bracket rule splits.
func mergeLits(ps []part) []part {
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && p.slot == slotNone && p.group == nil &&
			out[n-1].slot == slotNone && out[n-1].group == nil {
			out[n-1].lit += p.lit
			continue
		}
		out = append(out, p)
	}
	return out
}

func lookupSlot(name string) slot {
	for s, n := range slotNames {
		if n != "" && n == name {
			return slot(s)
		}
	}
	return slotNone
}

// size is an upper bound on the rendered length of t with f.
func (t *tmpl) size(f *facts) int {
	n := t.static
	for m := t.used; m != 0; m &= m - 1 {
		s := bits.TrailingZeros16(m)
		n += int(t.uses[s]) * f.size(slot(s))
	}
	return n
}

// render appends t with the facts of f to b.
func (t *tmpl) render(b *buffer, f *facts) {
	for i := range t.parts {
		p := &t.parts[i]
		switch {
		case p.group != nil:
			if groupFilled(p.group, f) {
				for j := range p.group {
					q := &p.group[j]
					if q.slot != slotNone {
						f.write(b, q.slot)
					} else {
						b.add(q.lit)
					}
				}
			}
		case p.slot != slotNone:
			if f.empty(p.slot) {
				b.add(f.fallback[p.slot])
			} else {
				f.write(b, p.slot)
			}
		default:
			b.add(p.lit)
		}
	}
}

func groupFilled(g []part, f *facts) bool {
	for i := range g {
		if g[i].slot != slotNone && f.empty(g[i].slot) {
			return false
		}
	}
	return true
}
