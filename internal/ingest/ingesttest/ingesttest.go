// Package ingesttest builds the messages the ingest tests feed: RFC 3464
// bounces with a chosen recipient and listmonk campaign, a malformed
// message, and one over a size limit.
package ingesttest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Bounce returns a Postfix-style RFC 3464 report for rcpt (550 5.1.1 user
// unknown) whose returned headers carry X-Listmonk-Campaign: campaign
// when campaign is not empty. The lines end in CRLF.
func Bounce(rcpt, campaign string) []byte {
	domain := rcpt[strings.LastIndexByte(rcpt, '@')+1:]
	camp := ""
	if campaign != "" {
		camp = "X-Listmonk-Campaign: " + campaign + "\n"
	}
	msg := fmt.Sprintf(`Return-Path: <>
From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-%[1]s@mail.sender.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<%[1]s>: host mx.%[2]s[192.0.2.10] said: 550 5.1.1 <%[1]s>:
    Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.example

Final-Recipient: rfc822; %[1]s
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.%[2]s
Diagnostic-Code: smtp; 550 5.1.1 <%[1]s>: Recipient address rejected: User unknown in virtual mailbox table

--B
Content-Type: text/rfc822-headers

From: news@sender.example
To: %[1]s
Subject: Our news
Message-ID: <orig-%[1]s@sender.example>
%[3]s
--B--
`, rcpt, domain, camp)
	return []byte(strings.ReplaceAll(msg, "\n", "\r\n"))
}

// Malformed returns input that is not an email message at all: no header
// block (the engine answers dsn.ErrNotMessage).
func Malformed() []byte {
	return []byte("this is not a message\r\nno header here, just words\r\n")
}

// Oversize returns a well-formed message of at least n bytes.
func Oversize(n int) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nTo: b@example.com\r\nSubject: big\r\n\r\n")
	line := strings.Repeat("x", 76) + "\r\n"
	for b.Len() < n {
		b.WriteString(line)
	}
	return []byte(b.String())
}

// Verdict is what the ingest tests read back of one JSON-lines sink line:
// the source, the per-message error and the recipients.
type Verdict struct {
	Source string `json:"source"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
	Recipients []struct {
		Recipient  string `json:"recipient"`
		HardBounce bool   `json:"hard_bounce"`
	} `json:"recipients"`
}

// ReadVerdicts reads every line of a JSON-lines sink file; a line that is
// not a verdict fails the test.
func ReadVerdicts(t testing.TB, path string) []Verdict {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Verdict
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v Verdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("sink line %q: %v", sc.Text(), err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
