package dsn

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// phraseBaseDirs are the sets of the public phrase base (testdata/samples,
// issue 10): bounces written from vendor and MTA documentation.
var phraseBaseDirs = []string{"../../testdata/samples/dev", "../../testdata/samples/heldout"}

// sampleLabel is one line of a phrase base truth.jsonl.
type sampleLabel struct {
	File      string `json:"file"`
	Index     int    `json:"index"`
	Recipient string `json:"recipient"`
	Stage     string `json:"stage"`
	Src       string `json:"src"`
}

// wantStages maps the truth file's stage names to the stages that agree
// with them: a reply after the final "." is answered at end of data.
var wantStages = map[string][]Stage{
	"CONN": {StageConnect},
	"HELO": {StageHelo},
	"MAIL": {StageMail},
	"RCPT": {StageRcpt},
	"DATA": {StageData, StageEndOfData},
}

// TestPhraseBaseFacts reads every sample of the phrase base and checks the
// facts dsn owns: the failed recipient is found, as the address the sender
// used, and the SMTP stage the reply answered is read (issue 10 items 1-2).
func TestPhraseBaseFacts(t *testing.T) {
	for _, dir := range phraseBaseDirs {
		f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			var l sampleLabel
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			n++
			raw, err := os.ReadFile(filepath.Join(dir, l.File))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Parse(raw, Options{})
			if err != nil {
				t.Errorf("Parse(%s) error %v", l.File, err)
				continue
			}
			var rc *Recipient
			for i := range rep.Recipients {
				if strings.EqualFold(rep.Recipients[i].Recipient, l.Recipient) {
					rc = &rep.Recipients[i]
				}
			}
			if rc == nil {
				t.Errorf("Parse(%s): recipient %q not found in %v", l.File, l.Recipient, addresses(rep))
				continue
			}
			want, ok := wantStages[l.Stage]
			if !ok {
				continue
			}
			found := false
			for _, s := range want {
				found = found || rc.Stage == s
			}
			if !found {
				t.Errorf("Parse(%s).Stage = %q, want %v (%s)", l.File, rc.Stage, want, l.Src)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: no samples", dir)
		}
	}
}

func addresses(rep *Report) []string {
	var out []string
	for _, rc := range rep.Recipients {
		out = append(out, rc.Recipient)
	}
	return out
}
