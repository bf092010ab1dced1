package dsn

import (
	"bytes"
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
		// The list finish reads from a DSN's text in the scratch
		// (msgView.tmp) is cleared: pooled memory keeps no view of a
		// message it is done with. (The pool hands this goroutine back
		// the scratch it was given.)
		sc := scratchPool.Get().(*scratch)
		if sc.rcpts != [2]Recipient{} {
			t.Errorf("%s: the pooled scratch still holds recipients read from the text", filepath.Base(f))
		}
		scratchPool.Put(sc)
		if err != nil {
			continue
		}
		for i := range r.Recipients {
			if rc := &r.Recipients[i]; rc == &sc.rcpts[0] || rc == &sc.rcpts[1] {
				t.Fatalf("%s: the Report's recipients are in the pooled scratch", filepath.Base(f))
			}
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
	// A message with CRLF line ends is read from a copy with LF ones in
	// pooled memory (scratch.normalize), which the next Parse overwrites:
	// the Report of each must stay the same after the next one's Parse.
	var prev *Report
	var prevJSON []byte
	prevName := ""
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(bytes.ReplaceAll(normalizeNewlines(raw), []byte("\n"), []byte("\r\n")), Options{})
		if prev != nil {
			if after, _ := json.Marshal(prev); string(after) != string(prevJSON) {
				t.Errorf("%s: the Report of its CRLF form changed when the next message was read", prevName)
			}
		}
		if err != nil {
			prev = nil
			continue
		}
		if prevJSON, err = json.Marshal(r); err != nil {
			t.Fatal(err)
		}
		prev, prevName = r, filepath.Base(f)
	}
}
