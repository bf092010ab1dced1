package dsn

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// codeTexts are diagnostics and lines of the corpus's reports, and random
// texts of pieces of SMTP replies (codes glued to words, dots, dashes,
// IP addresses and versions), for the tests of the code scans' fast
// paths against scanCodes.
func codeTexts(t *testing.T) []string {
	var texts []string
	files, _ := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(raw, Options{})
		if err != nil {
			continue
		}
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
