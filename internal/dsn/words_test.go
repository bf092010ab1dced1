package dsn

import (
	"mime"
	"os"
	"strings"
	"testing"
)

// plainWordDecoder is mime.WordDecoder without a charset reader: for the
// charsets quickWords converts, DecodeHeader never calls one.
var plainWordDecoder = new(mime.WordDecoder)

// checkQuickWords compares quickWords with DecodeHeader on header: the
// same text when quickWords decodes it, and quickWords declines only a
// header with a word in a charset DecodeHeader cannot convert alone.
func checkQuickWords(t *testing.T, header string) (decoded bool) {
	t.Helper()
	got, ok := quickWords(nil, header)
	want, err := plainWordDecoder.DecodeHeader(header)
	switch {
	case ok && err != nil:
		t.Fatalf("quickWords(%q) = %q, DecodeHeader fails: %v", header, got, err)
	case ok && string(got) != want:
		t.Fatalf("quickWords(%q) = %q, DecodeHeader %q", header, got, want)
	case !ok && !otherCharset(header):
		t.Fatalf("quickWords(%q) declined a header with no other charset (DecodeHeader: %q, %v)", header, want, err)
	}
	return ok
}

// otherCharset reports a "=?charset?" that quickWords does not convert.
func otherCharset(header string) bool {
	for i := strings.Index(header, "=?"); i >= 0; {
		rest := header[i+2:]
		if q := strings.IndexByte(rest, '?'); q >= 0 && charsetOf(rest[:q]) == csOther {
			return true
		}
		j := strings.Index(rest, "=?")
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// TestQuickWordsSame: quickWords decodes as mime.WordDecoder.DecodeHeader
// every From, To and Subject of the testdata messages, hand-made headers
// with each encoding, charset and malformed word, and declines the other
// charsets.
func TestQuickWordsSame(t *testing.T) {
	headers := []string{
		"", "plain", "=?", "=?utf-8?", "=?utf-8?Q?", "=?utf-8?Q?a?=", "=?UTF-8?b?w6k=?=",
		"=?utf-8?q?caf=C3=A9_au_lait?= =?utf-8?q?_et_cr=C3=A8me?=",
		"a =?iso-8859-1?q?caf=E9?=\r\n =?us-ascii?Q?x=E9y?= b",
		"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		"=?utf-8?B?bad*base64?= tail", "=?utf-8?Q?=G1?= =?utf-8?Q?ok?=", "=?utf-8?Q?=4?=", "=?utf-8?X?x?=",
		"=?utf-8?q?a?=  x  =?utf-8?q?b?=", "=?utf-8?q?a?=\t\n =?utf-8?q?b?=", "=?utf-8?q?\x01?=",
		"=?utf-8?q?tab\there?=", "=?utf-8?Q??=", "x=?utf-8?Q?a", "=?utf-8?Q?a?=?=", "=??Q?a?=",
		"=?utf-8?q?" + strings.Repeat("=C3=A9", 200) + "?=",
		"=?iso-8859-1?q?" + strings.Repeat("=E9", 300) + "?=",
		"=?windows-1252?q?caf=E9?=", "=?iso-2022-jp?B?GyRCJEgbKEI=?=",
	}
	for _, f := range testdataEML(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"\nsubject:", "\nfrom:", "\nto:"} {
			low := strings.ToLower(string(raw))
			for i := strings.Index(low, name); i >= 0 && len(headers) < 5000; {
				line := string(raw[i+len(name):])
				if j := strings.IndexByte(line, '\n'); j >= 0 {
					line = line[:j]
				}
				headers = append(headers, strings.TrimSpace(line))
				next := strings.Index(low[i+1:], name)
				if next < 0 {
					break
				}
				i += 1 + next
			}
		}
	}
	decoded, declined := 0, 0
	for _, h := range headers {
		if checkQuickWords(t, h) {
			if strings.Contains(h, "=?") {
				decoded++
			}
		} else {
			declined++
		}
	}
	if decoded < 50 || declined < 3 {
		t.Fatalf("%d headers with encoded words decoded, %d declined: want both exercised", decoded, declined)
	}
}

// FuzzQuickWordsSame is TestQuickWordsSame's comparison on any header.
func FuzzQuickWordsSame(f *testing.F) {
	for _, s := range []string{"=?utf-8?q?caf=C3=A9?= =?iso-8859-1?b?6Q==?=", "a=?us-ascii?Q?=FF_x?=b", "=?utf-8?B?w6k?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		checkQuickWords(t, header)
	})
}
