package bounce

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/dnstest"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/explain"
)

// relayZone serves the relay scenarios' domains (testdata/relay): the
// recipient domain's MX is mx1.recipient.example; the sender's relay
// smtp.sender.example and the hosting company's mail.hostingco.example
// are not among its MX hosts.
const relayZone = `
$TTL 300
example.               IN SOA ns.example. admin.example. 1 3600 600 86400 60
recipient.example.     IN MX 10 mx1.recipient.example.
mx1.recipient.example. IN A 198.51.100.25
sender.example.        IN MX 10 mail.sender.example.
mail.sender.example.   IN A 203.0.113.5
smtp.sender.example.   IN A 203.0.113.5
mail.hostingco.example. IN A 192.0.2.77
; the sending server of testdata/dns/postfix-554-5.7.1-rbl.eml, listed
10.2.0.192.bl.example. IN A 127.0.0.2
10.2.0.192.bl.example. IN TXT "listed: see https://bl.example/192.0.2.10"
`

// hostedZone is the other reading of the undecided scenarios: the
// recipient domain is hosted at hostingco, whose server is its MX.
const hostedZone = `
$TTL 300
recipient.example.      IN MX 10 mail.hostingco.example.
mail.hostingco.example. IN A 192.0.2.77
`

func dnsEngine(t *testing.T, srv *dnstest.Server, zones ...string) *Engine {
	t.Helper()
	r, err := dnscheck.New(dnscheck.Config{Server: srv.Addr, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{DNS: r, DNSBL: zones})
}

func parseFile(t *testing.T, e *Engine, path string) *Result {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Parse(context.Background(), Request{Raw: raw, Audience: explain.Admin})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

// TestRelayScenariosWithDNS runs the nine relay scenarios with and without
// DNS. With DNS every scenario (each has a refusing host) gets a definite
// side, the one the MX set gives; without DNS the undecided ones stay
// UNKNOWN, as TestRelayDeniedMessages checks. The figures are logged for
// the report (go test -run RelayScenariosWithDNS -v).
func TestRelayScenariosWithDNS(t *testing.T) {
	files, _ := filepath.Glob("testdata/relay/*.eml")
	if len(files) != 9 {
		t.Fatalf("found %d scenario messages, want 9", len(files))
	}
	own := dnstest.Start(t, dnstest.Zone{Records: relayZone})
	hosted := dnstest.Start(t, dnstest.Zone{Records: hostedZone})
	runs := []struct {
		name string
		e    *Engine
		// want is the side per scenario suffix; "" means UNKNOWN is right.
		want map[string]classify.Side
	}{
		{"without DNS", New(Config{}), map[string]classify.Side{"sender": classify.SideSender, "recipient": classify.SideRecipient, "unknown": classify.SideUnknown}},
		{"with DNS, hostingco not an MX", dnsEngine(t, own), map[string]classify.Side{"sender": classify.SideSender, "recipient": classify.SideRecipient, "unknown": classify.SideSender}},
		{"with DNS, hostingco the MX", dnsEngine(t, hosted), map[string]classify.Side{"sender": classify.SideSender, "recipient": classify.SideSender, "unknown": classify.SideRecipient}},
	}
	for _, run := range runs {
		definite, right := 0, 0
		for _, f := range files {
			base := strings.TrimSuffix(filepath.Base(f), ".eml")
			scenario := base[strings.LastIndexByte(base, '-')+1:]
			res := parseFile(t, run.e, f)
			v := res.Recipients[0].Verdict
			if v.Reason != classify.NoRelaying {
				t.Errorf("%s, %s: reason %s, want norelaying", run.name, base, v.Reason)
			}
			if v.Side != classify.SideUnknown {
				definite++
			}
			if v.Side == run.want[scenario] {
				right++
			} else {
				t.Errorf("%s, %s: side %s, want %s; evidence %+v", run.name, base, v.Side, run.want[scenario], v.Evidence)
			}
			if run.e.cfg.DNS != nil {
				if v.DNS == nil || !strings.Contains(v.DNS.RelayEvidence, "MX recipient.example = ") {
					t.Errorf("%s, %s: no MX evidence: %+v", run.name, base, v.DNS)
				}
			}
		}
		t.Logf("relay scenarios %s: %d/9 definite side, %d/9 as the records say", run.name, definite, right)
	}
}

// TestParseLookupsOncePerTTL proves that Parse does at most one lookup per
// distinct domain and IP per TTL: the server counts the queries while the
// same messages are parsed again and again, concurrently.
func TestParseLookupsOncePerTTL(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: relayZone, Delay: 20 * time.Millisecond})
	e := dnsEngine(t, srv, "bl.example")
	files, _ := filepath.Glob("testdata/relay/*.eml")
	files = append(files, "testdata/dns/postfix-554-5.7.1-rbl.eml")
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 3 {
				for _, f := range files {
					parseFile(t, e, f)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	// 120 parses, one recipient domain, one sending IP.
	if n := srv.Queries("recipient.example", dns.TypeMX); n != 1 {
		t.Errorf("MX recipient.example asked %d times in 120 parses, want 1", n)
	}
	if n := srv.Queries("10.2.0.192.bl.example", dns.TypeA); n != 1 {
		t.Errorf("DNSBL A asked %d times, want 1", n)
	}
	if n := srv.Queries("10.2.0.192.bl.example", dns.TypeTXT); n != 1 {
		t.Errorf("DNSBL TXT asked %d times, want 1", n)
	}
	// Refusing hosts given with an address not among the MX by name make
	// the MX host's addresses be asked: once each.
	if a, aaaa := srv.Queries("mx1.recipient.example", dns.TypeA), srv.Queries("mx1.recipient.example", dns.TypeAAAA); a > 1 || aaaa > 1 {
		t.Errorf("mx1.recipient.example A asked %d, AAAA %d times, want at most 1 each", a, aaaa)
	}
	// Every question (name and type) was asked at most once, over both
	// transports: the MX set, the addresses of the MX host and of the
	// refusing hosts given by name only, the DNSBL A and TXT.
	perQuestion := map[dnstest.QueryKey]int{}
	for k, n := range srv.Counts() {
		k.Net = ""
		perQuestion[k] += n
	}
	for k, n := range perQuestion {
		if n > 1 {
			t.Errorf("%s %s asked %d times in 120 parses, want 1", dns.TypeToString[k.Type], k.Name, n)
		}
	}
	// The relay denials are no blocks: their client address is not asked.
	if n := srv.Queries("40.113.0.203.bl.example", dns.TypeA); n != 0 {
		t.Errorf("the relay scenarios' sending IP was asked %d times, want 0", n)
	}
	t.Logf("120 parses with DNS: %d queries at the server for %d distinct questions", srv.Total(), len(perQuestion))
}

// TestDNSFailureNeverFailsParse: a resolver that never answers costs at
// most the DNS budget, the verdict stays as without DNS, and it says which
// lookup failed.
func TestDNSFailureNeverFailsParse(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: relayZone, Modes: map[string]dnstest.Mode{"recipient.example": dnstest.Silent}})
	e := dnsEngine(t, srv)
	f := "testdata/relay/postfix-454-4.7.1-unknown.eml"
	start := time.Now()
	res := parseFile(t, e, f)
	if d := time.Since(start); d > 2*DefaultDNSBudget {
		t.Errorf("Parse took %v with a silent resolver", d)
	}
	v := res.Recipients[0].Verdict
	if v.Side != classify.SideUnknown || v.DNS == nil || len(v.DNS.Failed) == 0 || !strings.Contains(v.DNS.Failed[0], "MX recipient.example: dnscheck: timeout") {
		t.Errorf("side %s, DNS %+v: want unknown and the failed MX lookup named", v.Side, v.DNS)
	}
	found := false
	for _, ev := range v.Evidence {
		found = found || strings.Contains(ev.Value, "MX recipient.example") && strings.Contains(ev.RuleID, "failed")
	}
	if !found {
		t.Errorf("the failed lookup is not in the evidence: %+v", v.Evidence)
	}
}

// TestDNSDeadDomainParse: a recipient domain that does not exist is
// hostunknown, hard, recipient side.
func TestDNSDeadDomainParse(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: relayZone, Modes: map[string]dnstest.Mode{"recipient.example": dnstest.NXDomain}})
	res := parseFile(t, dnsEngine(t, srv), "testdata/relay/exim-550-5.7.0-unknown.eml")
	v := res.Recipients[0].Verdict
	if v.Reason != classify.HostUnknown || v.Side != classify.SideRecipient || !v.Hard {
		t.Errorf("%s %s hard=%v, want hostunknown recipient hard", v.Reason, v.Side, v.Hard)
	}
}

// TestDNSBLInParse: the sending IP's listing is named in the verdict; a
// relay denial does not ask the lists.
func TestDNSBLInParse(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: relayZone})
	e := dnsEngine(t, srv, "bl.example", "clean.example")
	res := parseFile(t, e, "testdata/dns/postfix-554-5.7.1-rbl.eml")
	d := res.Recipients[0].Verdict.DNS
	if d == nil || d.SendingIP != "192.0.2.10" || len(d.Listings) != 1 || d.Listings[0].Zone != "bl.example" ||
		!strings.Contains(d.Listings[0].Reason, "bl.example/192.0.2.10") || len(d.Checked) != 2 {
		t.Errorf("DNS facts = %+v, want 192.0.2.10 listed on bl.example only, two lists checked", d)
	}
	srv.Reset()
	res = parseFile(t, e, "testdata/relay/postfix-454-4.7.1-unknown.eml")
	if d := res.Recipients[0].Verdict.DNS; d == nil || d.SendingIP != "" || srv.Queries("40.113.0.203.bl.example", dns.TypeA) != 0 {
		t.Errorf("relay denial: DNS facts %+v; the lists were asked", d)
	}
	// The relay denial came from a host given with an address, not among
	// the MX by name: the MX host's addresses were looked up, and said so.
	if d := res.Recipients[0].Verdict.DNS; d == nil || strings.Join(d.Lookups, ", ") != "MX recipient.example, A/AAAA mx1.recipient.example" {
		t.Errorf("lookups named: %q", d.Lookups)
	}
}

// TestSeedScenarios: the two seed scenarios of issue 11 beyond the relay
// set, written for this test. postfix-554-5.7.1-rbl.eml uses Postfix's
// default_rbl_reply wording (postconf(5): "$rbl_code Service unavailable;
// $rbl_class [$rbl_what] blocked using $rbl_domain; $rbl_reason");
// exim-550-5.7.0-mixed.eml is one Exim bounce for two recipient domains
// refused by the same host.
func TestSeedScenarios(t *testing.T) {
	listed := dnstest.Start(t, dnstest.Zone{Records: relayZone + `
10.2.0.192.zen.spamhaus.org. IN A 127.0.0.2
10.2.0.192.zen.spamhaus.org. IN TXT "https://www.spamhaus.org/query/ip/192.0.2.10"
other.example. IN MX 10 mx.other.example.
`})
	clean := dnstest.Start(t, dnstest.Zone{Records: relayZone + "other.example. IN MX 10 mx.other.example.\n"})

	rbl := "testdata/dns/postfix-554-5.7.1-rbl.eml"
	for _, run := range []struct {
		name string
		e    *Engine
		says string // in the ADMIN steps
	}{
		{"without DNS", New(Config{}), ""},
		{"listed", dnsEngine(t, listed, "zen.spamhaus.org"), "Your server 192.0.2.10 is listed on zen.spamhaus.org"},
		{"delisted", dnsEngine(t, clean, "zen.spamhaus.org"), "192.0.2.10 is not listed (any more) on zen.spamhaus.org"},
	} {
		res := parseFile(t, run.e, rbl)
		r := res.Recipients[0]
		if r.Verdict.Reason != classify.Blocked || r.Verdict.Side != classify.SideSender {
			t.Errorf("rbl %s: %s %s, want blocked sender", run.name, r.Verdict.Reason, r.Verdict.Side)
		}
		if run.says != "" && !strings.Contains(strings.Join(r.Explanation.Steps, "\n"), run.says) {
			t.Errorf("rbl %s: steps do not say %q:\n%s", run.name, run.says, strings.Join(r.Explanation.Steps, "\n"))
		}
		if run.e.cfg.DNS != nil && (r.Verdict.DNS == nil || r.Verdict.DNS.SendingIP != "192.0.2.10") {
			t.Errorf("rbl %s: sending IP %+v, want 192.0.2.10 from the reply", run.name, r.Verdict.DNS)
		}
	}

	// The auto-reply refused by the platform's return-address domain: the
	// refusing host is that domain's MX, so DNS agrees with the text.
	esp := dnstest.Start(t, dnstest.Zone{Records: "mailer.esp.example. 300 IN MX 10 mx.esp.example.\nmx.esp.example. 300 IN A 198.51.100.5\n"})
	for _, e := range []*Engine{New(Config{}), dnsEngine(t, esp)} {
		r := parseFile(t, e, "testdata/autoreply/postfix-550-5.7.1-vacation-reply.eml").Recipients[0]
		if r.Verdict.Reason != classify.NoRelaying || r.Verdict.Side != classify.SideRecipient || r.Verdict.Hard || !r.Verdict.OriginalIsAutoReply {
			t.Errorf("auto-reply (DNS %v): %s %s hard=%v auto=%v, want norelaying recipient soft, auto-reply", e.cfg.DNS != nil,
				r.Verdict.Reason, r.Verdict.Side, r.Verdict.Hard, r.Verdict.OriginalIsAutoReply)
		}
		if e.cfg.DNS != nil && (r.Verdict.DNS == nil || r.Verdict.DNS.Relay != classify.RelayAmongMX) {
			t.Errorf("auto-reply with DNS: %+v, want the refusing host among the MX", r.Verdict.DNS)
		}
	}

	mixed := "testdata/dns/exim-550-5.7.0-mixed.eml"
	for _, e := range []*Engine{New(Config{}), dnsEngine(t, clean)} {
		res := parseFile(t, e, mixed)
		if len(res.Recipients) != 2 {
			t.Fatalf("mixed: %d recipients, want 2", len(res.Recipients))
		}
		for _, r := range res.Recipients {
			if r.Verdict.Reason != classify.NoRelaying || r.Verdict.Side != classify.SideSender {
				t.Errorf("mixed (DNS %v), %s: %s %s, want norelaying sender; %+v", e.cfg.DNS != nil, r.Facts.Recipient, r.Verdict.Reason, r.Verdict.Side, r.Verdict.Evidence)
			}
		}
	}
}

func TestCheckDomain(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: relayZone + "dead.example. IN MX 0 .\n"})
	e := dnsEngine(t, srv)
	if _, ok := New(Config{}).CheckDomain(context.Background(), "recipient.example"); ok {
		t.Error("CheckDomain without a resolver: ok")
	}
	f, ok := e.CheckDomain(context.Background(), "recipient.example")
	if !ok || len(f.MXHosts) != 1 || f.MXHosts[0] != "mx1.recipient.example." || f.DeadDomain() {
		t.Errorf("CheckDomain(recipient.example) = %+v", f)
	}
	if f, _ := e.CheckDomain(context.Background(), "dead.example"); !f.NullMX {
		t.Errorf("CheckDomain(dead.example) = %+v, want null MX", f)
	}
}

// BenchmarkParseDNS is one relay denial parsed without DNS and with DNS
// answered from the resolver's cache (the steady state: one query per name
// per TTL).
func BenchmarkParseDNS(b *testing.B) {
	raw, err := os.ReadFile("testdata/relay/postfix-454-4.7.1-sender.eml")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := dnstest.Listen(dnstest.Zone{Records: relayZone})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	r, _ := dnscheck.New(dnscheck.Config{Server: srv.Addr})
	for _, run := range []struct {
		name string
		e    *Engine
	}{{"off", New(Config{})}, {"cached", New(Config{DNS: r, DNSBL: []string{"bl.example"}})}} {
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := run.e.Parse(context.Background(), Request{Raw: raw}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDNSLimits: a bounce naming more domains than MaxDNSDomains looks up
// only MaxDNSDomains of them; the others get no DNS evidence and the Parse
// still answers for every recipient.
func TestDNSLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@mail.sender.example\nTo: alice@sender.example\nSubject: Undelivered Mail Returned to Sender\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nfailed\n\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.sender.example\n")
	const n = MaxDNSDomains + 4
	for i := range n {
		fmt.Fprintf(&b, "\nFinal-Recipient: rfc822; u@d%d.example\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.d%d.example\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n", i, i)
	}
	b.WriteString("\n--B--\n")
	srv := dnstest.Start(t, dnstest.Zone{Records: "$TTL 300\nexample. IN SOA ns.example. a.example. 1 3600 600 86400 60\n"})
	res, err := dnsEngine(t, srv).Parse(context.Background(), Request{Raw: []byte(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, r := range res.Recipients {
		if r.Verdict.DNS != nil {
			with++
		}
	}
	if len(res.Recipients) != n || with != MaxDNSDomains {
		t.Errorf("%d recipients, %d with DNS evidence; want %d and %d", len(res.Recipients), with, n, MaxDNSDomains)
	}
	mx := 0
	for i := range n {
		mx += srv.Queries(fmt.Sprintf("d%d.example", i), dns.TypeMX)
	}
	if mx != MaxDNSDomains {
		t.Errorf("%d MX queries, want %d", mx, MaxDNSDomains)
	}
}

// TestHostHistoryOverTime: issue 11 item 4 through the engine and the
// domain memory. The same host refuses to relay one sender's mail for one
// recipient domain after another: at first the side is unknown, once the
// host has refused MinHostDomains different domains for that one sender it
// is recognised as the sender's smarthost.
func TestHostHistoryOverTime(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/relay/postfix-454-4.7.1-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	e := New(Config{Store: domaincache.NewMemory(0, 0)})
	for i := range classify.MinHostDomains + 1 {
		raw := strings.ReplaceAll(string(tmpl), "recipient.example", fmt.Sprintf("d%d.example", i))
		res, err := e.Parse(context.Background(), Request{Raw: []byte(raw)})
		if err != nil {
			t.Fatal(err)
		}
		v := res.Recipients[0].Verdict
		want := classify.SideUnknown
		if i >= classify.MinHostDomains {
			want = classify.SideSender
		}
		if v.Reason != classify.NoRelaying || v.Side != want {
			t.Errorf("bounce %d (d%d.example): %s %s, want norelaying %s; %+v", i+1, i, v.Reason, v.Side, want, v.Evidence)
		}
	}
}
