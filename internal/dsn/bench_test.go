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
// chains shows in time more than in instructions.
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
