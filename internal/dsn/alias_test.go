package dsn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestReportOwnsItsStrings: Parse reads some values as views of the
// message's bytes (header.getView, stack buffers) and must copy
// whatever it keeps, so a Report stays the same when the caller reuses the
// message's buffer afterwards, as the server does.
func TestReportOwnsItsStrings(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	samples, _ := filepath.Glob(filepath.Join("testdata", "samples", "*.eml"))
	files = append(files, samples...)
	if len(files) > 300 && testing.Short() {
		files = files[:300]
	}
	if len(files) == 0 {
		t.Skip("no corpus")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		buf := append([]byte(nil), raw...)
		r, err := Parse(buf, Options{})
		if err != nil {
			continue
		}
		before, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'X'
		}
		after, _ := json.Marshal(r)
		if string(before) != string(after) {
			t.Errorf("%s: the Report changed when the message's buffer was overwritten", filepath.Base(f))
		}
	}
}
