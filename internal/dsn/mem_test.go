package dsn

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// TestParseIntoSame parses every message under testdata twice, with Parse
// and with ParseInto into one Mem reset (and poisoned) after each message,
// as a server reusing its Mems does: the Reports must be equal. The Mem
// must really be used, or the test proves nothing.
func TestParseIntoSame(t *testing.T) {
	PoisonReset(true)
	defer PoisonReset(false)
	var mem Mem
	inChunk, inRcpts, inHeaders := 0, 0, 0
	for _, f := range testdataEML(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []Options{{}, {SkipSendingIP: true, MaxRecipients: 2}} {
			want, werr := Parse(raw, opts)
			got, gerr := ParseInto(raw, opts, &mem)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s: Parse error %v, ParseInto error %v", f, werr, gerr)
			}
			if werr != nil {
				mem.Reset()
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: ParseInto differs from Parse:\n got %+v\nwant %+v", f, got, want)
			}
			if got != &mem.rep {
				t.Fatalf("%s: the Report is not the Mem's", f)
			}
			if id := got.Original.MessageID; id != "" && mem.used > 0 && strings.Contains(unsafe.String(unsafe.SliceData(mem.chunk), mem.used), id) {
				inChunk++
			}
			if len(got.Recipients) > 0 && &got.Recipients[0] == &mem.rcpts[0] {
				inRcpts++
			}
			if len(got.Original.Headers) > 0 && &got.Original.Headers[0] == &mem.headers[0] {
				inHeaders++
			}
			mem.Reset()
		}
	}
	if inChunk < 200 || inRcpts < 200 || inHeaders < 200 {
		t.Fatalf("the Mem held the strings of %d reports, the recipients of %d, the headers of %d: want most", inChunk, inRcpts, inHeaders)
	}
}

// TestMemResetPoisons checks the test hook the engine's and the server's
// tests rely on: with PoisonReset on, the strings a Report kept in its Mem
// read garbage after Reset (so a view kept past Reset shows), and without
// it Reset clears the Report. It also checks that a Mem never reset
// leaves its strings on the heap (a caller may keep that Report for good).
func TestMemResetPoisons(t *testing.T) {
	raw := []byte("From: MAILER-DAEMON@mx.example\r\nTo: a@b.example\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n" +
		"Final-Recipient: rfc822; u@dest.example\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m1@a.example>\r\nFrom: a@b.example\r\nSubject: hello\r\n\r\n--b--\r\n")
	var fresh Mem
	if r, err := ParseInto(raw, Options{}, &fresh); err != nil || fresh.used != 0 || r.Recipients[0].Diagnostic != "550 5.1.1 user unknown" {
		t.Fatalf("a fresh Mem: %v, %d bytes of its chunk used", err, fresh.used)
	}
	var mem Mem
	mem.Reset() // a Mem in reuse: a fresh one copies to the heap
	for _, poison := range []bool{true, false} {
		PoisonReset(poison)
		r, err := ParseInto(raw, Options{}, &mem)
		if err != nil {
			t.Fatal(err)
		}
		diag, id := r.Recipients[0].Diagnostic, r.Original.MessageID
		if diag != "550 5.1.1 user unknown" || id != "<m1@a.example>" {
			t.Fatalf("diagnostic %q, Message-ID %q", diag, id)
		}
		mem.Reset()
		switch {
		case poison && (diag == "550 5.1.1 user unknown" || id == "<m1@a.example>"):
			t.Fatalf("poisoned Reset left %q and %q readable", diag, id)
		case !poison && (r.From != "" || len(r.Recipients) != 0):
			t.Fatalf("Reset left the Report filled: %+v", r)
		}
	}
	PoisonReset(false)
}

// TestCheckedUTF8: a Report of Parse (and of ParseInto) says its strings
// were checked, one built by hand does not; the server writes a checked
// Report's strings without reading them again, so every string of one
// must be valid UTF-8, for messages with invalid bytes too.
func TestCheckedUTF8(t *testing.T) {
	if (&Report{From: "\xff"}).CheckedUTF8() {
		t.Fatal("a hand-built Report says its strings were checked")
	}
	raw := []byte(rfc3464Report("Final-Recipient: rfc822; m\xfcller@example.net\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp; 550 Empf\xe4nger \xff unbekannt\n"))
	var mem Mem
	for _, parse := range []func() (*Report, error){
		func() (*Report, error) { return Parse(raw, Options{}) },
		func() (*Report, error) { return ParseInto(raw, Options{}, &mem) },
	} {
		r, err := parse()
		if err != nil {
			t.Fatal(err)
		}
		if !r.CheckedUTF8() {
			t.Fatal("a Report of Parse does not say its strings were checked")
		}
		var bad []string
		invalidStrings(reflect.ValueOf(*r), "Report", &bad)
		if len(bad) > 0 || len(r.Recipients) != 1 {
			t.Fatalf("%d recipients, invalid UTF-8 in %v", len(r.Recipients), bad)
		}
	}
}

// TestParseIntoWithoutReset: a Mem given to ParseInto again without a
// Reset (a caller's mistake) still gives the Report Parse gives, with
// nothing of the one before; and after a Reset, that Report is cleared.
func TestParseIntoWithoutReset(t *testing.T) {
	files := testdataEML(t)
	var mem Mem
	mem.Reset()
	for i := 0; i+1 < len(files) && i < 60; i += 2 {
		a, _ := os.ReadFile(files[i])
		b, _ := os.ReadFile(files[i+1])
		if _, err := ParseInto(a, Options{}, &mem); err != nil {
			continue
		}
		got, gerr := ParseInto(b, Options{}, &mem)
		want, werr := Parse(b, Options{})
		if (gerr == nil) != (werr == nil) || gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s after %s without a Reset: got %+v (%v), want %+v (%v)", files[i+1], files[i], got, gerr, want, werr)
		}
		mem.Reset()
		if !reflect.DeepEqual(mem.rep, Report{}) {
			t.Fatalf("Reset left %+v", mem.rep)
		}
	}
}

// TestNoteSame: note keeps what it kept before it wrote the usual value on
// the stack (noteValue for every value), for each marker name in several
// cases and values of every kind, the first non-empty one winning, with
// and without a Mem; the usual value lands in the Mem.
func TestNoteSame(t *testing.T) {
	names := []string{"Auto-Submitted", "PRECEDENCE", "precedence", "X-Autoreply", "x-autorespond", "X-AutoResponder",
		"X-Auto-Reply", "X-Auto-Response-Suppress", "x-apple-action", "X-VACATION", "X-Mailer-Autoreply", "X-Other"}
	values := []string{"", " ", "auto-replied", " Auto-Replied ", "BULK", "yes (vacation)", "OOF, AutoReply",
		"auto-replied;\r\n\tfolded", "a\tb", "Vacaci\u00f3n", "caf\xe9", strings.Repeat("Long-", 60), "x"}
	var mem Mem
	mem.Reset()
	inMem := 0
	for _, n := range names {
		for _, v1 := range values {
			for _, v2 := range values[:4] {
				var got, want AutoReplyMarkers
				for _, v := range []string{v1, v2} {
					f := headerField{name: []byte(n), value: []byte(v)}
					lower := []byte(strings.ToLower(n))
					got.note(&mem, lower, f)
					noteOld(&want, lower, f)
				}
				if got != want {
					t.Fatalf("%s: %q then %q: note kept %+v, want %+v", n, v1, v2, got, want)
				}
				for _, s := range []string{got.AutoSubmitted, got.Precedence, got.XAutoreply, got.Other} {
					if s != "" && mem.used > 0 && unsafe.StringData(s) == &mem.chunk[mem.used-len(s)] {
						inMem++
					}
				}
				mem.Reset()
			}
		}
	}
	if inMem < 50 {
		t.Fatalf("%d values kept in the Mem: the usual case is not exercised", inMem)
	}
}

// noteOld is note as it was before it wrote the usual value on the
// stack: every value read by noteValue, the general reading.
func noteOld(m *AutoReplyMarkers, name []byte, f headerField) {
	if dst, named := m.markerOf(name); dst != nil && *dst == "" {
		*dst = noteValue(named, f)
	}
}
