package classify

import (
	"fmt"
	"math/bits"

	"github.com/bounced/bounced/internal/phrase"
)

// The phrases of all rows are found in one pass over a text by the shared
// matcher of package phrase (an Aho-Corasick automaton built at init). The
// result is the set of phrases that occur anywhere in the text; rows then
// test their phrases against the set in table order, so the first matching
// row still wins.

// hitSet records which phrases occur in a text.
type hitSet = phrase.Hits

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
	if len(pt.list) >= phrase.MaxPhrases {
		return 0, fmt.Errorf("classify: more than %d distinct phrases", phrase.MaxPhrases)
	}
	if pt.ids == nil {
		pt.ids = map[string]uint16{}
	}
	id := uint16(len(pt.list))
	pt.ids[s] = id
	pt.list = append(pt.list, s)
	return id, nil
}

// phraseList holds the phrases of rules by id and phrases their matcher;
// both are set once by init and only read afterwards.
var (
	phraseList []string
	phrases    *phrase.Matcher
)

// scanText returns the phrases found in text, each phrase that starts with
// a letter or digit only at a word start (phrase.Matcher.ScanWords: a host
// named "mail.rspamd-user.example" does not say "spam"; issue 10).
func scanText(text string) *hitSet {
	h := new(hitSet)
	phrases.ScanWords(text, h)
	return h
}

// maxRules bounds the rows of the reason table, the size of a ruleSet;
// init fails on a longer table.
const maxRules = 256

// ruleSet is a set of rows of the reason table by index, one bit each.
type ruleSet [maxRules / 64]uint64

func (s *ruleSet) add(i int) { s[i>>6] |= 1 << (i & 63) }

// or adds every member of t to s.
func (s *ruleSet) or(t *ruleSet) {
	for w := range s {
		s[w] |= t[w]
	}
}

// next returns the smallest member of s at or after i, or -1.
func (s *ruleSet) next(i int) int {
	for w := i >> 6; w < len(s); w++ {
		word := s[w]
		if w == i>>6 {
			word &^= 1<<(i&63) - 1
		}
		if word != 0 {
			return w<<6 + bits.TrailingZeros64(word)
		}
	}
	return -1
}

// ruleIndex lets a text be matched against the table without asking every
// row about every phrase: the rows that could hold for a text are those
// without phrases plus those with one of the text's phrases, which one
// pass over the text's hit set finds. Built once by init from rules.
type ruleIndex struct {
	byPhrase   []ruleSet // per phrase id, the rows listing it
	noText     ruleSet   // rows without phrases
	statusOnly []int     // rows statusOnly may pick, in table order
}

var index ruleIndex

// buildIndex indexes rs, compiled, whose phrases have ids below nphrases.
func buildIndex(rs []rule, nphrases int) (ruleIndex, error) {
	if len(rs) > maxRules {
		return ruleIndex{}, fmt.Errorf("classify: %d rules, at most %d", len(rs), maxRules)
	}
	x := ruleIndex{byPhrase: make([]ruleSet, nphrases)}
	for i := range rs {
		r := &rs[i]
		if !r.hasText {
			x.noText.add(i)
		}
		for _, id := range r.ids {
			x.byPhrase[id].add(i)
		}
		if r.decidesByCode() {
			x.statusOnly = append(x.statusOnly, i)
		}
	}
	return x, nil
}

// candidates returns the rows that may match a text with hits h: every
// row with one of its phrases in h, plus, unless textOnly, every row
// without phrases. A row outside the set cannot match (rule.match).
func (x *ruleIndex) candidates(h *hitSet, textOnly bool) ruleSet {
	var s ruleSet
	if !textOnly {
		s = x.noText
	}
	for w, word := range h {
		for word != 0 {
			id := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			if id < len(x.byPhrase) {
				s.or(&x.byPhrase[id])
			}
		}
	}
	return s
}

// isWordByte reports an ASCII letter or digit.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
