package classify

import (
	"fmt"
	"math/bits"

	"github.com/bounced/bounced/internal/phrase"
)

// The phrases of all rows are found in one pass over a text by the shared
// matcher of package phrase (an Aho-Corasick automaton built at init). The
// result is the set of phrases that occur anywhere in the text. The rule
// index (ruleIndex) turns it, with the status and reply code, into the few
// rows that can match; those are asked in table order, so the first
// matching row still wins.

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

// and keeps only the members of s that are also in t.
func (s *ruleSet) and(t *ruleSet) {
	for w := range s {
		s[w] &= t[w]
	}
}

// ruleIndex lets a recipient be matched against the table without asking
// every row: the rows that can hold are those whose phrases (if any) occur
// in the text read, whose status pattern (if any) fits the status's class
// and subject, and whose reply code range (if any) holds the reply's
// hundred. Each is a few word-wide set operations; rule.match then checks
// the few rows left in full, in table order. Built once by init from rules.
type ruleIndex struct {
	byPhrase   []ruleSet // per phrase id, the rows listing it
	noText     ruleSet   // rows without phrases
	noStatus   ruleSet   // rows without a status pattern
	noCode     ruleSet   // rows without a reply code range
	statusOnly ruleSet   // rows statusOnly may pick (decidesByCode)
	// bySubject[class-4][subjectBucket]: rows whose status pattern can
	// hold for a class 4 or 5 status of that subject.
	bySubject [2][numSubjectBuckets]ruleSet
	// byHundred[replyBucket]: rows whose reply code range meets that
	// hundred.
	byHundred [numReplyBuckets]ruleSet
}

// Status subjects 0-15 have a bucket each, all others share the last;
// reply codes 0-999 have one per hundred, all others share the last.
const (
	numSubjectBuckets = 17
	numReplyBuckets   = 11
)

func subjectBucket(subject int) int {
	if subject < 0 || subject >= numSubjectBuckets-1 {
		return numSubjectBuckets - 1
	}
	return subject
}

func replyBucket(reply int) int {
	if reply < 0 || reply >= 100*(numReplyBuckets-1) {
		return numReplyBuckets - 1
	}
	return reply / 100
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
			// statusOnly remembers its answers by status, reply code and
			// stage: its rows may read nothing else (class and
			// permanentReply are worked out from the codes).
			if r.mta != "" || r.host != "" || r.namesSender || r.rcptDomainMissing {
				return ruleIndex{}, fmt.Errorf("classify: row %s decides by codes but reads more than the codes and the stage", r.id)
			}
			x.statusOnly.add(i)
		}
		if !r.st.set {
			x.noStatus.add(i)
		} else {
			for c := range x.bySubject {
				if r.st.class != 0 && r.st.class != c+4 {
					continue
				}
				for b := range x.bySubject[c] {
					// The last bucket stands for many subjects: any row
					// that is not for one of the others may hold there.
					if r.st.subject < 0 || subjectBucket(r.st.subject) == b {
						x.bySubject[c][b].add(i)
					}
				}
			}
		}
		if r.codeHi == 0 {
			x.noCode.add(i)
		} else {
			for b := range x.byHundred {
				lo, hi := b*100, b*100+99
				if b == numReplyBuckets-1 {
					if r.codeLo < 0 || r.codeHi >= lo {
						x.byHundred[b].add(i)
					}
					continue
				}
				if r.codeLo <= hi && r.codeHi >= lo {
					x.byHundred[b].add(i)
				}
			}
		}
	}
	return x, nil
}

// codeRows returns the rows whose status and reply code conditions may
// hold for f: a superset of those that do, and every row without either
// condition.
func (x *ruleIndex) codeRows(f *facts) ruleSet {
	s := x.noStatus
	if c := f.status.Class; c == 4 || c == 5 {
		s.or(&x.bySubject[c-4][subjectBucket(f.status.Subject)])
	}
	t := x.noCode
	t.or(&x.byHundred[replyBucket(int(f.reply))])
	s.and(&t)
	return s
}

// candidates returns the rows that may match a text with hits h: every
// row with one of its phrases in h, plus, unless textOnly, every row
// without phrases. A row outside the set cannot match (rule.match).
func (x *ruleIndex) candidates(h *hitSet, textOnly bool) ruleSet {
	var s ruleSet
	if !textOnly {
		s = x.noText
	}
	// Only the words of h that can hold a phrase id of the table.
	for w, word := range h[:min(len(h), (len(x.byPhrase)+63)/64)] {
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
