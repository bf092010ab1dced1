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

// srcPart is a part of a text as compile reads it: a literal, a slot, or
// a group of literals and slots.
type srcPart struct {
	lit   string
	slot  slot
	group []srcPart
}

// part is a part of a compiled text, kept in a pool: a literal (its bytes
// are the pool's lits[off:off+n]), a slot, or a group, whose n parts
// follow it.
type part struct {
	off, n uint32
	slot   slot
	group  bool
}

// pool holds the parts and the literal bytes of compiled texts (a
// catalog's: lang.pool), which a tmpl refers to by offsets. A catalog's
// compiled form then holds no pointer but its pool's two, where a part of
// its own for each text (and a string for each literal) made thousands of
// small objects that every garbage collection cycle walked.
type pool struct {
	parts []part
	lits  string
	buf   []byte // lits until done
}

// lit returns the bytes of a literal part.
func (p *pool) lit(q *part) string { return p.lits[q.off : q.off+q.n] }

// done makes the literals added so far readable (lits).
func (p *pool) done() { p.lits, p.buf = string(p.buf), nil }

// tmpl is one compiled text.
type tmpl struct {
	first, end uint32           // its parts: pool.parts[first:end]
	static     int              // bytes of literal text, an upper bound on it
	uses       [numSlots]uint16 // how often each slot appears, groups included
	used       uint16           // bit s set when uses[s] is not 0
	// fixed is set when the text has neither slot nor group: its
	// rendering is always its text (the pool's lits[off:off+n]), which
	// an explanation then points to instead of copying it (most steps,
	// many headlines).
	fixed  bool
	off, n uint32
}

// text returns the text of a fixed tmpl.
func (t *tmpl) text(p *pool) string { return p.lits[t.off : t.off+t.n] }

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

// compile parses src by the grammar above and adds its parts to p.
func compile(src string, p *pool) (tmpl, error) {
	var t tmpl
	var parts, cur []srcPart // the text's parts; those of the open group, when inGroup
	inGroup := false
	add := func(p srcPart) {
		if inGroup {
			cur = append(cur, p)
		} else {
			parts = append(parts, p)
		}
	}
	i := 0
	for i < len(src) {
		j := strings.IndexAny(src[i:], "{}[]")
		if j < 0 {
			add(srcPart{lit: src[i:]})
			t.static += len(src) - i
			break
		}
		j += i
		c := src[j]
		// A lone '[' or ']' is ordinary text ("[192.0.2.1]").
		if (c == '[' || c == ']') && (j+1 >= len(src) || src[j+1] != c) {
			k := j + 1
			add(srcPart{lit: src[i:k]})
			t.static += k - i
			i = k
			continue
		}
		if j > i {
			add(srcPart{lit: src[i:j]})
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
			add(srcPart{slot: s})
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
			parts = append(parts, srcPart{group: mergeLits(cur)})
			i = j + 2
		}
	}
	if inGroup {
		return tmpl{}, fmt.Errorf("%w in %q", errUnclosedGroup, src)
	}
	parts = mergeLits(parts)
	switch {
	case len(parts) == 0:
		t.fixed = true
	case len(parts) == 1 && parts[0].slot == slotNone && parts[0].group == nil:
		t.fixed = true
		t.off, t.n = p.addLit(parts[0].lit)
	}
	t.first = uint32(len(p.parts))
	p.add(parts)
	t.end = uint32(len(p.parts))
	return t, nil
}

// add appends parts to p, each group followed by its own.
func (p *pool) add(parts []srcPart) {
	for _, q := range parts {
		switch {
		case q.group != nil:
			p.parts = append(p.parts, part{n: uint32(len(q.group)), group: true})
			p.add(q.group)
		case q.slot != slotNone:
			p.parts = append(p.parts, part{slot: q.slot})
		default:
			off, n := p.addLit(q.lit)
			p.parts = append(p.parts, part{off: off, n: n})
		}
	}
}

// addLit appends a literal's bytes to p and returns where they are.
func (p *pool) addLit(s string) (off, n uint32) {
	off = uint32(len(p.buf))
	p.buf = append(p.buf, s...)
	return off, uint32(len(s))
}

// mergeLits joins neighbouring literals, which the lone-bracket rule splits.
func mergeLits(ps []srcPart) []srcPart {
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

// render appends t with the facts of f to b; p is the pool of t.
func (t *tmpl) render(b *buffer, f *facts, p *pool) {
	ps := p.parts[t.first:t.end]
	for i := 0; i < len(ps); i++ {
		q := &ps[i]
		switch {
		case q.group:
			g := ps[i+1 : i+1+int(q.n)]
			i += int(q.n)
			if groupFilled(g, f) {
				for j := range g {
					if r := &g[j]; r.slot != slotNone {
						f.write(b, r.slot)
					} else {
						b.add(p.lit(r))
					}
				}
			}
		case q.slot != slotNone:
			if f.empty(q.slot) {
				b.add(f.fallback[q.slot])
			} else {
				f.write(b, q.slot)
			}
		default:
			b.add(p.lit(q))
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
