package dsn

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestRefusingHost(t *testing.T) {
	tests := []struct {
		name     string
		rc       Recipient
		text     string
		wantName string
		wantIP   string
	}{
		// RFC 3464 2.3.5 Remote-MTA with a name; the address from the text (Postfix).
		{"postfix", Recipient{RemoteMTA: "dns; mx1.recipient.example"}, "This is the mail system at host mail.sender.example.\n<bob@recipient.example>: host mx1.recipient.example[198.51.100.25] said: 454 4.7.1",
			"mx1.recipient.example", "198.51.100.25"},
		// Exim: "host NAME [IP]".
		{"exim", Recipient{Diagnostic: "SMTP error from remote mail server after RCPT TO:<bob@recipient.example>: host smtp.sender.example [203.0.113.5]: 550 5.7.0 relay not permitted"}, "",
			"smtp.sender.example", "203.0.113.5"},
		{"address only", Recipient{RemoteMTA: "192.0.2.7"}, "", "", "192.0.2.7"},
		// The reporting host without an address is not the remote host.
		{"reporting host only", Recipient{}, "This is the mail system at host mail.sender.example.", "", ""},
	}
	for _, tt := range tests {
		rep := &Report{Text: tt.text}
		if n, ip := RefusingHost(rep, &tt.rc); n != tt.wantName || ip != tt.wantIP {
			t.Errorf("%s: RefusingHost = %q, %q, want %q, %q", tt.name, n, ip, tt.wantName, tt.wantIP)
		}
	}
}

func TestSendingIP(t *testing.T) {
	tests := []struct {
		name     string
		rep      Report
		ip, from string
	}{
		// Postfix reject_rbl_client wording (postconf(5) rbl_reply_maps default).
		{"diagnostic", Report{Recipients: []Recipient{{RemoteMTA: "dns; mx1.recipient.example",
			Diagnostic: "host mx1.recipient.example[198.51.100.25] said: 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.example"}}},
			"192.0.2.10", SendingIPFromDiagnostic},
		{"x-originating-ip", Report{Original: Original{Headers: []Header{{Name: "X-Originating-IP", Value: "[192.0.2.11]"}}}}, "192.0.2.11", SendingIPFromOriginatingIP},
		// Private and loopback hops are skipped (RFC 5321 4.4 TCP-info).
		{"received", Report{Original: Original{Received: []string{
			"from app1.internal (app1.internal [10.1.2.3]) by out.esp.example (Postfix) with ESMTP id 1",
			"from localhost (localhost [127.0.0.1]) by app1.internal",
			"from web.example (web.example [198.51.100.9]) by app1.internal"}}}, "198.51.100.9", SendingIPFromReceived},
		{"received-from-mta", Report{ReceivedFromMTA: "dns; out.esp.example [203.0.113.9]"}, "203.0.113.9", SendingIPFromReceivedFromMTA},
		{"only the remote host's address", Report{Recipients: []Recipient{{RemoteMTA: "dns; [198.51.100.25]", Diagnostic: "550 5.7.1 [198.51.100.25] relay denied"}}}, "", ""},
		{"none", Report{}, "", ""},
	}
	for _, tt := range tests {
		if ip, from := sendingIP(&tt.rep); ip != tt.ip || from != tt.from {
			t.Errorf("%s: SendingIP = %q (%s), want %q (%s)", tt.name, ip, from, tt.ip, tt.from)
		}
	}
}

// TestReceivedNonASCII: lower-casing a Received field must not move the
// offsets read from it (a crash FuzzReceived found: U+FFFD is longer than
// the invalid byte it replaces).
func TestReceivedNonASCII(t *testing.T) {
	rep, err := Parse([]byte("From: MAILER-DAEMON@mail.sender.example\nTo: a@sender.example\nSubject: Undelivered Mail\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nfailed\n"+
		"--B\nContent-Type: text/rfc822-headers\n\nReceived: \xff\xfe\xc3 from web.example (web.example [198.51.100.9]) by x\nFrom: a@sender.example\n--B--\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.SendingIP != "198.51.100.9" {
		t.Errorf("SendingIP = %q, want 198.51.100.9", rep.SendingIP)
	}
}

// TestReceivedKept: the original's Received fields are kept, newest
// first, at most MaxReceived.
func TestReceivedKept(t *testing.T) {
	raw, err := os.ReadFile("../bounce/testdata/relay/postfix-454-4.7.1-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Original.Received) != 1 {
		t.Fatalf("Received = %q, want one field", rep.Original.Received)
	}
	if ip, from := rep.SendingIP, rep.SendingIPFrom; ip != "203.0.113.40" || from != SendingIPFromReceived {
		t.Errorf("SendingIP = %q (%s), want 203.0.113.40 from the Received field", ip, from)
	}
}

func TestIPLiterals(t *testing.T) {
	got := ipLiterals("a [IPv6:2001:db8::1] b 192.0.2.1, v1.2.3.4 1.2.3.4.5 [::ffff:192.0.2.9]", 10)
	want := []string{"2001:db8::1", "192.0.2.1", "192.0.2.9"}
	if len(got) != len(want) {
		t.Fatalf("ipLiterals = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("ipLiterals[%d] = %v, want %s", i, got[i], want[i])
		}
	}
}

// FuzzReceived: the address readers never panic, return only valid
// addresses, and read at most what they are asked for.
func FuzzReceived(f *testing.F) {
	f.Add("host mx1.recipient.example[198.51.100.25] said: 554 5.7.1 Client host [192.0.2.10] blocked", "dns; mx1.recipient.example")
	f.Add("from laptop (laptop [203.0.113.40]) by mail.sender.example", "[IPv6:2001:db8::1]")
	f.Add("host a.b [1.2.3.4.5] host host [", "")
	f.Fuzz(func(t *testing.T, text, remote string) {
		for _, a := range ipLiterals(text, 3) {
			if !a.IsValid() {
				t.Fatalf("ipLiterals(%q) gave an invalid address", text)
			}
		}
		if n := len(ipLiterals(text, 3)); n > 3 {
			t.Fatalf("ipLiterals(%q, 3) gave %d addresses", text, n)
		}
		rep := &Report{Text: text, Original: Original{Received: []string{text}}, ReceivedFromMTA: remote,
			Recipients: []Recipient{{RemoteMTA: remote, Diagnostic: text}}}
		name, ip := RefusingHost(rep, &rep.Recipients[0])
		if ip != "" {
			if _, err := netip.ParseAddr(ip); err != nil {
				t.Fatalf("RefusingHost ip %q: %v", ip, err)
			}
		}
		if strings.ContainsAny(name, " []") {
			t.Fatalf("RefusingHost name %q", name)
		}
		if ip, _ := sendingIP(rep); ip != "" {
			if a, err := netip.ParseAddr(ip); err != nil || !isPublic(a) {
				t.Fatalf("sendingIP %q is not a public address", ip)
			}
		}
	})
}

// TestIndexLowerASCII checks indexLowerASCII against strings.Index of the
// lower-cased text.
func TestIndexLowerASCII(t *testing.T) {
	texts := []string{"", "from", "FROM x", "xFrOm y", "a from b BY c", "fromfrom ", "ÉFROM é", "by", "\xffFROM ",
		"ffrom ", "fRfROM from", " b by BY ", "hhost HOST host ", "host", "x host", "ho st host"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = "hHoOsStT fFrRmMbByY-1 "[rng.IntN(22)]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		for _, n := range []string{"from ", " by ", "f", "x", "host ", " ", "-1", "1 ", "while talking to "} {
			if got, want := indexLowerASCII(s, n), strings.Index(asciiLower(s), n); got != want {
				t.Errorf("indexLowerASCII(%q, %q) = %d, want %d", s, n, got, want)
			}
		}
	}
}

// TestSkipSendingIP: Options.SkipSendingIP changes nothing of a Report
// but SendingIP, SendingIPFrom and Original.Received, which it leaves
// empty, on every .eml of testdata; and the corpus has reports whose
// sending IP it skips (from the Received fields too), so the comparison
// sees both ways.
func TestSkipSendingIP(t *testing.T) {
	files := testdataEML(t)
	withIP, withReceived := 0, 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, werr := Parse(raw, Options{})
		got, gerr := Parse(raw, Options{SkipSendingIP: true})
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: error %v with the sending IP, %v without", f, werr, gerr)
		}
		if werr != nil {
			continue
		}
		if got.SendingIP != "" || got.SendingIPFrom != "" || got.Original.Received != nil {
			t.Errorf("%s: SkipSendingIP: SendingIP %q (%q), Received %q, want all empty", f, got.SendingIP, got.SendingIPFrom, got.Original.Received)
		}
		if want.SendingIP != "" {
			withIP++
		}
		if len(want.Original.Received) > 0 {
			withReceived++
		}
		want.SendingIP, want.SendingIPFrom, want.Original.Received = "", "", nil
		want.Original.valid, got.Original.valid = false, false // how it was checked, not what it holds
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: SkipSendingIP changes the report:\n%#v\nwant\n%#v", f, got, want)
		}
	}
	t.Logf("%d reports with a sending IP, %d with Received fields", withIP, withReceived)
	if withIP < 20 || withReceived < 20 {
		t.Errorf("%d reports with a sending IP, %d with Received fields: the test sees too few", withIP, withReceived)
	}
}
