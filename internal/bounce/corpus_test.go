package bounce

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
)

var update = flag.Bool("update", false, "rewrite the golden verdict files")

const corpusDir = "../../testdata/bounces"

// goldenRecipient is what the golden files pin per recipient.
type goldenRecipient struct {
	Recipient string  `json:"recipient"`
	Final     string  `json:"final_recipient,omitempty"` // the mailbox that failed, when not Recipient (issue 10)
	Action    string  `json:"action"`
	Status    string  `json:"status,omitempty"`
	Reply     int     `json:"reply_code,omitempty"`
	Command   string  `json:"command,omitempty"`
	Reason    string  `json:"reason"`
	Side      string  `json:"side"`
	Hard      bool    `json:"hard_bounce"`
	Conf      float64 `json:"confidence"`
	Headline  string  `json:"headline,omitempty"`
}

type golden struct {
	Kind       string            `json:"kind"`
	DecodedBy  string            `json:"decoded_by,omitempty"`
	MessageID  string            `json:"original_message_id,omitempty"`
	Recipients []goldenRecipient `json:"recipients"`
}

// parseCorpusFile runs the pipeline over one corpus file (each message of
// an mbox) and returns its golden form.
func parseCorpusFile(t *testing.T, e *Engine, path string) golden {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msgs := dsn.SplitMbox(raw)
	if msgs == nil {
		msgs = [][]byte{raw}
	}
	var g golden
	for _, m := range msgs {
		res, err := e.Parse(context.Background(), Request{Raw: m})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if g.Kind == "" {
			g.Kind, g.DecodedBy, g.MessageID = res.Report.Kind.String(), res.Report.DecodedBy, res.Report.Original.MessageID
		}
		for _, r := range res.Recipients {
			g.Recipients = append(g.Recipients, goldenRecipient{
				Recipient: r.Facts.Recipient,
				Final:     r.Facts.FinalRecipient,
				Action:    string(r.Facts.Action),
				Status:    statusOf(r), // the code the verdict was decided on
				Reply:     int(r.Facts.ReplyCode),
				Command:   r.Facts.Command,
				Reason:    string(r.Verdict.Reason),
				Side:      string(r.Verdict.Side),
				Hard:      r.Verdict.Hard,
				Conf:      float64(int(r.Verdict.Confidence*100)) / 100,
				Headline:  r.Explanation.Headline,
			})
		}
	}
	return g
}

// TestGoldenVerdicts compares the whole pipeline's output for every corpus
// message with testdata/golden/<file>.golden.json. Review golden diffs
// like code; refresh with: go test ./internal/bounce -run Golden -update
func TestGoldenVerdicts(t *testing.T) {
	e := New(Config{})
	files, _ := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	if len(files) < 300 {
		t.Fatalf("corpus has %d files", len(files))
	}
	for _, f := range files {
		g := parseCorpusFile(t, e, f)
		got, _ := json.MarshalIndent(g, "", "  ")
		got = append(got, '\n')
		name := filepath.Join("testdata", "golden", filepath.Base(filepath.Dir(f))+"-"+strings.TrimSuffix(filepath.Base(f), ".eml")+".golden.json")
		if *update {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v (run with -update to create it)", f, err)
			continue
		}
		if string(want) != string(got) {
			t.Errorf("%s: output differs from %s:\ngot:\n%s\nwant:\n%s", f, name, got, want)
		}
	}
}

type verdictLabel struct {
	File       string `json:"file"`
	Recipient  string `json:"recipient"`
	Reason     string `json:"reason"`
	HardBounce *bool  `json:"hardbounce"`
	NotBounce  bool   `json:"notbounce"`
}

// legacyReasons folds the labels' older reason names into the vocabulary.
var legacyReasons = map[string]string{"toomanyconn": "ratelimited", "speeding": "ratelimited",
	"exceedlimit": "emailtoolarge", "mesgtoobig": "emailtoolarge", "mesgtoolarge": "emailtoolarge"}

// policy reports a documented policy difference with the labels, counted as
// agreement as ../shared/tools/score's -accept filtered=userunknown does: a
// mailbox that does not exist is userunknown (hard) at any stage, where the
// labels call it filtered after DATA (testdata/bounces/REASONS.md; issue 10
// item 7). Under it the hard/soft label belongs to the other reason.
func policy(label, reported string) bool {
	return label == "filtered" && reported == "userunknown"
}

// TestCorpusVerdicts measures reason and hard-bounce agreement with the
// corpus labels and fails when either drops below its bar. The bars sit
// about a point under today's figures (reason 94.1%, hard 94.9%, with the
// policy difference above counted as agreement) rather than at 100% on
// purpose: the rules follow the evidence, not the labels, and most of the
// remaining disagreements are labels we believe wrong or inconsistent,
// listed in internal/classify/corpus_test.go; disabled mailboxes with a
// permanent code are hard bounces here (the verdicts issue, item 2) and soft
// in the labels, and an address the bounce does not name (found in the
// returned message) is never hard (issue 10 item 1).
func TestCorpusVerdicts(t *testing.T) {
	const minReason, minHard = 93.0, 94.0
	f, err := os.Open(filepath.Join(corpusDir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byFile := map[string][]verdictLabel{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l verdictLabel
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		byFile[l.File] = append(byFile[l.File], l)
	}
	e := New(Config{})
	var reasonN, reasonOK, hardN, hardOK int
	confusion := map[string]int{}
	for file, labels := range byFile {
		if labels[0].NotBounce {
			continue
		}
		g := parseCorpusFile(t, e, filepath.Join(corpusDir, file))
		used := make([]bool, len(g.Recipients))
		for k, l := range labels {
			idx := -1
			for i, r := range g.Recipients {
				// The labels name the mailbox that failed; the sender's address is reported
				// and the mailbox kept beside it (issue 10 item 1).
				named := strings.EqualFold(r.Recipient, l.Recipient) || strings.EqualFold(r.Final, l.Recipient)
				if !used[i] && (l.Recipient != "" && named || l.Recipient == "" && i == k) {
					idx = i
					break
				}
			}
			if idx < 0 {
				continue // recall is measured by internal/dsn's corpus test
			}
			used[idx] = true
			r := g.Recipients[idx]
			if l.Reason != "" {
				want := l.Reason
				if n, ok := legacyReasons[want]; ok {
					want = n
				}
				reasonN++
				if r.Reason == want || policy(want, r.Reason) {
					reasonOK++
				} else {
					confusion[want+" -> "+r.Reason]++
				}
			}
			if l.HardBounce != nil {
				hardN++
				if r.Hard == *l.HardBounce || policy(l.Reason, r.Reason) {
					hardOK++
				}
			}
		}
	}
	reason, hard := 100*float64(reasonOK)/float64(reasonN), 100*float64(hardOK)/float64(hardN)
	t.Logf("reason %d/%d (%.1f%%) hard %d/%d (%.1f%%)", reasonOK, reasonN, reason, hardOK, hardN, hard)
	var keys []string
	for k := range confusion {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return confusion[keys[i]] > confusion[keys[j]] || confusion[keys[i]] == confusion[keys[j]] && keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Logf("  %3d  %s", confusion[k], k)
	}
	if reason < minReason || hard < minHard {
		t.Errorf("reason %.1f%% hard %.1f%%, want at least %.0f%% and %.0f%%", reason, hard, minReason, minHard)
	}
}
