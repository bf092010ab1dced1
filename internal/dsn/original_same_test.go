package dsn

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// sameOriginal fails t when the one-pass readOriginalFrom and the old
// reading (readOriginalOldFrom) differ on b, read both ways (normalised
// or not when b has no CR).
func sameOriginal(t *testing.T, what string, b []byte) {
	t.Helper()
	in := append([]byte(nil), b...)
	want := readOriginalOldFrom(in, nil, false)
	if got := readOriginalFrom(in, false, true); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: readOriginalFrom(%q) =\n%#v\nwant\n%#v", what, clip(in), got, want)
	}
	if bytes.IndexByte(in, '\r') < 0 {
		want := readOriginalOldFrom(in, nil, true)
		if got := readOriginalFrom(in, true, true); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s (normalised): readOriginalFrom(%q) =\n%#v\nwant\n%#v", what, clip(in), got, want)
		}
	}
	// readOriginalKeeping reads the same original and returns its own
	// copy of the text it is given, whether or not the original had
	// fields to share an allocation with.
	keep := "The following recipient failed: " + what
	want = readOriginalOldFrom(in, nil, false)
	got, kept := readOriginalKeeping(nil, in, false, true, keep)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: readOriginalKeeping(%q) =\n%#v\nwant\n%#v", what, clip(in), got, want)
	}
	if kept != keep || unsafe.StringData(kept) == unsafe.StringData(keep) {
		t.Fatalf("%s: readOriginalKeeping kept %q at %p, want a copy of %q (at %p)", what, kept, unsafe.StringData(kept), keep, unsafe.StringData(keep))
	}
	if !bytes.Equal(in, b) {
		t.Fatalf("%s: the input was written to", what)
	}
}

func clip(b []byte) []byte {
	if len(b) > 2000 {
		return b[:2000]
	}
	return b
}

// TestReadOriginalSame compares readOriginalFrom with the old two-pass
// reading on every .eml of testdata (the whole message, and what follows
// each of its blank lines: MIME parts' bodies, pasted originals) and on
// 5,000 random header blocks: folded lines, repeated fields, names in odd
// case, encoded words, 8-bit bytes, junk lines, no blank line, CRLF and
// CR line ends, quoting and text before the fields.
func TestReadOriginalSame(t *testing.T) {
	files := testdataEML(t)
	blocks := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameOriginal(t, f, b)
		blocks++
		for off, n := 0, 0; n < 200; n++ {
			i := bytes.Index(b[off:], []byte("\n\n"))
			j := bytes.Index(b[off:], []byte("\n\r\n"))
			if i < 0 || j >= 0 && j < i {
				i = j
			}
			if i < 0 {
				break
			}
			off += i + 2
			sameOriginal(t, f, b[off:])
			blocks++
		}
	}
	t.Logf("%d files, %d blocks", len(files), blocks)

	rng := rand.New(rand.NewSource(9))
	names := []string{
		"Message-ID", "message-id", "MESSAGE-ID", "Message-Id", "From", "FROM", "fRoM", "To", "tO", "Cc", "Subject",
		"Date", "Return-Path", "List-Id", "List-ID", "Received", "RECEIVED", "Reply-To", "Sender", "In-Reply-To",
		"References", "Feedback-ID", "List-Unsubscribe", "Auto-Submitted", "Precedence", "X-Mailer",
		"X-Autoreply", "x-autorespond", "X-AutoResponder", "X-Auto-Reply", "X-Auto-Response-Suppress",
		"X-Apple-Action", "X-Vacation", "X-Mailer-Autoreply", "X-", "x-y", "X-Originating-IP",
		"X-" + strings.Repeat("a", 38), "X-" + strings.Repeat("b", 39), "X-Very-Long-Name-That-Goes-Past-Forty-Bytes-Ok",
		"Content-Type", "MIME-Version", "DKIM-Signature", "Reseived", "Frum", "Too", "Subjects", "Re-Path",
		"Message-IE", "Precedenc", "Dates", "Xmailer", "Auto-Submittee", "List-Unsubscribf", "Feedback-IE",
		"Return-Patj", "In-Reply-Tp", "Referencez", "Repl_-To", "Sendet", "List-Ie", "Subjecy",
		"X-Vacatiom", "X-Autoreplx", "X-Auto-Replz", "x-apple-actiom", "Cd", "Tp", "Frol", "Datf",
	}
	values := []string{
		" <a@example.com>", " hello world", "", " ", " =?UTF-8?B?w6l0w6k=?=", " =?iso-8859-1?Q?caf=E9?= bar",
		" =?bogus?Q?x?=", " \xe9t\xe9 8-bit", " tab\there", " Mon, 1 Jan 2024 00:00:00 +0000", "\tvalue",
		" from mx.example.com ([192.0.2.1]) by mx2", " auto-replied", " bulk", " " + strings.Repeat("long ", 30),
		" =?utf-8?q?=FF?=", " x:y:z", " v\x0b", "\x0c x \x0c", " a\x0bb", " =?utf-8?B?w6k=?=\x0c",
	}
	others := []string{" \x0bcont\x0c", " x\x01y ", " \xc3\xa9t\xc3\xa9", " continued", "\tcontinued", "  \t", " ", "", "junk line", ":no name", "Name : spaced value", "\xc3\xa9: x", "-----"}
	for i := 0; i < 5000; i++ {
		var b bytes.Buffer
		nl := "\n"
		switch rng.Intn(6) {
		case 0:
			nl = "\r\n"
		case 1:
			nl = "\r"
		}
		quote := rng.Intn(8) == 0
		if rng.Intn(6) == 0 {
			b.WriteString(nl + "  " + nl)
		}
		if rng.Intn(5) == 0 {
			b.WriteString("Below is a copy of your message." + nl)
		}
		for n := rng.Intn(14); n >= 0; n-- {
			if quote {
				b.WriteString("> ")
			}
			if rng.Intn(4) == 0 {
				b.WriteString(others[rng.Intn(len(others))])
			} else {
				name := names[rng.Intn(len(names))]
				if rng.Intn(10) == 0 {
					name += " "
				}
				b.WriteString(name + ":" + values[rng.Intn(len(values))])
			}
			b.WriteString(nl)
		}
		if rng.Intn(2) == 0 {
			b.WriteString(nl + "body text" + nl)
		} else if rng.Intn(2) == 0 {
			b.Truncate(b.Len() - len(nl)) // no line end at all
		}
		sameOriginal(t, "random", b.Bytes())
	}
	// Blocks past maxHeaderBytes: filler (fields, continuation or junk
	// lines) up to just before it, then Received fields, the first
	// MaxReceived of which are kept: the limit falls on each offset of
	// their lines, so where reading stops shows in Original.Received.
	for _, filler := range []string{"junk 0123456789abcdef\n", " continued 0123456789\n", "X-Pad: 0123456789abcdef\n"} {
		for pad := 0; pad < 20; pad++ {
			if filler[0] != 'j' && pad%7 != 0 {
				continue
			}
			var b bytes.Buffer
			b.WriteString("From: a@example.com\nSubject: " + strings.Repeat("s", pad) + "\n")
			for b.Len() < maxHeaderBytes-50 {
				b.WriteString(filler)
			}
			for n := 0; n < 12; n++ {
				fmt.Fprintf(&b, "Received: from h%02d\n", n)
			}
			b.WriteString("\nbody\n")
			sameOriginal(t, fmt.Sprintf("big %q %d", filler, pad), b.Bytes())
		}
	}
}

// TestOrigFieldOf: origFieldOf sorts a name in any case as the old reader
// did (classOf of the lowered name, then the auto-reply markers' names),
// and names every selected header with its canonical form.
func TestOrigFieldOf(t *testing.T) {
	for n := range selectedHeaders {
		id := origFieldOf([]byte(strings.ToUpper(n)))
		if origFieldNames[id] != n || origFieldCanonical[id] != canonicalName([]byte(n)) {
			t.Errorf("origFieldOf(%q) = %d (%q, %q), want %q", strings.ToUpper(n), id, origFieldNames[id], origFieldCanonical[id], n)
		}
	}
	rng := rand.New(rand.NewSource(3))
	var buf [maxFieldName]byte
	check := func(name []byte) {
		id := origFieldOf(name)
		lower := lowerName(&buf, name)
		want := classOf(lower)
		var got fieldClass
		switch id {
		case ofOther:
			got = fieldOther
		case ofReceived:
			got = fieldReceived
		default:
			got = fieldKept
		}
		if got != want {
			t.Fatalf("origFieldOf(%q) = %d, class %d, want class %d", name, id, got, want)
		}
		if id != ofOther && id != ofX && origFieldNames[id] != string(lower) {
			t.Fatalf("origFieldOf(%q) = %q", name, origFieldNames[id])
		}
		if id == ofX {
			for m, s := range origFieldNames {
				if s == string(lower) {
					t.Fatalf("origFieldOf(%q) = ofX, want %d", name, m)
				}
			}
		}
	}
	for _, s := range origFieldNames {
		for i := 0; i < 50 && s != ""; i++ {
			b := []byte(s)
			for k := range b {
				switch rng.Intn(4) {
				case 0:
					if 'a' <= b[k] && b[k] <= 'z' {
						b[k] -= 'a' - 'A' // upper case
					}
				case 1:
					b[k] = byte('!' + rng.Intn('~'-'!'+1)) // any name byte
				}
				if b[k] == ':' {
					b[k] = '-'
				}
			}
			check(b)
		}
	}
	for i := 0; i < 20000; i++ {
		b := make([]byte, 1+rng.Intn(45))
		for k := range b {
			b[k] = "xX-aAbcdefilmnoprstuvyRETCFSD_@[{"[rng.Intn(33)]
		}
		check(b)
	}
}

// TestFoldEqualCanonical compares foldEqual with bytes.EqualFold and
// canonicalOrigName with canonicalNameInto on random printable names of
// every length up to maxFieldName.
func TestFoldEqualCanonical(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	const letters = "aAbBxX-zZmM@[`{_!~09"
	for i := 0; i < 50000; i++ {
		n := rng.Intn(maxFieldName + 1)
		name, lower := make([]byte, n), make([]byte, n)
		for k := range lower {
			lower[k] = "abxzm-"[rng.Intn(6)]
			name[k] = lower[k]
			switch rng.Intn(4) {
			case 0:
				name[k] = letters[rng.Intn(len(letters))]
			case 1:
				if 'a' <= name[k] && name[k] <= 'z' {
					name[k] -= 'a' - 'A'
				}
			}
		}
		if got, want := foldEqual(name, lower), bytes.EqualFold(name, lower); got != want {
			t.Fatalf("foldEqual(%q, %q) = %v, want %v", name, lower, got, want)
		}
		if n == 0 {
			continue
		}
		var a1, a2 strArena
		if got, want := canonicalOrigName(&a1, name), canonicalNameInto(&a2, name); got != want || a1.Len() != a2.Len() {
			t.Fatalf("canonicalOrigName(%q) = %q (arena %d), want %q (arena %d)", name, got, a1.Len(), want, a2.Len())
		}
	}
}

// FuzzReadOriginalSame compares readOriginalFrom with the old reading on
// any block.
func FuzzReadOriginalSame(f *testing.F) {
	for _, s := range []string{
		"From: a@example.com\nSubject: =?UTF-8?B?w6l0w6k=?=\nReceived: from x\n\tby y\n\nbody",
		"> Message-ID: <a@b>\n> To: b@example.net\n",
		"text first\nX-Mailer: m\r\nX-Autoreply: yes\r\n continued\r\n",
		"junk\n\nList-Id: <l>\nPrecedence : bulk\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameOriginal(t, "fuzz", b)
	})
}
