package phrase

import (
	"unsafe"
)

// compact is the automaton of a Matcher in a small footprint. The full
// table (delta) of a large set does not stay in the caches between two
// messages of the engine: classify's 713 phrases are 10,447 states x 54
// classes x 4 bytes = 2.26 MB, dsn's markers 5,307 x 104 x 4 = 2.21 MB,
// and a scan waited on one missed line after another (classify's scan of
// a diagnostic took about 15 ns a byte in the engine, 3 when its table is
// hot). Here only the states near the root (depth compactRowDepth or
// less, where a scan takes most of its steps, and the few with many
// exceptions) have a full row of nclass cells; every other state is a
// node of two cells for each class on which it goes elsewhere than its
// default, the first full-row state among its fail links (on every other
// class the two go to the same state). The nodes are laid out depth
// first, so the states of one phrase are next to each other: the step to
// the next byte of a phrase reads the line the step before read.
// Classify's table is 500 KB in this form (and 125 KB of depths), dsn's
// markers 391 KB (and 98 KB): rows for most of it, which a message reads
// a few lines of.
//
// A state is the offset of its first cell in cells, with outBit set when
// phrases end there; the cell before such a state's first holds its
// number in Matcher.out. A state below rowEnd is a full row: its next
// state on class c is cells[state+c]. Any other is a chain of nodes, one
// per exception: a node's first cell holds its class in bits 0-7 and the
// offset of the next node in bits 8-31, or of the default row after the
// last node (a state without exceptions has one node of class noClass);
// its second cell is the next state on its class.
//
// A step costs more instructions than one through the full table (a
// compare for the row, a walk for the nodes): the form is for the large
// sets only (compactMinBytes).
type compact struct {
	cells  []uint32
	rowEnd uint32
	// depth[state] is the length of the phrase prefix a state stands
	// for, for the states (offsets) of cells.
	depth []uint8
}

// outBit marks a compact state where phrases end.
const outBit = 1 << 31

// noClass is the class of a node that lists no exception: no byte has it
// (buildCompact wants fewer than 256 classes).
const noClass = 0xff

// compactRowDepth is the depth of the trie down to which every state has
// a full row. Over the corpus's diagnostics, 53 % of the steps of a scan
// are in states of depth 0 or 1, 69 % of depth 2 or less (158 states of
// classify's set), 75 % of 3 or less (359). A walk along a state's nodes
// is a branch per node that the processor mispredicts often (the text
// decides it), a full row one load whose branch (s >= rowEnd) it
// predicts, and then goes on with the next step before the load is
// done. Deeper rows trade those mispredictions for data misses on rows
// that a message reads once. callgrind --cache-sim=yes --branch-sim=yes
// of the engine's benchmark, a message, by depth:
//
//	depth  instructions  mispredicted  D1 misses  LL misses  tables (markers + classify)
//	3      119.3k        1,772         766        51.0       136 + 163 KB
//	8      117.3k        1,639         841        56.6       391 + 500 KB
//	10     116.7k        1,619         851        58.4       515 + 691 KB
//	12     116.7k        1,608         873        65.4       641 + 892 KB
//	16     116.4k        1,590         892        68.0       879 + 1,252 KB
//
// (the marker scan's own mispredictions 172 -> 82 from 3 to 10, classify
// ScanWords' 47 -> 15). CPU time on one P (cpumin.sh 7, min and median
// of 7 interleaved rounds, us a message, the other core busy): depth 3
// 18.0 / 18.6, 8 17.0 / 17.6, 10 17.2 / 17.2; the other core idle, after
// dsn's Mem pools (9 rounds): depth 3 14.6 / 15.4, 8 14.6 / 15.0, and
// (7 rounds) 3 15.4 / 16.0, 8 15.2 / 15.2, 10 15.0 / 15.2 (callgrind
// there: 116.8k -> 113.6k instructions, 1,747 -> 1,572 mispredicted,
// 712 -> 773 D1 misses a message). In hot loops BenchmarkMarkerScan takes
// 865 ns at depth 3, 690 at 6, 620 at 8. Past 10 each level adds more
// misses than it saves mispredictions; 8 gets nearly all of the gain
// with a quarter less table than 10. The full table (every state a row,
// 2.2 MB each) is slower than depth 3.
const compactRowDepth = 8

// compactMinBytes is the size of the full table from which compile builds
// the compact form too: classify's and dsn's sets of over 2 MB, and dsn's
// of 279 KB. callgrind of the engine's benchmark, for the two largest:
// 5 % more instructions, 14 % fewer L1 and 11 % fewer last-level data
// read misses; with the 279 KB set as well, 1 % more instructions, 4 %
// fewer L1 misses and no fewer last-level ones, but 2.5 % less CPU time
// (median of six in-process A/B runs of the benchmark's messages, the
// form of that set on and off in turn). The 133 KB set does not gain:
// in L2, its full table's misses cost less than the form's instructions.
const compactMinBytes = 256 << 10

// compactMaxExc is the most exceptions a state deeper than
// compactRowDepth has as nodes; a state with more gets a full row (4 takes fewer instructions
// than 2 or 8 in the engine's benchmark). With rows down to depth 8, 1 and
// 2 (more rows) gain nothing either: callgrind of the engine's benchmark,
// mispredicted branches 1,609 -> 1,599 and 1,605, D1 misses 832 -> 843
// and 837, LL misses 56.4 -> 58.2 and 59.0 a message.
const compactMaxExc = 4

// buildCompact builds m.words from m.delta. It leaves m.words nil for a
// set the compact form cannot hold: 2^24 cells or more (a node's offsets),
// a phrase over 255 bytes (depth) or 255 classes or more (noClass).
func (m *Matcher) buildCompact() {
	nc := m.nclass
	n := len(m.delta) / nc
	row := func(s int) []uint32 { return m.delta[s*nc : (s+1)*nc] }
	// Depth, trie children and fail link of each state, from the full
	// transition function: delta(s,c) is a child of s in the trie exactly
	// when its depth is one more than s's.
	depth := make([]int, n)
	for i := range depth {
		depth[i] = -1
	}
	fail := make([]int, n)
	children := make([][]int, n)
	depth[0] = 0
	order := []int{0} // breadth first
	for q := 0; q < len(order); q++ {
		s := order[q]
		for c, v := range row(s) {
			t := int(v) / nc
			if depth[t] >= 0 {
				continue
			}
			depth[t] = depth[s] + 1
			children[s] = append(children[s], t)
			if s != 0 {
				fail[t] = int(row(fail[s])[c]) / nc
			}
			order = append(order, t)
		}
	}
	// Which states get a full row, and each other's default and
	// exceptions, in breadth-first order (a fail link is decided first).
	full := make([]bool, n)
	def := make([]int, n)
	exc := make([][]uint8, n)
	for _, s := range order {
		if depth[s] <= compactRowDepth {
			full[s] = true
			continue
		}
		d := fail[s]
		if !full[d] {
			d = def[d]
		}
		// The classes that lead to a child of s first: the next byte
		// of a phrase is the likeliest.
		var e []uint8
		rs, rd := row(s), row(d)
		for _, child := range []bool{true, false} {
			for c, v := range rs {
				if v != rd[c] && (depth[int(v)/nc] == depth[s]+1) == child {
					e = append(e, uint8(c))
				}
			}
		}
		if len(e) > compactMaxExc {
			full[s] = true
			continue
		}
		def[s], exc[s] = d, e
	}
	// Offsets: the full rows first (breadth first), then the nodes depth
	// first; an output state has one more cell before its own.
	off := make([]uint32, n)
	size := uint32(0)
	place := func(s int) {
		if len(m.out.of(uint32(s))) > 0 && s != 0 {
			size++
		}
		off[s] = size
		if full[s] {
			size += uint32(nc)
		} else {
			size += 2 * uint32(max(1, len(exc[s])))
		}
	}
	for _, s := range order {
		if full[s] {
			place(s)
		}
	}
	rowEnd := size
	var dfs func(s int)
	dfs = func(s int) {
		if !full[s] {
			place(s)
		}
		for _, t := range children[s] {
			dfs(t)
		}
	}
	dfs(0)
	if size >= 1<<24 || m.maxLen > 255 || nc > noClass {
		return
	}
	state := func(s int) uint32 {
		v := off[s]
		if len(m.out.of(uint32(s))) > 0 && s != 0 {
			v |= outBit
		}
		return v
	}
	cells := make([]uint32, size)
	for _, s := range order {
		o := off[s]
		if len(m.out.of(uint32(s))) > 0 && s != 0 {
			cells[o-1] = uint32(s)
		}
		switch {
		case full[s]:
			for c := range nc {
				cells[o+uint32(c)] = state(int(row(s)[c]) / nc)
			}
		case len(exc[s]) == 0:
			cells[o] = noClass | off[def[s]]<<8
		default:
			for k, c := range exc[s] {
				o := o + 2*uint32(k)
				next := off[def[s]]
				if k+1 < len(exc[s]) {
					next = o + 2
				}
				cells[o] = uint32(c) | next<<8
				cells[o+1] = state(int(row(s)[c]) / nc)
			}
		}
	}
	dep := make([]uint8, size)
	for _, s := range order {
		dep[off[s]] = uint8(depth[s])
	}
	m.words = &compact{cells: cells, rowEnd: rowEnd, depth: dep}
}

// cstep returns the state after state s on class c, cells being the
// address of compact.cells[0]. A state below rowEnd (a full row without
// phrases, the commonest) is one compare and one load.
func cstep(cells unsafe.Pointer, rowEnd, s uint32, c uint8) uint32 {
	if s >= rowEnd {
		s &^= outBit
		for s >= rowEnd {
			h := *(*uint32)(unsafe.Add(cells, uintptr(s)*4))
			if uint8(h) == c {
				return *(*uint32)(unsafe.Add(cells, uintptr(s+1)*4))
			}
			s = h >> 8
		}
	}
	return *(*uint32)(unsafe.Add(cells, uintptr(s+uint32(c))*4))
}

// splitWords is the shortest text scanWordsCompact scans as two chains.
const splitWords = 64

// scanWordsCompact is ScanWords through m.words. A text of splitWords
// bytes or more is scanned as two halves at once, each its own chain of
// dependent loads, so that the processor waits for two at a time. The
// second chain starts at the middle in the initial state and finds every
// phrase that starts there or later; the first goes on past the middle
// for as long as its state (the longest phrase prefix that ends where it
// is) starts before the middle, which is where a phrase it has to find
// could still end.
func (m *Matcher) scanWordsCompact(text string, h *Hits) {
	w := m.words
	class := &m.class
	cells, rowEnd := unsafe.Pointer(unsafe.SliceData(w.cells)), w.rowEnd
	var s1 uint32
	i := 0
	if len(text) >= splitWords {
		mid := len(text) / 2
		var s2 uint32
		// Both halves are read through one pointer, p and p+mid (two
		// slices would not stay in registers).
		base := unsafe.Pointer(unsafe.StringData(text))
		p, umid := base, uintptr(mid)
		for end := unsafe.Add(p, mid); p != end; p = unsafe.Add(p, 1) {
			s1 = cstep(cells, rowEnd, s1, class[*(*byte)(p)])
			s2 = cstep(cells, rowEnd, s2, class[*(*byte)(unsafe.Add(p, umid))])
			if (s1|s2)&outBit != 0 {
				i := int(uintptr(p) - uintptr(base))
				m.addWordsOut2(text, i, s1, mid+i, s2, h)
			}
		}
		// The first chain's tail.
		for j := mid; j < len(text) && int(w.depth[s1&^outBit]) > j-mid; j++ {
			s1 = cstep(cells, rowEnd, s1, class[text[j]])
			m.addWordsOut(text, j, s1, h)
		}
		// The second chain's last byte, for an odd length.
		s1, i = s2, 2*mid
	}
	for ; i < len(text); i++ {
		s1 = cstep(cells, rowEnd, s1, class[text[i]])
		if s1&outBit != 0 {
			m.addWordsOut(text, i, s1, h)
		}
	}
}

// addWordsOut2 is addWordsOut of two states, either of which may have
// phrases.
//
//go:noinline
func (m *Matcher) addWordsOut2(text string, i int, s1 uint32, j int, s2 uint32, h *Hits) {
	m.addWordsOut(text, i, s1, h)
	m.addWordsOut(text, j, s2, h)
}

// addWordsOut adds the phrases that end at text[i] in compact state s,
// if any, as addWords does.
func (m *Matcher) addWordsOut(text string, i int, s uint32, h *Hits) {
	if s&outBit == 0 {
		return
	}
	for _, id := range m.out.of(m.words.cells[s&^outBit-1]) {
		if s := m.list[id]; s != "" && isWordByte(s[0]) {
			if start := i + 1 - len(s); start > 0 && isWordByte(text[start-1]) {
				continue
			}
		}
		h.add(id)
	}
}

// scanCompact is Scan (class) or ScanLower (lclass) through m.words,
// adding the phrases of text to h and their ends to e when it is not nil,
// without the empty phrase. Like ScanLower it runs a long text as two or
// four parts at once; a part after the first starts in the initial state
// at its own first byte, and the part before goes on past it only while
// its state (the longest phrase prefix that ends where it is) starts
// before it, which is where a phrase of that part could still end: no
// part reads maxLen-1 bytes twice.
func (m *Matcher) scanCompact(text string, class *[256]uint8, h *Hits, e *Ends) {
	w := m.words
	cells, rowEnd := unsafe.Pointer(unsafe.SliceData(w.cells)), w.rowEnd
	base := unsafe.Pointer(unsafe.StringData(text))
	var last uint32 // the state of the last part
	from := 0       // where the last part's remaining bytes start
	switch {
	case len(text) >= 4*splitScan:
		q := len(text) / 4
		var s0, s1, s2, s3 uint32
		p, uq := base, uintptr(q)
		for end := unsafe.Add(p, q); p != end; p = unsafe.Add(p, 1) {
			s0 = cstep(cells, rowEnd, s0, class[*(*byte)(p)])
			s1 = cstep(cells, rowEnd, s1, class[*(*byte)(unsafe.Add(p, uq))])
			s2 = cstep(cells, rowEnd, s2, class[*(*byte)(unsafe.Add(p, 2*uq))])
			s3 = cstep(cells, rowEnd, s3, class[*(*byte)(unsafe.Add(p, 3*uq))])
			if (s0|s1|s2|s3)&outBit != 0 {
				i := int(uintptr(p)-uintptr(base)) + 1 // the end of a phrase that ends at p
				m.addOutC(s0, h, e, i)
				m.addOutC(s1, h, e, i+q)
				m.addOutC(s2, h, e, i+2*q)
				m.addOutC(s3, h, e, i+3*q)
			}
		}
		m.tailC(text, class, s0, q, h, e)
		m.tailC(text, class, s1, 2*q, h, e)
		m.tailC(text, class, s2, 3*q, h, e)
		last, from = s3, 4*q
	case len(text) >= splitWords:
		// One step of each half at a time: two (four loads before the
		// check) kept the first steps' states on the stack, and took 3 %
		// more time (BenchmarkMarkerScan). The last part reads the byte
		// an odd length leaves.
		mid := len(text) / 2
		var s0, s1 uint32
		p, umid := base, uintptr(mid)
		for end := unsafe.Add(p, mid); p != end; p = unsafe.Add(p, 1) {
			s0 = cstep(cells, rowEnd, s0, class[*(*byte)(p)])
			s1 = cstep(cells, rowEnd, s1, class[*(*byte)(unsafe.Add(p, umid))])
			if (s0|s1)&outBit != 0 {
				i := int(uintptr(p)-uintptr(base)) + 1
				m.addOutC(s0, h, e, i)
				m.addOutC(s1, h, e, i+mid)
			}
		}
		m.tailC(text, class, s0, mid, h, e)
		last, from = s1, 2*mid
	}
	// One part, or the last one's remaining bytes: four steps at a time.
	for ; from+4 <= len(text); from += 4 {
		p := unsafe.Add(base, from)
		a := cstep(cells, rowEnd, last, class[*(*byte)(p)])
		b := cstep(cells, rowEnd, a, class[*(*byte)(unsafe.Add(p, 1))])
		c := cstep(cells, rowEnd, b, class[*(*byte)(unsafe.Add(p, 2))])
		last = cstep(cells, rowEnd, c, class[*(*byte)(unsafe.Add(p, 3))])
		if (a|b|c|last)&outBit != 0 {
			m.addOutC(a, h, e, from+1)
			m.addOutC(b, h, e, from+2)
			m.addOutC(c, h, e, from+3)
			m.addOutC(last, h, e, from+4)
		}
	}
	for i := from; i < len(text); i++ {
		last = cstep(cells, rowEnd, last, class[text[i]])
		m.addOutC(last, h, e, i+1)
	}
}

// tailC goes on with a part of scanCompact that ended in state s where
// the next part starts (at from): it reads on while its state starts
// before from.
func (m *Matcher) tailC(text string, class *[256]uint8, s uint32, from int, h *Hits, e *Ends) {
	w := m.words
	cells, rowEnd := unsafe.Pointer(unsafe.SliceData(w.cells)), w.rowEnd
	for j := from; j < len(text) && int(w.depth[s&^outBit]) > j-from; j++ {
		s = cstep(cells, rowEnd, s, class[text[j]])
		m.addOutC(s, h, e, j+1)
	}
}

// addOutC adds the phrases that end at compact state s, if any, at offset
// end (for e, when it is not nil).
func (m *Matcher) addOutC(s uint32, h *Hits, e *Ends, end int) {
	if s&outBit != 0 {
		m.addOut(m.words.cells[s&^outBit-1], h, e, end)
	}
}
