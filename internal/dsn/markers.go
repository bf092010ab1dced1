package dsn

import (
	"strings"

	"github.com/bounced/bounced/internal/phrase"
)

// lowerText is a message's text with the set of known markers its ASCII
// lower case contains, found in one pass by the shared phrase matcher
// (package phrase). Every marker lookup of a message goes through it: a
// known marker the text lacks is rejected without scanning the text, which
// keeps the cost of a recogniser table of a hundred rows close to one pass
// over the text (DESIGN.md, "Budgets"). A marker the matcher does not know
// is searched for directly. The text is not lower-cased: the scan also
// records where each marker it found first ends (ends), which answers the
// first lookup of it; a lookup past that (a view that starts after it, a
// marker anchored to a line that its first place is not) searches in any
// ASCII case (indexFold), where a lower-case copy would cost a pass over
// the whole text.
type lowerText struct {
	s    string       // the text itself, in its own case (a view of it: off)
	off  int          // the offset of s in the scanned text
	hits *phrase.Hits // markers (markerSet ids) that occur somewhere in the whole text
	ends *phrase.Ends // where each of hits first ends in the scanned text; nil: not recorded
}

// markerSet is the matcher of every marker of the tables (markerLists),
// built by init.
var markerSet *phrase.Matcher

// markerLists returns every marker list of the package's tables; a marker
// missing from them still works, only without the one-pass filter
// (TestMarkersKnown keeps the tables covered).
func markerLists() [][]string {
	lists := [][]string{inlineMarkers, forwardMarkers, delayTexts, {"final-recipient:"}, genericLeads, pastedFieldMarkers, transcriptMarkers}
	for i := range recognisers {
		rg := &recognisers[i]
		lists = append(lists, rg.text, rg.unless, rg.start, rg.end, rg.lead)
	}
	return lists
}

func init() {
	var list []string
	seen := map[string]bool{}
	for _, l := range markerLists() {
		for _, mk := range l {
			if core := markerCore(mk); !seen[core] {
				seen[core] = true
				list = append(list, core)
			}
		}
	}
	markerSet = phrase.MustCompile(list)
	for i := range recognisers {
		rg := &recognisers[i]
		rg.textM, rg.unlessM = compileMarkers(rg.text), compileMarkers(rg.unless)
		rg.startM, rg.endM = compileMarkers(rg.start), compileMarkers(rg.end)
		rg.textKnown = true
		for _, mk := range rg.textM {
			rg.textKnown = rg.textKnown && mk.id >= 0
		}
		rg.textMask, rg.unlessMask = maskOf(rg.textM), maskOf(rg.unlessM)
	}
	inlineM = compileMarkers(inlineMarkers)
	forwardM = compileMarkers(forwardMarkers)
	delayTextsM = compileMarkers(delayTexts)
	finalRecipientM = compileMarker("final-recipient:")
	pastedFieldM = compileMarkers(pastedFieldMarkers)
	transcriptM = compileMarkers(transcriptMarkers)
	inlineOnly = nil
	for _, mk := range inlineM {
		if mk.core != notInlineMarker {
			inlineOnly = append(inlineOnly, mk)
		}
	}
	inlineMask = maskOf(inlineOnly)
	compileKeys()
	indexRows()
}

// inlineOnly are the markers splitInlineOriginal looks for: inlineM but
// notInlineMarker (Sendmail's arrival line); inlineMask is their maskOf.
var (
	inlineOnly []marker
	inlineMask markerMask
)

// markerMask is a set of markerSet ids below 256, to test a text's hits
// with in four word operations (mayHaveMask); ok is false when a marker
// is not one of them (unknown to the filter, or a table grown past 256
// markers): mayHaveMask then asks mayHaveAny.
type markerMask struct {
	w  [4]uint64
	ok bool
}

// maskOf returns the markerMask of markers.
func maskOf(markers []marker) markerMask {
	var m markerMask
	for _, mk := range markers {
		if mk.id < 0 || mk.id >= 64*len(m.w) {
			return markerMask{}
		}
		m.w[mk.id>>6] |= 1 << (mk.id & 63)
	}
	m.ok = true
	return m
}

// mayHaveMask is mayHaveAny(markers) for markers whose maskOf is mask.
func (l lowerText) mayHaveMask(mask *markerMask, markers []marker) bool {
	if h := l.hits; h != nil && mask.ok {
		return h[0]&mask.w[0]|h[1]&mask.w[1]|h[2]&mask.w[2]|h[3]&mask.w[3] != 0
	}
	return l.mayHaveAny(markers)
}

// The package's own marker lists, compiled by init so that a lookup costs
// no parsing of the marker.
var (
	inlineM, forwardM, delayTextsM, pastedFieldM, transcriptM []marker
	finalRecipientM                                           marker
)

// lacks reports whether the text surely lacks a marker: the filter knows
// it and has not seen it.
func (l lowerText) lacks(mk marker) bool {
	return mk.id >= 0 && l.hits != nil && !l.hits.Has(mk.id)
}

// mayHaveAny reports whether any of markers may occur: false when the
// filter knows each one and has none of them.
func (l lowerText) mayHaveAny(markers []marker) bool {
	if l.hits == nil {
		return true
	}
	for _, mk := range markers {
		if mk.id < 0 || l.hits.Has(mk.id) {
			return true
		}
	}
	return false
}

// scanFold adds the phrases of text to h for a matcher that ignores ASCII
// case (phrase.CompileFold: keySet, diagSet, stageSet). ScanLower finds
// the phrases of text's ASCII lower case, which are text's own for such a
// matcher, the same as Scan; it reads a text of 256 bytes or more as two
// or four chains at once, which the processor runs side by side (a scan
// waits on each state's load): the bounce's X- fields (several KB in an
// Office 365 bounce) and long diagnostics take a half or a quarter of the
// time.
func scanFold(m *phrase.Matcher, text string, h *phrase.Hits) {
	m.ScanLower(text, nil, h)
}

// markerCore is a marker without its '^' and '$' anchors.
func markerCore(mk string) string {
	return strings.TrimSuffix(strings.TrimPrefix(mk, "^"), "$")
}

// newLowerText returns the markers of text, without their ends.
func newLowerText(text string) lowerText {
	l := lowerText{s: text, hits: new(phrase.Hits)}
	markerSet.ScanLower(text, nil, l.hits) // the markers of the lower case, none written
	return l
}

// newLowerTextInto is newLowerText writing into sc's hits and ends, which
// the next Parse reuses (sc.hits empty): the view it returns is valid
// until the Parse that made it returns.
func newLowerTextInto(text string, sc *scratch) lowerText {
	l := lowerText{s: text, hits: &sc.hits, ends: &sc.ends}
	markerSet.ScanLowerEnds(text, l.hits, l.ends)
	return l
}

// prefix returns the view of the first n bytes; the marker set is kept (it
// may then say yes to a marker only the rest has, never no to one the
// prefix has).
func (l lowerText) prefix(n int) lowerText {
	return lowerText{s: l.s[:n], off: l.off, hits: l.hits, ends: l.ends}
}

// from returns the view of the bytes from offset i on, with the same
// marker set as prefix.
func (l lowerText) from(i int) lowerText {
	return lowerText{s: l.s[i:], off: l.off + i, hits: l.hits, ends: l.ends}
}

// mayContain reports whether s may contain the marker core sub: false
// means it does not.
func (l lowerText) mayContain(sub string) bool {
	if l.hits == nil || markerSet == nil {
		return true
	}
	if id, ok := markerSet.ID(sub); ok {
		return l.hits.Has(id)
	}
	return true
}

// marker is a marker string compiled once: its core, its id in markerSet
// (-1 when the set does not know it) and its anchors.
type marker struct {
	core       string
	id         int
	start, end bool
	by         int // indexFold's k for core: the offset of its rarest leading byte
}

// byteCommon ranks the bytes of lower-case English text by how often they
// occur (higher is more common), so that a search starts at a rarer one.
var byteCommon = func() (t [256]uint8) {
	for i, c := range []byte(" etaoinsrhldcumfpgwyb") {
		t[c] = uint8(21 - i)
	}
	return t
}()

// rarestLead returns the offset, among the first eight bytes of core but
// not its last, of the byte least common in text (the first of equals).
func rarestLead(core string) int {
	best := 0
	for i := 1; i < min(len(core)-1, 8); i++ {
		if byteCommon[core[i]] < byteCommon[core[best]] {
			best = i
		}
	}
	return best
}

// compileMarker reads a marker's anchors and finds its id.
func compileMarker(mk string) marker {
	c := marker{core: markerCore(mk), id: -1, start: strings.HasPrefix(mk, "^"), end: strings.HasSuffix(mk, "$")}
	c.by = rarestLead(c.core)
	if markerSet != nil {
		if id, ok := markerSet.ID(c.core); ok {
			c.id = id
		}
	}
	return c
}

// compileMarkers compiles a table's marker list.
func compileMarkers(list []string) []marker {
	out := make([]marker, len(list))
	for i, mk := range list {
		out[i] = compileMarker(mk)
	}
	return out
}

// index returns the offset of the first match of a marker, or -1. A marker
// that begins with '^' must start a line and one that ends with '$' must
// end it (white space around it aside): "^the mail system$".
func (l lowerText) index(mk string) int { return l.indexMarker(compileMarker(mk)) }

// indexMarker is index for a compiled marker.
func (l lowerText) indexMarker(mk marker) int {
	s, core := l.s, mk.core
	from := 0 // where the search starts
	if mk.id >= 0 && l.hits != nil {
		if !l.hits.Has(mk.id) {
			return -1
		}
		if l.ends != nil {
			// The marker's first place in the scanned text, in the view.
			if first := int(l.ends[mk.id]) - len(core) - l.off; first >= 0 {
				if first+len(core) > len(s) {
					return -1 // it ends after the view (a prefix): so does every other
				}
				if !mk.start && !mk.end {
					return first
				}
				from = first // an anchored one: the first place that is at a line's edge
			}
		}
	}
	if !mk.start && !mk.end {
		return indexFold(s, core, mk.by)
	}
	for off := from; off < len(s); {
		i := indexFold(s[off:], core, mk.by)
		if i < 0 {
			return -1
		}
		i += off
		off = i + 1
		if mk.start && !lineStartsAt(s, i) || mk.end && !lineEndsAt(s, i+len(core)) {
			continue
		}
		return i
	}
	return -1
}

// containsAnyMarker reports whether any compiled marker matches.
func (l lowerText) containsAnyMarker(markers []marker) bool {
	for _, mk := range markers {
		if l.indexMarker(mk) >= 0 {
			return true
		}
	}
	return false
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

// indexFold is strings.Index(asciiLower(s), needle) for a needle with no
// ASCII capital, without the lower-case copy: the candidates are the
// places of needle[k] (in either case when it is a letter), each case
// found by strings.IndexByte, and the bytes around one are then compared
// in any case. A needle with no ASCII letter is found as it is: only a
// letter differs from its lower case.
func indexFold(s, needle string, k int) int {
	if !hasASCIILetter(needle) {
		return strings.Index(s, needle)
	}
	c := needle[k]
	if c < 'a' || c > 'z' {
		for off := k; off-k+len(needle) <= len(s); {
			j := strings.IndexByte(s[off:], c)
			if j < 0 {
				return -1
			}
			start := off + j - k
			if start+len(needle) > len(s) {
				return -1
			}
			if hasPrefixLowerASCII(s[start:], needle) {
				return start
			}
			off += j + 1
		}
		return -1
	}
	lo, up := c, c-('a'-'A')
	nextLo, nextUp := -1, -1 // the next place of each at or after i, once looked for
	for i := k; ; {
		if i-k+len(needle) > len(s) {
			return -1 // no room left for a match
		}
		if nextLo < i {
			nextLo = len(s)
			if j := strings.IndexByte(s[i:], lo); j >= 0 {
				nextLo = i + j
			}
		}
		if nextUp < i {
			nextUp = len(s)
			if j := strings.IndexByte(s[i:], up); j >= 0 {
				nextUp = i + j
			}
		}
		p := min(nextLo, nextUp)
		start := p - k
		if start+len(needle) > len(s) {
			return -1 // p == len(s) too: none left
		}
		if hasPrefixLowerASCII(s[start:], needle) {
			return start
		}
		i = p + 1
	}
}

// hasASCIILetter reports whether s has an ASCII letter.
func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

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
