package mtalog

import (
	"fmt"
	"strings"
	"testing"
)

// The sample lines are written for these tests after the formats in the
// Postfix manual (postconf(5) and the delivery agents' logging), the
// Exim specification (chapter "Log files", main log flags ** and ==) and
// KumoMTA's log record reference; addresses use example domains.
var samples = []struct {
	name, line string
	want       Record
}{
	{ // Postfix smtp(8), RCPT rejection, BSD syslog prefix.
		"postfix-bounced",
		`Nov 29 10:00:01 mail postfix/smtp[1234]: 4F3A21234: to=<Alice@dest.example>, orig_to=<alias@dest.example>, relay=mx.dest.example[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.dest.example[192.0.2.10] said: 550 5.1.1 <alice@dest.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`,
		Record{Format: "postfix", Time: "Nov 29 10:00:01", QueueID: "4F3A21234", Recipient: "alice@dest.example", OriginalRecipient: "alias@dest.example",
			RemoteHost: "mx.dest.example", RemoteIP: "192.0.2.10",
			Text: "host mx.dest.example[192.0.2.10] said: 550 5.1.1 <alice@dest.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"},
	},
	{ // Postfix deferral, connection timeout, RFC 3339 prefix (rsyslog).
		"postfix-deferred",
		`2026-11-29T10:00:02.123456+00:00 mail postfix/smtp[1235]: 5A1B2C3D4: to=<bob@slow.example>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[198.51.100.7]:25: Connection timed out)`,
		Record{Format: "postfix", Time: "2026-11-29T10:00:02.123456+00:00", QueueID: "5A1B2C3D4", Recipient: "bob@slow.example", Deferred: true,
			Text: "connect to mx.slow.example[198.51.100.7]:25: Connection timed out"},
	},
	{ // Postfix greylisting answer.
		"postfix-deferred-greylist",
		`Nov 29 10:00:03 mail postfix/smtp[1236]: 6B2C3D4E5: to=<carol@grey.example>, relay=mx.grey.example[203.0.113.5]:25, delay=0.4, delays=0/0/0.2/0.2, dsn=4.7.1, status=deferred (host mx.grey.example[203.0.113.5] said: 450 4.7.1 <carol@grey.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/grey.example.html (in reply to RCPT TO command))`,
		Record{Format: "postfix", Time: "Nov 29 10:00:03", QueueID: "6B2C3D4E5", Recipient: "carol@grey.example", Deferred: true, RemoteHost: "mx.grey.example", RemoteIP: "203.0.113.5",
			Text: "host mx.grey.example[203.0.113.5] said: 450 4.7.1 <carol@grey.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/grey.example.html (in reply to RCPT TO command)"},
	},
	{ // Exim failure with the original address and TLS details.
		"exim-failed",
		`2026-11-29 10:00:04 1tABCD-000123-AB ** dave@dest.example <info@list.example> R=dnslookup T=remote_smtp H=mx.dest.example [192.0.2.10] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes: SMTP error from remote mail server after RCPT TO:<dave@dest.example>: 550 5.1.1 <dave@dest.example>: Recipient address rejected: User unknown`,
		Record{Format: "exim", Time: "2026-11-29 10:00:04", QueueID: "1tABCD-000123-AB", Recipient: "dave@dest.example", OriginalRecipient: "info@list.example",
			RemoteHost: "mx.dest.example", RemoteIP: "192.0.2.10",
			Text: "SMTP error from remote mail server after RCPT TO:<dave@dest.example>: 550 5.1.1 <dave@dest.example>: Recipient address rejected: User unknown"},
	},
	{ // Exim deferral.
		"exim-deferred",
		`2026-11-29 10:00:05 1tABCE-000124-CD == erin@grey.example R=dnslookup T=remote_smtp defer (-44) H=mx.grey.example [203.0.113.5]: SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 451 4.7.1 Please try again later`,
		Record{Format: "exim", Time: "2026-11-29 10:00:05", QueueID: "1tABCE-000124-CD", Recipient: "erin@grey.example", Deferred: true,
			RemoteHost: "mx.grey.example", RemoteIP: "203.0.113.5",
			Text: "SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 451 4.7.1 Please try again later"},
	},
	{ // Exim local failure without a remote server.
		"exim-local",
		`2026-11-29 10:00:06 1tABCF-000125-EF ** frank@nowhere.example: Unrouteable address`,
		Record{Format: "exim", Time: "2026-11-29 10:00:06", QueueID: "1tABCF-000125-EF", Recipient: "frank@nowhere.example", Text: "Unrouteable address"},
	},
	{ // KumoMTA Bounce record.
		"kumomta-bounce",
		`{"type":"Bounce","id":"1d98076abbbc11ed940250ebf67f93bd","sender":"bounce@esp.example","recipient":"Grace@dest.example","queue":"campaign:t@dest.example","site":"mx.dest.example","size":1047,"response":{"code":550,"enhanced_code":{"class":5,"subject":7,"detail":1},"content":"Service unavailable, Client host [198.51.100.2] blocked using zen.spamhaus.org","command":"RCPT TO"},"peer_address":{"name":"mx.dest.example.","addr":"192.0.2.10"},"source_address":{"address":"198.51.100.2:40000"},"timestamp":1795953601}`,
		Record{Format: "kumomta", Time: "2026-11-29T12:00:01Z", QueueID: "1d98076abbbc11ed940250ebf67f93bd", Recipient: "grace@dest.example", Sender: "bounce@esp.example",
			RemoteHost: "mx.dest.example", RemoteIP: "192.0.2.10", SendingIP: "198.51.100.2", Command: "RCPT",
			Text: "550 5.7.1 Service unavailable, Client host [198.51.100.2] blocked using zen.spamhaus.org"},
	},
	{ // KumoMTA TransientFailure with a recipient array.
		"kumomta-transient",
		`{"type":"TransientFailure","id":"2e","sender":"b@esp.example","recipient":["heidi@busy.example"],"response":{"code":421,"enhanced_code":{"class":4,"subject":7,"detail":0},"content":"Too many connections","command":"."},"peer_address":{"name":"mx.busy.example","addr":"203.0.113.9"},"timestamp":1795953602}`,
		Record{Format: "kumomta", Time: "2026-11-29T12:00:02Z", QueueID: "2e", Recipient: "heidi@busy.example", Sender: "b@esp.example", Deferred: true,
			RemoteHost: "mx.busy.example", RemoteIP: "203.0.113.9", Command: "DATA", Text: "421 4.7.0 Too many connections"},
	},
}

func TestParse(t *testing.T) {
	for _, s := range samples {
		got, ok := Parse(s.line)
		if !ok {
			t.Errorf("%s: Parse = not a failure, want %+v", s.name, s.want)
			continue
		}
		if got != s.want {
			t.Errorf("%s: Parse =\n %+v\nwant\n %+v", s.name, got, s.want)
		}
	}
}

func TestNotFailures(t *testing.T) {
	for _, line := range []string{
		`Nov 29 10:00:01 mail postfix/smtp[1234]: 4F3A21234: to=<a@dest.example>, relay=mx.dest.example[192.0.2.10]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)`,
		`Nov 29 10:00:01 mail postfix/qmgr[99]: 4F3A21234: from=<x@esp.example>, size=1234, nrcpt=1 (queue active)`,
		`2026-11-29 10:00:04 1tABCD-000123-AB => dave@dest.example R=dnslookup T=remote_smtp H=mx.dest.example [192.0.2.10] C="250 OK"`,
		`{"type":"Delivery","id":"1","recipient":"a@dest.example","response":{"code":250,"content":"OK"}}`,
		`{"type":"Bounce"`, // cut JSON
		``,
		"\xff\xfe garbage ** not an address",
		// Exim, a queue run without an attempt (no new answer).
		`2026-11-29 10:10:05 1tABCE-000124-CD == erin@grey.example R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for 'grey.example'`,
	} {
		if r, ok := Parse(line); ok {
			t.Errorf("Parse(%.60q) = %+v, want not a failure", line, r)
		}
	}
}

func TestScanner(t *testing.T) {
	var b strings.Builder
	for _, s := range samples {
		b.WriteString(s.line + "\n")
		b.WriteString("Nov 29 10:00:01 mail postfix/qmgr[99]: ABC: removed\n")
	}
	sc := NewScanner(strings.NewReader(b.String()))
	n := 0
	for sc.Scan() {
		if sc.Record().Line != 2*n+1 {
			t.Errorf("record %d on line %d, want %d", n, sc.Record().Line, 2*n+1)
		}
		n++
	}
	if sc.Err() != nil || n != len(samples) {
		t.Errorf("Scanner: %d records, err %v; want %d", n, sc.Err(), len(samples))
	}
	// A line over the limit is skipped and counted; the next one is read.
	long := strings.Repeat("x", MaxLineBytes+10) + "\n" + samples[0].line + "\n" + samples[1].line
	sc = NewScanner(strings.NewReader(long))
	n = 0
	for sc.Scan() {
		n++
		if n == 1 && sc.Record().Line != 2 {
			t.Errorf("first record on line %d, want 2", sc.Record().Line)
		}
	}
	if n != 2 || sc.TooLong != 1 || sc.Err() != nil {
		t.Errorf("over-long line: %d records, %d too long, err %v; want 2, 1, nil", n, sc.TooLong, sc.Err())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add(s.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, ok := Parse(line)
		if ok && r.Recipient == "" {
			t.Errorf("Parse(%q) gave a record without a recipient", line)
		}
	})
}

// TestScannerKumoBatch: a KumoMTA record for a batch names several
// recipients; each failed one gets its Record (one verdict per failed
// recipient), not only the first.
func TestScannerKumoBatch(t *testing.T) {
	log := `{"type":"Bounce","id":"3f","sender":"b@esp.example","recipient":["ivan@dest.example","judy@dest.example"],"response":{"code":550,"enhanced_code":{"class":5,"subject":1,"detail":1},"content":"no such user","command":"RCPT TO"},"peer_address":{"name":"mx.dest.example","addr":"192.0.2.10"},"timestamp":1795953603}` + "\n" +
		"Nov 29 10:00:01 mail postfix/smtp[1]: 4F: to=<kim@dest.example>, relay=mx.dest.example[192.0.2.10]:25, dsn=5.1.1, status=bounced (host mx.dest.example[192.0.2.10] said: 550 5.1.1 no (in reply to RCPT TO command))\n"
	sc := NewScanner(strings.NewReader(log))
	var got []string
	for sc.Scan() {
		r := sc.Record()
		got = append(got, fmt.Sprintf("%d:%s", r.Line, r.Recipient))
	}
	want := []string{"1:ivan@dest.example", "1:judy@dest.example", "2:kim@dest.example"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records = %v, want %v", got, want)
	}
}
