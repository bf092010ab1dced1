package explain

import (
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/classify"
)

// TestDNSWords: issue 11, the listing is named with what to do, in English
// and French; a relay side decided by DNS names the records; a list the
// refusal names but that no longer lists the IP is said to be so.
func TestDNSWords(t *testing.T) {
	listed := classify.Verdict{Reason: classify.Blocked, Side: classify.SideSender, DNS: &classify.DNSFacts{
		SendingIP: "192.0.2.10", Checked: []string{"zen.spamhaus.org"},
		Listings: []classify.Listing{{Zone: "zen.spamhaus.org", Codes: []string{"127.0.0.2"}, Reason: "https://check.spamhaus.org/"}}}}
	tests := []struct {
		name string
		v    classify.Verdict
		aud  Audience
		lang string
		in   string // "what" or "step"
		want string
	}{
		{"listing en", listed, Marketer, "en", "step", "Your server 192.0.2.10 is listed on zen.spamhaus.org: remove the cause"},
		{"listing fr", listed, EndUser, "fr", "step", "Votre serveur 192.0.2.10 est inscrit sur la liste de blocage zen.spamhaus.org : supprimez la cause"},
		{"listing admin reason", listed, Admin, "en", "step", "The list says: https://check.spamhaus.org/"},
		{"not listed any more", classify.Verdict{Reason: classify.Blocked, Side: classify.SideSender, DNS: &classify.DNSFacts{
			SendingIP: "192.0.2.10", Checked: []string{"zen.spamhaus.org"}, NamedList: "zen.spamhaus.org"}}, Marketer, "en", "step",
			"192.0.2.10 is not listed (any more) on zen.spamhaus.org"},
		{"relay records", classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender, DNS: &classify.DNSFacts{
			Relay: classify.RelayNotAmong, RelayEvidence: "MX example.com = mx1.example.net.; refusing host smtp.isp.example is not among them"}}, Admin, "fr", "what",
			"Vérification DNS : MX example.com = mx1.example.net.; refusing host smtp.isp.example is not among them."},
		{"failed lookups, admin", classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideUnknown, DNS: &classify.DNSFacts{
			Failed: []string{"MX example.com: dnscheck: timeout"}}}, Admin, "en", "what", "DNS lookups that failed, so nothing was concluded from them: MX example.com: dnscheck: timeout."},
	}
	for _, tt := range tests {
		e := Explain(tt.v, nil, nil, tt.aud, tt.lang)
		got := e.WhatHappened
		if tt.in == "step" {
			if len(e.Steps) == 0 {
				t.Fatalf("%s: no steps", tt.name)
			}
			got = e.Steps[0]
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s = %q, want it to contain %q", tt.name, tt.in, got, tt.want)
		}
	}
	// The end user is spared the records.
	relay := classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender, DNS: &classify.DNSFacts{
		Relay: classify.RelayNotAmong, RelayEvidence: "MX example.com = mx1.example.net.; refusing host smtp.isp.example is not among them"}}
	if e := Explain(relay, nil, nil, EndUser, "en"); strings.Contains(e.WhatHappened, "DNS check") {
		t.Errorf("end user text names the records: %q", e.WhatHappened)
	}
	// No DNS facts: nothing added.
	a := Explain(classify.Verdict{Reason: classify.Blocked, Side: classify.SideSender}, nil, nil, Admin, "en")
	if strings.Contains(strings.Join(append(a.Steps, a.WhatHappened), " "), "DNS check") {
		t.Errorf("DNS words without DNS facts: %+v", a)
	}
}

// TestDNSWordsEveryLanguage: every catalog language has its DNS words.
func TestDNSWordsEveryLanguage(t *testing.T) {
	for _, l := range langs {
		w := dnsText[l.tag]
		if w == nil || w.checked == "" || w.listed == "" || w.delist == "" || w.notListed3 == "" || w.failed == "" {
			t.Errorf("language %q: DNS words missing", l.tag)
		}
	}
}
