package dsn

import (
	"os"
	"path/filepath"
	"testing"
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
