package dsn

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMboxReaderMatchesSplitMbox: the streaming reader splits as SplitMbox does.
func TestMboxReaderMatchesSplitMbox(t *testing.T) {
	for _, in := range []string{
		"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n>From quoted\n\nFrom c@d Mon Jan  1 00:00:00 2024\nSubject: two\n\nx\n",
		"From a@b\r\nSubject: crlf\r\n\r\nFrom not a separator\r\nline\r\n\r\nFrom c@d\r\nSubject: 2\r\n\r\nend",
		"From only@one\nSubject: s\n\nb\n",
	} {
		want := SplitMbox([]byte(in))
		r := NewMboxReader(strings.NewReader(in), 0)
		var got [][]byte
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d messages, SplitMbox %d", in, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%q: message %d = %q, SplitMbox %q", in, i, got[i], want[i])
			}
		}
	}
}

// TestMboxReaderSkipsOversize: a message over the limit is reported and
// the next one still read.
func TestMboxReaderSkipsOversize(t *testing.T) {
	in := "From a\nSubject: big\n\n" + strings.Repeat("y", 5000) + "\n\nFrom b\nSubject: small\n\nok\n"
	r := NewMboxReader(strings.NewReader(in), 1000)
	if _, err := r.Next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("first Next = %v, want ErrTooLarge", err)
	}
	m, err := r.Next()
	if err != nil || !bytes.Contains(m, []byte("Subject: small")) {
		t.Fatalf("second Next = %q, %v; want the small message", m, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("third Next = %v, want io.EOF", err)
	}
}

// FuzzReplyRecipient: any reply yields valid UTF-8 facts or an error.
func FuzzReplyRecipient(f *testing.F) {
	f.Add("550 5.1.1 <a@b.example>: User unknown", "a@b.example", "mx.b.example", "RCPT", false)
	f.Add("host mx[192.0.2.1] said: 451 4.7.1 try later (in reply to RCPT TO command)", "", "", "", true)
	f.Add("\xff\xfe 5.7.1 \xe4", "\xe4@x", "\xff", "\xfe", false)
	f.Fuzz(func(t *testing.T, text, rcpt, host, cmd string, deferred bool) {
		rc, err := ReplyRecipient(Reply{Text: text, Recipient: rcpt, RemoteHost: host, Command: cmd, Deferred: deferred})
		if err != nil {
			return
		}
		for _, s := range []string{rc.Recipient, rc.Diagnostic, rc.RemoteMTA, rc.Command} {
			if !utf8.ValidString(s) {
				t.Fatalf("ReplyRecipient gave invalid UTF-8 %q", s)
			}
		}
		if rc.Action != ActionFailed && rc.Action != ActionDelayed {
			t.Fatalf("action %q", rc.Action)
		}
	})
}
