// Package phrase finds which of a fixed set of phrases occur in a text, in
// one pass over the text: an Aho-Corasick automaton (Aho and Corasick,
// "Efficient string matching", CACM 18(6), 1975) over byte classes, built
// once. The answer is exactly what strings.Contains would say for each
// phrase, in time linear in the text instead of in the text times the set.
//
// It is the one phrase matcher of bounced: dsn uses it for the markers of
// its recognisers, classify for the phrases of its rule table. Matching is
// on bytes; callers lower-case both sides (ASCII) as they need. A large
// set is read through a compact form of its automaton (words.go), which
// stays in the caches where the full table does not.
package phrase

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"
)

// MaxPhrases bounds the distinct phrases of a Matcher, so that a Hits is a
// fixed array that can live on the stack.
const MaxPhrases = 2048

// maxStates bounds the automaton (state numbers are uint16).
const maxStates = 1<<16 - 1

// ErrTooLarge is returned by Compile for a set over MaxPhrases phrases,
// 255 distinct bytes, or 65535 automaton states.
var ErrTooLarge = errors.New("phrase: set too large")

// Hits records which phrases of a Matcher occur in a text, by id.
type Hits [MaxPhrases / 64]uint64

func (h *Hits) add(id uint16) { h[id>>6] |= 1 << (id & 63) }

// Has reports whether phrase id occurs.
func (h *Hits) Has(id int) bool { return id >= 0 && id < MaxPhrases && h[id>>6]&(1<<(id&63)) != 0 }

// Matcher is a compiled phrase set. It is read-only after Compile and safe
// for concurrent use.
type Matcher struct {
	class  [256]uint8
	lclass [256]uint8 // class of each byte's ASCII lower case (ScanLower)
	nclass int
	// delta[s+class] is the next state of state s, where a state is
	// stored as its number times nclass (so a step is one load and one
	// add). The states where phrases end are numbered after the others,
	// from outMin on (outMin/nclass rounded up), and outMin is a power of
	// two above every other state and at least half of any state: a scan
	// knows such a state by its number alone (state >= outMin), and one
	// of several states by their bitwise or.
	//
	// Cells stay four bytes: two-byte cells (a row's first block, so a
	// step is a shift, an add and a load) cut the scans' L1 data misses
	// of the engine's benchmark only 8 % (callgrind --cache-sim: 461 a
	// message, nearly all from this load, one step in four) and its CPU
	// time not at all, for 3 % more instructions: the misses are rows a
	// message visits for the first time, one line each whatever a row's
	// size. Numbering the classes by English letter frequency, to put
	// the columns read most in the same lines, cut them 1 %; the tables
	// of the two largest sets on 2 MiB pages (mmap, MADV_HUGEPAGE) did
	// not change CPU time either. What did is reading fewer lines: the
	// scans of a large set read its compact form instead (words), and
	// compile drops its delta (nil).
	delta  []uint32
	outMin uint32
	out    outs // out.of(number): phrase ids that end at a state, fail outputs merged
	ids    map[string]int
	list   []string
	// maxLen is the length of the longest phrase: a scan split in two
	// halves starts the second that many bytes early (ScanLower).
	maxLen int
	// words is the automaton in a small footprint (see compact), which
	// the scans read instead of delta when it is set: compile builds it
	// for a table of compactMinBytes or more, and then drops delta.
	words *compact
}

// Compile builds the matcher of list; the id of list[i] is i. Empty and
// repeated phrases are allowed (a repeat gets the first one's id too).
func Compile(list []string) (*Matcher, error) { return compile(list, false) }

// CompileFold is Compile for a matcher that ignores ASCII case in the text:
// the phrases must be lower case, and "User Unknown" in a text matches
// "user unknown" without the text being lower-cased first.
func CompileFold(list []string) (*Matcher, error) {
	for _, s := range list {
		for i := 0; i < len(s); i++ {
			if s[i] >= 'A' && s[i] <= 'Z' {
				return nil, fmt.Errorf("%w: phrase %q is not lower case", ErrNotLower, s)
			}
		}
	}
	return compile(list, true)
}

// ErrNotLower is returned by CompileFold for a phrase with an upper-case
// ASCII letter.
var ErrNotLower = errors.New("phrase: not lower case")

// build builds the matcher of list with its full table only.
func build(list []string, fold bool) (*Matcher, error) {
	if len(list) > MaxPhrases {
		return nil, fmt.Errorf("%w: %d phrases, limit %d", ErrTooLarge, len(list), MaxPhrases)
	}
	m := &Matcher{ids: make(map[string]int, len(list)), list: list}
	for id, s := range list {
		if _, dup := m.ids[s]; !dup {
			m.ids[s] = id
		}
		m.maxLen = max(m.maxLen, len(s))
		for i := 0; i < len(s); i++ {
			if m.class[s[i]] == 0 {
				m.nclass++
				if m.nclass > 255 {
					return nil, fmt.Errorf("%w: more than 255 distinct bytes", ErrTooLarge)
				}
				m.class[s[i]] = uint8(m.nclass)
			}
		}
	}
	m.nclass++ // class 0: bytes in no phrase
	if fold {
		for c := byte('A'); c <= 'Z'; c++ {
			m.class[c] = m.class[c+'a'-'A']
		}
	}
	for c := range m.lclass {
		m.lclass[c] = m.class[lowerByte[c]]
	}

	// The trie, with -1 for "no edge".
	type node struct {
		next []int32
		out  []uint16
	}
	newNode := func() node {
		n := node{next: make([]int32, m.nclass)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []node{newNode()}
	for id, s := range list {
		cur := 0
		for i := 0; i < len(s); i++ {
			c := m.class[s[i]]
			if nodes[cur].next[c] < 0 {
				if len(nodes) >= maxStates {
					return nil, fmt.Errorf("%w: more than %d states", ErrTooLarge, maxStates)
				}
				nodes = append(nodes, newNode())
				nodes[cur].next[c] = int32(len(nodes) - 1)
			}
			cur = int(nodes[cur].next[c])
		}
		nodes[cur].out = append(nodes[cur].out, uint16(id))
	}

	// Breadth first: fail links, then the full transition function.
	fail := make([]int32, len(nodes))
	m.delta = make([]uint32, len(nodes)*m.nclass)
	out := make([][]uint16, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < m.nclass; c++ {
		if n := nodes[0].next[c]; n > 0 {
			queue = append(queue, n)
			m.delta[c] = uint32(n)
		}
	}
	out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(append([]uint16(nil), nodes[s].out...), out[fail[s]]...)
		for c := 0; c < m.nclass; c++ {
			n := nodes[s].next[c]
			if n < 0 {
				m.delta[int(s)*m.nclass+c] = m.delta[int(fail[s])*m.nclass+c]
				continue
			}
			fail[n] = int32(m.delta[int(fail[s])*m.nclass+c])
			m.delta[int(s)*m.nclass+c] = uint32(n)
			queue = append(queue, n)
		}
	}
	m.renumber(out)
	return m, nil
}

// compile builds the matcher of list (build) and, for a full table of
// compactMinBytes or more, its compact form, which the scans read
// instead: the full table is then dropped (1.6 to 1.7 MB less heap for
// each of the two largest sets, whose tables are 2.2 MB).
func compile(list []string, fold bool) (*Matcher, error) {
	m, err := build(list, fold)
	if err == nil && len(m.delta)*4 >= compactMinBytes {
		if m.buildCompact(); m.words != nil {
			m.delta = nil
		}
	}
	return m, err
}

// renumber puts the states where phrases end after the others, from
// outMin on (see Matcher.delta), and premultiplies the state numbers by
// nclass; m.out becomes the phrases of each state (out, by state in
// build's order) by its new number. The root stays state 0; its own
// phrases (the empty one) are added by each scan at its start, so it
// counts among the others.
func (m *Matcher) renumber(outBuilt [][]uint16) {
	n, nclass := len(outBuilt), m.nclass
	num := make([]int, n)
	plain := 0
	for s := range n {
		if s == 0 || len(outBuilt[s]) == 0 {
			num[s] = plain
			plain++
		}
	}
	outMin := 1
	for outMin < plain*nclass {
		outMin <<= 1
	}
	first := func() int { return (outMin + nclass - 1) / nclass } // the first state with output
	for (first()+n-plain)*nclass > 2*outMin {
		outMin <<= 1
	}
	k := first()
	for s := 1; s < n; s++ {
		if len(outBuilt[s]) > 0 {
			num[s] = k
			k++
		}
	}
	delta := make([]uint32, k*nclass) // the rows between plain and first() are never reached
	out := make([][]uint16, k)
	for s := range n {
		out[num[s]] = outBuilt[s]
		row := delta[num[s]*nclass : (num[s]+1)*nclass]
		for c := range row {
			row[c] = uint32(num[m.delta[s*nclass+c]] * nclass)
		}
	}
	m.delta, m.out, m.outMin = delta, flatOuts(out), uint32(outMin)
}

// outs are lists of phrase ids, list n being ids[at[n]:at[n+1]]: two
// slices without pointers, where a slice for each state of a large set
// (classify's has 10,447) was that many pointers that every garbage
// collection cycle read, and a small object for each state with phrases
// that it marked.
type outs struct {
	ids []uint16
	at  []uint32
}

// flatOuts returns the outs of lists.
func flatOuts(lists [][]uint16) outs {
	o := outs{at: make([]uint32, len(lists)+1)}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	o.ids = make([]uint16, 0, n)
	for i, l := range lists {
		o.ids = append(o.ids, l...)
		o.at[i+1] = uint32(len(o.ids))
	}
	return o
}

// of returns list n.
func (o *outs) of(n uint32) []uint16 { return o.ids[o.at[n]:o.at[n+1]] }

// MustCompile is Compile for tables fixed at build time; it panics on error.
func MustCompile(list []string) *Matcher {
	m, err := Compile(list)
	if err != nil {
		panic(err)
	}
	return m
}

// Scan adds to h every phrase that occurs in text. An empty phrase always
// occurs.
func (m *Matcher) Scan(text string, h *Hits) {
	m.addEmpty(h, nil)
	if m.words != nil {
		m.scanCompact(text, &m.class, h, nil)
		return
	}
	m.run(text, 0, &m.class, h, nil, 0)
}

// ScanBytes is Scan of a byte slice.
func (m *Matcher) ScanBytes(text []byte, h *Hits) {
	m.addEmpty(h, nil)
	if len(text) > 0 {
		if m.words != nil {
			m.scanCompact(unsafe.String(&text[0], len(text)), &m.class, h, nil)
			return
		}
		m.run(unsafe.String(&text[0], len(text)), 0, &m.class, h, nil, 0)
	}
}

// Ends records where the first occurrence of each phrase a scan found
// ends: Ends[id] is the offset after its last byte, for the ids of the
// scan's Hits (ScanLowerEnds); the others hold anything.
type Ends [MaxPhrases]int32

// ScanLower is Scan of the ASCII lower case of text, which it writes into
// dst (at least len(text) bytes) when dst is not nil: a caller that needs
// both the lower-case text and its phrases gets them from one call. The
// lower case is written eight bytes at a time (swar.Lower); the automaton
// reads text itself through lclass, the class of each byte's lower case,
// so that the scan does not wait for the writes.
//
// A scan is a chain of dependent loads (each state is read from the one
// before), so a long text is scanned as two or four parts at once, each
// its own chain, which the processor runs side by side. Through the full
// table, a part after the first starts maxLen-1 bytes early, in the
// initial state: a phrase that starts before that point ends before the
// part before it does, so every phrase is found by one chain or another
// (some twice, which a set does not mind). Through the compact form, each
// part starts at its own first byte and the part before reads on past it
// as long as needed (scanCompact).
func (m *Matcher) ScanLower(text string, dst []byte, h *Hits) {
	if dst != nil {
		lowerInto(dst[:len(text)], text)
	}
	m.scanLower(text, h, nil)
}

// ScanLowerEnds is ScanLower writing no lower case, which also records
// in e where the first occurrence of each phrase found ends. h must be
// empty (a phrase is first met when its bit is not yet set). Recording
// costs nothing per byte: an end is written only where a phrase ends.
func (m *Matcher) ScanLowerEnds(text string, h *Hits, e *Ends) {
	m.scanLower(text, h, e)
}

// scanLower is ScanLower's scan, recording ends in e when e is not nil.
func (m *Matcher) scanLower(text string, h *Hits, e *Ends) {
	m.addEmpty(h, e)
	if m.words != nil {
		m.scanCompact(text, &m.lclass, h, e)
		return
	}
	if q := len(text) / 4; len(text) >= 4*splitScan && q >= m.maxLen {
		m.scanFold4(text, h, e)
		return
	}
	mid := len(text) / 2
	if len(text) < splitScan || mid < m.maxLen {
		m.scanFold(text, 0, h, e, 0)
		return
	}
	// The second chain first reads the maxLen-1 bytes before mid.
	s2 := m.scanFold(text[mid-m.maxLen+1:mid], 0, h, e, mid-m.maxLen+1)
	a, b := text[:mid], text[mid:]
	b2 := b[:len(a)] // len(b) >= len(a)
	delta, lclass, outMin := m.deltaBase(), &m.lclass, m.outMin
	var s1 uint32
	for i := 0; i < len(a); i++ {
		s1 = step(delta, s1, lclass[a[i]])
		s2 = step(delta, s2, lclass[b2[i]])
		if s1|s2 >= outMin {
			m.addIfOut(s1, h, e, i+1)
			m.addIfOut(s2, h, e, mid+i+1)
		}
	}
	m.scanFold(b[len(a):], s2, h, e, mid+len(a)) // an odd length: the last byte
}

// scanFold4 is ScanLower's scan of a long text as four quarters at once,
// each chain but the first starting maxLen-1 bytes before its quarter.
func (m *Matcher) scanFold4(text string, h *Hits, e *Ends) {
	q := len(text) / 4
	var st [4]uint32
	for k := 1; k < 4; k++ {
		st[k] = m.scanFold(text[k*q-m.maxLen+1:k*q], 0, h, e, k*q-m.maxLen+1)
	}
	delta, lclass, outMin := m.deltaBase(), &m.lclass, m.outMin
	s0, s1, s2, s3 := st[0], st[1], st[2], st[3]
	// The four quarters are read at p, p+q, p+2q and p+3q, one pointer
	// for all (four slices would not all stay in registers).
	// p stops at text+q, inside text (len(text) >= 4q > q).
	base := unsafe.Pointer(unsafe.StringData(text))
	p, uq := base, uintptr(q)
	for end := unsafe.Add(p, q); p != end; p = unsafe.Add(p, 1) {
		s0 = step(delta, s0, lclass[*(*byte)(p)])
		s1 = step(delta, s1, lclass[*(*byte)(unsafe.Add(p, uq))])
		s2 = step(delta, s2, lclass[*(*byte)(unsafe.Add(p, 2*uq))])
		s3 = step(delta, s3, lclass[*(*byte)(unsafe.Add(p, 3*uq))])
		if s0|s1|s2|s3 >= outMin {
			i := int(uintptr(p)-uintptr(base)) + 1 // the end of a phrase that ends at p
			m.addIfOut(s0, h, e, i)
			m.addIfOut(s1, h, e, i+q)
			m.addIfOut(s2, h, e, i+2*q)
			m.addIfOut(s3, h, e, i+3*q)
		}
	}
	// The last quarter's extra bytes (len(text) not a multiple of four).
	m.scanFold(text[4*q:], s3, h, e, 4*q)
}

// splitScan is the shortest text ScanLower splits in two.
const splitScan = 256

// scanFold is the one-chain scan of text's lower case from the given
// state, without the empty phrase; it returns the state it ends in. text
// starts at offset base of the scanned text (for e).
func (m *Matcher) scanFold(text string, state uint32, h *Hits, e *Ends, base int) uint32 {
	return m.run(text, state, &m.lclass, h, e, base)
}

// run steps the automaton over text from state, reading each byte through
// class (class or lclass), adds the phrases that end to h (and their ends,
// text starting at offset base, to e when it is not nil) and returns the
// state it ends in. Four steps are taken before their states are looked
// at, together.
func (m *Matcher) run(text string, state uint32, class *[256]uint8, h *Hits, e *Ends, base int) uint32 {
	if len(text) == 0 {
		return state
	}
	delta, outMin := m.deltaBase(), m.outMin
	// The bytes are read at ptr+i without bounds checks, i below the
	// end of the last whole group of four (no pointer leaves text).
	ptr := unsafe.Pointer(unsafe.StringData(text))
	for i, n4 := 0, len(text)&^3; i < n4; i += 4 {
		p := unsafe.Add(ptr, i)
		s1 := step(delta, state, class[*(*byte)(p)])
		s2 := step(delta, s1, class[*(*byte)(unsafe.Add(p, 1))])
		s3 := step(delta, s2, class[*(*byte)(unsafe.Add(p, 2))])
		state = step(delta, s3, class[*(*byte)(unsafe.Add(p, 3))])
		if s1|s2|s3|state >= outMin {
			m.addIfOut(s1, h, e, base+i+1)
			m.addIfOut(s2, h, e, base+i+2)
			m.addIfOut(s3, h, e, base+i+3)
			m.addIfOut(state, h, e, base+i+4)
		}
	}
	for k, c := range []byte(text[len(text)&^3:]) {
		state = step(delta, state, class[c])
		m.addIfOut(state, h, e, base+len(text)&^3+k+1)
	}
	return state
}

// addIfOut adds the phrases that end at state, if any, at offset end
// (for e, when it is not nil).
func (m *Matcher) addIfOut(state uint32, h *Hits, e *Ends, end int) {
	if state >= m.outMin {
		m.addOut(state/uint32(m.nclass), h, e, end)
	}
}

// addEmpty adds the phrases of the initial state (the empty one), which
// end at offset 0.
func (m *Matcher) addEmpty(h *Hits, e *Ends) { m.addOut(0, h, e, 0) }

// deltaBase returns the address of delta's first entry, for step.
func (m *Matcher) deltaBase() unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(m.delta)) }

// step returns delta[state+class] without a bounds check: compile makes
// delta exactly states*nclass entries, every state a scan holds (an entry
// of delta) is a state number times nclass, and every class is below
// nclass, so the index is always inside delta.
func step(delta unsafe.Pointer, state uint32, class uint8) uint32 {
	return *(*uint32)(unsafe.Add(delta, uintptr(state+uint32(class))*4))
}

// lowerInto writes the ASCII lower case of s into dst (len(s) bytes): a
// copy, then eight bytes at a time lowered in place where they are all
// ASCII.
func lowerInto(dst []byte, s string) {
	d := dst[:copy(dst[:len(s)], s)]
	i := 0
	for ; i+8 <= len(d); i += 8 {
		w := d[i : i+8]
		x := binary.LittleEndian.Uint64(w)
		if x&0x8080808080808080 == 0 {
			binary.LittleEndian.PutUint64(w, swar.Lower(x))
			continue
		}
		for k, c := range w {
			w[k] = lowerByte[c]
		}
	}
	for ; i < len(d); i++ {
		d[i] = lowerByte[d[i]]
	}
}

// addOut adds the phrases that end at state number n, at offset end: e
// keeps the smallest end of each (a later chain may meet an occurrence
// before an earlier chain meets an earlier one). It is not inlined, so
// that addIfOut, at every state the scans look at, is only a compare.
//
//go:noinline
func (m *Matcher) addOut(n uint32, h *Hits, e *Ends, end int) {
	for _, id := range m.out.of(n) {
		if e != nil && (!h.Has(int(id)) || int32(end) < e[id]) {
			e[id] = int32(end)
		}
		h.add(id)
	}
}

// lowerByte maps ASCII capitals to small letters and every other byte to
// itself.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// ScanWords is Scan for phrases that name words: a phrase that starts with
// an ASCII letter or digit counts only where a word starts, so "spam" is
// not found in "rspamd" (a host name) nor "user unknown" in "superuser
// unknown". Phrases that start with punctuation or a space match anywhere.
func (m *Matcher) ScanWords(text string, h *Hits) {
	for _, id := range m.out.of(0) {
		h.add(id)
	}
	if len(text) == 0 {
		return
	}
	if m.words != nil {
		m.scanWordsCompact(text, h)
		return
	}
	m.scanWordsFull(text, h)
}

// scanWordsFull is ScanWords through the full table.
func (m *Matcher) scanWordsFull(text string, h *Hits) {
	delta, class, outMin := m.deltaBase(), &m.class, m.outMin
	var state uint32
	// Four steps at a time through a pointer, as run does; i is the offset
	// of the group's first byte.
	base := unsafe.Pointer(unsafe.StringData(text))
	i, n4 := 0, len(text)&^3
	for ; i < n4; i += 4 {
		p := unsafe.Add(base, i)
		s1 := step(delta, state, class[*(*byte)(p)])
		s2 := step(delta, s1, class[*(*byte)(unsafe.Add(p, 1))])
		s3 := step(delta, s2, class[*(*byte)(unsafe.Add(p, 2))])
		state = step(delta, s3, class[*(*byte)(unsafe.Add(p, 3))])
		if s1|s2|s3|state >= outMin {
			m.addWords(text, i, s1, h)
			m.addWords(text, i+1, s2, h)
			m.addWords(text, i+2, s3, h)
			m.addWords(text, i+3, state, h)
		}
	}
	for ; i < len(text); i++ {
		state = step(delta, state, class[text[i]])
		m.addWords(text, i, state, h)
	}
}

// addWords adds the phrases that end at text[i] in state, if any, those
// that name words only where a word starts (ScanWords).
func (m *Matcher) addWords(text string, i int, state uint32, h *Hits) {
	if state < m.outMin {
		return
	}
	for _, id := range m.out.of(state / uint32(m.nclass)) {
		if s := m.list[id]; s != "" && isWordByte(s[0]) {
			if start := i + 1 - len(s); start > 0 && isWordByte(text[start-1]) {
				continue
			}
		}
		h.add(id)
	}
}

// isWordByte reports an ASCII letter or digit.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ID returns the id of phrase s, and false when s is not in the set.
func (m *Matcher) ID(s string) (int, bool) {
	id, ok := m.ids[s]
	return id, ok
}

// Phrase returns the phrase of an id.
func (m *Matcher) Phrase(id int) string { return m.list[id] }

// Len returns the number of phrases, repeats included.
func (m *Matcher) Len() int { return len(m.list) }
