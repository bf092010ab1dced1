package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dnstest"
)

// TestParseWithDNS: `bounced parse --dns-server` against a loopback server
// gives the undecided relay scenario a side, names the records, and reads
// the sending IP's listing; without the flag the side stays unknown.
func TestParseWithDNS(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: `
$TTL 300
recipient.example.     IN MX 10 mx1.recipient.example.
mx1.recipient.example. IN A 198.51.100.25
10.2.0.192.bl.example. IN A 127.0.0.2
`})
	const msg = "../../internal/bounce/testdata/relay/postfix-454-4.7.1-unknown.eml"
	const rbl = "../../internal/bounce/testdata/dns/postfix-554-5.7.1-rbl.eml"
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if err := runParse(context.Background(), append(args, msg, rbl), nil, &out, &errb); err != nil {
			t.Fatalf("parse %v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	without := run()
	if !strings.Contains(without, `"side":"SIDE_UNKNOWN"`) && !strings.Contains(without, `"side": "SIDE_UNKNOWN"`) {
		t.Errorf("without DNS: want side unknown:\n%s", without)
	}
	with := run("--dns-server", srv.Addr, "--dns-timeout", "300ms", "--dnsbl", "bl.example")
	for _, want := range []string{"SIDE_SENDER", "MX recipient.example = mx1.recipient.example.; refusing host mail.hostingco.example [192.0.2.77] is not among them", "192.0.2.10 listed on bl.example", "Your server 192.0.2.10 is listed on bl.example"} {
		if !strings.Contains(with, want) {
			t.Errorf("with DNS: output lacks %q:\n%s", want, with)
		}
	}
}

// TestParseTextWithDNS: the text format shows the records that decided.
func TestParseTextWithDNS(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: "recipient.example. 300 IN MX 10 mx1.recipient.example.\n"})
	var out, errb bytes.Buffer
	args := []string{"--format", "text", "--dns-server", srv.Addr, "../../internal/bounce/testdata/relay/exim-550-5.7.0-unknown.eml"}
	if err := runParse(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "dns: MX recipient.example = mx1.recipient.example.; refusing host mail.hostingco.example [192.0.2.77] is not among them") {
		t.Errorf("text output lacks the DNS line:\n%s", out.String())
	}
}

func TestDNSFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--dnsbl", "zen.example", "x"},
		{"--dns-server", "127.0.0.1", "x"},
		{"--dns-server", "127.0.0.1:53", "--dns-timeout", "0s", "x"},
		{"--dns-server", "127.0.0.1:53", "--dnsbl", "not a zone", "x"},
	} {
		var out, errb bytes.Buffer
		if err := runParse(context.Background(), args, nil, &out, &errb); !errors.Is(err, errUsage) {
			t.Errorf("parse %v = %v, want a usage error", args, err)
		}
	}
}
