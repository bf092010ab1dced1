package classify

import (
	"fmt"

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

// isWordByte reports an ASCII letter or digit.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
