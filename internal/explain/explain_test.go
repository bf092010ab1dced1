package explain

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

var audiences = []Audience{Marketer, EndUser, Admin}

var sides = []classify.Side{classify.SideSender, classify.SideRecipient, classify.SideNetwork, classify.SideUnknown, ""}

// relayRcpt is the recipient of testdata/bounces/maildir/bsd/lhost-sendmail-07.eml,
// "554 5.7.1 <kijitora@example.org>: Relay access denied" at RCPT.
func relayRcpt() *dsn.Recipient {
	return &dsn.Recipient{
		Recipient:  "kijitora@example.org",
		Action:     dsn.ActionFailed,
		Status:     smtpcode.MustStatus("5.7.1"),
		ReplyCode:  554,
		Command:    "RCPT",
		Diagnostic: "554 5.7.1 <kijitora@example.org>: Relay access denied",
		RemoteMTA:  "mailin-01.mx.example.com",
	}
}

// relayReport is the report around relayRcpt.
func relayReport() *dsn.Report {
	return &dsn.Report{
		Kind:         dsn.KindBounce,
		ReportingMTA: "vsmtp08.example.ne.jp",
		Original:     dsn.Original{From: "kijitora@example.ne.jp", To: "kijitora@example.org", Subject: "TEST", Found: true},
	}
}

// vacationReport is a bounce of an out-of-office reply (DESIGN.md
// "Auto-replies"): the client's responder answered the platform's no-reply
// address, whose MX refused it with "550 5.7.1 relaying denied".
func vacationReport() (*dsn.Report, *dsn.Recipient) {
	rep := &dsn.Report{
		Kind:         dsn.KindBounce,
		ReportingMTA: "mx.client.example",
		Original: dsn.Original{
			From:      "client@client.example",
			To:        "no-reply@platform.example",
			Subject:   "Automatic reply: Your March newsletter",
			AutoReply: dsn.AutoReplyMarkers{AutoSubmitted: "auto-replied"},
			Found:     true,
		},
	}
	rc := &dsn.Recipient{
		Recipient:  "no-reply@platform.example",
		Action:     dsn.ActionFailed,
		Status:     smtpcode.MustStatus("5.7.1"),
		ReplyCode:  550,
		Command:    "RCPT",
		Diagnostic: "550 5.7.1 <no-reply@platform.example>: Relaying denied",
		RemoteMTA:  "mx1.platform.example",
	}
	return rep, rc
}

// indexOf returns the index of the first step containing s, or -1.
func indexOf(steps []string, s string) int {
	return slices.IndexFunc(steps, func(x string) bool { return strings.Contains(x, s) })
}

func all(e Explanation) string {
	return e.Headline + "\n" + e.WhatHappened + "\n" + e.WhoseSide + "\n" + strings.Join(e.Steps, "\n")
}

func TestExplainRelayDenied(t *testing.T) {
	vrep, vrc := vacationReport()
	tests := []struct {
		name  string
		v     classify.Verdict
		rep   *dsn.Report
		rcpt  *dsn.Recipient
		aud   Audience
		lang  string
		steps []string // must appear in the steps, in this order
		text  []string // must appear somewhere
	}{
		{
			// DESIGN.md "Relaying denied", cause 1: the sender's own relay refused.
			name:  "sender side, admin",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender},
			rep:   relayReport(),
			rcpt:  &dsn.Recipient{Recipient: "kijitora@example.org", Status: smtpcode.MustStatus("5.7.1"), ReplyCode: 554, RemoteMTA: "smtp.relay.example.ne.jp", Diagnostic: "554 5.7.1 <kijitora@example.org>: Relay access denied"},
			aud:   Admin,
			steps: []string{"587", "STARTTLS", "permit_sasl_authenticated", "mynetworks", "relay_from_hosts", "Dovecot", "Cyrus", "delisting"},
			text:  []string{"smtp.relay.example.ne.jp", "554 5.7.1", "Relay access denied", "smtpd_relay_restrictions", "reject_unauth_destination", "acl_smtp_rcpt", "receive connector"},
		},
		{
			// The same for a client: plain words, port 587 and STARTTLS, keep the address.
			name:  "sender side, marketer",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender},
			rep:   relayReport(),
			rcpt:  relayRcpt(),
			aud:   Marketer,
			steps: []string{"port 587", "Do not remove the recipient"},
			text:  []string{"did not log in", "The recipient and their address are fine"},
		},
		{
			// DESIGN.md "Relaying denied", cause 2: lhost-sendmail-07.eml, the MX
			// mailin-01.mx.example.com of example.org refused.
			name:  "recipient side, admin",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient},
			rep:   relayReport(),
			rcpt:  relayRcpt(),
			aud:   Admin,
			steps: []string{"dig +short MX example.org", "mydestination", "relay_domains", "accepted domain", "MX records"},
			text:  []string{"mailin-01.mx.example.com", "Recipient side"},
		},
		{
			// Recipient side for a client: nothing to change in the sending.
			name:  "recipient side, marketer",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient},
			rep:   relayReport(),
			rcpt:  relayRcpt(),
			aud:   Marketer,
			steps: []string{"No change to your sending", "example.org"},
			text:  []string{"does not treat the domain as one of its own"},
		},
		{
			// DESIGN.md: "say UNKNOWN with both hypotheses in the explanation".
			name:  "unknown side, admin",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideUnknown},
			rep:   relayReport(),
			rcpt:  relayRcpt(),
			aud:   Admin,
			steps: []string{"dig +short MX example.org", "587", "permit_sasl_authenticated", "mydestination"},
			text:  []string{"Hypothesis 1, sender side", "Hypothesis 2, recipient side", "Unknown:"},
		},
		{
			// Both hypotheses in plain words too.
			name: "unknown side, marketer",
			v:    classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideUnknown},
			rep:  relayReport(),
			rcpt: relayRcpt(),
			aud:  Marketer,
			text: []string{"two opposite causes", "did not log in", "does not recognise the domain as its own", "Undecided"},
		},
		{
			// A verdict without a side is the undecided story, not a guess.
			name: "no side, end user",
			v:    classify.Verdict{Reason: classify.NoRelaying},
			rep:  relayReport(),
			rcpt: relayRcpt(),
			aud:  EndUser,
			text: []string{"Either your email program did not sign in", "or the recipient's domain"},
		},
		{
			// DESIGN.md "Auto-replies": vacation reply refused by a platform's
			// return address with 550 5.7.1 relaying denied.
			name:  "vacation original, marketer",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient},
			rep:   vrep,
			rcpt:  vrc,
			aud:   Marketer,
			steps: []string{"mailbox is fine"},
			text:  []string{"out of office", "no-reply@platform.example", "“relaying denied”", "550 5.7.1", "The client's mailbox is fine"},
		},
		{
			// The same bounce for the platform's admin.
			name:  "vacation original, admin",
			v:     classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient},
			rep:   vrep,
			rcpt:  vrc,
			aud:   Admin,
			steps: []string{"dig +short MX platform.example", "mydestination", "DISCARD", "Auto-Submitted: auto-generated", "client@client.example"},
			text:  []string{"RFC 3834 auto-reply from client@client.example", "mailbox and server are fine"},
		},
		{
			// Side is not what tells the auto-reply story: the original is.
			name: "vacation original, side unknown, end user",
			v:    classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideUnknown},
			rep:  vrep,
			rcpt: vrc,
			aud:  EndUser,
			text: []string{"your mailbox is fine", "Your mailbox works normally"},
		},
		{
			// An auto-reply refused as unknown user: the generic auto-reply story.
			name: "vacation original, userunknown, marketer",
			v:    classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideRecipient},
			rep:  vrep,
			rcpt: &dsn.Recipient{Recipient: "no-reply@platform.example", Status: smtpcode.MustStatus("5.1.1"), ReplyCode: 550},
			aud:  Marketer,
			text: []string{"automatic reply", "The client's mailbox is fine", "550 5.1.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rep != nil {
				tt.v.OriginalIsAutoReply = tt.rep.Original.IsAutoReply() // as classify.Classify sets it
			}
			got := Explain(tt.v, tt.rep, tt.rcpt, tt.aud, tt.lang)
			last := -1
			for _, w := range tt.steps {
				i := indexOf(got.Steps[max(last, 0):], w)
				if i < 0 {
					t.Errorf("Explain(%s/%s, %s).Steps = %q, want %q in a step at or after step %d", tt.v.Reason, tt.v.Side, tt.aud, got.Steps, w, max(last, 0))
					continue
				}
				last = max(last, 0) + i
			}
			text := all(got)
			for _, w := range tt.text {
				if !strings.Contains(text, w) {
					t.Errorf("Explain(%s/%s, %s) = %q, want it to contain %q", tt.v.Reason, tt.v.Side, tt.aud, text, w)
				}
			}
		})
	}
}

func TestExplainSenderStepsOrder(t *testing.T) {
	// The brief's order for a relay denied on the sender's side: authenticate
	// on 587 with STARTTLS first, then the relay restrictions, then SASL,
	// and delisting only after fixing the cause.
	got := Explain(classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}, relayReport(), relayRcpt(), Admin, "en")
	order := []string{"port 587", "permit_sasl_authenticated", "testsaslauthd", "request delisting"}
	prev := -1
	for _, w := range order {
		i := indexOf(got.Steps, w)
		if i <= prev {
			t.Errorf("step with %q at %d, want after %d; steps %q", w, i, prev, got.Steps)
		}
		prev = i
	}
}

func TestExplainLanguage(t *testing.T) {
	v := classify.Verdict{Reason: classify.MailboxFull, Side: classify.SideRecipient}
	tests := []struct {
		lang string
		want string
	}{
		{"", "en"},                        // API: empty falls back to English
		{"en", "en"},                      // plain
		{"en-US", "en"},                   // region subtag
		{"fr", "fr"},                      // French catalog
		{"fr-CA", "fr"},                   // BCP 47 region
		{"FR-be", "fr"},                   // tags are case-insensitive (RFC 5646 section 2.1.1)
		{"fr_FR", "fr"},                   // QUIRK: POSIX locale style
		{"fr-CA,fr;q=0.9,en;q=0.8", "fr"}, // QUIRK: first entry of Accept-Language
		{" fr ", "fr"},                    // stray spaces
		{"de", "en"},                      // no German catalog
		{"f", "en"},                       // not a prefix match
		{"fra", "en"},                     // ISO 639-2 code is not the BCP 47 tag
		{"x-klingon", "en"},
	}
	for _, tt := range tests {
		got := Explain(v, relayReport(), relayRcpt(), Marketer, tt.lang)
		if got.Language != tt.want {
			t.Errorf("Explain(lang %q).Language = %q, want %q", tt.lang, got.Language, tt.want)
		}
	}
	en := Explain(v, relayReport(), relayRcpt(), Marketer, "en")
	fr := Explain(v, relayReport(), relayRcpt(), Marketer, "fr")
	if en.Headline == fr.Headline {
		t.Errorf("French headline = English headline %q", fr.Headline)
	}
}

func TestExplainAudience(t *testing.T) {
	v := classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideRecipient}
	tests := []struct {
		in, want Audience
	}{
		{Marketer, Marketer}, // zero value
		{EndUser, EndUser},
		{Admin, Admin},
		{Audience(7), Marketer},  // out of range: the default
		{Audience(-1), Marketer}, // out of range: the default
	}
	for _, tt := range tests {
		if got := Explain(v, nil, relayRcpt(), tt.in, "").Audience; got != tt.want {
			t.Errorf("Explain(aud %d).Audience = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		a    Audience
		want string
	}{{Marketer, "MARKETER"}, {EndUser, "END_USER"}, {Admin, "ADMIN"}, {Audience(9), "Audience(9)"}} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("Audience(%d).String() = %q, want %q", int(tt.a), got, tt.want)
		}
	}
}

func TestExplainWhoseSide(t *testing.T) {
	rc := relayRcpt()
	tests := []struct {
		v    classify.Verdict
		want string
	}{
		// The reason's usual side: the entry's own sentence.
		{classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideRecipient}, "Recipient side: no such mailbox."},
		// Another side with no variant: the story stays, the side follows the verdict.
		{classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideNetwork}, fixedText(t, english, whoseOf(english, classify.SideNetwork, Admin))},
		{classify.Verdict{Reason: classify.SpamDetected, Side: classify.SideRecipient}, fixedText(t, english, whoseOf(english, classify.SideRecipient, Admin))},
		// A side variant: its own sentence.
		{classify.Verdict{Reason: classify.Blocked, Side: classify.SideRecipient}, "Recipient side: its local policy blocks your IP or domain."},
		// A reason with no usual side: the entry's sentence for any side.
		{classify.Verdict{Reason: classify.Delivered, Side: classify.SideSender}, "No side: nothing failed."},
		// An empty side reads as unknown.
		{classify.Verdict{Reason: classify.MailboxFull}, fixedText(t, english, whoseOf(english, classify.SideUnknown, Admin))},
	}
	for _, tt := range tests {
		if got := Explain(tt.v, nil, rc, Admin, "en").WhoseSide; got != tt.want {
			t.Errorf("Explain(%s/%q).WhoseSide = %q, want %q", tt.v.Reason, tt.v.Side, got, tt.want)
		}
	}
}

func TestExplainReasonFallback(t *testing.T) {
	rc := relayRcpt()
	tests := []struct {
		reason classify.Reason
		want   classify.Reason // whose English marketer headline is used
	}{
		{"mesgtoobig", classify.EmailTooLarge},  // older name, corpus truth.jsonl
		{"exceedlimit", classify.EmailTooLarge}, // older name, corpus truth.jsonl
		{"speeding", classify.RateLimited},      // older name, corpus truth.jsonl
		{"toomanyconn", classify.RateLimited},   // older name, corpus truth.jsonl
		{"nosuchreason", classify.Undefined},    // not in the vocabulary
		{"", classify.Undefined},                // zero Verdict
	}
	for _, tt := range tests {
		got := Explain(classify.Verdict{Reason: tt.reason}, nil, rc, Marketer, "en").Headline
		if want := fixedText(t, english, &english.texts[english.compiled[key{Reason: tt.want}]][Marketer].headline); got != want {
			t.Errorf("Explain(%q).Headline = %q, want %q", tt.reason, got, want)
		}
	}
}

func TestExplainFacts(t *testing.T) {
	long := strings.Repeat("blocked using zen.spamhaus.org; ", 20) // 640 bytes
	tests := []struct {
		name string
		rcpt *dsn.Recipient
		want []string
		not  []string
	}{
		{
			// lhost-sendmail-07.eml: every fact present.
			name: "all facts",
			rcpt: relayRcpt(),
			want: []string{"kijitora@example.org", "mailin-01.mx.example.com", "(554 5.7.1)", "“554 5.7.1 <kijitora@example.org>: Relay access denied”"},
		},
		{
			// No codes, no MTA, no diagnostic: the optional clauses disappear.
			name: "bare recipient",
			rcpt: &dsn.Recipient{Recipient: "a@b.example"},
			want: []string{"Relay denied by your own relay: client not authenticated", "a@b.example"},
			not:  []string{"()", "“”", "Diagnostic", "no code"},
		},
		{
			// Only a reply code (Exim often gives no enhanced code).
			name: "reply code only",
			rcpt: &dsn.Recipient{Recipient: "a@b.example", ReplyCode: 550},
			want: []string{"(550)"},
		},
		{
			// Only a status, the reply code lost.
			name: "status only",
			rcpt: &dsn.Recipient{Recipient: "a@b.example", Status: smtpcode.MustStatus("4.7.1")},
			want: []string{"(4.7.1)"},
		},
		{
			// Original-Recipient when Final-Recipient is missing.
			name: "original recipient",
			rcpt: &dsn.Recipient{OriginalRecipient: "orig@o.example"},
			want: []string{"orig@o.example", "an MX of o.example"},
		},
		{
			// A folded diagnostic with tabs and CRLF is one line.
			name: "folded diagnostic",
			rcpt: &dsn.Recipient{Recipient: "a@b.example", Diagnostic: "554 5.7.1\r\n\t<a@b.example>:   Relay access denied\x00"},
			want: []string{"“554 5.7.1 <a@b.example>: Relay access denied”"},
		},
		{
			// A long diagnostic is cut at MaxExcerptBytes with an ellipsis.
			name: "long diagnostic",
			rcpt: &dsn.Recipient{Recipient: "a@b.example", Diagnostic: long},
			want: []string{"“" + strings.TrimRight(long[:MaxExcerptBytes], " ") + "…”"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all(Explain(classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}, nil, tt.rcpt, Admin, "en"))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explain() = %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("Explain() = %q, want no %q", got, w)
				}
			}
		})
	}
}

// reasonConstants reads the Reason constants declared in package classify,
// so a reason added there without an explanation fails this test.
func reasonConstants(t *testing.T) []classify.Reason {
	t.Helper()
	names, err := filepath.Glob("../classify/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []classify.Reason
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		{
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					id, ok := vs.Type.(*ast.Ident)
					if !ok || id.Name != "Reason" {
						continue
					}
					for _, v := range vs.Values {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, err := strconv.Unquote(lit.Value)
							if err != nil {
								t.Fatal(err)
							}
							out = append(out, classify.Reason(s))
						}
					}
				}
			}
		}
	}
	if len(out) < 34 { // REASONS.md lists 34
		t.Fatalf("found %d Reason constants in ../classify, want at least 34", len(out))
	}
	return out
}

// checkText fails on empty or broken output.
func checkText(t *testing.T, what string, e Explanation) {
	t.Helper()
	fields := map[string]string{"Headline": e.Headline, "WhatHappened": e.WhatHappened, "WhoseSide": e.WhoseSide}
	for i, s := range e.Steps {
		fields["Steps["+strconv.Itoa(i)+"]"] = s
	}
	if len(e.Steps) == 0 {
		t.Errorf("%s: no steps", what)
	}
	for name, s := range fields {
		switch {
		case strings.TrimSpace(s) == "":
			t.Errorf("%s: %s is empty", what, name)
		case s != strings.TrimSpace(s) || strings.Contains(s, "  "):
			t.Errorf("%s: %s = %q has stray spaces", what, name, s)
		case !utf8.ValidString(s):
			t.Errorf("%s: %s = %q is not UTF-8", what, name, s)
		}
		for _, bad := range []string{"<no value>", "{{", "}}", "{", "}", "[[", "]]", "%!", "()", "“”", "« »"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: %s = %q contains %q", what, name, s, bad)
			}
		}
	}
}

func TestEveryReasonAudienceLanguage(t *testing.T) {
	reasons := reasonConstants(t)
	for r := range aliases {
		reasons = append(reasons, r)
	}
	vrep, _ := vacationReport()
	facts := []struct {
		name string
		rep  *dsn.Report
		rcpt *dsn.Recipient
	}{
		{"full", relayReport(), relayRcpt()},
		{"nil", nil, nil},
		{"empty", &dsn.Report{}, &dsn.Recipient{}},
		{"autoreply", vrep, relayRcpt()},
	}
	for _, r := range reasons {
		if _, ok := english.compiled[key{Reason: r}]; !ok && aliases[r] == "" {
			t.Errorf("reason %q has no English entry", r)
		}
		for _, l := range langs {
			for _, a := range audiences {
				for _, s := range sides {
					for _, f := range facts {
						what := string(r) + "/" + string(s) + "/" + a.String() + "/" + l.tag + "/" + f.name
						e := Explain(classify.Verdict{Reason: r, Side: s}, f.rep, f.rcpt, a, l.tag)
						if e.Language != l.tag {
							t.Errorf("%s: Language = %q, want %q (catalog incomplete)", what, e.Language, l.tag)
						}
						checkText(t, what, e)
					}
				}
			}
		}
	}
}

func TestCatalogsComplete(t *testing.T) {
	// The compiled catalogs: compile drops the tables as written.
	for _, l := range langs[1:] {
		for k, en := range english.compiled {
			e, ok := l.compiled[k]
			if !ok {
				t.Errorf("%s: no entry for %s", l.tag, k)
				continue
			}
			for a := range numAudiences {
				if n, nen := l.texts[e][a].nsteps, english.texts[en][a].nsteps; n != nen {
					t.Errorf("%s %s %s: %d steps, English has %d", l.tag, k, Audience(a), n, nen)
				}
			}
		}
		for k := range l.compiled {
			if _, ok := english.compiled[k]; !ok {
				t.Errorf("%s: entry %s that English lacks, so it is never used", l.tag, k)
			}
		}
		for s := range english.cwhose {
			if _, ok := l.cwhose[s]; !ok {
				t.Errorf("%s: no whose line for side %s", l.tag, s)
			}
		}
	}
	for _, l := range langs {
		for s, name := range slotNames {
			if name != "" && l.fallback[s] == "" {
				t.Errorf("%s: no fallback words for {%s}", l.tag, name)
			}
		}
		for _, s := range sides[:4] {
			if _, ok := l.cwhose[s]; !ok {
				t.Errorf("%s: no whose line for side %s", l.tag, s)
			}
		}
	}
	// Every side variant and story must name a side resolve can produce.
	for k := range english.compiled {
		if k.Side != "" && !slices.Contains(sides[:4], k.Side) {
			t.Errorf("entry %s: unknown side", k)
		}
		if k.Reason != "" {
			if _, ok := classify.ReasonByName(string(k.Reason)); !ok {
				if _, alias := aliases[k.Reason]; !alias {
					t.Errorf("entry %s: reason not in classify.Reasons", k)
				}
			}
		}
	}
}

func TestExplainConcurrent(t *testing.T) {
	// Explain shares only read-only tables; run it under -race.
	want := Explain(classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}, relayReport(), relayRcpt(), Admin, "fr")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				got := Explain(classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}, relayReport(), relayRcpt(), Admin, "fr")
				if got.Headline != want.Headline || !slices.Equal(got.Steps, want.Steps) {
					t.Errorf("concurrent Explain differs: %q", got.Headline)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestExplainAllocs(t *testing.T) {
	v := classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}
	rep, rc := relayReport(), relayRcpt()
	// One buffer for all the text and one slice for the steps, plus one
	// in dsn.Original.IsAutoReply (it lower-cases the subject "TEST").
	if got := testing.AllocsPerRun(200, func() { Explain(v, rep, rc, Admin, "en") }); got > 3 {
		t.Errorf("Explain allocates %v times per call, want <= 3", got)
	}
	if got := testing.AllocsPerRun(200, func() { Explain(v, nil, rc, Admin, "fr") }); got > 2 {
		t.Errorf("Explain without a report allocates %v times per call, want <= 2", got)
	}
}

func BenchmarkExplain(b *testing.B) {
	vrep, vrc := vacationReport()
	cases := []struct {
		name string
		v    classify.Verdict
		rep  *dsn.Report
		rcpt *dsn.Recipient
		aud  Audience
		lang string
	}{
		{"norelaying-sender-admin-en", classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}, relayReport(), relayRcpt(), Admin, "en"},
		{"norelaying-unknown-marketer-fr", classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideUnknown}, relayReport(), relayRcpt(), Marketer, "fr-CA"},
		{"userunknown-enduser-en", classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideRecipient}, relayReport(), relayRcpt(), EndUser, ""},
		{"autoreply-marketer-en", classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient}, vrep, vrc, Marketer, "en"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Explain(c.v, c.rep, c.rcpt, c.aud, c.lang)
			}
		})
	}
}

// TestExplainInto: writing into an explanation with room for the steps
// (holding stale ones) gives what Explain gives, one allocation fewer.
func TestExplainInto(t *testing.T) {
	rep, rc := relayReport(), relayRcpt()
	eachIntoCase(func(v classify.Verdict, aud Audience, lang string) {
		room := make([]string, 6)
		for i := range room {
			room[i] = "stale"
		}
		e := Explanation{Headline: "stale", Steps: room[:0]}
		ExplainInto(&e, v, rep, rc, aud, lang)
		if want := Explain(v, rep, rc, aud, lang); !reflect.DeepEqual(e, want) {
			t.Errorf("ExplainInto(%s, %v, %s) = %+v, want %+v", v.Reason, aud, lang, e, want)
		}
	})
	v := classify.Verdict{Reason: classify.UserUnknown, Side: classify.SideRecipient}
	room := make([]string, 0, 6)
	into := testing.AllocsPerRun(100, func() {
		e := Explanation{Steps: room}
		ExplainInto(&e, v, nil, rc, Admin, "en")
	})
	fresh := testing.AllocsPerRun(100, func() { Explain(v, nil, rc, Admin, "en") })
	if into != fresh-1 {
		t.Errorf("ExplainInto with room: %v allocations, Explain %v; want one fewer", into, fresh)
	}
}

// TestExplainIntoRoom: texts written into a room (holding stale bytes)
// equal Explain's, share the room's memory when it is large enough, and
// get their own when it is not; the room beyond the texts is not written.
func TestExplainIntoRoom(t *testing.T) {
	rep, rc := relayReport(), relayRcpt()
	used := 0
	eachIntoCase(func(v classify.Verdict, aud Audience, lang string) {
		want := Explain(v, rep, rc, aud, lang)
		for _, size := range []int{4096, 8} {
			room := bytes.Repeat([]byte{0xFF}, size)
			var e Explanation
			ExplainIntoRoom(&e, room[:0], v, rep, rc, aud, lang)
			if !reflect.DeepEqual(e, want) {
				t.Fatalf("ExplainIntoRoom(%s, %v, %s, room %d) = %+v, want %+v", v.Reason, aud, lang, size, e, want)
			}
			inRoom := false
			for _, s := range append([]string{e.Headline, e.WhatHappened, e.WhoseSide}, e.Steps...) {
				if len(s) > 0 && uintptr(unsafe.Pointer(unsafe.StringData(s)))-uintptr(unsafe.Pointer(&room[0])) < uintptr(size) {
					inRoom = true
				}
			}
			if inRoom && size == 8 {
				t.Fatalf("%s %v %s: a text was written into a room too small for them", v.Reason, aud, lang)
			}
			if inRoom {
				used++
				if n := bytes.IndexByte(room, 0xFF); n < 0 || !bytes.Equal(room[n:], bytes.Repeat([]byte{0xFF}, size-n)) {
					t.Fatalf("%s %v %s: the room was written past the texts", v.Reason, aud, lang)
				}
			}
		}
	})
	if used == 0 {
		t.Fatal("no explanation was written into the room")
	}
}

// eachIntoCase calls f for the verdicts TestExplainInto and
// TestExplainIntoRoom write, in every audience and both languages.
func eachIntoCase(f func(v classify.Verdict, aud Audience, lang string)) {
	for _, v := range []classify.Verdict{
		{Reason: classify.NoRelaying, Side: classify.SideSender},
		{Reason: classify.UserUnknown, Side: classify.SideRecipient},
		{Reason: classify.Blocked, Side: classify.SideSender, DNS: &classify.DNSFacts{Failed: []string{"MX example.org: timeout"}}},
	} {
		for aud := range Audience(numAudiences) {
			for _, lang := range []string{"en", "fr"} {
				f(v, aud, lang)
			}
		}
	}
}

// TestChoiceSides: choiceSide numbers the sides as choiceSides lists them.
func TestChoiceSides(t *testing.T) {
	for i, s := range choiceSides {
		if got := choiceSide(s); got != i {
			t.Errorf("choiceSide(%q) = %d, want %d", s, got, i)
		}
	}
	if got := choiceSide("SIDEWAYS"); got != -1 {
		t.Errorf("choiceSide(%q) = %d, want -1", "SIDEWAYS", got)
	}
}

// TestChooseRemembered: the choices made at init are those made on a
// call, for every reason held, side, auto-reply and delay, in every
// language.
func TestChooseRemembered(t *testing.T) {
	for _, l := range langs {
		for _, r := range choiceReasons {
			for _, s := range choiceSides {
				for _, auto := range []bool{false, true} {
					for _, delay := range []bool{false, true} {
						if got, want := l.choose(r, s, auto, delay), l.makeChoice(r, s, auto, delay); got != want {
							t.Errorf("%s: choose(%s, %q, %v, %v) = %+v, want %+v", l.tag, r, s, auto, delay, got, want)
						}
					}
				}
			}
		}
	}
}

// whoseOf returns l's compiled sentence on side's part for audience a.
func whoseOf(l *lang, side classify.Side, a Audience) *tmpl {
	return &l.whoses[l.cwhose[side]][a]
}

// fixedText returns the text of tm, a fixed text of l's catalog (the
// catalogs as written are dropped once compiled).
func fixedText(t *testing.T, l *lang, tm *tmpl) string {
	t.Helper()
	if !tm.fixed {
		t.Fatalf("%s: text has slots or groups, want a fixed one", l.tag)
	}
	return tm.text(&l.pool)
}

// TestSourcesDropped: compile keeps the compiled catalogs only.
func TestSourcesDropped(t *testing.T) {
	for _, l := range langs {
		if l.entries != nil || l.whose != nil {
			t.Errorf("%s: the catalog as written is still held after compile", l.tag)
		}
		if len(l.compiled) == 0 || len(l.cwhose) == 0 {
			t.Errorf("%s: no compiled catalog", l.tag)
		}
	}
}
