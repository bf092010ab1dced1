package dsn

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// rfc3464Report builds a multipart/report around a delivery-status body.
func rfc3464Report(status string) string {
	return "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n" +
		"To: sender@example.com\n" +
		"Subject: Returned mail\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
		"--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n" +
		"--B\nContent-Type: message/delivery-status\n\n" + status +
		"\n--B\nContent-Type: text/rfc822-headers\n\n" +
		"Message-ID: <orig-1@example.com>\nFrom: Sender <sender@example.com>\nTo: rcpt@example.net\nSubject: Hello\nX-Campaign-Id: 42\n\n" +
		"--B--\n"
}

func TestDeliveryStatusFields(t *testing.T) {
	cases := []struct {
		name, fields                                 string
		recipient, final, orig, action, status, diag string
		reply                                        int
		second                                       string // a second recipient, when the report has one
		command, remote                              string
	}{
		{
			// RFC 3464 appendix A.1 style: a simple failure with a comment in Status.
			name: "comment in status",
			fields: "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; rcpt@example.net\n" +
				"Action: failed\nStatus: 5.1.1 (bad mailbox)\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n",
			recipient: "rcpt@example.net", action: "failed", status: "5.1.1", diag: "550 5.1.1 user unknown", reply: 550,
		},
		{
			// RFC 3464 section 2.1: folded field values are unfolded.
			name: "folded diagnostic",
			fields: "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: RFC822;\n <rcpt@example.net>\n" +
				"Original-Recipient: rfc822; Alias@Example.NET\nAction: failed\nStatus: 5.7.1\n" +
				"Remote-MTA: dns; mx1.example.net. [192.0.2.1]\n" +
				"Diagnostic-Code: smtp; 554 5.7.1 <rcpt@example.net>: Relay access\n denied (in reply to RCPT TO command)\n",
			// Original-Recipient is the address the sender used: it is reported (issue 10).
			recipient: "Alias@example.net", final: "rcpt@example.net", orig: "Alias@example.net", action: "failed", status: "5.7.1",
			diag: "554 5.7.1 <rcpt@example.net>: Relay access denied (in reply to RCPT TO command)", reply: 554,
			command: "RCPT", remote: "mx1.example.net",
		},
		{
			// RFC 3464 section 2.3.4: a generic Status gives way to the specific code of the text.
			name: "generic status replaced",
			fields: "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; rcpt@example.net\n" +
				"Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550-5.2.2 The email account is over quota\n",
			recipient: "rcpt@example.net", action: "failed", status: "5.2.2", diag: "550-5.2.2 The email account is over quota", reply: 550,
		},
		{
			// A missing Status is read from the diagnostic (sample lhost-exim style).
			name: "missing status",
			fields: "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; rcpt@example.net\n" +
				"Action: delayed\nDiagnostic-Code: smtp; 451 4.7.1 Greylisted, try again later\n",
			recipient: "rcpt@example.net", action: "delayed", status: "4.7.1", diag: "451 4.7.1 Greylisted, try again later", reply: 451,
		},
		{
			// QUIRK: no per-message block, upper-case field names, "failure" for failed.
			name:      "no per-message block",
			fields:    "FINAL-RECIPIENT: rfc822; rcpt@example.net\nACTION: failure\nSTATUS: 5.2.1\n",
			recipient: "rcpt@example.net", action: "failed", status: "5.2.1",
		},
		{
			// QUIRK: Final-Recipient missing, Original-Recipient given.
			name:      "original only",
			fields:    "Reporting-MTA: dns; mx.example.org\n\nOriginal-Recipient: rfc822; rcpt@example.net\nAction: failed\nStatus: 5.1.1\n",
			recipient: "rcpt@example.net", orig: "rcpt@example.net", action: "failed", status: "5.1.1",
		},
		{
			// QUIRK: two recipient groups without the blank line of RFC 3464 2.1;
			// the first must not be lost (issue 10).
			name: "groups back to back",
			fields: "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; first@example.net\nAction: failed\nStatus: 5.1.1\n" +
				"Original-Recipient: rfc822; second@example.net\nFinal-Recipient: rfc822; second@example.net\nAction: failed\nStatus: 5.2.2\n",
			recipient: "first@example.net", action: "failed", status: "5.1.1", second: "second@example.net",
		},
		{
			// RFC 5321 4.1.1.3: a source route is dropped.
			name:      "source route",
			fields:    "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; <@relay.example:user@example.net>\nAction: failed\nStatus: 5.1.1\n",
			recipient: "user@example.net", action: "failed", status: "5.1.1",
		},
		{
			// RFC 6533: UTF-8 addresses in message/global-delivery-status; IDN to Unicode.
			name:      "idn domain",
			fields:    "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; user@xn--mnchen-3ya.example\nAction: failed\nStatus: 5.1.2\n",
			recipient: "user@xn--mnchen-3ya.example", action: "failed", status: "5.1.2",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Parse([]byte(rfc3464Report(c.fields)), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rep.DecodedBy != "rfc3464" || rep.ReportingMTA != "" && rep.ReportingMTA != "mx.example.org" {
				t.Errorf("DecodedBy %q ReportingMTA %q", rep.DecodedBy, rep.ReportingMTA)
			}
			n := 1
			if c.second != "" {
				n = 2
			}
			if len(rep.Recipients) != n {
				t.Fatalf("got %d recipients, want %d: %+v", len(rep.Recipients), n, rep.Recipients)
			}
			if c.second != "" && rep.Recipients[1].Recipient != c.second {
				t.Errorf("second recipient = %q, want %q", rep.Recipients[1].Recipient, c.second)
			}
			r := rep.Recipients[0]
			got := []string{r.Recipient, r.OriginalRecipient, string(r.Action), specific(r).String(), r.Diagnostic, r.Command, r.RemoteMTA, r.FinalRecipient}
			want := []string{c.recipient, c.orig, c.action, c.status, c.diag, c.command, c.remote, c.final}
			names := []string{"recipient", "original", "action", "status", "diagnostic", "command", "remote", "final"}
			for i := range got {
				if want[i] == "" && i != 1 && i != 5 && i != 6 && i != 7 {
					continue
				}
				if got[i] != want[i] {
					t.Errorf("%s = %q, want %q", names[i], got[i], want[i])
				}
			}
			if int(r.ReplyCode) != c.reply {
				t.Errorf("reply = %d, want %d", r.ReplyCode, c.reply)
			}
			if rep.Original.MessageID != "<orig-1@example.com>" {
				t.Errorf("original Message-ID = %q", rep.Original.MessageID)
			}
		})
	}
}

func TestLineEndings(t *testing.T) {
	lf := rfc3464Report("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; rcpt@example.net\nAction: failed\nStatus: 5.1.1\n")
	for name, raw := range map[string]string{
		"LF":   lf,
		"CRLF": strings.ReplaceAll(lf, "\n", "\r\n"),
		"CR":   strings.ReplaceAll(lf, "\n", "\r"),
	} {
		rep, err := Parse([]byte(raw), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Recipients) != 1 || rep.Recipients[0].Status.String() != "5.1.1" || rep.Original.MessageID != "<orig-1@example.com>" {
			t.Errorf("%s: recipients %+v original %q", name, rep.Recipients, rep.Original.MessageID)
		}
	}
}

func TestScanDiagnostic(t *testing.T) {
	cases := []struct {
		text, status, command, host string
		reply                       int
	}{
		// Postfix (DESIGN.md example).
		{"host mx.example.com[192.0.2.1] said: 554 5.7.1 <a@b>: Relay access denied (in reply to RCPT TO command)", "5.7.1", "RCPT", "mx.example.com", 554},
		// Exim.
		{"SMTP error from remote mail server after RCPT TO:<a@example.net>: host mx.example.net [192.0.2.2]: 550 5.1.1 No such user", "5.1.1", "RCPT", "mx.example.net", 550},
		// qmail: the IP address is the host and must not be read as a code.
		{"Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host 192.0.2.32 said: 550 Unknown user", "", "RCPT", "192.0.2.32", 550},
		// Exchange: "#5.1.1 smtp;550".
		{"#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", "5.1.1", "", "", 550},
		// Multi-line reply with a hyphen.
		{"550-5.7.26 This mail is unauthenticated", "5.7.26", "", "", 550},
		// End of DATA.
		{"host mx.example.org[192.0.2.9] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command)", "5.3.4", "DATA", "mx.example.org", 552},
		// Nothing to find.
		{"Connection timed out", "", "", "", 0},
	}
	for _, c := range cases {
		d := ScanDiagnostic(c.text)
		if d.Status.String() != c.status || int(d.Reply) != c.reply || d.Command != c.command || d.Host != c.host {
			t.Errorf("ScanDiagnostic(%q) = {%s %d %q %q}, want {%s %d %q %q}", c.text, d.Status, d.Reply, d.Command, d.Host, c.status, c.reply, c.command, c.host)
		}
	}
}

func TestNormalizeAddress(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rfc822; <User@Example.COM>", "User@example.com"}, // RFC 3464 address-type
		{"<user@example.com>.", "user@example.com"},        // trailing dot (Sendmail)
		{`"user@example.com"`, "user@example.com"},         // quoted whole address
		{"user@example.com (Mailbox full)", "user@example.com"},
		{"mailto:user@example.com", "user@example.com"},
		{"utf-8; user@xn--bcher-kva.example", "user@xn--bcher-kva.example"}, // RFC 6533 utf-8 type, IDN in A-labels (issue 10)
		{"no address here", ""},
		{"@example.com", ""},
		{"user@", ""},
	}
	for _, c := range cases {
		if got := normalizeAddress(c.in); got != c.want {
			t.Errorf("normalizeAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLimits(t *testing.T) {
	ok := rfc3464Report("Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1\n")
	// Size.
	if _, err := Parse([]byte(ok), Options{MaxMessageBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size: err = %v, want ErrTooLarge", err)
	}
	// Depth: multiparts nested 40 deep.
	var sb strings.Builder
	sb.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=b0\n\n")
	for i := 1; i <= 40; i++ {
		sb.WriteString("--b" + itoa(i-1) + "\nContent-Type: multipart/mixed; boundary=b" + itoa(i) + "\n\n")
	}
	if _, err := Parse([]byte(sb.String()), Options{MaxDepth: 8}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth: err = %v, want ErrTooDeep", err)
	}
	// Parts.
	sb.Reset()
	sb.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n")
	for i := 0; i < 50; i++ {
		sb.WriteString("--b\nContent-Type: text/plain\n\nx\n")
	}
	sb.WriteString("--b--\n")
	if _, err := Parse([]byte(sb.String()), Options{MaxParts: 10}); !errors.Is(err, ErrTooManyParts) {
		t.Errorf("parts: err = %v, want ErrTooManyParts", err)
	}
	// Recipients.
	sb.Reset()
	sb.WriteString("Reporting-MTA: dns; mx.example.org\n")
	for i := 0; i < 20; i++ {
		sb.WriteString("\nFinal-Recipient: rfc822; u" + itoa(i) + "@example.net\nAction: failed\nStatus: 5.1.1\n")
	}
	if _, err := Parse([]byte(rfc3464Report(sb.String())), Options{MaxRecipients: 5}); !errors.Is(err, ErrTooManyRecipients) {
		t.Errorf("recipients: err = %v, want ErrTooManyRecipients", err)
	}
	if rep, err := Parse([]byte(rfc3464Report(sb.String())), Options{}); err != nil || len(rep.Recipients) != 20 {
		t.Errorf("20 recipients under the default limit: err %v, got %d", err, len(rep.Recipients))
	}
	// Not a message.
	if _, err := Parse([]byte("\x00\x01 binary garbage"), Options{}); !errors.Is(err, ErrNotMessage) {
		t.Errorf("garbage: err = %v, want ErrNotMessage", err)
	}
	if _, err := Parse(nil, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: err = %v, want ErrEmpty", err)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestLowerName compares lowerName, which lowers eight bytes at a time,
// with a byte loop, at every length up to its limit and past it, with a
// capital or a non-ASCII byte at every position.
func TestLowerName(t *testing.T) {
	var buf [maxFieldName]byte
	for n := 0; n <= maxFieldName+1; n++ {
		for at := 0; at < max(n, 1); at++ {
			for _, c := range []byte{'A', 'Z', 'z', '-', 0xc3, '@', '['} {
				name := []byte(strings.Repeat("x-Mailer-", 5)[:n])
				if at < n {
					name[at] = c
				}
				want := make([]byte, n)
				for i, c := range name {
					if c >= 'A' && c <= 'Z' {
						c += 'a' - 'A'
					}
					want[i] = c
				}
				if n > maxFieldName {
					want = nil
				}
				if got := lowerName(&buf, name); string(got) != string(want) || (got == nil) != (want == nil) {
					t.Fatalf("lowerName(%q) = %q, want %q", name, got, want)
				}
			}
		}
	}
}

// TestDSNFieldOf: dsnFieldOf finds each name of dsnFieldNames in any
// case, and no other name: checked against the lower-cased name looked up
// in the list, on the names, their variants one byte off and others.
func TestDSNFieldOf(t *testing.T) {
	want := func(name string) dsnField {
		for f, n := range dsnFieldNames {
			if n != "" && strings.ToLower(name) == n && len(name) == len(n) {
				return dsnField(f)
			}
		}
		return dsnOther
	}
	names := []string{"", "x-mailer", "status2", "actio", "received", "X-Other-Field", "Final-Log-ID",
		"Original-Envelope-Id", "X-Postfix-Queue-ID", "Statu\xd3", "ACTION\x00"}
	for _, n := range dsnFieldNames {
		if n == "" {
			continue
		}
		names = append(names, n, strings.ToUpper(n), strings.ToUpper(n[:1])+n[1:], n[:len(n)-1], n+"s")
		for i := range n {
			b := []byte(n)
			b[i] ^= 0x01 // a byte off
			names = append(names, string(b))
			b[i] ^= 0x01 ^ 0x20 // its case flipped (a '-' becomes '\r')
			names = append(names, string(b))
		}
	}
	for _, n := range names {
		if got, w := dsnFieldOf([]byte(n)), want(n); got != w {
			t.Errorf("dsnFieldOf(%q) = %d, want %d", n, got, w)
		}
	}
	for f := dsnField(1); f < numDSNFields; f++ {
		s := dsnFieldNames[f]
		if s == "" {
			t.Errorf("dsnField %d has no name", f)
		} else if g := dsnFieldByHash[dsnFieldHash(len(s), s[0], s[len(s)-1])]; g != f {
			t.Errorf("dsnFieldHash of %q is that of %q too", s, dsnFieldNames[g])
		}
	}
}

// TestFieldColonWords compares fieldColon, which passes over eight name
// bytes at a time, with a byte loop over nameByte, with every byte value
// at every position of lines up to 20 bytes.
func TestFieldColonWords(t *testing.T) {
	ref := func(b []byte) (int, int) {
		i := 0
		for i < len(b) && nameByte[b[i]] {
			i++
		}
		switch {
		case i == len(b):
			return 0, 0
		case b[i] == ':':
			return i, i
		case b[i] == ' ' && i > 0:
			j := i
			for j < len(b) && b[j] == ' ' {
				j++
			}
			if j < len(b) && b[j] == ':' {
				return j, i
			}
		}
		return 0, 0
	}
	for n := 1; n <= 20; n++ {
		b := []byte(strings.Repeat("X-Spam-Status", 2)[:n-1] + ":")
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				old := b[at]
				b[at] = byte(c)
				k, e := fieldColon(b)
				wk, we := ref(b)
				if k != wk || e != we {
					t.Fatalf("fieldColon(%q) = %d, %d, want %d, %d", b, k, e, wk, we)
				}
				b[at] = old
			}
		}
	}
}

// TestOwnFieldKind compares ownFieldKind with the switch on lowerName it
// replaces, for the names it knows in several cases and for others.
func TestOwnFieldKind(t *testing.T) {
	ref := func(raw []byte) int {
		var buf [maxFieldName]byte
		name := lowerName(&buf, raw)
		switch string(name) {
		case "from":
			return ownFrom
		case "to":
			return ownTo
		case "subject":
			return ownSubject
		case "return-path":
			return ownReturnPath
		case "message-id":
			return ownMessageID
		case "delivered-to":
			return ownDeliveredTo
		case "x-original-to":
			return ownXOriginalTo
		case "x-failed-recipients":
			return ownXFailedRecipients
		case "auto-submitted":
			return ownAutoSubmitted
		case "precedence":
			return ownPrecedence
		}
		if len(name) > 2 && name[0] == 'x' && name[1] == '-' {
			return ownX
		}
		return ownOther
	}
	names := []string{"from", "to", "subject", "return-path", "message-id", "delivered-to", "x-original-to",
		"x-failed-recipients", "auto-submitted", "precedence", "x-mailer", "x-", "x", "received", "tO", "fro",
		"message-ids", "x_mailer", "y-mailer", "X-" + strings.Repeat("a", maxFieldName), "\xd8-mailer", "t\x8f"}
	for _, n := range names {
		title := []byte(n) // "Return-Path"
		for i := range title {
			if (i == 0 || title[i-1] == '-') && title[i] >= 'a' && title[i] <= 'z' {
				title[i] -= 'a' - 'A'
			}
		}
		for _, v := range []string{n, strings.ToUpper(n), string(title)} {
			if got, want := ownFieldKind([]byte(v)), ref([]byte(v)); got != want {
				t.Errorf("ownFieldKind(%q) = %d, want %d", v, got, want)
			}
		}
	}
}

// TestFieldColonIsFieldLine checks that fieldColon finds a colon in a line
// exactly when isFieldLine says it is a field, at the line's first colon.
func TestFieldColonIsFieldLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const alpha = "aZ-: \t\x01\x7f\xe3!~"
	for range 100000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		k, _ := fieldColon(b)
		if (k > 0) != isFieldLine(b) || k > 0 && k != bytes.IndexByte(b, ':') {
			t.Fatalf("fieldColon(%q) = %d; isFieldLine %v, first colon %d", b, k, isFieldLine(b), bytes.IndexByte(b, ':'))
		}
	}
}

// fieldCountCases are delivery-status bodies whose recipient blocks
// countRecipientBlocks and fieldBlocksInto must count alike.
var fieldCountCases = []string{
	"Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; a@b\nAction: failed\n",
	"Final-Recipient: rfc822; a@b\nFinal-Recipient: rfc822; c@d\n\nOriginal-Recipient: rfc822; e@f\n",
	"final-recipient\t: rfc822; a@b\nFINAL-RECIPIENT : x\nFinal\rRecipient: y\n", // a tab, spaces, a CR for a dash
	"Original-Recipient: a\n Final-Recipient: folded\nX: y\n\n\nOriginal-Recipient: b\nOriginal-Recipient: c\n",
	"Final-Recipient:\n\nFinal-Recipient:\n\nFinal-Recipient:\n\nFinal-Recipient:\n\nFinal-Recipient:\n",
	"Final-Recipients: no\nFinal-Recipient x: no\nOriginal-Recipient", "",
}

// TestFieldBlocksCount compares the recipient count fieldBlocksInto keeps
// on the way with countRecipientBlocks, with every limit that stops it
// early (too many blocks, too many recipients) or not.
func TestFieldBlocksCount(t *testing.T) {
	for _, c := range fieldCountCases {
		want := countRecipientBlocks([]byte(c))
		for maxBlocks := 1; maxBlocks < 8; maxBlocks++ {
			for maxRcpt := 0; maxRcpt < 7; maxRcpt++ {
				if _, _, got := fieldBlocksInto(nil, nil, []byte(c), maxBlocks, maxRcpt); got != want {
					t.Errorf("fieldBlocksInto(%q, %d, %d) counts %d, countRecipientBlocks %d", c, maxBlocks, maxRcpt, got, want)
				}
			}
		}
	}
}

// FuzzFieldBlocksCount is TestFieldBlocksCount on any body and limits.
func FuzzFieldBlocksCount(f *testing.F) {
	for _, c := range fieldCountCases {
		f.Add([]byte(c), 3, 2)
	}
	f.Fuzz(func(t *testing.T, b []byte, maxBlocks, maxRcpt int) {
		maxBlocks, maxRcpt = 1+abs(maxBlocks)%16, abs(maxRcpt)%16
		want := countRecipientBlocks(b)
		if _, _, got := fieldBlocksInto(nil, nil, b, maxBlocks, maxRcpt); got != want {
			t.Fatalf("fieldBlocksInto(%q, %d, %d) counts %d, countRecipientBlocks %d", b, maxBlocks, maxRcpt, got, want)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// TestIsLowerName compares isLowerName, eight bytes at a time, with a
// byte loop over lowerByte, on the field names with each byte replaced by
// every value.
func TestIsLowerName(t *testing.T) {
	ref := func(name []byte, lower string) bool {
		if len(name) != len(lower) {
			return false
		}
		for i := range name {
			if lowerByte[name[i]] != lower[i] {
				return false
			}
		}
		return true
	}
	for _, s := range append(dsnFieldNames[1:], "content-transfer-encoding", "x-failed-recipients", "to") {
		for i := range s {
			b := []byte(s)
			for c := 0; c < 256; c++ {
				b[i] = byte(c)
				if got, want := isLowerName(b, s), ref(b, s); got != want {
					t.Fatalf("isLowerName(%q, %q) = %v, want %v", b, s, got, want)
				}
			}
		}
	}
}

// TestOwnHeadersPastKept reads a bounce whose header has more fields with
// kept values than readOwnHeaders notes in its first pass: those past its
// room are read all the same, in order (an empty To does not count).
func TestOwnHeadersPastKept(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@mx.example.net\n")
	for range 20 {
		b.WriteString("To: \n") // 20 empty To fields
	}
	b.WriteString("To: <bounce+user=example.org@lists.example.com>\nX-Failed-Recipients: a@example.org,\n b@example.org\n")
	b.WriteString("Subject: Undelivered Mail Returned to Sender\nX-Failed-Recipients: c@example.org\n\nNo text.\n")
	r, err := Parse([]byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<bounce+user=example.org@lists.example.com>"; r.To != want {
		t.Errorf("To = %q, want %q", r.To, want)
	}
	if want := "Undelivered Mail Returned to Sender"; r.Subject != want {
		t.Errorf("Subject = %q, want %q", r.Subject, want)
	}
	if got, want := strings.Join(r.FailedRecipients, " "), "a@example.org b@example.org c@example.org"; got != want {
		t.Errorf("FailedRecipients = %q, want %q", got, want)
	}
	if want := "user@example.org"; r.VERPRecipient != want {
		t.Errorf("VERPRecipient = %q, want %q", r.VERPRecipient, want)
	}
}
