package classify

import (
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// TestKinds covers the verdicts decided before the reason table (issue
// item 5).
func TestKinds(t *testing.T) {
	tests := []struct {
		name   string
		rep    dsn.Report
		rcpt   dsn.Recipient
		reason Reason
		signal string
	}{
		// arf-01: RFC 5965 feedback report
		{"feedback", dsn.Report{Kind: dsn.KindFeedback, Feedback: &dsn.Feedback{Type: "abuse"}},
			dsn.Recipient{Recipient: "redacted@example.net"}, Feedback, "format"},
		// a feedback kind without the parsed fields
		{"feedback kind", dsn.Report{Kind: dsn.KindFeedback}, dsn.Recipient{}, Feedback, "format"},
		// rfc3834-01: an auto-reply with Auto-Submitted
		{"vacation", dsn.Report{Kind: dsn.KindAutoReply, AutoReply: dsn.AutoReplyMarkers{AutoSubmitted: "auto-replied"}},
			dsn.Recipient{Recipient: "kijitora@example.net"}, Vacation, "format"},
		// an auto-reply recognised by its subject only
		{"vacation kind", dsn.Report{Kind: dsn.KindAutoReply}, dsn.Recipient{}, Vacation, "format"},
		// an auto-reply even if a status slipped in: the kind decides (issue item 5)
		{"vacation with status", dsn.Report{Kind: dsn.KindAutoReply},
			dsn.Recipient{Action: dsn.ActionFailed, Status: smtpcode.MustStatus("5.1.1"), Diagnostic: "550 5.1.1 user unknown"}, Vacation, "format"},
		// lhost-amazonses-12: delivery notification
		{"delivered", dsn.Report{Kind: dsn.KindDelivery},
			dsn.Recipient{Action: dsn.ActionDelivered, Status: smtpcode.MustStatus("2.6.0")}, Delivered, "action"},
		{"relayed", dsn.Report{Kind: dsn.KindDelivery}, dsn.Recipient{Action: dsn.ActionRelayed}, Delivered, "action"},
		{"expanded", dsn.Report{Kind: dsn.KindDelivery}, dsn.Recipient{Action: dsn.ActionExpanded}, Delivered, "action"},
		// rfc3464-28: Postfix address verification writes "deliverable"
		{"deliverable", dsn.Report{Kind: dsn.KindDelivery},
			dsn.Recipient{Action: "deliverable", Status: smtpcode.MustStatus("2.1.5"), Diagnostic: "250 2.1.5 Ok"}, Delivered, "action"},
		// success status without an action
		{"2.x.x without action", dsn.Report{}, dsn.Recipient{Status: smtpcode.MustStatus("2.0.0")}, Delivered, "action"},
		// lhost-gmail-08: delay warning with no cause
		{"delay without cause", dsn.Report{Kind: dsn.KindDelay}, dsn.Recipient{Action: dsn.ActionDelayed}, Expired, "action"},
		// transient with nothing recognisable
		{"transient unknown", dsn.Report{Kind: dsn.KindBounce},
			dsn.Recipient{Action: dsn.ActionFailed, Status: smtpcode.MustStatus("4.0.0"), Diagnostic: "4.0.0 nyaan"}, OnHold, "status"},
		// lhost-x3-05: permanent with nothing recognisable
		{"permanent unknown", dsn.Report{Kind: dsn.KindBounce},
			dsn.Recipient{Action: dsn.ActionFailed, Status: smtpcode.MustStatus("5.0.0"), Diagnostic: "5.0.0 nyaan"}, Undefined, "status"},
		{"nothing at all", dsn.Report{Kind: dsn.KindBounce}, dsn.Recipient{Action: dsn.ActionFailed}, Undefined, "action"},
	}
	for _, tt := range tests {
		v := Classify(&tt.rep, &tt.rcpt, nil)
		if v.Reason != tt.reason || v.Hard {
			t.Errorf("%s: Classify = %s hard=%v, want %s hard=false", tt.name, v.Reason, v.Hard, tt.reason)
		}
		if !hasSignal(v, tt.signal) {
			t.Errorf("%s: evidence %+v lacks signal %q", tt.name, v.Evidence, tt.signal)
		}
	}
}

func TestNilArguments(t *testing.T) {
	v := Classify(nil, nil, nil)
	if v.Reason != Undefined || v.Hard || v.Side != SideUnknown {
		t.Errorf("Classify(nil, nil, nil) = %+v, want undefined, unknown side, not hard", v)
	}
}

// TestPermanent covers every branch of facts.permanent.
func TestPermanent(t *testing.T) {
	st := smtpcode.MustStatus
	tests := []struct {
		name string
		f    facts
		want bool
	}{
		{"delayed action", facts{action: dsn.ActionDelayed, status: st("5.1.1")}, false},
		{"delay kind, no action", facts{kind: dsn.KindDelay, status: st("5.1.1")}, false},
		{"specific 5.x.x", facts{action: dsn.ActionFailed, status: st("5.1.1"), reply: 450}, true},
		{"specific 4.x.x", facts{action: dsn.ActionFailed, status: st("4.1.1"), reply: 550}, false},
		{"generic 4.0.0, reply 554", facts{action: dsn.ActionFailed, status: st("4.0.0"), reply: 554}, true},
		{"generic 5.0.0, reply 421", facts{action: dsn.ActionFailed, status: st("5.0.0"), reply: 421}, false},
		{"no status, reply 550", facts{action: dsn.ActionFailed, reply: 550}, true},
		{"no status, reply 451", facts{action: dsn.ActionFailed, reply: 451}, false},
		{"generic 5.0.0 alone", facts{action: dsn.ActionFailed, status: st("5.0.0")}, true},
		{"generic 4.0.0 alone", facts{action: dsn.ActionFailed, status: st("4.0.0")}, false},
		{"bogus reply 222 is ignored", facts{action: dsn.ActionFailed, reply: 222}, true},
		{"failed, no codes", facts{action: dsn.ActionFailed}, true},
		{"no action, bounce", facts{kind: dsn.KindBounce}, true},
		{"no action, unknown kind", facts{}, false},
	}
	for _, tt := range tests {
		if got := tt.f.permanent(); got != tt.want {
			t.Errorf("%s: permanent() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestNeverHard: the item 2 — refusals of the sender's IP, policy,
// content, rate limits and relay denials never suppress the recipient.
func TestNeverHard(t *testing.T) {
	for _, c := range append(append([]ruleCase{}, ruleCases...), moreCases...) {
		rep, rc := c.facts()
		v := Classify(rep, rc, nil)
		if v.Hard && !isHardReason(v.Reason) {
			t.Errorf("Classify(%q) = %s hard, a %s is never a hard bounce", c.diag, v.Reason, v.Reason)
		}
	}
	for _, r := range []Reason{Blocked, BadReputation, PolicyViolation, ContentError, RateLimited, NoRelaying,
		SpamDetected, AuthFailure, RequirePTR, SecurityError, Rejected, Expired, MailboxFull, Filtered} {
		if isHardReason(r) {
			t.Errorf("isHardReason(%s) = true, want false", r)
		}
	}
}

// TestSides checks the default side of every reason of REASONS.md.
func TestSides(t *testing.T) {
	tests := []struct {
		r    Reason
		want Side
	}{
		{UserUnknown, SideRecipient}, {HostUnknown, SideRecipient}, {HasMoved, SideRecipient},
		{MailboxFull, SideRecipient}, {Suspend, SideRecipient}, {NotAccept, SideRecipient},
		{SystemError, SideRecipient}, {SystemFull, SideRecipient}, {MailerError, SideRecipient},
		{Filtered, SideRecipient},
		{AuthFailure, SideSender}, {BadReputation, SideSender}, {Blocked, SideSender},
		{ContentError, SideSender}, {EmailTooLarge, SideSender}, {NotCompliantRFC, SideSender},
		{PolicyViolation, SideSender}, {RateLimited, SideSender}, {Rejected, SideSender},
		{RequirePTR, SideSender}, {SecurityError, SideSender}, {SpamDetected, SideSender},
		{SyntaxError, SideSender}, {VirusDetected, SideSender},
		{Expired, SideNetwork}, {NetworkError, SideNetwork}, {FailedSTARTTLS, SideNetwork},
		{Delivered, SideUnknown}, {Feedback, SideUnknown}, {Vacation, SideUnknown},
		{Suppressed, SideUnknown}, {OnHold, SideUnknown}, {Undefined, SideUnknown},
		{NoRelaying, SideUnknown},
	}
	for _, tt := range tests {
		if got := defaultSide(tt.r); got != tt.want {
			t.Errorf("defaultSide(%s) = %s, want %s", tt.r, got, tt.want)
		}
	}
	// lhost-postfix-59: Gmail's per-user rate limit is the recipient's side.
	rep, rc := ruleCases[18].facts()
	if v := Classify(rep, rc, nil); v.Reason != RateLimited || v.Side != SideRecipient {
		t.Errorf("Gmail 5.2.1 rate: %s/%s, want ratelimited/recipient", v.Reason, v.Side)
	}
}

// TestReportText: when the diagnostic decides nothing, the report's text
// speaks for the recipient.
func TestReportText(t *testing.T) {
	// lhost-imailserver-01: only one recipient, the text names the cause.
	rep := &dsn.Report{Kind: dsn.KindBounce, Text: "Unknown user: kijitora@example.com\n",
		Recipients: []dsn.Recipient{{Recipient: "kijitora@example.com", Action: dsn.ActionFailed}}}
	v := Classify(rep, &rep.Recipients[0], nil)
	if v.Reason != UserUnknown || !v.Hard {
		t.Errorf("single recipient text: %s hard=%v, want userunknown hard", v.Reason, v.Hard)
	}
	// lhost-x2-02: three recipients, each followed by its own cause.
	rep = &dsn.Report{Kind: dsn.KindBounce, Text: "<kijitora@example.com>:\nThis user doesn't have a example.com account (kijitora@example.com) [0]\n" +
		"<mikeneko@example.com>:\nSorry your message to mikeneko@example.com cannot be delivered. This account has been disabled or discontinued [#102].\n",
		Recipients: []dsn.Recipient{{Recipient: "kijitora@example.com", Action: dsn.ActionFailed}, {Recipient: "mikeneko@example.com", Action: dsn.ActionFailed}, {Recipient: "other@example.com", Action: dsn.ActionFailed}}}
	want := []Reason{UserUnknown, Suspend, Undefined}
	for i := range rep.Recipients {
		if v := Classify(rep, &rep.Recipients[i], nil); v.Reason != want[i] {
			t.Errorf("recipient %d: %s, want %s", i, v.Reason, want[i])
		}
	}
	// A specific status beats the text.
	rep = &dsn.Report{Kind: dsn.KindBounce, Text: "mailbox full",
		Recipients: []dsn.Recipient{{Recipient: "a@example.com", Action: dsn.ActionFailed, Status: smtpcode.MustStatus("5.1.1")}}}
	if v := Classify(rep, &rep.Recipients[0], nil); v.Reason != UserUnknown {
		t.Errorf("status over text: %s, want userunknown", v.Reason)
	}
}

// TestConfidence: agreeing status codes raise the confidence, a
// contradicting one lowers it, and every verdict stays in 0..1 with evidence.
func TestConfidence(t *testing.T) {
	mk := func(status, diag string) float64 {
		rep, rc := ruleCase{status: status, reply: 550, diag: diag}.facts()
		return Classify(rep, rc, nil).Confidence
	}
	agree, alone, against := mk("5.1.1", "550 5.1.1 user unknown"), mk("5.0.0", "550 user unknown"), mk("5.2.2", "550 5.2.2 user unknown")
	if !(agree > alone && alone > against) {
		t.Errorf("confidence agree %v, alone %v, against %v: want decreasing", agree, alone, against)
	}
	for _, c := range append(append([]ruleCase{}, ruleCases...), moreCases...) {
		rep, rc := c.facts()
		v := Classify(rep, rc, nil)
		if v.Confidence <= 0 || v.Confidence > 1 || len(v.Evidence) == 0 || v.Side == "" {
			t.Errorf("Classify(%q) = confidence %v, %d evidence, side %q", c.diag, v.Confidence, len(v.Evidence), v.Side)
		}
	}
}

// TestDeterministicAndConcurrent: equal inputs give equal verdicts, also
// from many goroutines (run with -race).
func TestDeterministicAndConcurrent(t *testing.T) {
	cases := append(append([]ruleCase{}, ruleCases...), moreCases...)
	want := make([]Verdict, len(cases))
	hist := &History{Domain: "example.org", Total: 10, DistinctSenders: 5, Reasons: map[string]int64{"norelaying": 8, "userunknown": 2}}
	for i, c := range cases {
		rep, rc := c.facts()
		want[i] = Classify(rep, rc, hist)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range cases {
				rep, rc := c.facts()
				if got := Classify(rep, rc, hist); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("Classify(%q) changed between calls:\n%+v\n%+v", c.diag, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// TestCorpusInvariants runs the real parser over the corpus and checks what
// must hold whatever the parser finds: hard only for the hard reasons and
// never for a delay, a side and evidence always, equal verdicts twice.
func TestCorpusInvariants(t *testing.T) {
	for f, rep := range corpusReports(t) {
		for i := range rep.Recipients {
			rc := &rep.Recipients[i]
			v := Classify(rep, rc, nil)
			if v.Hard && (!isHardReason(v.Reason) || rc.Action == dsn.ActionDelayed) {
				t.Errorf("%s %s: %s hard with action %q", filepath.Base(f), rc.Recipient, v.Reason, rc.Action)
			}
			if v.Side == "" || len(v.Evidence) == 0 || v.Confidence <= 0 || v.Confidence > 1 {
				t.Errorf("%s %s: side %q, %d evidence, confidence %v", filepath.Base(f), rc.Recipient, v.Side, len(v.Evidence), v.Confidence)
			}
			if again := Classify(rep, rc, nil); !reflect.DeepEqual(v, again) {
				t.Errorf("%s %s: verdict differs between calls", filepath.Base(f), rc.Recipient)
			}
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	cases := append(append([]ruleCase{}, ruleCases...), moreCases...)
	type in struct {
		rep *dsn.Report
		rc  *dsn.Recipient
	}
	ins := make([]in, len(cases))
	for i, c := range cases {
		rep, rc := c.facts()
		ins[i] = in{rep, rc}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := ins[i%len(ins)]
		Classify(x.rep, x.rc, nil)
	}
}

// BenchmarkClassifyCorpus classifies every recipient of the parsed corpus
// (parsing is not timed).
func BenchmarkClassifyCorpus(b *testing.B) {
	type in struct {
		rep *dsn.Report
		rc  *dsn.Recipient
	}
	var ins []in
	for _, rep := range corpusReports(b) {
		for i := range rep.Recipients {
			ins = append(ins, in{rep, &rep.Recipients[i]})
		}
	}
	if len(ins) == 0 {
		b.Skip("no corpus")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := ins[i%len(ins)]
		Classify(x.rep, x.rc, nil)
	}
}

// TestLimits crosses each limit on the text the classifier reads.
func TestLimits(t *testing.T) {
	pad := strings.Repeat("x", MaxDiagnosticBytes)
	rc := &dsn.Recipient{Recipient: "a@example.org", Action: dsn.ActionFailed, Diagnostic: "550 mailbox full " + pad}
	if v := Classify(&dsn.Report{Kind: dsn.KindBounce}, rc, nil); v.Reason != MailboxFull {
		t.Errorf("phrase inside MaxDiagnosticBytes: %s, want mailboxfull", v.Reason)
	}
	rc.Diagnostic = "550 " + pad + " mailbox full"
	if v := Classify(&dsn.Report{Kind: dsn.KindBounce}, rc, nil); v.Reason == MailboxFull {
		t.Errorf("phrase beyond MaxDiagnosticBytes was read")
	}

	rep := &dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{{Recipient: "a@example.org", Action: dsn.ActionFailed}}}
	rep.Text = strings.Repeat("y", MaxTextBytes-20) + " mailbox full"
	if v := Classify(rep, &rep.Recipients[0], nil); v.Reason != MailboxFull {
		t.Errorf("phrase inside MaxTextBytes: %s, want mailboxfull", v.Reason)
	}
	rep.Text = strings.Repeat("y", MaxTextBytes) + " mailbox full"
	if v := Classify(rep, &rep.Recipients[0], nil); v.Reason == MailboxFull {
		t.Errorf("phrase beyond MaxTextBytes was read")
	}

	// Two recipients: the window after the address is TextWindowBytes long.
	rep.Recipients = append(rep.Recipients, dsn.Recipient{Recipient: "b@example.org", Action: dsn.ActionFailed})
	rep.Text = "a@example.org: " + strings.Repeat("z", TextWindowBytes-40) + " mailbox full"
	if v := Classify(rep, &rep.Recipients[0], nil); v.Reason != MailboxFull {
		t.Errorf("phrase inside TextWindowBytes: %s, want mailboxfull", v.Reason)
	}
	rep.Text = "a@example.org: " + strings.Repeat("z", TextWindowBytes) + " mailbox full"
	if v := Classify(rep, &rep.Recipients[0], nil); v.Reason == MailboxFull {
		t.Errorf("phrase beyond TextWindowBytes was read")
	}
}

// TestNoted: the remembered evidence values are the concatenations, for
// more codes and sentences than the cache has slots (so entries are
// replaced), each asked twice.
func TestNoted(t *testing.T) {
	for round := 0; round < 2; round++ {
		for _, c := range []int{0, 4, 5} {
			for s := 0; s < 8; s++ {
				for d := 0; d < 30; d++ {
					st := smtpcode.Status{Class: c, Subject: s, Detail: d}
					if c == 0 {
						st = smtpcode.Status{}
					}
					for _, reply := range []smtpcode.ReplyCode{0, 421, 550, 554} {
						for _, sfx := range []string{"", " agrees", " (Status field)"} {
							code := st.String()
							if st.IsZero() {
								code = reply.String()
							}
							if got, want := noted(st, reply, sfx, "", "!"), code+sfx+"!"; got != want {
								t.Fatalf("noted(%v, %v, %q) = %q, want %q", st, reply, sfx, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestEvidenceRoom: a verdict written into the caller's room for evidence
// (Input.Evidence, holding stale pieces) equals one written into its own.
func TestEvidenceRoom(t *testing.T) {
	stale := Evidence{Signal: SignalDNS, Value: "stale"}
	n := 0
	for file, rep := range corpusReports(t) {
		for i := range rep.Recipients {
			rc := &rep.Recipients[i]
			room := []Evidence{stale, stale, stale, stale}
			got := ClassifyWith(rep, rc, Input{Evidence: room})
			want := ClassifyWith(rep, rc, Input{})
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s: with room for evidence %+v, without %+v", filepath.Base(file), rc.Recipient, got, want)
			}
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d recipients", n)
	}
}

// TestDomainGoneScan: the phrase scan that guards domainMissing never
// hides a missing domain it would have found.
func TestDomainGoneScan(t *testing.T) {
	n := 0
	for _, sep := range []string{" ", ": ", " > ", "\"", "'", "", "-", ".", "x"} {
		for _, w := range append(domainMissingWords, "exists", "is fine") {
			for _, pre := range []string{"550 5.4.310 DNS domain ", "Host ", "<a@", "", "sub."} {
				rep := &dsn.Report{Kind: dsn.KindBounce}
				rc := &dsn.Recipient{Recipient: "a@Example.ORG", Action: dsn.ActionFailed, Diagnostic: pre + "example.org" + sep + strings.ToUpper(w)}
				var f facts
				f.gather(rep, rc, new([]byte))
				if got, want := f.domainGone(), domainMissing(f.lowDiag(), "example.org"); got != want {
					t.Errorf("domainGone(%q) = %v, domainMissing = %v", rc.Diagnostic, got, want)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no cases")
	}
}

// corpusReports parses every corpus message (dsn.Options{}) and yields the
// file and report of those that parse (dsn's own tests cover the others),
// failing the test when the corpus is missing.
func corpusReports(tb testing.TB) iter.Seq2[string, *dsn.Report] {
	tb.Helper()
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	if len(files) == 0 {
		tb.Fatal("no corpus in testdata/bounces/maildir")
	}
	var names []string
	var reps []*dsn.Report
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		if rep, err := dsn.Parse(raw, dsn.Options{}); err == nil {
			names, reps = append(names, f), append(reps, rep)
		}
	}
	return func(yield func(string, *dsn.Report) bool) {
		for i, rep := range reps {
			if !yield(names[i], rep) {
				return
			}
		}
	}
}
