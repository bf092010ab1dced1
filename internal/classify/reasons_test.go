package classify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// TestReasonsMatchREASONSmd checks the one vocabulary table against
// testdata/bounces/REASONS.md both ways: the same names, each with the
// side of the "usually whose side" column.
func TestReasonsMatchREASONSmd(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bounces", "REASONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || strings.TrimSpace(cells[1]) == "reason" || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		doc[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[3])
	}
	if len(doc) == 0 {
		t.Fatal("no table in REASONS.md")
	}
	names := make([]string, 0, len(Reasons))
	for _, ri := range Reasons {
		names = append(names, string(ri.Reason))
		side, ok := doc[string(ri.Reason)]
		if !ok {
			t.Errorf("reason %s is not in REASONS.md", ri.Reason)
			continue
		}
		want := ri.DefaultSide
		if want == SideUnknown {
			if side != "-" && !strings.Contains(side, "see DESIGN.md") {
				t.Errorf("REASONS.md says %s is usually %q, table says unknown", ri.Reason, side)
			}
		} else if side != string(want) {
			t.Errorf("REASONS.md says %s is usually %q, table says %s", ri.Reason, side, want)
		}
		if ri.Meaning == "" {
			t.Errorf("reason %s has no meaning", ri.Reason)
		}
		if got, ok := ReasonByName(string(ri.Reason)); !ok || got != ri {
			t.Errorf("ReasonByName(%s) = %+v, %v", ri.Reason, got, ok)
		}
	}
	for name := range doc {
		if !slices.Contains(names, name) {
			t.Errorf("REASONS.md reason %s is not in Reasons", name)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("Reasons is not sorted by name")
	}
	if _, ok := ReasonByName("nosuchreason"); ok {
		t.Errorf("ReasonByName(nosuchreason) found a row")
	}
}

// TestDecisiveStatus covers every branch of the one Status policy.
func TestDecisiveStatus(t *testing.T) {
	st := smtpcode.MustStatus
	tests := []struct {
		name           string
		field, server  string
		fromText       bool
		dtype          string
		want, wantFrom string
	}{
		{"no server code", "5.1.1", "", false, "smtp", "5.1.1", "Status field"},
		{"server code of class 2 ignored", "5.1.1", "2.0.0", false, "smtp", "5.1.1", "Status field"},
		{"agree", "5.1.1", "5.1.1", false, "smtp", "5.1.1", "Status field"},
		{"no field", "", "4.7.1", false, "smtp", "4.7.1", "server reply"},
		{"field read from text", "5.1.1", "5.7.1", true, "smtp", "5.7.1", "server reply"},
		// lhost-postfix-44: generic field, specific server code
		{"generic field", "5.0.0", "5.7.1", false, "x-unix", "5.7.1", "server reply; Status field 5.0.0"},
		// lhost-sendmail-36: Sendmail's 5.1.1 over the server's 5.7.1
		{"contradicted in smtp", "5.1.1", "5.7.1", false, "smtp", "5.7.1", "server reply; Status field 5.1.1"},
		{"contradicted without type", "5.1.1", "5.7.1", false, "", "5.7.1", "server reply; Status field 5.1.1"},
		{"non-smtp type keeps the field", "5.1.1", "5.7.1", false, "x-unix", "5.1.1", "Status field"},
		{"generic server code keeps the field", "5.1.1", "5.0.0", false, "smtp", "5.1.1", "Status field"},
	}
	for _, tt := range tests {
		rc := &dsn.Recipient{DiagnosticType: tt.dtype, StatusFromText: tt.fromText}
		if tt.field != "" {
			rc.Status = st(tt.field)
		}
		if tt.server != "" {
			rc.ServerStatus = st(tt.server)
		}
		got, from := decisiveStatus(rc)
		if got.String() != tt.want || from != tt.wantFrom {
			t.Errorf("%s: decisiveStatus(field %s, server %s) = %s (%s), want %s (%s)",
				tt.name, tt.field, tt.server, got, from, tt.want, tt.wantFrom)
		}
		// The verdict reports the code it was decided on.
		rc.Recipient, rc.Action = "a@example.org", dsn.ActionFailed
		v := Classify(&dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{*rc}}, rc, nil)
		if v.Status.String() != tt.want {
			t.Errorf("%s: Verdict.Status = %s, want %s", tt.name, v.Status, tt.want)
		}
	}
}

// TestFactsOnce: classify takes the codes, command and host from dsn's
// fields and never re-reads them from the diagnostic (issue 8 item 1).
func TestFactsOnce(t *testing.T) {
	rc := &dsn.Recipient{Recipient: "a@example.org", Action: dsn.ActionFailed, DiagnosticType: "smtp",
		Diagnostic: "host mx.example.org[192.0.2.1] said: 550 5.1.1 <a@example.org>: user unknown (in reply to RCPT TO command)"}
	rep := &dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{*rc}}
	v := Classify(rep, rc, nil)
	if !v.Status.IsZero() {
		t.Errorf("Classify without dsn's facts: Status %s read from the text, want none", v.Status)
	}
	dsn.CompleteFacts(rc)
	v = Classify(rep, rc, nil)
	if v.Status.String() != "5.1.1" || v.Reason != UserUnknown || !v.Hard {
		t.Errorf("Classify with dsn's facts = %s %s hard=%v, want 5.1.1 userunknown hard", v.Status, v.Reason, v.Hard)
	}
}

func TestSignalNames(t *testing.T) {
	seen := map[string]bool{}
	for s := SignalUnknown; s <= SignalHostHistory; s++ {
		n := s.String()
		if n == "" || seen[n] || (s != SignalUnknown && n == "unknown") {
			t.Errorf("Signal(%d).String() = %q: empty or repeated", s, n)
		}
		seen[n] = true
	}
	if Signal(99).String() != "unknown" {
		t.Errorf("Signal(99).String() = %q, want unknown", Signal(99).String())
	}
}

// TestRuleSources: every row cites an RFC or a vendor document, never a
// corpus file name, and its id is unique.
func TestRuleSources(t *testing.T) {
	ids := map[string]bool{}
	for i := range rules {
		r := &rules[i]
		src := ruleSource(r)
		if src == "" || strings.Contains(src, "lhost-") || strings.Contains(src, "rhost-") || strings.Contains(src, ".eml") {
			t.Errorf("rule %s: source %q", r.id, src)
		}
		if ids[r.id] {
			t.Errorf("rule id %s repeated", r.id)
		}
		ids[r.id] = true
	}
}
