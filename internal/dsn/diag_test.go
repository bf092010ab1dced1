package dsn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/phrase"
)

// codeTexts are diagnostics and lines of the corpus's reports, and random
// texts of pieces of SMTP replies (codes glued to words, dots, dashes,
// IP addresses and versions), for the tests of the code scans' fast
// paths against scanCodes.
func codeTexts(t *testing.T) []string {
	var texts []string
	for _, r := range corpusReports(t) {
		for _, rc := range r.Recipients {
			texts = append(texts, rc.Diagnostic)
		}
		texts = append(texts, strings.Split(r.Text, "\n")...)
	}
	pieces := []string{"550", "5.1.1", "4.7.0", "2.0.0", "250", "421", "554-", "550-5.7.1", "10.5.1.1",
		"3.5.1.1", "550.example", "exim-4.1.1", "x550", "_451", "5.9.9", "4.4.7", "599", "199", "-",
		".", " ", "\t", "\n", "(", ")", ":", "#", "user", "é", "1", "2", "5", "0"}
	rnd := rand.New(rand.NewPCG(9, 7))
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(8) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestHasCode compares hasCode with scanCodes(text).hasCode(), and checks
// what scanRecipients relies on: a text without a code followed by a
// space and another text has a code exactly when hasCodeWithin finds one
// in the other.
func TestHasCode(t *testing.T) {
	texts := codeTexts(t)
	var without []string
	for _, s := range texts {
		want := scanCodes(s).hasCode()
		if got := hasCode(s); got != want {
			t.Fatalf("hasCode(%q) = %v, scanCodes says %v", s, got, want)
		}
		if s = strings.TrimSpace(s); !want && s != "" && len(without) < 2000 {
			without = append(without, s)
		}
	}
	rnd := rand.New(rand.NewPCG(3, 5))
	for range 20000 {
		d := without[rnd.IntN(len(without))]
		after := strings.TrimSpace(texts[rnd.IntN(len(texts))])
		if got, want := hasCodeWithin(after), scanCodes(d+" "+after).hasCode(); got != want {
			t.Fatalf("hasCodeWithin(%q) = %v, with %q before it %v", after, got, d, want)
		}
	}
}

// FuzzHasCode compares hasCode with scanCodes(text).hasCode(), and
// hasCodeWithin(b) with the code of a+" "+b when a has none.
func FuzzHasCode(f *testing.F) {
	for _, s := range []string{"550 5.1.1 user unknown", "550.example", "554-5.7.1", "exim-4.1.1", "250 OK", "4.4.7", ""} {
		f.Add(s, "said: 550")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := hasCode(a), scanCodes(a).hasCode(); got != want {
			t.Fatalf("hasCode(%q) = %v, scanCodes says %v", a, got, want)
		}
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if a == "" || b == "" || hasCode(a) {
			return
		}
		if got, want := hasCodeWithin(b), scanCodes(a+" "+b).hasCode(); got != want {
			t.Fatalf("hasCodeWithin(%q) = %v, with %q before it %v", b, got, a, want)
		}
	})
}

// The lower-case readers of a diagnostic's command and host, as
// scanDiagnostic ran them before it searched the text in any case:
// TestScanDiagnosticLowerOnDemand's oracle. lower is asciiLower(text).

func commandOfLower(lower string, hits *phrase.Hits) string {
	for k, cl := range commandLeads {
		if !hits.Has(len(commandPhrases) + k) {
			continue
		}
		lead := cl.lead
		for off, n := 0, 0; n < maxCommandLeads; n++ {
			i := indexBy(lower[off:], lead, cl.by)
			if i < 0 {
				break
			}
			off += i + len(lead)
			for _, w := range commandWords {
				if strings.HasPrefix(lower[off:], w.word) {
					return w.cmd
				}
			}
		}
	}
	for id, c := range commandPhrases {
		if hits.Has(id) {
			return c.cmd
		}
	}
	return ""
}

// hostOfLower is hostOf reading the markers in lower; its search for
// "X[ip]" is hostOf's (hostBeforeLiteral), which reads text.
func hostOfLower(text, lower string) string {
	best, host := len(text), ""
	for off := 0; off < len(lower); {
		i := strings.Index(lower[off:], hostWord)
		if i < 0 {
			break
		}
		i += off + len(hostWord)
		off = i
		rest := text[i:min(len(text), i+maxHostName)]
		end := setHostEnd.indexAny(rest)
		if end < 0 {
			end = len(rest)
		}
		h := strings.TrimSuffix(rest[:end], ".")
		after := strings.TrimLeft(rest[end:], " ")
		if strings.Contains(h, ".") && validHostChars(h) && (after == "" || strings.ContainsRune("[(:", rune(after[0])) || strings.HasPrefix(after, "said")) {
			best, host = i, h
			break
		}
	}
	// "X[ip]" or "X [ip]", as hostOf: the search that reads text.
	if h, ok := hostBeforeLiteral(text, best); ok {
		return h
	}
	if host == "" {
		host = hostAfterLower(lower, hostMarkers)
	}
	return toLower(host)
}

func hostAfterLower(lower string, markers []string) string {
	for _, marker := range markers {
		for off, n := 0, 0; off < len(lower) && n < maxHostMarkers; n++ {
			i := indexSpaced(lower[off:], marker)
			if i < 0 {
				break
			}
			start := off + i + len(marker)
			j := start
			for j < len(lower) && j-start < maxHostName && isHostByte(lower[j]) {
				j++
			}
			name := strings.TrimRight(lower[start:j], ".-")
			if strings.IndexByte(name, '.') > 0 && strings.IndexFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
				return name
			}
			off = start
		}
	}
	return ""
}

// indexSpaced is strings.Index(s, marker); a marker that starts with a
// space (" by ") is looked for by the rest of it, spaces being the most
// common byte of a text.
func indexSpaced(s, marker string) int {
	if len(marker) < 2 || marker[0] != ' ' {
		return strings.Index(s, marker)
	}
	return indexBy(s, marker, 1)
}

// indexBy is strings.Index(s, marker) searching for marker[k:], whose
// first byte is rarer in text than marker's, then checking the k bytes
// before it.
func indexBy(s, marker string, k int) int {
	rest, head := marker[k:], marker[:k]
	for from := k; from <= len(s); {
		j := strings.Index(s[from:], rest)
		if j < 0 {
			return -1
		}
		if q := from + j; s[q-k:q] == head {
			return q - k
		}
		from += j + 1
	}
	return -1
}

// diagnosticOfGrowing is diagnosticOf as it was, writing each line into a
// growing builder: the oracle of TestDiagnosticOfSame.
func diagnosticOfGrowing(block string) string {
	var sb strings.Builder
	first := "" // the only line so far, not yet in sb
	n := 0
	for len(block) > 0 && n < maxDiagLines && len(first)+sb.Len() < maxDiagBytes {
		var l string
		l, block, _ = strings.Cut(block, "\n")
		l = strings.TrimSpace(l)
		if l == "" || banner(l) {
			continue
		}
		n++
		if n == 1 {
			first = l
			continue
		}
		if first != "" {
			sb.WriteString(first)
			first = ""
		}
		sb.WriteByte(' ')
		sb.WriteString(l)
	}
	if n == 1 {
		return first
	}
	return sb.String()
}

// TestDiagnosticOfSame: diagnosticOf, which sizes its allocation first,
// gives what the growing builder gave, around the line and byte caps, and
// allocates at most once.
func TestDiagnosticOfSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"550 5.1.1 <a@b.example>: User unknown", "", "  ", "----- Transcript of session follows -----",
		"=====", "\tindented", "x", strings.Repeat("long ", 300), "é ü"}
	for range 20000 {
		var sb strings.Builder
		for n := rng.IntN(24); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
			sb.WriteByte('\n')
		}
		sameDiagnosticOf(t, sb.String())
	}
	block := "one\n\ntwo\n---\nthree\n"
	if n := testing.AllocsPerRun(100, func() { diagnosticOf(block) }); n > 1 {
		t.Errorf("diagnosticOf(%q): %v allocations, want 1", block, n)
	}
}

func sameDiagnosticOf(t *testing.T, block string) {
	t.Helper()
	want := diagnosticOfGrowing(block)
	if got := diagnosticOf(block); got != want {
		t.Fatalf("diagnosticOf(%q) = %q, want %q", block, got, want)
	}
	// joinAfter: what scanRecipients wrote as d+" "+diagnosticOf(block).
	var dl diagLines
	if dl.read(block); (dl.n > 0) != (want != "") {
		t.Fatalf("diagLines of %q: %d lines, diagnosticOf gives %q", block, dl.n, want)
	}
	if dl.n > 0 {
		got := dl.joinAfter("550 d")
		if got != "550 d "+want || got[len(got)-dl.size:] != want {
			t.Fatalf("joinAfter(%q) of %q = %q (lines %q), want %q", "550 d", block, got, got[len(got)-dl.size:], "550 d "+want)
		}
	}
}

// FuzzDiagnosticOfSame: diagnosticOf agrees with its oracle.
func FuzzDiagnosticOfSame(f *testing.F) {
	f.Add("a\n\nb\n-----\nc")
	f.Add(strings.Repeat("word\n", 40))
	f.Fuzz(func(t *testing.T, block string) { sameDiagnosticOf(t, block) })
}
