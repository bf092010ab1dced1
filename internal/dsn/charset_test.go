package dsn

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// TestCharsetEncodingSameAsGoMessage checks that charsetEncoding and
// convertCharset give what reading go-message's charset reader gives:
// the same charsets decoded, the same bytes out, cut at the same limit.
func TestCharsetEncodingSameAsGoMessage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	samples := [][]byte{
		nil, []byte("plain ascii\n"), []byte("Empf\xe4nger unbekannt\n"),
		[]byte("\x1b$B%a!<%k$,FO$-$^$;$s\x1b(B\n"), // ISO-2022-JP
		[]byte("\x82\xa0\x82\xa2\x82\xa4\n"), []byte("\xa4\xa2\xa4\xa4\n"), []byte("\xff\xfe\x00\xd8"),
	}
	for range 20 {
		b := make([]byte, rng.IntN(600))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		samples = append(samples, b)
	}
	for _, cs := range []string{
		"iso-2022-jp", "shift_jis", "euc-jp", "iso-8859-1", "iso-8859-15", "windows-1252", "windows-1251",
		"koi8-r", "gb2312", "gbk", "big5", "euc-kr", "utf-16", "utf-16le", "ansi_x3.110-1983", "x-utf_8j",
		"latin1", "cp1252", "unicode-1-1-utf-7", "uft-8", "3dutf-8", "x-unknown", "",
	} {
		enc, ok := charsetEncoding(cs)
		_, err := message.CharsetReader(cs, bytes.NewReader(nil))
		if ok != (err == nil) {
			t.Errorf("charsetEncoding(%q) ok = %v; go-message's reader error: %v", cs, ok, err)
			continue
		}
		if !ok {
			continue
		}
		for _, src := range samples {
			r, _ := message.CharsetReader(cs, bytes.NewReader(src))
			all, rerr := io.ReadAll(r)
			for _, limit := range []int{0, 1, 5, 17, 100, 1 << 20} {
				got, ok := convertCharset(enc, src, limit)
				if rerr != nil {
					if ok {
						want, _, _ := readLimited(mustCharsetReader(t, cs, src), limit, len(src))
						if !bytes.Equal(got, want) {
							t.Errorf("convertCharset(%q, %q, %d) = %q, the reader gives %q (error %v)", cs, src, limit, got, want, rerr)
						}
					}
					continue
				}
				want := all[:min(len(all), limit)]
				if !ok || !bytes.Equal(got, want) {
					t.Errorf("convertCharset(%q, %q, %d) = %q, %v; the reader gives %q", cs, src, limit, got, ok, want)
				}
				// Into memory written before (scratch), with room or
				// without: the same bytes.
				for _, room := range []int{0, convertOutBytes(src, limit) - 1, convertOutBytes(src, limit), 2*len(src) + 64} {
					dst := bytes.Repeat([]byte{0xff}, room)
					got, ok := convertCharsetInto(dst, enc, src, limit)
					if !ok || !bytes.Equal(got, want) {
						t.Errorf("convertCharsetInto(%d bytes, %q, %q, %d) = %q, %v; the reader gives %q", room, cs, src, limit, got, ok, want)
					}
				}
			}
		}
	}
}

func mustCharsetReader(t *testing.T, cs string, src []byte) io.Reader {
	t.Helper()
	r, err := message.CharsetReader(cs, bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestWordDecoderSameAsGoMessage checks that the encoded words of header
// fields, which wordDecoder converts in one go, decode as they do through
// go-message's charset reader: the same text, the same errors.
func TestWordDecoderSameAsGoMessage(t *testing.T) {
	viaReader := &mime.WordDecoder{CharsetReader: message.CharsetReader}
	rng := rand.New(rand.NewPCG(3, 4))
	samples := [][]byte{
		[]byte("plain"), []byte("Empf\xe4nger"), []byte("\x1b$B%a!<%k\x1b(B"), []byte("\x1b$B%a!<"),
		[]byte("\x82\xa0\x82\xa2"), []byte("\xa4\xa2\xa4"), []byte("\xff\xfe\x00\xd8"), []byte("a\x00b"),
	}
	for range 20 {
		b := make([]byte, rng.IntN(60))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		samples = append(samples, b)
	}
	for _, cs := range []string{"iso-2022-jp", "shift_jis", "euc-jp", "windows-1252", "koi8-r", "gb2312", "big5",
		"euc-kr", "utf-16", "ansi_x3.110-1983", "x-utf_8j", "ascii", "unicode-1-1-utf-7", "x-unknown"} {
		for _, src := range samples {
			for _, s := range []string{
				"=?" + cs + "?B?" + base64.StdEncoding.EncodeToString(src) + "?=",
				"Re: =?" + cs + "?b?" + base64.StdEncoding.EncodeToString(src) + "?= =?" + cs + "?Q?a=3Db?=",
			} {
				got, gerr := wordDecoder.DecodeHeader(s)
				want, werr := viaReader.DecodeHeader(s)
				if got != want || (gerr == nil) != (werr == nil) {
					t.Errorf("DecodeHeader(%q) = %q, %v; through go-message's reader %q, %v", s, got, gerr, want, werr)
				}
			}
		}
	}
}

// TestConvertISO2022JP checks convertISO2022JP against x/text's decoder
// over the whole text, on texts made of escape sequences, JIS pairs, line
// feeds, 8-bit bytes and ASCII in random order, at several limits.
func TestConvertISO2022JP(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{
		"\x1b$B", "\x1b$@", "\x1b(B", "\x1b(J", "\x1b(I", "\x1b$(D", "\x1b$(", "\x1b(", "\x1b$", "\x1b",
		"%a!<%k", "$,FO", "\n", "\r\n", "plain text ", "A", "(B", "$B", "\x80", "\xff", "!", "~",
	}
	samples := [][]byte{
		nil, []byte("plain ascii\n"),
		[]byte("\x1b$B%a!<%k$,FO$-$^$;$s\x1b(B\n"),
		[]byte("User unknown \x1b$B%a!<%k\x1b(B (550 5.1.1)\n\x1b$BAw?.\n"),
	}
	for range 3000 {
		var b []byte
		for n := rng.IntN(12); n > 0; n-- {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		samples = append(samples, b)
	}
	notOK := 0
	for _, src := range samples {
		all, _, err := transform.Bytes(japanese.ISO2022JP.NewDecoder(), src)
		if err != nil {
			t.Fatalf("x/text %q: %v", src, err)
		}
		for _, limit := range []int{0, 3, 10, 1 << 20} {
			want := all[:min(len(all), limit)]
			got, ok := convertISO2022JP(src, limit)
			if !ok {
				// Left to the whole decoder: an 8-bit byte in ASCII, or
				// an escape whose look-ahead crosses a stretch's end.
				notOK++
				if got, ok := convertCharset(japanese.ISO2022JP, src, limit); !ok || !bytes.Equal(got, want) {
					t.Errorf("convertCharset(ISO-2022-JP, %q, %d) = %q, x/text gives %q", src, limit, got, want)
				}
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("convertISO2022JP(%q, %d) = %q, x/text gives %q", src, limit, got, want)
			}
		}
	}
	if notOK > len(samples) {
		t.Errorf("%d of %d conversions left to the whole decoder", notOK, 4*len(samples))
	}
}

// TestConvertCharmap checks convertCharmap against x/text's decoder of
// every ASCII-compatible single-byte charset, on random text that is
// mostly ASCII, at several limits.
func TestConvertCharmap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 0
	for cm, ascii := range asciiCharmaps {
		if !ascii {
			continue
		}
		n++
		for range 50 {
			src := make([]byte, rng.IntN(100))
			for i := range src {
				src[i] = byte(rng.IntN(128))
				if rng.IntN(6) == 0 {
					src[i] = byte(128 + rng.IntN(128))
				}
			}
			all, _, err := transform.Bytes(cm.NewDecoder(), src)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{0, 1, 7, 1 << 20} {
				want := all[:min(len(all), limit)]
				if got := convertCharmap(cm, src, limit); !bytes.Equal(got, want) {
					t.Errorf("convertCharmap(%v, %q, %d) = %q, x/text gives %q", cm, src, limit, got, want)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("%d ASCII-compatible charmaps, want the ISO 8859 and Windows ones at least", n)
	}
}

// TestDecodeBodySameAsGoMessage: decodeBody's quick paths (no decoder, a
// body decoded or converted in one go into the Parse's scratch, a reader
// made only when one is read) give the bytes go-message's message.New
// gives for a text part, for each transfer encoding and charset, with
// the scratch reused from body to body as Parse reuses it.
func TestDecodeBodySameAsGoMessage(t *testing.T) {
	jis, _, _ := transform.Bytes(japanese.ISO2022JP.NewEncoder(), []byte("宛先不明 user unknown\n"))
	texts := [][]byte{[]byte(""), []byte("550 5.1.1 user unknown\n"), []byte("caf\xe9 =3D ol\xe9\n"), jis,
		[]byte("line one\r\nline two =\r\nsoft\r\n"), bytes.Repeat([]byte("abc\xe9 "), 300)}
	wrapped := func(b []byte, width int, eol, indent string) []byte {
		e := base64.StdEncoding.EncodeToString(b)
		var out []byte
		for len(e) > width {
			out = append(append(append(out, indent...), e[:width]...), eol...)
			e = e[width:]
		}
		return append(append(append(out, indent...), e...), eol...)
	}
	plain := func(b []byte) []byte { return b }
	encode := []struct {
		cte string
		f   func([]byte) []byte
	}{
		{"", plain}, {"7bit", plain}, {"8bit", plain}, {"x-odd", plain},
		{"base64", func(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }},
		{"base64", func(b []byte) []byte { return wrapped(b, 76, "\r\n", "") }},
		{"base64", func(b []byte) []byte { return wrapped(b, 60, "\n", "") }},
		{"base64", func(b []byte) []byte { return wrapped(b, 76, "\n", "  ") }}, // QUIRK: indented
		{"base64", func(b []byte) []byte { // no padding
			return []byte(strings.TrimRight(base64.StdEncoding.EncodeToString(b), "="))
		}},
		{"base64", func(b []byte) []byte { // corrupt in the middle
			e := []byte(base64.StdEncoding.EncodeToString(b))
			if len(e) > 8 {
				e[len(e)/2] = '*'
			}
			return e
		}},
		{"quoted-printable", func(b []byte) []byte {
			var out bytes.Buffer
			w := quotedprintable.NewWriter(&out)
			w.Write(b)
			w.Close()
			return out.Bytes()
		}},
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	for _, e := range encode {
		cte, enc := e.cte, e.f
		for _, cs := range []string{"", "utf-8", "us-ascii", "iso-8859-1", "ISO-2022-JP", "shift_jis", "windows-1252", "x-unknown"} {
			for _, text := range texts {
				body := enc(text)
				for _, limit := range []int{0, 7, 1 << 20} {
					raw := "Content-Type: text/plain"
					if cs != "" {
						raw += "; charset=" + cs
					}
					raw += "\nContent-Transfer-Encoding: " + cte + "\n\n"
					var fields []headerField
					h, _, ok := splitHeaderInto([]byte(raw), &fields)
					if !ok {
						t.Fatalf("no header in %q", raw)
					}
					typ, params := mediaType(h)
					// An unknown charset or encoding is an error with
					// the entity still read (as decodeBody reads it).
					e, _ := message.New(message.Header{Header: h.textHeader()}, bytes.NewReader(body))
					if e == nil {
						continue
					}
					want, _, _ := readLimited(e.Body, limit, len(body))
					got, _ := decodeBody(sc, h, typ, &params, body, limit)
					if !bytes.Equal(got, want) {
						t.Errorf("decodeBody(%s, %q, %q, %d) = %q; go-message gives %q", cte, cs, body, limit, got, want)
					}
					sc.qpUsed = 0 // as the next Parse reuses the buffers
				}
			}
		}
	}
}
