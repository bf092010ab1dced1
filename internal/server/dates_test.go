package server

import (
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 11, 23, 9, 15, 0, 0, time.UTC)
	cases := []struct {
		in string
		ok bool
	}{
		{"Mon, 23 Nov 2026 10:15:00 +0100", true},       // RFC 5322 section 3.3
		{"23 Nov 2026 10:15:00 +0100", true},            // no day of week (section 3.3 allows it)
		{"Mon, 23 Nov 2026 04:15:00 -0500 (EST)", true}, // trailing comment (Postfix)
		{"Mon, 23 Nov 2026 04:15:00 EST", true},         // obsolete zone, section 4.3
		{"Mon, 23 Nov 2026 09:15:00 GMT", true},         // obsolete zone
		{"mon, 23 nov 2026 09:15:00 UT", true},          // lower-case names
		{"Mon,  23 Nov 2026\r\n 10:15:00 +0100", true},  // folded
		{"2026-11-23T09:15:00Z", true},                  // RFC 3339 (some gateways)
		{"Mon Nov 23 09:15:00 2026", true},              // ctime, read as UTC
		{"", false},
		{"yesterday", false},
		{"Mon, 32 Nov 2026 10:15:00 +0100", false},
	}
	for _, tc := range cases {
		got := parseDate(tc.in)
		switch {
		case !tc.ok && got != nil:
			t.Errorf("parseDate(%q) = %v, want nil", tc.in, got.AsTime())
		case tc.ok && (got == nil || !got.AsTime().Equal(want)):
			t.Errorf("parseDate(%q) = %v, want %v", tc.in, got, want)
		}
	}
}

// TestCommonLayoutsAgree: the fast path reads what mail.ParseDate reads,
// to the same instant.
func TestCommonLayoutsAgree(t *testing.T) {
	for _, s := range []string{
		"Mon, 2 Jan 2006 15:04:05 -0700", "Thu, 29 Apr 2010 23:34:45 +0900", "29 Apr 2010 23:34:45 +0900",
		"Fri, 01 Mar 2019 08:00:00 +0000", "Tue, 9 Feb 2021 1:02:03 -0500",
	} {
		want, err := mail.ParseDate(s)
		if err != nil {
			t.Fatalf("mail.ParseDate(%q): %v", s, err)
		}
		if got := parseDate(s); got == nil || !got.AsTime().Equal(want) {
			t.Errorf("parseDate(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestSingleSpaced: white space is folded as strings.Fields does, and a
// date already single-spaced is not copied.
func TestSingleSpaced(t *testing.T) {
	for _, s := range []string{
		"Mon, 2 Jan 2006 15:04:05 -0700", " Mon,  2 Jan", "a\tb", "a\r\n b", "trailing ", "", " ", "a\u00a0b", "a\u2003b", "é b",
	} {
		want := strings.Join(strings.Fields(s), " ")
		if got := singleSpaced(s); got != want {
			t.Errorf("singleSpaced(%q) = %q, want %q", s, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = singleSpaced("Mon, 2 Jan 2006 15:04:05 -0700") }); n != 0 {
		t.Errorf("singleSpaced of a clean date: %v allocations, want 0", n)
	}
}

// TestParseDateAllocs: a date in the common RFC 5322 form costs only its
// Timestamp.
func TestParseDateAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = parseDate("Mon, 23 Nov 2026 10:15:00 +0100") }); n > 1 {
		t.Errorf("parseDate of a common date: %v allocations, want 1 (the Timestamp)", n)
	}
}
