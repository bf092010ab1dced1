package dsn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bounced/bounced/internal/phrase"
)

// BenchmarkParse parses every message of the labelled corpus once per
// iteration round; ns/op is per message. The budget (DESIGN.md) is 10,000
// messages per second per core for the whole pipeline, so Parse must stay
// well under 100µs a message.
func BenchmarkParse(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("corpus: %v (%d files)", err, len(files))
	}
	var msgs [][]byte
	var size int64
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		size += int64(len(raw))
	}
	b.SetBytes(size / int64(len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(msgs[i%len(msgs)], Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkerScan is the one-pass marker scan (newLowerTextInto) of
// each corpus message's report text, round robin: the phrase automaton's
// steps are a chain of dependent loads, so how the text is split into
// chains shows in time more than in instructions. Parse scans the whole
// text, with the original an MTA pasted after the report: 967 bytes a
// corpus message on average, where the report (Report.Text, scanned
// here) is 538.
func BenchmarkMarkerScan(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatal("no corpus", err)
	}
	var texts []string
	var size int64
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if r, err := Parse(raw, Options{}); err == nil && r.Text != "" {
			texts = append(texts, r.Text)
			size += int64(len(r.Text))
		}
	}
	b.SetBytes(size / int64(len(texts)))
	sc := &scratch{}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sc.hits = phrase.Hits{}
		newLowerTextInto(texts[i%len(texts)], sc)
	}
}

// BenchmarkFoldScans times the scans of the matchers that ignore case on
// each corpus message's X- fields (keySet, as msgView.keyHits) and its
// recipients' diagnostics (diagSet, as scanDiagnostic), round robin, by
// Scan (one chain) and by scanFold (ScanLower: two or four chains for a
// text of 256 bytes or more); ns/op is per message.
func BenchmarkFoldScans(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatal("no corpus", err)
	}
	type texts struct {
		header string
		diags  []string
	}
	var msgs []texts
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		raw = normalizeNewlines(raw)
		h, _, ok := splitHeaderInto(raw, nil)
		if !ok {
			continue
		}
		p := parser{rep: &Report{}, opts: Options{}.withDefaults()}
		p.readOwnHeaders(h)
		t := texts{header: string(p.xheaders)}
		if r, err := Parse(raw, Options{}); err == nil {
			for _, rc := range r.Recipients {
				t.diags = append(t.diags, rc.Diagnostic)
			}
		}
		msgs = append(msgs, t)
	}
	for _, c := range []struct {
		name string
		scan func(m *phrase.Matcher, text string, h *phrase.Hits)
	}{
		{"Scan", (*phrase.Matcher).Scan},
		{"scanFold", scanFold},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				t := &msgs[i%len(msgs)]
				var h phrase.Hits
				c.scan(keySet, t.header, &h)
				for _, d := range t.diags {
					var h phrase.Hits
					c.scan(diagSet, d, &h)
				}
			}
		})
	}
}
