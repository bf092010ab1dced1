package dsn

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
		// TextASCII is exact after Parse, whether finish knew it or
		// ensureUTF8 looked.
		if rep.TextASCII != isASCII(rep.Text) {
			t.Fatalf("TextASCII %v for Text %q", rep.TextASCII, rep.Text)
		}
		// Every string that leaves dsn is valid UTF-8 (issue 8).
		var bad []string
		invalidStrings(reflect.ValueOf(*rep), "Report", &bad)
		if len(bad) > 0 {
			t.Fatalf("invalid UTF-8 in %v", bad)
		}
		// ParseInto a Mem in reuse, whose chunk the previous input
		// wrote, gives the same Report.
		fuzzMem.Reset()
		got, err := ParseInto(raw, opts, &fuzzMem)
		if err != nil || !reflect.DeepEqual(got, rep) {
			t.Fatalf("ParseInto differs from Parse (error %v):\n got %+v\nwant %+v", err, got, rep)
		}
	})
}

// fuzzMem is FuzzParse's Mem, reused from one input to the next of a
// worker (the fuzz function runs one input at a time).
var fuzzMem Mem

// FuzzIndexMarker checks the marker lookups of a text against the plain
// search of its lower case: indexFold against strings.Index (needle
// lowered, every k) and indexMarker, answering from the scan's ends,
// against indexMarker without them, for every table marker and the
// views of the text from and up to off.
func FuzzIndexMarker(f *testing.F) {
	f.Add("The Mail System\n<a@b.example>: host said: 550\n", "mail system", 3)
	f.Add("---- Original message follows ----\nReceived: x", "\nreceived:", 20)
	f.Fuzz(func(t *testing.T, text, needle string, off int) {
		needle = asciiLower(needle)
		want := strings.Index(asciiLower(text), needle)
		for k := range len(needle) {
			if got := indexFold(text, needle, k); got != want {
				t.Fatalf("indexFold(%q, %q, %d) = %d, want %d", text, needle, k, got, want)
			}
		}
		var sc scratch
		l := newLowerTextInto(text, &sc)
		off = min(max(off, 0), len(text))
		for _, v := range []lowerText{l, l.prefix(off), l.from(off)} {
			plain := v
			plain.ends = nil
			for _, mk := range fuzzMarkers() {
				if got, want := v.indexMarker(mk), plain.indexMarker(mk); got != want {
					t.Fatalf("indexMarker(%q) in %q (at %d) = %d, without the ends %d", mk.core, v.s, v.off, got, want)
				}
			}
		}
	})
}

// fuzzMarkers are the compiled markers of the tables, for FuzzIndexMarker.
func fuzzMarkers() []marker {
	out := append(append([]marker{finalRecipientM}, inlineM...), forwardM...)
	for i := range recognisers {
		rg := &recognisers[i]
		out = append(append(append(out, rg.textM...), rg.startM...), rg.endM...)
	}
	return out
}
