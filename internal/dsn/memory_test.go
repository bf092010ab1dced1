package dsn

import (
	"errors"
	"fmt"
	"mime"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/worstcase"
)

// measureParse parses raw once and returns the bytes allocated meanwhile
// (runtime.MemStats.TotalAlloc) and the peak of HeapInuse above what it
// was before, sampled every millisecond. TotalAlloc bounds the peak from
// above whatever the GC does; the sampled peak is what a memory limit
// sees.
func measureParse(t *testing.T, raw []byte) (rep *Report, err error, alloc, peak uint64) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var top uint64
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			top = max(top, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	rep, err = Parse(raw, Options{})
	close(done)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	top = max(top, after.HeapInuse)
	if top > before.HeapInuse {
		peak = top - before.HeapInuse
	}
	return rep, err, after.TotalAlloc - before.TotalAlloc, peak
}

// Memory budget of one message: a small constant times its size plus a
// fixed amount (issue 9). The fixed part covers the capped text, the
// tables and the decoder buffers.
const (
	memPerByte = 2
	memFixed   = 16 << 20
)

func budget(size int) uint64 { return uint64(memPerByte*size + memFixed) }

// TestWorstCaseMemory parses the generated worst cases and checks that
// what one message costs stays within budget(size), and that the result
// is still right and capped.
func TestWorstCaseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 MiB messages")
	}
	for _, tc := range []struct {
		name  string
		raw   []byte
		check func(t *testing.T, rep *Report, err error)
	}{
		{"html-24MiB-windows-1252-base64", worstcase.HTML(worstcase.HTMLBytes), func(t *testing.T, rep *Report, err error) {
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if len(rep.Text) > MaxTextBytes {
				t.Errorf("len(Report.Text) = %d, want at most MaxTextBytes (%d)", len(rep.Text), MaxTextBytes)
			}
			if !utf8.ValidString(rep.Text) {
				t.Errorf("Report.Text is not valid UTF-8")
			}
			if len(rep.Recipients) != 1 || rep.Recipients[0].Recipient != "renée@dest.example" {
				t.Errorf("recipients = %+v, want renée@dest.example", rep.Recipients)
			}
		}},
		{"plain-24MiB", worstcase.PlainText(worstcase.HTMLBytes), func(t *testing.T, rep *Report, err error) {
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if len(rep.Text) > MaxTextBytes {
				t.Errorf("len(Report.Text) = %d, want at most %d", len(rep.Text), MaxTextBytes)
			}
			if len(rep.Recipients) != 1 || rep.Recipients[0].Recipient != "victim@dest.example" {
				t.Errorf("recipients = %+v, want victim@dest.example", rep.Recipients)
			}
		}},
		{"diagnostic-5MB", worstcase.LongDiag(worstcase.LongDiagnostic), func(t *testing.T, rep *Report, err error) {
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if len(rep.Recipients) != 1 {
				t.Fatalf("%d recipients, want 1", len(rep.Recipients))
			}
			rc := rep.Recipients[0]
			if len(rc.Diagnostic) > MaxDiagnosticBytes {
				t.Errorf("len(Diagnostic) = %d, want at most MaxDiagnosticBytes (%d)", len(rc.Diagnostic), MaxDiagnosticBytes)
			}
			if !strings.HasPrefix(rc.Diagnostic, "550 5.7.1 Message rejected") || rc.Status.String() != "5.7.1" {
				t.Errorf("recipient = %q %v, want the diagnostic's start and 5.7.1", rc.Diagnostic[:min(len(rc.Diagnostic), 60)], rc.Status)
			}
		}},
		{"1000-recipients-20KB-diagnostics", worstcase.WideDiags(worstcase.WideRecipients, worstcase.WideDiagnosticSize), func(t *testing.T, rep *Report, err error) {
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if len(rep.Recipients) != worstcase.WideRecipients {
				t.Fatalf("%d recipients, want %d", len(rep.Recipients), worstcase.WideRecipients)
			}
			for i, rc := range rep.Recipients {
				if len(rc.Diagnostic) > MaxDiagnosticBytes {
					t.Fatalf("recipient %d: len(Diagnostic) = %d, want at most %d", i, len(rc.Diagnostic), MaxDiagnosticBytes)
				}
			}
		}},
		{"100000-recipients", worstcase.Recipients(worstcase.ManyRecipients), func(t *testing.T, rep *Report, err error) {
			if !errors.Is(err, ErrTooManyRecipients) {
				t.Fatalf("Parse = %v, want ErrTooManyRecipients", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err, alloc, peak := measureParse(t, tc.raw)
			t.Logf("%d bytes: allocated %.1f MB, peak heap +%.1f MB", len(tc.raw), float64(alloc)/1e6, float64(peak)/1e6)
			tc.check(t, rep, err)
			if b := budget(len(tc.raw)); alloc > b {
				t.Errorf("allocated %d bytes for a %d-byte message, want at most %d (%d x size + %d)", alloc, len(tc.raw), b, memPerByte, memFixed)
			}
			if b := budget(len(tc.raw)); peak > b {
				t.Errorf("peak heap +%d bytes for a %d-byte message, want at most %d", peak, len(tc.raw), b)
			}
		})
	}
}

// TestManyRecipientsRefusedEarly: a report over MaxRecipients is refused
// after counting its recipient blocks, before they are read into fields,
// so the refusal costs a fraction of the message's size.
func TestManyRecipientsRefusedEarly(t *testing.T) {
	raw := worstcase.Recipients(worstcase.ManyRecipients)
	_, err, alloc, _ := measureParse(t, raw)
	if !errors.Is(err, ErrTooManyRecipients) {
		t.Fatalf("Parse = %v, want ErrTooManyRecipients", err)
	}
	if limit := uint64(len(raw) + len(raw)/4 + 1<<20); alloc > limit {
		t.Errorf("refusing %d recipients (%d bytes) allocated %d bytes, want at most %d", worstcase.ManyRecipients, len(raw), alloc, limit)
	}
}

// TestUnfoldBytes checks unfoldBytes against unfold, which it replaces
// where the value is still in the message.
func TestUnfoldBytes(t *testing.T) {
	for _, v := range []string{
		"", " x ", "smtp; 550 5.1.1 user\n unknown", "a\tb\n\tc \n\n d", "\n", " \t\n \t", "é\n\tü",
		"smtp;\n 550-5.7.1 [192.0.2.1] Our system has detected\n 550-5.7.1 an unusual rate\t of mail",
		"550 Empf\xe4nger\n unbekannt", "  plain value  ", "a  b", "x\ry", "x\x7fy", "x\x00", "  \v ", "\f a",
	} {
		var arena strArena
		if got, want := unfoldInto(&arena, []byte(v)), unfold(v); got != want {
			t.Errorf("unfoldInto(%q) = %q, want %q (unfold)", v, got, want)
		}
		if got, want := unfoldBytes([]byte(v)), unfold(v); got != want {
			t.Errorf("unfoldBytes(%q) = %q, want %q (unfold)", v, got, want)
		}
		if got, want := string(appendUnfolded([]byte("x: "), []byte(v))), "x: "+unfold(v); got != want {
			t.Errorf("appendUnfolded(%q) = %q, want %q", v, got, want)
		}
	}
}

// FuzzUnfold is TestUnfoldBytes on any value.
func FuzzUnfold(f *testing.F) {
	for _, v := range []string{"smtp; 550 5.1.1 user\n unknown", "a\tb\n\tc \n\n d", "é\n\tü", "x\u00a0\n\u0085y", "Empf\xe4nger"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var arena strArena
		want := unfold(v)
		if got := unfoldInto(&arena, []byte(v)); got != want {
			t.Fatalf("unfoldInto(%q) = %q, want %q (unfold)", v, got, want)
		}
		if got := unfoldBytes([]byte(v)); got != want {
			t.Fatalf("unfoldBytes(%q) = %q, want %q (unfold)", v, got, want)
		}
		if got, want := string(appendUnfolded([]byte("x: "), []byte(v))), "x: "+want; got != want {
			t.Fatalf("appendUnfolded(%q) = %q, want %q", v, got, want)
		}
	})
}

// TestSimpleMediaType checks the fast path against mime.ParseMediaType on
// the forms it takes, and that it declines the others.
func TestSimpleMediaType(t *testing.T) {
	for _, v := range []string{
		"text/plain", "TEXT/Plain", " text/html ; charset=\"UTF-8\"", "multipart/report; report-type=delivery-status;\tboundary=\"=_x y\"",
		"text/plain; charset=us-ascii;", "message/delivery-status", "text/plain;charset=ISO-2022-JP",
		`multipart/mixed; boundary="----=_Part_0_1.2"`,
	} {
		gt, params, ok := simpleMediaType(v)
		gp := params.asMap()
		wt, wp, err := mime.ParseMediaType(v)
		if !isSimpleMediaType(v) {
			t.Errorf("isSimpleMediaType(%q) = false, want true", v)
		}
		if !ok || err != nil || gt != wt || fmt.Sprint(gp) != fmt.Sprint(wp) {
			t.Errorf("simpleMediaType(%q) = %q %v %v, mime.ParseMediaType = %q %v %v", v, gt, gp, ok, wt, wp, err)
		}
	}
	for _, v := range []string{
		"text", "text/", "text/plain charset=x", "text/plain; charset*=utf-8''x", `text/plain; a="b\"c"`,
		"text/plain; a=1; A=2", "text/plain; name=\"é\"", "text/plain; a=", `text/plain; a="x`,
	} {
		if _, _, ok := simpleMediaType(v); ok || isSimpleMediaType(v) {
			t.Errorf("simpleMediaType(%q) took it, want it left to mime.ParseMediaType", v)
		}
	}
}

// TestNormalizeNewlines covers each line end the fast copy handles.
func TestNormalizeNewlines(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"a\nb":             "a\nb",
		"a\r\nb\r\n":       "a\nb\n",
		"a\rb\r":           "a\nb\n",
		"a\r\r\nb":         "a\nb",
		"\r\n\r\n":         "\n\n",
		"a\r\rb":           "a\n\nb",
		"x\r\ny\rz\r\r\nw": "x\ny\nz\nw",
	} {
		if got := string(normalizeNewlines([]byte(in))); got != want {
			t.Errorf("normalizeNewlines(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIsIPFast: the pre-check lets every address through to ParseAddr
// and turns host names away.
func TestIsIPFast(t *testing.T) {
	for s, want := range map[string]bool{
		"192.0.2.1": true, "[192.0.2.1]": true, "IPv6:2001:db8::1": true, "2001:DB8::1": true, "fe80::1%eth0": true,
		"mx.example.com": false, "": false, "face.cafe": false, "192.0.2.1.example": false, "localhost": false,
	} {
		if got := IsIP(s); got != want {
			t.Errorf("IsIP(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "abc", "ABC", "aBc DeF", "Ünïcode ÄB", "x-Y-z", "ALLCAPS"} {
		if got, want := asciiLower(s), strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s); got != want {
			t.Errorf("asciiLower(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzGetView: getView, which returns the usual value as a view of the
// message, reads the same value as get, which copies it.
func FuzzGetView(f *testing.F) {
	for _, v := range []string{" text/plain; charset=us-ascii ", "multipart/report;\n\tboundary=x", "é ", " \v x\t", "", "  ", "a\x00"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := header{fields: []headerField{{name: []byte("X-Other"), value: []byte("x")}, {name: []byte("content-TYPE"), value: []byte(v)}}}
		if got, want := h.getView("Content-Type"), h.get("Content-Type"); got != want {
			t.Fatalf("getView(%q) = %q, get = %q", v, got, want)
		}
	})
}

// FuzzNormalizeNewlines compares normalizeNewlines with a byte loop.
func FuzzNormalizeNewlines(f *testing.F) {
	for _, s := range []string{"a\r\nb", "x\r\ny\rz\r\r\nw", "\r", "\r\r\r\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var want []byte
		for i := 0; i < len(in); i++ {
			switch {
			case in[i] != '\r':
				want = append(want, in[i])
				continue
			case i+1 < len(in) && in[i+1] == '\n':
				i++
			case i+2 < len(in) && in[i+1] == '\r' && in[i+2] == '\n':
				i += 2
			}
			want = append(want, '\n')
		}
		if got := normalizeNewlines([]byte(in)); string(got) != string(want) {
			t.Fatalf("normalizeNewlines(%q) = %q, want %q", in, got, want)
		}
	})
}

// FuzzSimpleMediaType: whatever simpleMediaType takes, mime.ParseMediaType
// reads the same way.
func FuzzSimpleMediaType(f *testing.F) {
	for _, v := range []string{"TEXT/Plain", "multipart/report; Report-Type=delivery-status;\tboundary=\"=_x y\"", "text/plain; a=1; A=2"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		gt, params, ok := simpleMediaType(v)
		if !ok {
			return
		}
		wt, wp, err := mime.ParseMediaType(v)
		if gp := params.asMap(); err != nil || gt != wt || fmt.Sprint(gp) != fmt.Sprint(wp) {
			t.Fatalf("simpleMediaType(%q) = %q %v, mime.ParseMediaType = %q %v %v", v, gt, gp, wt, wp, err)
		}
	})
}
