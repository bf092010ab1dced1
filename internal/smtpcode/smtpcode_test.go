package smtpcode

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		ok   bool
	}{
		// RFC 3463 section 2: class 2, 4 and 5.
		{"2.0.0", Status{2, 0, 0}, true},
		{"4.2.2", Status{4, 2, 2}, true},
		{"5.1.1", Status{5, 1, 1}, true},
		// RFC 7505 section 6: two-digit detail.
		{"5.1.10", Status{5, 1, 10}, true},
		// RFC 3463 section 2: subject and detail are 1*3digit.
		{"5.999.999", Status{5, 999, 999}, true},
		{"4.7.500", Status{4, 7, 500}, true},
		// RFC 3463 section 2: class is only "2" / "4" / "5".
		{"0.1.1", Status{}, false},
		{"1.1.1", Status{}, false},
		{"3.1.1", Status{}, false},
		{"6.1.1", Status{}, false},
		{"9.1.1", Status{}, false},
		// RFC 3463 section 2: more than 3 digits.
		{"5.1000.1", Status{}, false},
		{"5.1.1000", Status{}, false},
		{"55.1.1", Status{}, false},
		// RFC 3463 section 2: no leading zero digits.
		{"5.01.1", Status{}, false},
		{"5.1.01", Status{}, false},
		{"5.00.0", Status{}, false},
		// Missing parts.
		{"", Status{}, false},
		{"5", Status{}, false},
		{"5.", Status{}, false},
		{"5.1", Status{}, false},
		{"5.1.", Status{}, false},
		{"5..1", Status{}, false},
		{".1.1", Status{}, false},
		// RFC 3463 section 2: no white space or comments within or around the code.
		{"5.1.1 ", Status{}, false},
		{" 5.1.1", Status{}, false},
		{"5.1.1x", Status{}, false},
		{"5.1.1.1", Status{}, false},
		{"5.1.1 (user unknown)", Status{}, false},
		{"5 .1.1", Status{}, false},
		{"5,1,1", Status{}, false},
		{"5.a.1", Status{}, false},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseStatus(%q) = %v, %v, want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadStatus) {
			t.Errorf("ParseStatus(%q) error %v, want errors.Is ErrBadStatus", tt.in, err)
		}
		if err == nil && got.String() != tt.in {
			// Round trip: with leading zeros refused, String restores the input.
			t.Errorf("ParseStatus(%q).String() = %q, want %q", tt.in, got.String(), tt.in)
		}
	}
}

func TestMustStatus(t *testing.T) {
	// RFC 3463 section 3.2.
	if got, want := MustStatus("5.1.1"), (Status{5, 1, 1}); got != want {
		t.Errorf("MustStatus(%q) = %v, want %v", "5.1.1", got, want)
	}
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, ErrBadStatus) {
			t.Errorf("MustStatus(%q) panicked with %v, want ErrBadStatus", "5.1", r)
		}
	}()
	MustStatus("5.1")
	t.Errorf("MustStatus(%q) did not panic", "5.1")
}

func TestStatusMethods(t *testing.T) {
	tests := []struct {
		s                                                   Status
		str                                                 string
		zero, valid, success, temporary, permanent, generic bool
	}{
		// The zero value means "no status".
		{Status{}, "", true, false, false, false, false, false},
		// RFC 3463 section 3.1: X.0.0 in each class.
		{Status{2, 0, 0}, "2.0.0", false, true, true, false, false, true},
		{Status{4, 0, 0}, "4.0.0", false, true, false, true, false, true},
		{Status{5, 0, 0}, "5.0.0", false, true, false, false, true, true},
		// RFC 3463 section 3.2: 2.1.5 destination address valid.
		{Status{2, 1, 5}, "2.1.5", false, true, true, false, false, false},
		// RFC 3463 section 3.3: 4.2.2 mailbox full is transient, not
		// permanent (maddy's SMTPEnchCode reported every code as class 5).
		{Status{4, 2, 2}, "4.2.2", false, true, false, true, false, false},
		// RFC 3463 section 3.2: 5.1.1.
		{Status{5, 1, 1}, "5.1.1", false, true, false, false, true, false},
		// X.0.1 and X.1.0 are not generic: only one of the two is zero.
		{Status{5, 0, 1}, "5.0.1", false, true, false, false, true, false},
		{Status{5, 1, 0}, "5.1.0", false, true, false, false, true, false},
		// Invalid classes: neither success, temporary nor permanent.
		{Status{3, 0, 0}, "3.0.0", false, false, false, false, false, true},
		{Status{1, 1, 1}, "1.1.1", false, false, false, false, false, false},
		// Built by hand out of range.
		{Status{5, 1000, 1}, "5.1000.1", false, false, false, false, true, false},
		{Status{5, 1, 1000}, "5.1.1000", false, false, false, false, true, false},
		{Status{5, -1, 1}, "5.-1.1", false, false, false, false, true, false},
		{Status{5, 1, -1}, "5.1.-1", false, false, false, false, true, false},
		// A zero class with a subject is not the zero Status.
		{Status{0, 1, 1}, "0.1.1", false, false, false, false, false, false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.str)
		}
		if got := tt.s.IsZero(); got != tt.zero {
			t.Errorf("%#v.IsZero() = %v, want %v", tt.s, got, tt.zero)
		}
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%#v.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.Success(); got != tt.success {
			t.Errorf("%#v.Success() = %v, want %v", tt.s, got, tt.success)
		}
		if got := tt.s.Temporary(); got != tt.temporary {
			t.Errorf("%#v.Temporary() = %v, want %v", tt.s, got, tt.temporary)
		}
		if got := tt.s.Permanent(); got != tt.permanent {
			t.Errorf("%#v.Permanent() = %v, want %v", tt.s, got, tt.permanent)
		}
		if got := tt.s.Generic(); got != tt.generic {
			t.Errorf("%#v.Generic() = %v, want %v", tt.s, got, tt.generic)
		}
	}
}

func TestParseReplyCode(t *testing.T) {
	tests := []struct {
		in   string
		want ReplyCode
		ok   bool
	}{
		// RFC 5321 section 4.2: Reply-code = %x32-35 %x30-35 %x30-39.
		{"211", 211, true},
		{"250", 250, true},
		{"354", 354, true},
		{"421", 421, true},
		{"450", 450, true},
		{"550", 550, true},
		{"559", 559, true},
		// RFC 7504: 521 and 556.
		{"521", 521, true},
		{"556", 556, true},
		// First digit outside 2..5.
		{"050", 0, false},
		{"150", 0, false},
		{"650", 0, false},
		{"950", 0, false},
		// Second digit outside 0..5.
		{"560", 0, false},
		{"465", 0, false},
		{"587", 0, false},
		{"299", 0, false},
		// Third digit not a digit.
		{"55x", 0, false},
		{"5 0", 0, false},
		// Wrong length.
		{"", 0, false},
		{"5", 0, false},
		{"55", 0, false},
		{"5500", 0, false},
		{"550 ", 0, false},
		{" 550", 0, false},
		{"550-", 0, false},
		// An enhanced status code is not a reply code.
		{"5.1", 0, false},
		{"5.1.1", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseReplyCode(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseReplyCode(%q) = %v, %v, want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadReply) {
			t.Errorf("ParseReplyCode(%q) error %v, want errors.Is ErrBadReply", tt.in, err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("ParseReplyCode(%q).String() = %q, want %q", tt.in, got.String(), tt.in)
		}
	}
}

func TestReplyCodeMethods(t *testing.T) {
	tests := []struct {
		c                              ReplyCode
		str                            string
		class                          int
		positive, temporary, permanent bool
	}{
		// Zero means "no code".
		{0, "", 0, false, false, false},
		// RFC 5321 section 4.2.1: 2yz positive completion.
		{250, "250", 2, true, false, false},
		// RFC 5321 section 4.2.1: 3yz positive intermediate.
		{354, "354", 3, true, false, false},
		// RFC 5321 section 4.2.1: 4yz transient negative completion; not permanent.
		{421, "421", 4, false, true, false},
		{450, "450", 4, false, true, false},
		// RFC 5321 section 4.2.1: 5yz permanent negative completion.
		{550, "550", 5, false, false, true},
		// Built by hand out of range.
		{150, "150", 1, false, false, false},
		{650, "650", 6, false, false, false},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.str {
			t.Errorf("ReplyCode(%d).String() = %q, want %q", int(tt.c), got, tt.str)
		}
		if got := tt.c.Class(); got != tt.class {
			t.Errorf("ReplyCode(%d).Class() = %d, want %d", int(tt.c), got, tt.class)
		}
		if got := tt.c.Positive(); got != tt.positive {
			t.Errorf("ReplyCode(%d).Positive() = %v, want %v", int(tt.c), got, tt.positive)
		}
		if got := tt.c.Temporary(); got != tt.temporary {
			t.Errorf("ReplyCode(%d).Temporary() = %v, want %v", int(tt.c), got, tt.temporary)
		}
		if got := tt.c.Permanent(); got != tt.permanent {
			t.Errorf("ReplyCode(%d).Permanent() = %v, want %v", int(tt.c), got, tt.permanent)
		}
	}
}

// postfixRelay is a Postfix diagnostic in the shape Postfix writes it.
const postfixRelay = "host mx.example.com[192.0.2.1] said: 554 5.7.1 <a@b>: Relay access denied (in reply to RCPT TO command)"

func TestFind(t *testing.T) {
	tests := []struct {
		text string
		want string // "" for no match; else the code, which must be text[start:end]
	}{
		// Postfix "said:" diagnostic: the IP address before the code is skipped.
		{postfixRelay, "5.7.1"},
		// RFC 3464 section 2.3.6 Diagnostic-Code value.
		{"smtp; 550 5.1.1 <user@example.org>... User Unknown", "5.1.1"},
		{"smtp;550 5.2.2 <kijitora@example.jp>... Mailbox Full", "5.2.2"},
		// RFC 5321 section 4.2.1 multiline reply, Gmail: "550-5.1.1 The email account ...".
		{"550-5.1.1 The email account that you tried to reach does not exist.", "5.1.1"},
		{"smtp; 550-5.7.1 [192.0.2.222 13] Our system has detected", "5.7.1"},
		// Exchange NDR: "#5.1.1 smtp;550 ..." - a '#' before the code is fine.
		{"#5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", "5.1.1"},
		{"Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound'", "5.1.1"},
		// Brackets, quotes and a sentence-ending dot around the code.
		{"(5.2.2)", "5.2.2"},
		{"<4.4.1>", "4.4.1"},
		{"status \"5.7.26\" returned", "5.7.26"},
		{"Action failed with 4.4.7.", "4.4.7"},
		{"code=5.1.1, user unknown", "5.1.1"},
		// RFC 7505 section 6: null MX, two-digit detail.
		{"556 5.1.10 Recipient address rejected: Domain has null MX", "5.1.10"},
		// Code at the very end and very start of the text.
		{"delivery temporarily suspended: 4.4.2", "4.4.2"},
		{"5.1.1", "5.1.1"},
		{"4.7.28 too many messages", "4.7.28"},
		// Microsoft 365 uses details above the registry's.
		{"550 5.7.606 Access denied, banned sending IP", "5.7.606"},
		// The first code wins.
		{"451 4.7.1 Greylisted, then 550 5.7.1 refused", "4.7.1"},
		// Not a code: IP addresses.
		{"connect to 192.0.2.1: Connection refused", ""},
		{"host 10.5.1.1 said no", ""},
		{"[203.0.113.5] 5.1.1.1", ""},
		// Not a code: version numbers.
		{"Postfix 3.5.1.1", ""},
		{"Exim 4.94.2", ""},
		{"Postfix 2.11.3", ""},
		{"exim-4.1.1 ready", ""},
		{"v4.2.1 release", ""},
		// Not a code: dates and longer numbers.
		{"2013-10-16", ""},
		{"16.10.2013", ""},
		{"Date: 5.10.2013", ""},
		{"5.1.1000", ""},
		{"15.1.1", ""},
		// Not a code: host names and words glued to it.
		{"relay 5.1.1.example.com refused", ""},
		{"mx5.1.1 down", ""},
		{"5.1.1a", ""},
		{"id_5.1.1", ""},
		{"5.1.1_x", ""},
		// Not a code: a '-' that does not follow a reply code.
		{"x-5.1.1", ""},
		{"a550-5.1.1", ""},
		{"650-5.1.1", ""},
		// RFC 3463 section 2: class and leading zeros.
		{"3.1.1 is not a class", ""},
		{"5.01.1", ""},
		// Unregistered subject (Find only): looks like a version.
		{"5.8.1", ""},
		// Missing parts and empty text.
		{"5.1. and 4.2", ""},
		{"", ""},
		{"no code here", ""},
	}
	for _, tt := range tests {
		st, start, end, ok := Find(tt.text)
		if tt.want == "" {
			if ok || start != -1 || end != -1 || !st.IsZero() {
				t.Errorf("Find(%q) = %v, %d, %d, %v, want no match", tt.text, st, start, end, ok)
			}
			continue
		}
		if !ok || st.String() != tt.want || tt.text[start:end] != tt.want {
			t.Errorf("Find(%q) = %v, %d, %d, %v, want %s", tt.text, st, start, end, ok, tt.want)
		}
	}
}

func TestFindReply(t *testing.T) {
	tests := []struct {
		text string
		want ReplyCode
		at   int
	}{
		// Postfix "said:" diagnostic: the IP address before the code is skipped.
		{postfixRelay, 554, strings.Index(postfixRelay, "554")},
		// RFC 3464 section 2.3.6 Diagnostic-Code value.
		{"smtp; 550 5.1.1 <user@example.org>... User Unknown", 550, 6},
		{"smtp;550 5.2.2 Mailbox Full", 550, 5},
		// RFC 5321 section 4.2.1 multiline reply.
		{"550-5.1.1 The email account that you tried to reach does not exist.", 550, 0},
		// Exchange NDR: the status comes first, the reply after "smtp;".
		{"#5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", 550, 12},
		{"#550 5.1.1", 550, 1},
		// RFC 7504: 521 and 556.
		{"521 5.3.2 mail.example.com does not accept mail", 521, 0},
		{"556 5.1.10 Domain has null MX", 556, 0},
		// A code at the end of the text and before a sentence-ending dot.
		{"the server answered 421", 421, 20},
		{"the server answered 550.", 550, 20},
		{"(450)", 450, 1},
		// Not a reply code: IP addresses.
		{"connect to 203.0.113.250: timed out", 0, -1},
		{"host [192.0.2.254]", 0, -1},
		// Not a reply code: ports, dates, longer numbers.
		{"port 465 and 587", 0, -1},
		{"2013-10-16", 0, -1},
		{"Date: 16 Oct 2013 10:22:33 +0200", 0, -1},
		{"DNS Error: 80480947 DNS type 'mx'", 0, -1},
		{"5500 and 1550", 0, -1},
		// Not a reply code: decimals, host names and words glued to it.
		{"load 250.5", 0, -1},
		{"550.example.com", 0, -1},
		{"x550 y", 0, -1},
		{"550x", 0, -1},
		{"-550", 0, -1},
		{"_550", 0, -1},
		// First or second digit out of range.
		{"150 660 170", 0, -1},
		// An enhanced status code alone is not a reply code.
		{"5.1.1", 0, -1},
		// Too short.
		{"", 0, -1},
		{"55", 0, -1},
	}
	for _, tt := range tests {
		got, at, ok := FindReply(tt.text)
		if got != tt.want || at != tt.at || ok != (tt.want != 0) {
			t.Errorf("FindReply(%q) = %v, %d, %v, want %v, %d", tt.text, got, at, ok, tt.want, tt.at)
		}
	}
}

// FuzzParseStatus checks that whatever ParseStatus accepts is valid and
// prints back as the input.
func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{"5.1.1", "4.2.2", "2.0.0", "5.1.10", "5.01.1", "5.1.1000", "3.1.1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatus(s)
		if err != nil {
			if !st.IsZero() {
				t.Errorf("ParseStatus(%q) = %v with error %v, want zero", s, st, err)
			}
			return
		}
		if !st.Valid() || st.String() != s {
			t.Errorf("ParseStatus(%q) = %v (valid %v), want it to print back", s, st, st.Valid())
		}
	})
}

// FuzzFind checks that a match is exactly the parsed code at the offsets,
// that the reply code found parses, and that Find and FindReply agree
// with their byte-at-a-time oracles (findByBytes, findReplyByBytes).
func FuzzFind(f *testing.F) {
	for _, s := range []string{postfixRelay, "550-5.1.1 x", "#5.1.1 smtp;550", "10.5.1.1", "Postfix 3.5.1.1", "2013-10-16"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if st, start, end, ok := Find(s); ok {
			p, err := ParseStatus(s[start:end])
			if err != nil || p != st || st.Subject > maxSubject {
				t.Errorf("Find(%q) = %v at %d:%d, but ParseStatus(%q) = %v, %v", s, st, start, end, s[start:end], p, err)
			}
		}
		c, at, ok := FindReply(s)
		if ok {
			p, err := ParseReplyCode(s[at : at+3])
			if err != nil || p != c {
				t.Errorf("FindReply(%q) = %v at %d, but ParseReplyCode(%q) = %v, %v", s, c, at, s[at:at+3], p, err)
			}
		}
		if c2, at2, ok2 := findReplyByBytes(s); c != c2 || at != at2 || ok != ok2 {
			t.Errorf("FindReply(%q) = %v %d %v, findReplyByBytes gives %v %d %v", s, c, at, ok, c2, at2, ok2)
		}
		st, i, j, okF := Find(s)
		if st2, i2, j2, ok2 := findByBytes(s); st != st2 || i != i2 || j != j2 || okF != ok2 {
			t.Errorf("Find(%q) = %v %d %d %v, findByBytes gives %v %d %d %v", s, st, i, j, okF, st2, i2, j2, ok2)
		}
	})
}

// findByBytes is Find as it was first written, trying every byte.
func findByBytes(text string) (st Status, start, end int, ok bool) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		got, j, valid := scanStatus(text, i)
		if !valid || got.Subject > maxSubject || !rightOK(text, j) {
			continue
		}
		if leftOK(text, i) || afterReplyDash(text, i) {
			return got, i, j, true
		}
	}
	return Status{}, -1, -1, false
}

// TestFindByDots: Find, which looks only before dots, agrees with
// findByBytes on random texts of digits, dots, dashes and letters.
func TestFindByDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	alphabet := "2455.0.1.7 -x#:[]\n"
	for range 200000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		st, i, j, ok := Find(s)
		st2, i2, j2, ok2 := findByBytes(s)
		if st != st2 || i != i2 || j != j2 || ok != ok2 {
			t.Fatalf("Find(%q) = %v %d %d %v, findByBytes gives %v %d %d %v", s, st, i, j, ok, st2, i2, j2, ok2)
		}
	}
}

// TestHasReplyDigit: every word with a byte '2'..'5' is reported (the
// byte at each position, every value, beside random others).
func TestHasReplyDigit(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			for range 64 {
				var w [8]byte
				for i := range w {
					w[i] = byte(rng.IntN(256))
					for w[i] >= '2' && w[i] <= '5' {
						w[i] = byte(rng.IntN(256))
					}
				}
				w[pos] = byte(c)
				want := c >= '2' && c <= '5'
				x := uint64(0)
				for i := 7; i >= 0; i-- {
					x = x<<8 | uint64(w[i])
				}
				if got := hasReplyDigit(x); want && !got {
					t.Fatalf("hasReplyDigit(% x) = false, byte %d is %q", w, pos, byte(c))
				}
			}
		}
	}
}

// findReplyByBytes is FindReply as it was first written.
func findReplyByBytes(text string) (ReplyCode, int, bool) {
	for i := 0; i+3 <= len(text); i++ {
		if c := text[i]; c < '2' || c > '5' {
			continue
		}
		c, ok := replyAt(text, i)
		if ok && leftOK(text, i) && rightOK(text, i+3) {
			return c, i, true
		}
	}
	return 0, -1, false
}

// TestFindReplyWords: FindReply agrees with findReplyByBytes.
func TestFindReplyWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	alphabets := []string{"2455501 -x.:\n\xff", "abcdefgh ijk 550 -\xc3\xa9"}
	for range 200000 {
		alphabet := alphabets[rng.IntN(len(alphabets))]
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		c, i, ok := FindReply(s)
		c2, i2, ok2 := findReplyByBytes(s)
		if c != c2 || i != i2 || ok != ok2 {
			t.Fatalf("FindReply(%q) = %v %d %v, findReplyByBytes gives %v %d %v", s, c, i, ok, c2, i2, ok2)
		}
	}
}
