package phrase

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestScanAgreesWithContains checks Scan against strings.Contains on
// overlapping phrases, phrases inside others, and repeats.
func TestScanAgreesWithContains(t *testing.T) {
	list := []string{"he", "she", "his", "hers", "user unknown", "unknown", "user", "", "she", "x"}
	m := MustCompile(list)
	for _, text := range []string{"", "ushers", "the user unknown here", "unknow", "his", "xx", "sh e"} {
		var h Hits
		m.Scan(text, &h)
		for id, p := range list {
			first, _ := m.ID(p)
			if got, want := h.Has(first), strings.Contains(text, p); got != want {
				t.Errorf("Scan(%q) has %q = %v, want %v", text, p, got, want)
			}
			if id != first && m.Phrase(id) != p {
				t.Errorf("Phrase(%d) = %q, want %q", id, m.Phrase(id), p)
			}
		}
	}
	if _, ok := m.ID("absent"); ok {
		t.Errorf("ID(absent) found")
	}
	if m.Len() != len(list) {
		t.Errorf("Len() = %d, want %d", m.Len(), len(list))
	}
}

func TestCompileLimits(t *testing.T) {
	if _, err := Compile(make([]string, MaxPhrases+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Compile(%d phrases) = %v, want ErrTooLarge", MaxPhrases+1, err)
	}
	var all strings.Builder
	for b := 1; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	all.WriteByte(0)
	if _, err := Compile([]string{all.String()}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Compile(256 distinct bytes) = %v, want ErrTooLarge", err)
	}
	var h Hits
	if h.Has(-1) || h.Has(MaxPhrases) {
		t.Errorf("Has out of range = true")
	}
}

func BenchmarkScan(b *testing.B) {
	m := MustCompile([]string{"user unknown", "mailbox full", "relay access denied", "blocked using", "spam"})
	text := strings.Repeat("host mx.example.com said: 550 5.1.1 <a@example.com>: recipient address rejected ", 50)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		var h Hits
		m.Scan(text, &h)
	}
}

func TestCompileFold(t *testing.T) {
	m, err := CompileFold([]string{"user unknown", "5.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	var h Hits
	m.Scan("550 5.1.1 <A@B>: User UNKNOWN", &h)
	if !h.Has(0) || !h.Has(1) {
		t.Errorf("CompileFold scan missed a phrase: %v %v", h.Has(0), h.Has(1))
	}
	var h2 Hits
	MustCompile([]string{"user unknown"}).Scan("User Unknown", &h2)
	if h2.Has(0) {
		t.Errorf("Compile (no fold) matched across case")
	}
	if _, err := CompileFold([]string{"User"}); !errors.Is(err, ErrNotLower) {
		t.Errorf("CompileFold(upper case) = %v, want ErrNotLower", err)
	}
}

// TestScanWords: a phrase that starts with a letter or digit matches only
// at a word start; one that starts with punctuation matches anywhere.
func TestScanWords(t *testing.T) {
	m := MustCompile([]string{"spam", "user unknown", ":blocked)", "5.1.1"})
	for _, c := range []struct {
		text string
		want []bool
	}{
		{"spam detected", []bool{true, false, false, false}},
		{"host mail.rspamd-user.example", []bool{false, false, false, false}},
		{"antispam", []bool{false, false, false, false}},
		{"superuser unknown; 550 5.1.1 x (a@b:blocked)", []bool{false, false, true, true}},
		{"(user unknown)", []bool{false, true, false, false}},
	} {
		var h Hits
		m.ScanWords(c.text, &h)
		for id, want := range c.want {
			if got := h.Has(id); got != want {
				t.Errorf("ScanWords(%q) has %q = %v, want %v", c.text, m.Phrase(id), got, want)
			}
		}
	}
}

// TestScanLowerSplit checks that ScanLower, Scan and ScanBytes, which scan
// a long text as two halves or four quarters, find what strings.Contains
// finds in the lower-cased text, for phrases across the split points and
// at both ends.
func TestScanLowerSplit(t *testing.T) {
	list := []string{"user unknown", "mailbox full", "ab", "a", "zz", "xyzxyzxyz", "end."}
	m := MustCompile(list)
	base := strings.Repeat("-", 300)
	for _, text := range []string{
		base + "User Unknown" + base, base[:299] + "USER UNKNOWN" + base, base + "a", "a" + base + base,
		base + "xyzxyzxy" + "z" + base, strings.Repeat("AB", 400) + "END.", base + "zz" + base[:1],
		base[:150] + "mailbox" + " FULL" + base[:150], base[:161] + "ab" + base[:150],
		strings.Repeat("é", 200) + "User Unknown" + strings.Repeat("不達", 100),
		strings.Repeat(base, 4) + "xyzxyzxyz", base + base[:1] + "XYZXYZXYZ" + base + base + base,
		base + base + base[:2] + "user unknown" + base + base, base + base + base + base[:298] + "user unknown" + base,
	} {
		for cut := 0; cut < 20; cut++ {
			tx := text[cut:]
			var got, want Hits
			dst := make([]byte, len(tx))
			m.ScanLower(tx, dst, &got)
			lower := asciiLower(tx)
			m.Scan(lower, &want)
			if got != want {
				t.Errorf("ScanLower(%q) hits %v, Scan of the lower case %v", tx, got[:1], want[:1])
			}
			var contains, bytesHits Hits
			for id, p := range list {
				if strings.Contains(lower, p) {
					contains.add(uint16(id))
				}
			}
			if want != contains {
				t.Errorf("Scan(%q) hits %v, strings.Contains %v", lower, want[:1], contains[:1])
			}
			if m.ScanBytes([]byte(lower), &bytesHits); bytesHits != contains {
				t.Errorf("ScanBytes(%q) hits %v, strings.Contains %v", lower, bytesHits[:1], contains[:1])
			}
			if string(dst) != lower {
				t.Errorf("ScanLower(%q) wrote %q", tx, dst)
			}
			var noDst Hits
			if m.ScanLower(tx, nil, &noDst); noDst != want {
				t.Errorf("ScanLower(%q, nil) hits %v, Scan of the lower case %v", tx, noDst[:1], want[:1])
			}
		}
	}
}

// asciiLower lower-cases ASCII capitals only, as ScanLower does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestScansRandom checks every scan against strings.Contains (ScanWords
// against a search for a word start) on random phrase sets and texts over
// a small alphabet, where phrases overlap, nest and end everywhere: the
// states where phrases end are numbered apart (outMin) and looked at four
// steps at a time; ScanLowerEnds's ends against strings.Index, one, two
// and four chains.
func TestScansRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	word := func(n int) string { return randomWord(rng, n) }
	for range 300 {
		list := make([]string, 1+rng.IntN(40))
		for i := range list {
			list[i] = asciiLower(word(1 + rng.IntN(6)))
		}
		m := MustCompile(list)
		for _, v := range m.delta {
			if ends := v != 0 && len(m.out.of(v/uint32(m.nclass))) > 0; v >= 2*m.outMin || (v >= m.outMin) != ends {
				t.Fatalf("state %d (phrases end: %v), outMin %d", v, ends, m.outMin)
			}
		}
		for range 20 {
			text := word(rng.IntN(1200))
			lower := asciiLower(text)
			var want, wantWords Hits
			for id, p := range list {
				if strings.Contains(text, p) {
					want.add(uint16(id))
				}
				for off := 0; off+len(p) <= len(text); off++ {
					if text[off:off+len(p)] == p && (!isWordByte(p[0]) || off == 0 || !isWordByte(text[off-1])) {
						wantWords.add(uint16(id))
						break
					}
				}
			}
			var scan, scanBytes, words, lowerHits, wantLower Hits
			m.Scan(text, &scan)
			m.ScanBytes([]byte(text), &scanBytes)
			m.ScanWords(text, &words)
			m.ScanLower(text, make([]byte, len(text)), &lowerHits)
			m.Scan(lower, &wantLower)
			var endHits Hits
			var ends Ends
			m.ScanLowerEnds(text, &endHits, &ends)
			if endHits != lowerHits {
				t.Fatalf("ScanLowerEnds(%q) hits %v, ScanLower %v", text, endHits[:1], lowerHits[:1])
			}
			for id, p := range list {
				first, _ := m.ID(p)
				if id != first {
					continue // a repeat: only the first id is recorded by the scans
				}
				if scan.Has(id) != want.Has(id) || scanBytes.Has(id) != want.Has(id) {
					t.Fatalf("Scan/ScanBytes(%q) has %q = %v/%v, want %v", text, p, scan.Has(id), scanBytes.Has(id), want.Has(id))
				}
				if words.Has(id) != wantWords.Has(id) {
					t.Fatalf("ScanWords(%q) has %q = %v, want %v", text, p, words.Has(id), wantWords.Has(id))
				}
				if lowerHits.Has(id) != strings.Contains(lower, p) || wantLower.Has(id) != strings.Contains(lower, p) {
					t.Fatalf("ScanLower(%q) has %q = %v, want %v", text, p, lowerHits.Has(id), strings.Contains(lower, p))
				}
				if i := strings.Index(lower, p); i >= 0 && int(ends[id]) != i+len(p) {
					t.Fatalf("ScanLowerEnds(%q): %q ends at %d, its first occurrence at %d", text, p, ends[id], i+len(p))
				}
			}
		}
	}
}

// wordsOracle is ScanWords by comparing each phrase at every offset of
// text, ignoring ASCII case: a phrase counts where it starts a word or
// when it starts with neither a letter nor a digit.
func wordsOracle(list []string, text string) Hits {
	var h Hits
	for id, p := range list {
		for off := 0; off+len(p) <= len(text); off++ {
			if strings.EqualFold(text[off:off+len(p)], p) && (p == "" || !isWordByte(p[0]) || off == 0 || !isWordByte(text[off-1])) {
				h.add(uint16(id))
				break
			}
		}
	}
	return h
}

// compareForms checks every scan of m's compact form (which must be
// built) against the same scan of full, the matcher of the same list
// without it, and, for ScanWords of a set compiled by
// CompileFold (fold), against wordsOracle: the same phrases, and for
// ScanLowerEnds the same ends.
func compareForms(t *testing.T, m, full *Matcher, fold bool, list []string, text string) {
	t.Helper()
	if m.words == nil || full.words != nil || full.delta == nil {
		t.Fatalf("compareForms: compact form %v, full %v", m.words != nil, full.words == nil && full.delta != nil)
	}
	var got, want Hits
	m.ScanWords(text, &got)
	full.ScanWords(text, &want)
	oracle := want
	if fold {
		oracle = wordsOracle(list, text)
	}
	if got != want || want != oracle {
		t.Fatalf("ScanWords(%q) hits %x, full table %x, oracle %x (phrases %q)", text, got[:1], want[:1], oracle[:1], list)
	}
	for _, scan := range []struct {
		name string
		f    func(*Matcher, *Hits)
	}{
		{"Scan", func(m *Matcher, h *Hits) { m.Scan(text, h) }},
		{"ScanBytes", func(m *Matcher, h *Hits) { m.ScanBytes([]byte(text), h) }},
		{"ScanLower", func(m *Matcher, h *Hits) { m.ScanLower(text, nil, h) }},
		{"ScanLower with dst", func(m *Matcher, h *Hits) {
			dst := make([]byte, len(text))
			if m.ScanLower(text, dst, h); string(dst) != asciiLower(text) {
				t.Fatalf("ScanLower(%q) wrote %q", text, dst)
			}
		}},
	} {
		var got, want Hits
		scan.f(m, &got)
		scan.f(full, &want)
		if got != want {
			t.Fatalf("%s(%q) hits %x, full table %x (phrases %q)", scan.name, text, got[:1], want[:1], list)
		}
	}
	var gotH, wantH Hits
	var gotE, wantE Ends
	m.ScanLowerEnds(text, &gotH, &gotE)
	full.ScanLowerEnds(text, &wantH, &wantE)
	if gotH != wantH {
		t.Fatalf("ScanLowerEnds(%q) hits %x, full table %x (phrases %q)", text, gotH[:1], wantH[:1], list)
	}
	for id := range list {
		if gotH.Has(id) && gotE[id] != wantE[id] {
			t.Fatalf("ScanLowerEnds(%q): %q ends at %d, full table %d", text, list[id], gotE[id], wantE[id])
		}
	}
}

// TestCompactForm checks every scan through the compact form against the
// full table (compareForms), on random sets of long phrases over a small
// alphabet and texts of one, two and four parts: the phrases share
// prefixes and suffixes, so that the compact form has nodes with several
// exceptions, defaults several fail links away, and phrases across the
// start of a part that the part before finds past it.
func TestCompactForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	word := func(n int) string { return randomWord(rng, n) }
	for k := range 100 {
		var list []string
		switch k {
		case 0: // a state past the full rows with more than compactMaxExc exceptions
			p := strings.Repeat("abc", compactRowDepth/3+1) // deeper than compactRowDepth
			list = []string{p + "a", p + "b", p + ".", p + "1", p + " ", p + "ab", "bc"}
		case 1: // too long for the compact form
			list = []string{"ab", strings.Repeat("ab ", 100)}
		default:
			list = make([]string, 1+rng.IntN(60))
			for i := range list {
				list[i] = asciiLower(word(1 + rng.IntN(1+rng.IntN(30))))
			}
		}
		fold := k%2 == 0 // Scan and ScanLower read different classes without
		compile := Compile
		if fold {
			compile = CompileFold
		}
		m, err := compile(list)
		if err != nil {
			t.Fatal(err)
		}
		if m.words != nil {
			t.Fatalf("compact form of a %d-byte table", len(m.delta)*4)
		}
		full := *m
		if m.buildCompact(); (m.words == nil) != (k == 1) {
			t.Fatalf("compact form of %q: %v", list, m.words != nil)
		}
		if m.words == nil {
			continue
		}
		if k == 0 && !slices.ContainsFunc(m.words.depth[:m.words.rowEnd], func(d uint8) bool { return d > compactRowDepth }) {
			t.Fatalf("compact form of %q: no full row past depth %d", list, compactRowDepth)
		}
		for range 20 {
			// Texts made of pieces of phrases, so that they occur.
			var b strings.Builder
			for n := rng.IntN([]int{2 * splitWords, 4 * splitScan, 12 * splitScan}[rng.IntN(3)]); b.Len() < n; {
				if p := list[rng.IntN(len(list))]; rng.IntN(3) == 0 && p != "" {
					b.WriteString(p[rng.IntN(len(p)):])
				} else {
					b.WriteString(word(1 + rng.IntN(8)))
				}
			}
			compareForms(t, m, &full, fold, list, b.String())
		}
	}
}

// TestCompactLargeSet: compile builds the compact form of a set whose
// table reaches compactMinBytes and drops the full table, and the form
// finds what the full table (build) finds.
func TestCompactLargeSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var list []string
	for len(list) < 1500 {
		b := make([]byte, 8+rng.IntN(20))
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyz0123456789 .:-"[rng.IntN(40)]
		}
		list = append(list, string(b))
	}
	m, err := CompileFold(list)
	if err != nil {
		t.Fatal(err)
	}
	full, err := build(list, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.delta)*4 < compactMinBytes || m.words == nil || m.delta != nil {
		t.Fatalf("table of %d bytes: compact form %v, full table kept %v", len(full.delta)*4, m.words != nil, m.delta != nil)
	}
	for range 20 {
		var b strings.Builder
		for n := rng.IntN(3000); b.Len() < n; {
			if rng.IntN(4) == 0 {
				b.WriteString(list[rng.IntN(len(list))])
			} else {
				b.WriteString(strings.ToUpper(list[rng.IntN(len(list))][:5]))
			}
		}
		compareForms(t, m, full, true, list, b.String())
	}
}

// FuzzCompactForm compares every scan through the compact form with the
// full table (compareForms) on a fixed set of phrases that overlap.
func FuzzCompactForm(f *testing.F) {
	list := []string{"user unknown", "unknown user", "user", "mailbox full", "mailbox unavailable", "box", ".1.1",
		"5.1.1", "no such user", "such", "spam", "rspamd", "blocked", "blocked using", "over quota", "quota exceeded", "a"}
	m, err := CompileFold(list)
	if err != nil {
		f.Fatal(err)
	}
	full := *m
	m.buildCompact()
	f.Add("550 5.1.1 <a@b>: User unknown; mailbox full")
	f.Add(strings.Repeat("x", 40) + "No Such User" + strings.Repeat("y", 40))
	f.Add(strings.Repeat("mail.rspamd.example: blocked using spam.list over quota exceeded ", 20))
	f.Fuzz(func(t *testing.T, text string) {
		compareForms(t, m, &full, true, list, text)
	})
}

// randomWord returns n bytes drawn from a small alphabet of both cases,
// a space and punctuation, so that random phrases overlap and nest.
func randomWord(rng *rand.Rand, n int) string {
	const alpha = "abAB c.1"
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[rng.IntN(len(alpha))]
	}
	return string(b)
}
