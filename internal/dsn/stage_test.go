package dsn

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/bounced/bounced/internal/phrase"
)

// TestRemoteHostKept: the host Parse keeps is RemoteHost's answer for the
// RemoteMTA it was read from; a RemoteMTA changed afterwards is read anew,
// in upper case and with a type or comment too.
func TestRemoteHostKept(t *testing.T) {
	rc := Recipient{RemoteMTA: "dns; MX.Example.JP. (192.0.2.1)"}
	CompleteFacts(&rc)
	if got := rc.RemoteHost(); got != "mx.example.jp" {
		t.Fatalf("RemoteHost = %q, want mx.example.jp", got)
	}
	if n := testing.AllocsPerRun(10, func() { rc.RemoteHost() }); n != 0 {
		t.Errorf("RemoteHost of a parsed recipient allocates %v times", n)
	}
	rc.RemoteMTA = "DNS; Other.Example.ORG"
	if got := rc.RemoteHost(); got != "other.example.org" {
		t.Errorf("RemoteHost after RemoteMTA changed = %q, want other.example.org", got)
	}
	for _, v := range []string{"  \u212Aey.example (x)", "[192.0.2.7]", "dns;\tmx.\xffexample.com", "X;Y;Z", "  "} {
		if got, want := hostOfRemoteMTA(v), hostLowerFirst(v); got != want {
			t.Errorf("hostOfRemoteMTA(%q) = %q, lower-casing first gives %q", v, got, want)
		}
	}
}

// hostLowerFirst is hostOfRemoteMTA as first written, lower-casing the
// whole value before cutting it.
func hostLowerFirst(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = strings.TrimSpace(v[i+1:])
	}
	if i := strings.IndexAny(v, " (\t"); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, '['); i > 0 {
		v = v[:i]
	}
	return strings.Trim(v, ".[]")
}

// TestRemoteHost checks the rejecting host read from a Remote-MTA field or,
// when there is none, from the diagnostic (samples named per row).
func TestRemoteHost(t *testing.T) {
	tests := []struct {
		remote, diag string
		want         string
	}{
		{"dns; mx.example.jp", "", "mx.example.jp"},
		{"mx.example.jp. (198.51.100.225, the server for the domain example.jp.)", "", "mx.example.jp"},
		{"[192.0.2.1]", "", "192.0.2.1"},
		// Postfix smtp(8)
		{"", "host mx.example.jp[192.0.2.22] said: 550 5.1.1 x", "mx.example.jp"},
		// Exim
		{"", "SMTP error from remote mail server after RCPT TO:<a@b>: host mx4.example.org [192.0.2.22]: 550 x", "mx4.example.org"},
		{"", "connect to mfsmax.example.com[192.0.2.232]: server refused to talk to me", "mfsmax.example.com"},
		// Sendmail timeouts
		{"", "451 4.4.1 reply: read error from mx.example.net. while talking to mx.example.net.", "mx.example.net"},
		// Postfix smtpd: the client, not the server
		{"", "554 5.7.1 client host rejected: blocked", ""},
	}
	for _, tt := range tests {
		rc := Recipient{RemoteMTA: tt.remote, Diagnostic: tt.diag}
		CompleteFacts(&rc)
		if got := rc.RemoteHost(); got != tt.want {
			t.Errorf("RemoteHost of {%q, %q} = %q, want %q", tt.remote, tt.diag, got, tt.want)
		}
	}
}

func TestRegisteredDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mx1.example.co.jp", "example.co.jp"},
		{"MX.Example.COM.", "example.com"},
		{"example.org", "example.org"},
		{"192.0.2.1", ""},
		{"[2001:db8::1]", ""},
		{"", ""},
	}
	for _, tt := range tests {
		// The second call is answered by the cache.
		for range 2 {
			if got := RegisteredDomain(tt.in); got != tt.want {
				t.Errorf("RegisteredDomain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

// TestRegisteredDomainCacheCollisions: names that share a cache slot
// replace each other and each still gets its own answer, from many
// goroutines at once (run with -race).
func TestRegisteredDomainCacheCollisions(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * len(registeredCache) {
				n := (i + g) % (2 * len(registeredCache))
				name := fmt.Sprintf("mx%d.host%d.co.jp", n, n)
				if got, want := RegisteredDomain(name), fmt.Sprintf("host%d.co.jp", n); got != want {
					t.Errorf("RegisteredDomain(%q) = %q, want %q", name, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestStage checks the stage read from the command and the MTAs' wording.
func TestStage(t *testing.T) {
	tests := []struct {
		cmd, dtype, diag string
		want             Stage
	}{
		// Postfix smtp(8)
		{"", "smtp", "host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@b>: unknown (in reply to RCPT TO command)", StageRcpt},
		{"", "smtp", "host mx.example.com[192.0.2.1] said: 554 5.7.1 spam (in reply to end of DATA command)", StageEndOfData},
		{"", "smtp", "host mx.example.com[192.0.2.1] said: 554 5.5.1 no valid recipients (in reply to DATA command)", StageData},
		{"", "smtp", "host mx.example.com[192.0.2.1] refused to talk to me: 554 5.7.1 blocked", StageConnect},
		{"", "smtp", "host mx.example.com[192.0.2.1] said: 550 bad helo, but my name was rejected", StageHelo},
		// Exim
		{"", "smtp", "SMTP error from remote mail server after RCPT TO:<a@b>: 550 unknown user", StageRcpt},
		{"", "smtp", "SMTP error from remote mail server after end of data: 552 message too big", StageEndOfData},
		{"", "smtp", "SMTP error from remote mail server after initial connection: 421 busy", StageConnect},
		{"", "smtp", "SMTP error from remote mail server after MAIL FROM:<a@b> SIZE=1234: 553 sender rejected", StageMail},
		// Postfix smtp(8) lost connections and timeouts
		{"", "smtp", "conversation with mx.example.com[192.0.2.1] timed out while receiving the initial server greeting", StageConnect},
		{"", "smtp", "lost connection with mx.example.com[192.0.2.1] while sending RCPT TO", StageRcpt},
		{"", "smtp", "lost connection with mx.example.com[192.0.2.1] while sending end of data -- message may be sent more than once", StageEndOfData},
		{"", "smtp", "connect to mx.example.com[192.0.2.1]:25: Connection refused", StageConnect},
		// a known command wins over a weak phrase
		{"RCPT", "smtp", "451 4.4.1 connect to mx.example.com[192.0.2.1]:25: Connection refused", StageRcpt},
		// a timeout may come at any step: no stage from it alone
		{"", "smtp", "451 4.4.1 reply: read error from mx.example.com: Connection timed out", StageUnknown},
		// local delivery (RFC 3464 2.3.6)
		{"", "x-unix", "mail for user is over quota", StageDelivery},
		{"AUTH", "smtp", "535 5.7.8 authentication failed", StageAuth},
		{"", "smtp", "550 nothing said about when", StageUnknown},
	}
	for _, tt := range tests {
		rc := Recipient{Command: tt.cmd, DiagnosticType: tt.dtype, Diagnostic: tt.diag}
		CompleteFacts(&rc)
		if rc.Stage != tt.want {
			t.Errorf("Stage of %q = %v, want %v", tt.diag, rc.Stage, tt.want)
		}
	}
	for s := StageUnknown; s <= StageDelivery; s++ {
		if s != StageUnknown && s.String() == "" {
			t.Errorf("Stage(%d).String() is empty", s)
		}
	}
}

// TestMarkersKnown checks that every marker of the tables is in the shared
// matcher, and that the one-pass filter agrees with strings.Contains.
func TestMarkersKnown(t *testing.T) {
	for _, list := range markerLists() {
		for _, mk := range list {
			if _, ok := markerSet.ID(markerCore(mk)); !ok {
				t.Errorf("marker %q is not in markerSet", mk)
			}
		}
	}
	text := "The mail system\nThis is a warning message only\nFinal-Recipient: rfc822; a@b\n"
	l := newLowerText(text)
	for id := range markerSet.Len() {
		core := markerSet.Phrase(id)
		if got, want := l.mayContain(core), strings.Contains(asciiLower(l.s), core); got != want {
			t.Errorf("mayContain(%q) = %v, want %v", core, got, want)
		}
	}
}

// TestDiagStageBits checks that the stage phrases scanDiagnostic finds
// with the command phrases (diagSet, which setStage reads from diagMemo)
// are those stageSet finds, on every corpus diagnostic and a few in
// capitals.
func TestDiagStageBits(t *testing.T) {
	texts := []string{
		"", "550 5.7.1 REJECTED AFTER DATA: spam", "Connection refused while connected to mx.example.com",
		"MAILBOX IS FULL", "Quota Exceeded (delivery to mailbox failed)", "in reply to end of DATA command",
	}
	for _, r := range corpusReports(t) {
		for _, rc := range r.Recipients {
			texts = append(texts, rc.Diagnostic)
		}
	}
	for _, text := range texts {
		var h phrase.Hits
		stageSet.Scan(text, &h)
		var want stageBits
		for id := range len(stagePhrases) + len(deliveryPhrases) {
			if h.Has(id) {
				want |= 1 << id
			}
		}
		if _, got := scanDiagnostic(text); got != want {
			t.Errorf("scanDiagnostic(%q) stages %b, stageSet %b", text, got, want)
		}
	}
	if len(texts) < 300 {
		t.Errorf("%d diagnostics, want the corpus's", len(texts))
	}
}

// TestHostOfHits checks that hostOf finds the same host with the scan's
// hits (markers it lacks are not looked for) as without them, on every
// corpus diagnostic.
func TestHostOfHits(t *testing.T) {
	n := 0
	for _, r := range corpusReports(t) {
		for _, rc := range r.Recipients {
			text := rc.Diagnostic
			var h phrase.Hits
			diagSet.Scan(text, &h)
			if got, want := hostOf(text, &h), hostOf(text, nil); got != want {
				t.Errorf("hostOf(%q) with hits = %q, without %q", text, got, want)
			}
			n++
		}
	}
	if n < 300 {
		t.Errorf("%d diagnostics, want the corpus's", n)
	}
}

// TestScanDiagnosticLowerOnDemand checks that scanDiagnostic, which
// searches the diagnostic for its command leads and host markers in any
// ASCII case, says what the readers of its lower case said
// (commandOfLower, hostOfLower): on every corpus diagnostic and report
// line, and on 5,000 random texts of the phrases, markers, hosts and codes
// in any case; texts with a lead or marker and without are both common.
func TestScanDiagnosticLowerOnDemand(t *testing.T) {
	texts := []string{"", "HOST MX.EXAMPLE.COM[192.0.2.1] SAID: 550 5.1.1", "In Reply To RCPT TO command", "Connect To Mx.Example.NET"}
	for _, r := range corpusReports(t) {
		for _, rc := range r.Recipients {
			texts = append(texts, rc.Diagnostic)
		}
		texts = append(texts, strings.Split(r.Text, "\n")...)
	}
	pieces := []string{"host ", "mx.example.com", "[192.0.2.1]", " said: ", "550 5.1.1 ", "421-4.7.0 ", "in reply to ",
		"after ", "end of data", "rcpt to", "mail from", "connect to ", "talking to ", " by ", "relay.example.net.",
		"user unknown ", "mailbox full", "(in reply to RCPT TO command)", "greeting", " ", "\n", "é", "<a@b.example>"}
	rnd := rand.New(rand.NewPCG(9, 7))
	for range 5000 {
		var b strings.Builder
		for range 1 + rnd.IntN(12) {
			p := pieces[rnd.IntN(len(pieces))]
			if rnd.IntN(3) == 0 {
				p = strings.ToUpper(p)
			}
			b.WriteString(p)
		}
		texts = append(texts, b.String())
	}
	lowered := 0
	for _, text := range texts {
		want := scanCodes(text)
		var h phrase.Hits
		diagSet.Scan(text, &h)
		lower := asciiLower(text)
		want.Command, want.Host = commandOfLower(lower, &h), hostOfLower(text, lower)
		got, _ := scanDiagnostic(text)
		if got != want {
			t.Fatalf("scanDiagnostic(%q) = %+v, with the lower case %+v", text, got, want)
		}
		if hostOf(text, nil) != want.Host {
			t.Fatalf("hostOf(%q, nil) = %q, want %q", text, hostOf(text, nil), want.Host)
		}
		need := h.Has(diagHostWordID)
		for _, id := range diagHostMarkerIDs {
			need = need || h.Has(id)
		}
		for k := range commandLeads {
			need = need || h.Has(len(commandPhrases)+k)
		}
		if need {
			lowered++
		}
	}
	if lowered < len(texts)/5 || lowered > len(texts)*4/5 {
		t.Errorf("%d of %d texts lowered: want both ways often", lowered, len(texts))
	}
}

// TestHitBits checks that hitBits reads the word of phrase ids from
// from to from+63 as Has does, across the words of a Hits, at its end
// and past it, on 2,000 random sets of ids.
func TestHitBits(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 11))
	froms := []int{0, 1, 17, 63, 64, 65, 127, 128, phrase.MaxPhrases - 65, phrase.MaxPhrases - 64, phrase.MaxPhrases - 1, phrase.MaxPhrases}
	for range 2000 {
		var h phrase.Hits
		for range rnd.IntN(200) {
			id := rnd.IntN(phrase.MaxPhrases)
			if rnd.IntN(2) == 0 {
				id = rnd.IntN(200) // crowd the first words
			}
			h[id>>6] |= 1 << (id & 63)
		}
		for _, from := range append(froms, rnd.IntN(phrase.MaxPhrases)) {
			got := hitBits(&h, from)
			for i := range 64 {
				if want := h.Has(from + i); (got>>i&1 != 0) != want {
					t.Fatalf("hitBits(h, %d) bit %d = %v, Has(%d) = %v", from, i, got>>i&1 != 0, from+i, want)
				}
			}
		}
	}
}

// setStageLoop is setStage's reading of the stage phrases as it was, a
// test of each phrase in the table's order: the oracle of the walk over
// the bits found.
func setStageLoop(rc *Recipient, hits stageBits) {
	for id, p := range stagePhrases {
		if p.weak && rc.Command != "" {
			continue
		}
		if hits&(1<<id) != 0 {
			if p.stage == StageEndOfData && rc.Command != "" && rc.Command != "DATA" {
				break
			}
			rc.Stage = p.stage
			return
		}
	}
	setStageFallback(rc, hits)
}

// TestSetStageBits checks that setStage, which walks the stage phrases a
// diagnostic's memo entry holds, says what a test of every phrase in order
// says (setStageLoop), for 20,000 random sets of phrases (weak ones, end
// of data ones and delivery ones among them) with each command and
// diagnostic type that changes the answer.
func TestSetStageBits(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 8))
	n := len(stagePhrases) + len(deliveryPhrases)
	commands := []string{"", "DATA", "RCPT", "MAIL", "rcpt", "XYZ"}
	types := []string{"", "smtp", "x-unix", "x-local"}
	for k := range 20000 {
		var hits stageBits
		for range rnd.IntN(4) {
			hits |= 1 << rnd.IntN(n)
		}
		if k%10 == 0 {
			hits = 0
		}
		rc := Recipient{Diagnostic: fmt.Sprint("diag ", k), Command: commands[rnd.IntN(len(commands))],
			DiagnosticType: types[rnd.IntN(len(types))]}
		if rnd.IntN(2) == 0 {
			rc.ReplyCode = 550
		}
		memo := diagMemo{n: 1}
		memo.text[0], memo.stage[0] = rc.Diagnostic, hits
		want := rc
		setStageLoop(&want, hits)
		setStage(&rc, &memo)
		if rc.Stage != want.Stage {
			t.Fatalf("setStage(%+v, phrases %b) = %v, in order %v", rc, hits, rc.Stage, want.Stage)
		}
	}
}
