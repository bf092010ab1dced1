package classify

import "fmt"

// The phrases of all rows are found in one pass over a text by an
// Aho-Corasick automaton built at init. The result is the set of phrases
// that occur anywhere in the text, exactly what strings.Contains on each
// phrase would say, but in time linear in the text instead of in the text
// times the table. Rows then test their phrases against the set in table
// order, so the first matching row still wins.

// maxPhrases bounds the distinct phrases of the table (hitSet is a fixed
// array so that it lives on the stack).
const maxPhrases = 2048

// hitSet records which phrases occur in a text.
type hitSet [maxPhrases / 64]uint64

func (h *hitSet) add(id uint16)      { h[id>>6] |= 1 << (id & 63) }
func (h *hitSet) has(id uint16) bool { return h[id>>6]&(1<<(id&63)) != 0 }

// automaton is a dense Aho-Corasick automaton over byte classes: bytes
// that occur in no phrase share class 0.
type automaton struct {
	class  [256]uint8
	nclass int
	delta  []uint16   // delta[state*nclass+class] is the next state
	out    [][]uint16 // phrase ids that end at a state, fail outputs merged
}

// phraseTable gives each distinct phrase an id; list[id] is the phrase.
type phraseTable struct {
	ids  map[string]uint16
	list []string
}

// intern returns the id of s, giving it one if new.
func (pt *phraseTable) intern(s string) (uint16, error) {
	if id, ok := pt.ids[s]; ok {
		return id, nil
	}
	if len(pt.list) >= maxPhrases {
		return 0, fmt.Errorf("classify: more than %d distinct phrases", maxPhrases)
	}
	if pt.ids == nil {
		pt.ids = map[string]uint16{}
	}
	id := uint16(len(pt.list))
	pt.ids[s] = id
	pt.list = append(pt.list, s)
	return id, nil
}

// phraseList holds the phrases of rules by id and phrases their automaton;
// both are set once by init and only read afterwards.
var (
	phraseList []string
	phrases    *automaton
)

// buildAutomaton builds the automaton for list (ids are indexes).
func buildAutomaton(list []string) (*automaton, error) {
	a := &automaton{}
	for _, s := range list {
		for i := 0; i < len(s); i++ {
			if a.class[s[i]] == 0 {
				a.nclass++
				if a.nclass > 255 {
					return nil, fmt.Errorf("classify: too many byte classes")
				}
				a.class[s[i]] = uint8(a.nclass)
			}
		}
	}
	a.nclass++ // class 0

	// The trie, with -1 for "no edge".
	type node struct {
		next []int32
		out  []uint16
	}
	newNode := func() node {
		n := node{next: make([]int32, a.nclass)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []node{newNode()}
	for id, s := range list {
		cur := 0
		for i := 0; i < len(s); i++ {
			c := a.class[s[i]]
			if nodes[cur].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[cur].next[c] = int32(len(nodes) - 1)
			}
			cur = int(nodes[cur].next[c])
		}
		nodes[cur].out = append(nodes[cur].out, uint16(id))
	}
	if len(nodes) > 1<<16-1 {
		return nil, fmt.Errorf("classify: phrase automaton has %d states", len(nodes))
	}

	// Breadth-first: fail links, then the full transition function.
	fail := make([]int32, len(nodes))
	a.delta = make([]uint16, len(nodes)*a.nclass)
	a.out = make([][]uint16, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < a.nclass; c++ {
		if n := nodes[0].next[c]; n > 0 {
			fail[n] = 0
			queue = append(queue, n)
			a.delta[c] = uint16(n)
		}
	}
	a.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(append([]uint16(nil), nodes[s].out...), a.out[fail[s]]...)
		for c := 0; c < a.nclass; c++ {
			n := nodes[s].next[c]
			if n < 0 {
				a.delta[int(s)*a.nclass+c] = a.delta[int(fail[s])*a.nclass+c]
				continue
			}
			fail[n] = int32(a.delta[int(fail[s])*a.nclass+c])
			a.delta[int(s)*a.nclass+c] = uint16(n)
			queue = append(queue, n)
		}
	}
	return a, nil
}

// scan adds to h every phrase that occurs in text.
func (a *automaton) scan(text string, h *hitSet) {
	state := 0
	for i := 0; i < len(text); i++ {
		state = int(a.delta[state*a.nclass+int(a.class[text[i]])])
		for _, id := range a.out[state] {
			h.add(id)
		}
	}
}

// scanText returns the phrases found in text.
func scanText(text string) *hitSet {
	h := new(hitSet)
	phrases.scan(text, h)
	return h
}
