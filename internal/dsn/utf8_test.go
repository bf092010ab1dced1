package dsn

import (
	"encoding/base64"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/swar"
)

// invalidStrings returns the path of every string in v that is not valid
// UTF-8, walking structs, pointers and slices.
func invalidStrings(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			*out = append(*out, path)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			invalidStrings(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			invalidStrings(v.Field(i), path+"."+v.Type().Field(i).Name, out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			invalidStrings(v.Index(i), path+"[]", out)
		}
	}
}

// fill sets every string reachable from v to s, growing nil slices and
// pointers by one element so that they are reached too.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := range v.Len() {
			fill(v.Index(i), s)
		}
	}
}

// TestEveryStringUTF8 checks that ensureUTF8 reaches every string field of
// Report, including any added later.
func TestEveryStringUTF8(t *testing.T) {
	var r Report
	fill(reflect.ValueOf(&r), "Empf\xe4nger \x81\xff")
	r.ensureUTF8()
	var bad []string
	invalidStrings(reflect.ValueOf(r), "Report", &bad)
	if len(bad) > 0 {
		t.Errorf("ensureUTF8 left invalid UTF-8 in %v", bad)
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"déjà UTF-8", "déjà UTF-8"},
		// Latin-1 / Windows-1252 without a charset: the common 8-bit bounce.
		{"Empf\xe4nger unbekannt", "Empfänger unbekannt"},
		{"Destinataire inconnu \xe0 cette adresse", "Destinataire inconnu à cette adresse"},
		{"\x93quoted\x94 \x80", "“quoted” €"},
		// Bytes Windows-1252 leaves undefined.
		{"a\x81b", "a\ufffdb"},
		// Valid UTF-8 next to a stray byte keeps the valid part.
		{"für \xfc", "für ü"},
		// A sequence cut short.
		{"\xe2\x82", "â\u201a"},
	}
	for _, tt := range tests {
		if got := toUTF8(tt.in); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("toUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLatin1Bounce parses a bounce whose DSN fields, diagnostic, text and
// returned headers hold raw ISO-8859-1 bytes with no charset (issue 8).
func TestLatin1Bounce(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.de\nTo: sender@example.com\nSubject: Unzustellbar: R\xfcckl\xe4ufer\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\n\nIhre Nachricht an m\xfcller@example.de konnte nicht zugestellt werden.\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.de\n\n" +
		"Final-Recipient: rfc822; m\xfcller@example.de\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 Empf\xe4nger unbekannt\n" +
		"--b\nContent-Type: text/rfc822-headers\n\nFrom: J\xf6rg <sender@example.com>\nSubject: Gr\xfc\xdfe\n" +
		"Message-ID: <1@example.com>\n--b--\n"
	rep, err := Parse([]byte(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	invalidStrings(reflect.ValueOf(*rep), "Report", &bad)
	if len(bad) > 0 {
		t.Errorf("invalid UTF-8 in %v", bad)
	}
	if len(rep.Recipients) != 1 {
		t.Fatalf("got %d recipients, want 1", len(rep.Recipients))
	}
	r := rep.Recipients[0]
	for _, c := range []struct{ name, got, want string }{
		{"Diagnostic", r.Diagnostic, "Empfänger unbekannt"},
		{"Recipient", r.Recipient, "müller@example.de"},
		{"Original.Subject", rep.Original.Subject, "Grüße"},
		{"Original.From", rep.Original.From, "Jörg"},
		{"Subject", rep.Subject, "Rückläufer"},
		{"Text", rep.Text, "an müller@example.de"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s = %q, want it to contain %q", c.name, c.got, c.want)
		}
	}
}

// FuzzToUTF8: the output is always valid UTF-8, valid input comes back
// unchanged, and every ASCII byte survives in place of itself.
func FuzzToUTF8(f *testing.F) {
	for _, s := range []string{"", "ascii", "Empf\xe4nger", "déjà", "\x80\x81\xff", "\xe2\x82", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := toUTF8(s)
		if !utf8.ValidString(got) {
			t.Fatalf("toUTF8(%q) = %q, not valid UTF-8", s, got)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("toUTF8(%q) = %q, want it unchanged", s, got)
		}
		if strings.Count(got, "<") != strings.Count(s, "<") {
			t.Fatalf("toUTF8(%q) = %q changed the ASCII", s, got)
		}
	})
}

// FuzzHTMLToText: any HTML gives valid UTF-8 text (for valid UTF-8 input)
// within MaxTextBytes, without a panic.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<pre>x\ny</pre>", `<a title="a>b">c</a>`, "<script>x</script>y", "&amp;&#xffff;&#0;"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := htmlToText(b)
		if len(got) > MaxTextBytes {
			t.Fatalf("%d bytes over MaxTextBytes", len(got))
		}
		if utf8.Valid(b) && !utf8.ValidString(got) {
			t.Fatalf("htmlToText(%q) = %q, not valid UTF-8", b, got)
		}
	})
}

// TestTextASCII: Parse says when its Text is all ASCII, and only then,
// whichever way finish took it (text parts, where addText looks for a
// byte over 0x7f; HTML, text attachments, a nested report, an inline
// original or forwarded bounce cut from the text), and on every corpus
// message.
func TestTextASCII(t *testing.T) {
	head := "From: MAILER-DAEMON@example.net\nTo: s@example.org\nSubject: Undelivered Mail\n"
	multi := func(parts ...string) string {
		s := head + "Content-Type: multipart/mixed; boundary=b\n\n"
		for _, p := range parts {
			s += "--b\n" + p + "\n"
		}
		return s + "--b--\n"
	}
	nested := multi("Content-Type: text/plain\n\nsee attached",
		"Content-Type: message/rfc822\n\n"+head+"Content-Type: multipart/report; report-type=delivery-status; boundary=c\n\n"+
			"--c\nContent-Type: text/plain; charset=utf-8\n\nunbekannt: Empf\xc3\xa4nger\n"+
			"--c\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n--c--\n")
	for _, raw := range []string{
		multi("Content-Type: text/html; charset=utf-8\n\n<p>Empf&auml;nger &lt;a@example.com&gt; unbekannt</p>"),
		multi("Content-Type: text/html\n\n<p>address &lt;a@example.com&gt; unknown</p>"),
		multi("Content-Type: text/plain; name=r.txt\nContent-Disposition: attachment\n\nEmpf\xe4nger a@example.com unbekannt"),
		multi("Content-Type: text/plain; name=r.txt\nContent-Disposition: attachment\n\nuser a@example.com unknown"),
		nested,
		head + "\n<a@example.com>: unknown user\n\n------ This is a copy of the message, including all the headers. ------\n" +
			"Subject: R\xc3\xbcckl\xc3\xa4ufer\nFrom: a@example.org\n\nbody \xc3\xa4\n",
		head + "\nBegin forwarded message:\n\n> 550 5.1.1 <a@example.com>: unknown\n> Grr\xc3\xbc\xc3\x9fe\n",
	} {
		r, err := Parse([]byte(raw), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.TextASCII != isASCII(r.Text) {
			t.Errorf("TextASCII = %v for Text %q", r.TextASCII, r.Text)
		}
	}
	for _, r := range corpusReports(t) {
		if r.TextASCII != isASCII(r.Text) {
			t.Errorf("TextASCII = %v for Text %q", r.TextASCII, r.Text)
		}
	}
	for _, tt := range []struct {
		body string
		want bool
	}{
		{"The following address failed: <a@example.com>\n550 5.1.1 unknown user\n", true},
		{"Die Adresse <a@example.com> ist unbekannt: Empf\xc3\xa4nger unbekannt\n", false},
		{"Adresse <a@example.com> inconnue \xe0 cette adresse\n", false},
	} {
		raw := "From: MAILER-DAEMON@example.net\nTo: s@example.org\nSubject: Undelivered Mail\n" +
			"Content-Type: text/plain; charset=utf-8\n\n" + tt.body
		r, err := Parse([]byte(raw), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.TextASCII != tt.want || r.TextASCII && !isASCII(r.Text) {
			t.Errorf("TextASCII of %q = %v, want %v (Text %q)", tt.body, r.TextASCII, tt.want, r.Text)
		}
	}
}

// TestOriginalValidMark: readOriginal marks its headers valid UTF-8 only
// when they are, so that ensureUTF8 may pass over them; a header whose
// encoded word decodes to bytes that are not UTF-8 leaves them to
// ensureUTF8.
func TestOriginalValidMark(t *testing.T) {
	bad := "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte("Empf\xe4nger")) + "?="
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"From: a@example.com\nSubject: hello\nX-Mailer: m 1.0\nReceived: from x by y\n", true},
		{"From: a@example.com\nSubject: =?utf-8?q?caf=C3=A9?=\nX-Mailer: m\n", true},
		{"From: a@example.com\nX-Note: " + bad + "\n", false},
		{"From: a@example.com\nX-Raw: Empf\xe4nger\n", true}, // unfoldInto reads the byte
		{"Subject: " + bad + "\nFrom: a@example.com\n", false},
		// Past maxOriginalHeaders a Subject fills Original only: still checked.
		{strings.Repeat("X-Pad: p\n", maxOriginalHeaders) + "Subject: " + bad + "\n", false},
		{strings.Repeat("X-Pad: p\n", maxOriginalHeaders) + "Subject: =?utf-8?q?caf=C3=A9?=\n", true},
		{"Auto-Submitted: Auto-Repli\xe9d\nX-Autoreply: y\xe9s\nX-Vacation: \xff\nPrecedence: BULK\xe4\n", true},
	} {
		o := readOriginal([]byte(tt.head + "\nbody\n"))
		if o.valid != tt.want {
			t.Errorf("readOriginal(%q).valid = %v, want %v", tt.head, o.valid, tt.want)
		}
		var r Report
		r.Original = o
		r.ensureUTF8()
		var bad []string
		invalidStrings(reflect.ValueOf(r), "Report", &bad)
		if len(bad) > 0 {
			t.Errorf("after ensureUTF8 of %q: invalid UTF-8 in %v", tt.head, bad)
		}
	}
}

// TestToLower checks toLower against strings.ToLower on random ASCII and
// UTF-8 strings, the Kelvin sign and dotted capital I among them.
func TestToLower(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	pieces := []string{"a", "Z", "M", "@", " ", "\u212a", "\u0130", "é", "É", "\xff", "0", "[", "`"}
	for range 50000 {
		var sb strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if got, want := toLower(sb.String()), strings.ToLower(sb.String()); got != want {
			t.Fatalf("toLower(%q) = %q, want %q", sb.String(), got, want)
		}
	}
}

// TestLowerView: lowerView gives strings.ToLower's answer for every
// string, short or past its buffer, ASCII or not, and lowers an ASCII
// string that fits without allocating.
func TestLowerView(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	pieces := []string{"a", "Z", "M", "@", " ", "\u212a", "\u0130", "é", "É", "\xff", "0", "[", "`", "Mailer-Daemon@"}
	var buf [lowerBufBytes]byte
	for range 50000 {
		var sb strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := sb.String()
		if got, want := lowerView(&buf, s), strings.ToLower(s); got != want {
			t.Fatalf("lowerView(%q) = %q, want %q", s, got, want)
		}
	}
	s := "Postmaster@Example.COM"
	if n := testing.AllocsPerRun(100, func() {
		if lowerView(&buf, s) != "postmaster@example.com" {
			t.Fatal("wrong lower case")
		}
	}); n != 0 {
		t.Errorf("lowerView of an ASCII %d-byte string: %v allocations, want 0", len(s), n)
	}
}

// FuzzLowerView: lowerView agrees with strings.ToLower.
func FuzzLowerView(f *testing.F) {
	for _, s := range []string{"", "Quoted-Printable", "UTF-8", "\u0130x", strings.Repeat("A", lowerBufBytes+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf [lowerBufBytes]byte
		if got, want := lowerView(&buf, s), strings.ToLower(s); got != want {
			t.Fatalf("lowerView(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzOriginalValid: whenever readOriginal marks an original valid, every
// string it wrote is valid UTF-8 (ensureUTF8 passes over them but
// MessageID), and after ensureUTF8 every string of the report is.
func FuzzOriginalValid(f *testing.F) {
	bad := "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte("Empf\xe4nger")) + "?="
	f.Add("From: a@example.com\nSubject: " + bad + "\nX-Raw: \xe4\n\nbody")
	f.Add("> Subject: =?iso-8859-1?q?R=FCck?=\n> X-Vacation: \xff\n> Auto-Submitted: \xe9\n")
	f.Add(strings.Repeat("X-Pad: p\n", maxOriginalHeaders) + "To: " + bad + "\n")
	f.Fuzz(func(t *testing.T, head string) {
		o := readOriginal([]byte(head))
		if o.valid {
			o.MessageID = "" // ensureUTF8 checks it in any case
			var bad []string
			invalidStrings(reflect.ValueOf(o), "Original", &bad)
			if len(bad) > 0 {
				t.Fatalf("readOriginal(%q) marked valid, invalid UTF-8 in %v", head, bad)
			}
		}
		var r Report
		r.Original = readOriginal([]byte(head))
		r.ensureUTF8()
		var bad []string
		invalidStrings(reflect.ValueOf(r), "Report", &bad)
		if len(bad) > 0 {
			t.Fatalf("after ensureUTF8 of %q: invalid UTF-8 in %v", head, bad)
		}
	})
}

// TestAsciiValid compares asciiValid with swar.IsASCII and utf8.Valid on
// random byte strings of every length up to 100 (ASCII runs, UTF-8
// sequences, stray, truncated and overlong bytes at any place).
func TestAsciiValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	pieces := []string{"a", "Z", " ", "\n", "\x7f", "é", "€", "😀", "\xff", "\x80", "\xc3", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80"}
	for range 30000 {
		var b []byte
		n := rng.IntN(100)
		for len(b) < n {
			if rng.IntN(8) == 0 {
				b = append(b, pieces[rng.IntN(len(pieces))]...)
			} else {
				b = append(b, byte('a'+rng.IntN(26)))
			}
		}
		checkAsciiValid(t, b)
	}
}

func checkAsciiValid(t *testing.T, b []byte) {
	t.Helper()
	ascii, valid := asciiValid(b)
	if ascii != swar.IsASCII(string(b)) || valid != utf8.Valid(b) {
		t.Fatalf("asciiValid(%q) = %v, %v; want %v, %v", b, ascii, valid, swar.IsASCII(string(b)), utf8.Valid(b))
	}
	if bytesValidUTF8(b) != utf8.Valid(b) {
		t.Fatalf("bytesValidUTF8(%q) = %v", b, !utf8.Valid(b))
	}
}

// FuzzAsciiValid: asciiValid says what swar.IsASCII and utf8.Valid say.
func FuzzAsciiValid(f *testing.F) {
	f.Add([]byte(strings.Repeat("a", 40) + "\xc3\xa4" + strings.Repeat("b", 9)))
	f.Add([]byte(strings.Repeat("x", 31) + "\xe2\x82"))
	f.Fuzz(checkAsciiValid)
}
