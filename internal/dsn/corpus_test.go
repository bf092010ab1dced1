package dsn

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir is the labelled corpus (see testdata/bounces/README.md).
const corpusDir = "../../testdata/bounces"

// label is one line of truth.jsonl.
type label struct {
	File      string `json:"file"`
	Index     int    `json:"index"`
	Recipient string `json:"recipient"`
	Status    string `json:"status"`
	ReplyCode string `json:"replycode"`
	Reason    string `json:"reason"`
	NotBounce bool   `json:"notbounce"`
}

func readLabels(t testing.TB) (map[string][]label, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byFile := map[string][]label{}
	var files []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("truth.jsonl: %v", err)
		}
		if _, ok := byFile[l.File]; !ok {
			files = append(files, l.File)
		}
		byFile[l.File] = append(byFile[l.File], l)
	}
	return byFile, files
}

// corpusScore is how the parser's facts agree with the labels.
type corpusScore struct {
	expected, found, statusN, statusOK, replyN, replyOK, notBounceN, notBounceOK int
	misses                                                                       []string
}

func (s corpusScore) pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// scoreCorpus parses every labelled file, transformed by conv, and counts
// agreement the way ../shared/tools/score does.
func scoreCorpus(t testing.TB, only string, conv func([]byte) []byte) corpusScore {
	byFile, files := readLabels(t)
	var s corpusScore
	for _, file := range files {
		if only != "" && !strings.Contains(file, only) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		rep := &Report{}
		msgs := SplitMbox(conv(raw))
		if msgs == nil {
			msgs = [][]byte{conv(raw)}
		}
		for _, m := range msgs {
			one, err := Parse(m, Options{})
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			rep.Recipients = append(rep.Recipients, one.Recipients...)
		}
		want := byFile[file]
		if want[0].NotBounce {
			s.notBounceN++
			failed := 0
			for _, r := range rep.Recipients {
				if r.Action == ActionFailed || r.Action == "" {
					failed++
				}
			}
			if failed == 0 {
				s.notBounceOK++
			} else {
				s.misses = append(s.misses, file+": not a bounce, but failed recipients reported")
			}
			continue
		}
		used := make([]bool, len(rep.Recipients))
		for k, w := range want {
			s.expected++
			idx := -1
			if w.Recipient != "" {
				for i, r := range rep.Recipients {
					if !used[i] && strings.EqualFold(r.Recipient, w.Recipient) {
						idx = i
						break
					}
				}
			} else if k < len(rep.Recipients) && !used[k] {
				idx = k
			}
			if idx < 0 {
				s.misses = append(s.misses, file+": recipient "+w.Recipient+" not found")
				continue
			}
			used[idx] = true
			s.found++
			r := rep.Recipients[idx]
			if w.Status != "" {
				s.statusN++
				if r.Status.String() == w.Status {
					s.statusOK++
				} else {
					s.misses = append(s.misses, file+": status "+r.Status.String()+", want "+w.Status)
				}
			}
			if w.ReplyCode != "" {
				s.replyN++
				if r.ReplyCode.String() == w.ReplyCode {
					s.replyOK++
				} else {
					s.misses = append(s.misses, file+": reply "+r.ReplyCode.String()+", want "+w.ReplyCode)
				}
			}
		}
	}
	return s
}

func identity(b []byte) []byte { return b }

// TestCorpus measures recall, status and reply code agreement over the
// whole labelled corpus and fails when a figure drops below its bar.
func TestCorpus(t *testing.T) {
	cases := []struct {
		name                  string
		only                  string
		recall, status, reply float64
	}{
		// The RFC 3464 reports of the corpus (foundation issue bar: 95/90).
		{"rfc3464", "rfc3464", 95, 90, 0},
		// The whole corpus.
		{"all", "", 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scoreCorpus(t, c.only, identity)
			recall, status, reply := s.pct(s.found, s.expected), s.pct(s.statusOK, s.statusN), s.pct(s.replyOK, s.replyN)
			t.Logf("recall %d/%d (%.1f%%) status %d/%d (%.1f%%) reply %d/%d (%.1f%%) notbounce %d/%d",
				s.found, s.expected, recall, s.statusOK, s.statusN, status, s.replyOK, s.replyN, reply, s.notBounceOK, s.notBounceN)
			if testing.Verbose() {
				for _, m := range s.misses {
					t.Log(m)
				}
			}
			if recall < c.recall || status < c.status || reply < c.reply {
				t.Errorf("recall %.1f%% status %.1f%% reply %.1f%%, want at least %.0f/%.0f/%.0f", recall, status, reply, c.recall, c.status, c.reply)
			}
			if s.notBounceOK != s.notBounceN {
				t.Errorf("%d of %d non-bounces reported failed recipients", s.notBounceN-s.notBounceOK, s.notBounceN)
			}
		})
	}
}
