package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
)

// TestCorpus explains every recipient of the real bounces in
// testdata/bounces/maildir, as the pipeline does (dsn.Parse, then
// classify.Classify without history), for every audience and language, and
// checks that no text is empty, broken or left with a template slot.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no corpus in testdata/bounces/maildir")
	}
	var n, auto int
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := dsn.Parse(raw, dsn.Options{})
		if err != nil {
			continue // not a message: dsn's tests own that
		}
		if rep.Original.IsAutoReply() {
			auto++
		}
		for i := range rep.Recipients {
			rc := &rep.Recipients[i]
			v := classify.Classify(rep, rc, nil)
			for _, l := range langs {
				for _, a := range audiences {
					e := Explain(v, rep, rc, a, l.tag)
					n++
					what := filepath.Base(file) + " " + string(v.Reason) + "/" + string(v.Side) + " " + a.String() + " " + l.tag
					if e.Language != l.tag || e.Headline == "" || e.WhatHappened == "" || e.WhoseSide == "" || len(e.Steps) == 0 {
						t.Errorf("%s: incomplete explanation %+v", what, e)
					}
					text := all(e)
					if !utf8.ValidString(text) || strings.Contains(text, "<no value>") {
						t.Errorf("%s: broken text %q", what, text)
					}
					for _, name := range slotNames {
						if name != "" && strings.Contains(text, "{"+name+"}") {
							t.Errorf("%s: slot {%s} left in %q", what, name, text)
						}
					}
				}
			}
		}
	}
	t.Logf("%d files, %d explanations, %d originals that are auto-replies", len(files), n, auto)
}
