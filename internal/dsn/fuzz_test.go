package dsn

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or break its own
// invariants. The corpus seeds it; crashers are saved under
// testdata/fuzz/FuzzParse and replayed by every go test run.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	for i, p := range files {
		if i%4 != 0 { // a quarter of the corpus keeps the seed phase short
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(rfc3464Report("Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1\n")))
	f.Add([]byte(rfc3464Report("Final-Recipient: rfc822; m\xfcller@example.net\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp; 550 Empf\xe4nger unbekannt\n")))
	f.Fuzz(func(t *testing.T, raw []byte) {
		opts := Options{MaxMessageBytes: 1 << 20, MaxRecipients: 100}
		rep, err := Parse(raw, opts)
		if err != nil {
			if rep != nil {
				t.Fatalf("Parse returned a report with error %v", err)
			}
			return
		}
		if len(rep.Recipients) > opts.MaxRecipients {
			t.Fatalf("%d recipients over the limit", len(rep.Recipients))
		}
		if len(rep.Text) > MaxTextBytes+1 {
			t.Fatalf("text %d bytes over MaxTextBytes", len(rep.Text))
		}
		for _, r := range rep.Recipients {
			if s := r.Status; !s.IsZero() && s.Class != 2 && s.Class != 4 && s.Class != 5 {
				t.Fatalf("status with class %d", s.Class)
			}
		}
		// Every string that leaves dsn is valid UTF-8 (issue 8).
		var bad []string
		invalidStrings(reflect.ValueOf(*rep), "Report", &bad)
		if len(bad) > 0 {
			t.Fatalf("invalid UTF-8 in %v", bad)
		}
	})
}
