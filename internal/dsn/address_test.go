package dsn

import (
	"strings"
	"testing"
)

func TestNormalizeAddressForms(t *testing.T) {
	cases := []struct{ in, want string }{
		// RFC 5321 section 4.1.2: a quoted local part that is not a dot-atom keeps its quotes
		// (sample lhost-postfix-32).
		{`<"neko....nyaan...."@libsisimai.org>`, `"neko....nyaan...."@libsisimai.org`},
		{`rfc822; "neko....nyaan...."@libsisimai.org`, `"neko....nyaan...."@libsisimai.org`},
		// ... and loses them when it is one.
		{`"john.doe"@example.com`, "john.doe@example.com"},
		// Angle brackets inside a display name (Exchange "Neko<mailto:a@b>").
		{"Neko<mailto:mikeneko@example.co.jp>", "mikeneko@example.co.jp"},
		{"'kijitora@example.jp'", "kijitora@example.jp"},
		{"kijitora@EXAMPLE.JP.", "kijitora@example.jp"},
		// RFC 5890: domains are reported in A-labels, the form a sender's list holds (issue 10).
		{"user@xn--r8jz45g.jp", "user@xn--r8jz45g.jp"},
		{"user@例え.jp", "user@xn--r8jz45g.jp"},
		{"utf-8; kunde@Bücher.example", "kunde@xn--bcher-kva.example"},
		// RFC 5321 4.1.1.3 and Appendix C: source routes are ignored.
		{"<@relay.example:user@dest.example>", "user@dest.example"},
		{"rfc822; @a.example,@b.example:user@dest.example", "user@dest.example"},
		{"<@relay.example:>", ""}, // a route with no mailbox
	}
	for _, c := range cases {
		if got := normalizeAddress(c.in); got != c.want {
			t.Errorf("normalizeAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDomainUnicode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"kunde@xn--bcher-kva.example", "bücher.example"},
		{"user@example.org", "example.org"},
		{"user@xn--invalid--.example", "xn--invalid--.example"}, // not convertible: as written
	} {
		if got := (Recipient{Recipient: c.in}).DomainUnicode(); got != c.want {
			t.Errorf("Recipient{%q}.DomainUnicode() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVERP(t *testing.T) {
	cases := []struct{ in, want string }{
		{"bounces+alice=example.com@esp.example", "alice@example.com"},          // the example
		{"<bounce-john-doe=example.org@lists.example>", "john-doe@example.org"}, // '-' delimiter, '-' in the user
		{"Bounces <b+u.ser=mail.example.net@esp.example>", "u.ser@mail.example.net"},
		{"SRS0=HHH=TT=example.com=alice@forwarder.example", ""}, // SRS names the sender, not a recipient
		{"prvs=1234567890=alice@example.com", ""},               // BATV likewise
		{"bounces@esp.example", ""},
		{"bounces+nodomain=localhost@esp.example", ""},
	}
	for _, c := range cases {
		if got := verpRecipient(c.in); got != c.want {
			t.Errorf("verpRecipient(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSplitMboxLineEndings splits the same mbox with LF, CRLF and CR alone
// (RFC 4155 leaves line endings to the host).
func TestSplitMboxLineEndings(t *testing.T) {
	lf := "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n>From quoted\n\n" +
		"From b@example.com Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody\n"
	for name, eol := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		msgs := SplitMbox([]byte(strings.ReplaceAll(lf, "\n", eol)))
		if len(msgs) != 2 {
			t.Fatalf("%s: SplitMbox = %d messages, want 2", name, len(msgs))
		}
		if !strings.Contains(string(msgs[0]), "From quoted"+eol) || strings.Contains(string(msgs[0]), ">From") {
			t.Errorf("%s: first message %q, want the >From line unquoted", name, msgs[0])
		}
		rep, err := Parse(msgs[1], Options{})
		if err != nil || rep.Subject != "two" {
			t.Errorf("%s: Parse(second) = %v, %v, want subject two", name, rep, err)
		}
	}
}
