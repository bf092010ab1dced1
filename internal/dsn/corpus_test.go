package dsn

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	// factN and factOK count the status labels that a bounce can state: not
	// the reason-derived pseudo codes (isPseudoStatus) and not the
	// disputed labels.
	factN, factOK int
	misses        []string
}

// isPseudoStatus reports a label status of the form X.0.9NN: the labelling
// project derives it from its reason when the bounce gives no enhanced
// code ("5.0.911" for userunknown). No bounce says it, and dsn reports
// facts, so dsn leaves such a Status zero (or gives the code the bounce
// does state); a classifier may map its reason to these codes.
func isPseudoStatus(s string) bool {
	return len(s) == 7 && s[1:4] == ".0." && s[4] == '9'
}

// disputed lists labels this package disagrees with on purpose, by file
// and field ("recipient", "status", "reply", "notbounce"), with the reason.
// They are counted in the raw figures and left out of factN/factOK.
var disputed = map[string]string{
	"maildir/not/rb-issue-368-bug.eml notbounce":         "a postmaster's notice that the message to xxxx@yyyyyy.net was discarded, mailbox full: a bounce, and its VERP To names the same recipient",
	"maildir/bsd/lhost-sendmail-56.eml status":           "4.7.0 answered QUIT after the 554 greeting; the DSN says Status 5.5.0 and Diagnostic-Code 554",
	"maildir/bsd/lhost-sendmail-56.eml reply":            "421 answered QUIT after the 554 greeting; the DSN's Diagnostic-Code is 554",
	"maildir/bsd/lhost-exchange2007-05.eml status":       "4.4.1 is an earlier attempt; the final one returned 4.4.7 (QUEUE.Expired), as the DSN says",
	"maildir/bsd/rhost-cox-01.eml recipient":             "the second label is the same recipient twice (the file repeats its DSN block); recipients are de-duplicated",
	"maildir/bsd/arf-15.eml recipient":                   "undisclosed-recipient-in-headers@libsisimai.org.invalid is a placeholder the labelling tool invents; the report names no recipient",
	"maildir/bsd/lhost-googleworkspace-01.eml recipient": "X-Failed-Recipients names neko-nyaan-cat-meeting@google-groups.example.com; the label is the original's To",
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
		raw = conv(raw)
		rep := &Report{}
		msgs := SplitMbox(raw)
		if msgs == nil {
			msgs = [][]byte{raw}
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
			if failed == 0 || disputed[file+" notbounce"] != "" {
				s.notBounceOK++
			}
			if failed > 0 {
				s.misses = append(s.misses, file+": not a bounce, but failed recipients reported"+disputedNote(file, "notbounce"))
			}
			continue
		}
		used := make([]bool, len(rep.Recipients))
		for k, w := range want {
			s.expected++
			idx := -1
			if w.Recipient != "" {
				for i, r := range rep.Recipients {
					// The labels name the mailbox that failed; dsn reports the
					// address the sender used and keeps that mailbox in
					// FinalRecipient (issue 10).
					if !used[i] && (strings.EqualFold(r.Recipient, w.Recipient) || strings.EqualFold(r.FinalRecipient, w.Recipient)) {
						idx = i
						break
					}
				}
			} else if k < len(rep.Recipients) && !used[k] {
				idx = k
			}
			if idx < 0 {
				s.misses = append(s.misses, file+": recipient "+w.Recipient+" not found"+disputedNote(file, "recipient"))
				continue
			}
			used[idx] = true
			s.found++
			r := rep.Recipients[idx]
			if w.Status != "" {
				s.statusN++
				fact := !isPseudoStatus(w.Status) && disputed[file+" status"] == ""
				if fact {
					s.factN++
				}
				// The label is the code the bounce was decided on; dsn
				// reports both the Status field and the server's code, and
				// classify picks (Verdict.Status), so either counts here.
				if r.Status.String() == w.Status || r.ServerStatus.String() == w.Status {
					s.statusOK++
					if fact {
						s.factOK++
					}
				} else {
					note := disputedNote(file, "status")
					if isPseudoStatus(w.Status) {
						note = " (reason-derived label)"
					}
					s.misses = append(s.misses, file+": status "+r.Status.String()+" server "+r.ServerStatus.String()+", want "+w.Status+note)
				}
			}
			if w.ReplyCode != "" {
				s.replyN++
				if r.ReplyCode.String() == w.ReplyCode {
					s.replyOK++
				} else {
					s.misses = append(s.misses, file+": reply "+r.ReplyCode.String()+", want "+w.ReplyCode+disputedNote(file, "reply"))
				}
			}
		}
	}
	return s
}

func disputedNote(file, field string) string {
	if why := disputed[file+" "+field]; why != "" {
		return " (disputed: " + why + ")"
	}
	return ""
}

func identity(b []byte) []byte { return b }

// toCRLF and toCR rewrite every line ending of the corpus (LF, or CRLF in
// some files) to CRLF and to CR alone.
func toCRLF(b []byte) []byte { return withEndings(b, "\r\n") }
func toCR(b []byte) []byte   { return withEndings(b, "\r") }

func withEndings(b []byte, eol string) []byte {
	out := make([]byte, 0, len(b)+len(b)/32)
	for len(b) > 0 {
		n := lineLen(b)
		line := bytes.TrimRight(b[:n], "\r\n")
		out = append(out, line...)
		if len(line) < n {
			out = append(out, eol...)
		}
		b = b[n:]
	}
	return out
}

// TestCorpus measures recall, status and reply code agreement over the
// labelled corpus and fails when a figure drops below its bar. "status"
// counts every status label the way ../shared/tools/score does; "facts"
// leaves out the reason-derived pseudo codes and the disputed labels,
// which a fact parser cannot (or should not) match.
func TestCorpus(t *testing.T) {
	cases := []struct {
		name                                string
		only                                string
		conv                                func([]byte) []byte
		recall, status, facts, reply, slack float64
	}{
		// The RFC 3464 reports of the corpus (foundation issue bar: 95/90).
		{"rfc3464", "rfc3464", identity, 95, 90, 95, 0, 0},
		// The whole corpus, as stored (LF) and with its line endings
		// rewritten to CRLF and to CR alone: the same figures within a point.
		// Raw status agreement cannot pass 75%: a quarter of the status
		// labels are reason-derived pseudo codes (isPseudoStatus); the bar
		// guards against a drop. Figures on 2026-11-23: recall 99.2%, status
		// 74.2%, facts 100%, reply 99.6%.
		{"all", "", identity, 98, 73, 97, 97, 0},
		{"all-crlf", "", toCRLF, 98, 73, 97, 97, 1},
		{"all-cr", "", toCR, 98, 73, 97, 97, 1},
	}
	var base corpusScore
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scoreCorpus(t, c.only, c.conv)
			recall, status, reply := s.pct(s.found, s.expected), s.pct(s.statusOK, s.statusN), s.pct(s.replyOK, s.replyN)
			facts := s.pct(s.factOK, s.factN)
			t.Logf("recall %d/%d (%.1f%%) status %d/%d (%.1f%%) facts %d/%d (%.1f%%) reply %d/%d (%.1f%%) notbounce %d/%d",
				s.found, s.expected, recall, s.statusOK, s.statusN, status, s.factOK, s.factN, facts, s.replyOK, s.replyN, reply, s.notBounceOK, s.notBounceN)
			if testing.Verbose() {
				for _, m := range s.misses {
					t.Log(m)
				}
			}
			if recall < c.recall || status < c.status || facts < c.facts || reply < c.reply {
				t.Errorf("recall %.1f%% status %.1f%% facts %.1f%% reply %.1f%%, want at least %.0f/%.0f/%.0f/%.0f",
					recall, status, facts, reply, c.recall, c.status, c.facts, c.reply)
			}
			if s.notBounceOK != s.notBounceN {
				t.Errorf("%d of %d non-bounces reported failed recipients", s.notBounceN-s.notBounceOK, s.notBounceN)
			}
			if c.name == "all" {
				base = s
			} else if c.slack > 0 && base.expected > 0 {
				for _, f := range []struct {
					name      string
					got, want float64
				}{
					{"recall", recall, base.pct(base.found, base.expected)},
					{"status", status, base.pct(base.statusOK, base.statusN)},
					{"reply", reply, base.pct(base.replyOK, base.replyN)},
				} {
					if f.got < f.want-c.slack {
						t.Errorf("%s %.1f%%, LF corpus %.1f%%: more than %.0f point apart", f.name, f.got, f.want, c.slack)
					}
				}
			}
		})
	}
}

var corpusOnce struct {
	sync.Once
	reports []*Report
	err     error
}

// corpusReports returns the Report of every corpus message that parses
// (Options{}), parsed once for all the tests that draw real texts,
// diagnostics and fields from them; callers only read them.
func corpusReports(t testing.TB) []*Report {
	t.Helper()
	corpusOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
		if err == nil && len(files) == 0 {
			err = errors.New("no corpus messages")
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				corpusOnce.err = err
				return
			}
			if r, err := Parse(raw, Options{}); err == nil {
				corpusOnce.reports = append(corpusOnce.reports, r)
			}
		}
		corpusOnce.err = err
	})
	if corpusOnce.err != nil {
		t.Fatal(corpusOnce.err)
	}
	return corpusOnce.reports
}

// testdataEML returns every .eml file under testdata (the corpus and the
// sample sets), failing the test if fewer than 100 are found.
func testdataEML(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".eml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("%d .eml files under testdata, want the corpus and samples", len(files))
	}
	return files
}
