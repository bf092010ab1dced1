package bounce

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// phraseBaseLabel is one line of a testdata/samples truth.jsonl.
type phraseBaseLabel struct {
	File       string `json:"file"`
	Recipient  string `json:"recipient"`
	Reason     string `json:"reason"`
	AltReason  string `json:"alt_reason"`
	HardBounce bool   `json:"hardbounce"`
	Side       string `json:"side"`
}

// TestPhraseBaseVerdicts runs the public phrase base (testdata/samples,
// issue 10) through the whole pipeline and holds its figures: reason and
// side agreement (alt_reason counts), hard bounces exactly as labelled, and
// no address outside the labels reported as a hard bounce, the costly
// mistake. The held-out sets count here as regression checks; their
// figures at each freeze are in testdata/samples/README.md.
func TestPhraseBaseVerdicts(t *testing.T) {
	const minReason, minSide = 95.0, 90.0
	e := New(Config{})
	// The newest held-out set is measured, not held to the bars: its figure at
	// the freeze is the honest one (README.md), and rules are not tuned to it.
	// Its recipients and hard bounces are still checked: the costly mistakes.
	measureOnly := map[string]bool{"heldout6": true}
	for _, set := range []string{"dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6"} {
		dir := filepath.Join("../../testdata/samples", set)
		f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		byFile := map[string][]phraseBaseLabel{}
		var files []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var l phraseBaseLabel
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			if _, ok := byFile[l.File]; !ok {
				files = append(files, l.File)
			}
			byFile[l.File] = append(byFile[l.File], l)
		}
		f.Close()
		var n, reasonOK, sideN, sideOK int
		for _, file := range files {
			g := parseCorpusFile(t, e, filepath.Join(dir, file))
			labelled := map[string]bool{}
			for _, l := range byFile[file] {
				labelled[strings.ToLower(l.Recipient)] = true
				var got *goldenRecipient
				for i := range g.Recipients {
					if strings.EqualFold(g.Recipients[i].Recipient, l.Recipient) {
						got = &g.Recipients[i]
					}
				}
				n++
				if got == nil {
					t.Errorf("%s/%s: recipient %s not reported", set, file, l.Recipient)
					continue
				}
				ok := got.Reason == l.Reason
				for _, a := range strings.Split(l.AltReason, ",") {
					ok = ok || a != "" && got.Reason == a
				}
				if ok {
					reasonOK++
				}
				if got.Hard != l.HardBounce && got.Reason == l.Reason {
					t.Errorf("%s/%s: %s hard_bounce %v, want %v (%s)", set, file, l.Recipient, got.Hard, l.HardBounce, got.Reason)
				}
				if l.Side != "" {
					sideN++
					if got.Side == l.Side {
						sideOK++
					}
				}
			}
			for _, r := range g.Recipients {
				if r.Hard && !labelled[strings.ToLower(r.Recipient)] {
					t.Errorf("%s/%s: %s is not a labelled recipient but was reported as a hard bounce", set, file, r.Recipient)
				}
			}
		}
		reason, side := 100*float64(reasonOK)/float64(n), 100*float64(sideOK)/float64(max(sideN, 1))
		t.Logf("%s: reason %d/%d (%.1f%%) side %d/%d (%.1f%%)", set, reasonOK, n, reason, sideOK, sideN, side)
		if !measureOnly[set] && (reason < minReason || side < minSide) {
			t.Errorf("%s: reason %.1f%% side %.1f%%, want at least %.0f%% and %.0f%%", set, reason, side, minReason, minSide)
		}
	}
}
