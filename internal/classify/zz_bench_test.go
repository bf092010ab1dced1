package classify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
)

func BenchmarkZZCollapse(b *testing.B) {
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var diags []string
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		rep, err := dsn.Parse(raw, dsn.Options{})
		if err != nil {
			continue
		}
		for _, r := range rep.Recipients {
			d := r.Diagnostic
			if len(d) > MaxDiagnosticBytes {
				d = d[:MaxDiagnosticBytes]
			}
			diags = append(diags, d)
		}
	}
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = collapseLower(buf[:0], diags[i%len(diags)])
	}
}
