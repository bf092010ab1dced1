package server

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// obsZones are the RFC 5322 section 4.3 obsolete zone names with their
// offsets. time.Parse would give them a zero offset on a machine whose
// local zone does not use the name.
var obsZones = map[string]string{
	"UT": "+0000", "GMT": "+0000", "UTC": "+0000", "Z": "+0000",
	"EST": "-0500", "EDT": "-0400",
	"CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600",
	"PST": "-0800", "PDT": "-0700",
}

// commonLayouts are the RFC 5322 section 3.3 date-time forms most bounces
// use, which mail.ParseDate reads too, with the same result.
var commonLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
}

// extraLayouts are date forms met in bounces that net/mail does not read.
var extraLayouts = []string{
	time.RFC3339,
	"Mon Jan _2 15:04:05 2006 -0700", // ctime with a zone (Sendmail, qmail logs)
	"Mon Jan _2 15:04:05 -0700 2006",
	"Mon Jan _2 15:04:05 2006", // ctime, no zone: read as UTC
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05", // no zone: read as UTC
	"Mon, 2 Jan 2006 15:04:05.999999999 -0700",
}

// parseDate reads a date field of a report (Arrival-Date, Last-Attempt-Date,
// Will-Retry-Until, the original's Date) as an RFC 5322 date-time and
// returns it as a Timestamp, or nil when s is empty or unreadable.
//
// QUIRK: RFC 5322 section 3.3 is read leniently, as RFC 5322 section 4.3
// and real bounces need: a trailing comment ("(PST)"), obsolete zone names
// (EST, GMT, UT), a missing day of week or seconds (net/mail), lower-case
// month names, ctime and RFC 3339 forms.
func parseDate(s string) *timestamppb.Timestamp {
	if t, ok := parseTime(s); ok {
		return timestamppb.New(t)
	}
	return nil
}

// parseTime is parseDate's reading, as a time (wirewriter.go writes it
// without a Timestamp message in between); false when s is empty or
// unreadable.
func parseTime(s string) (time.Time, bool) {
	// The forms of commonLayouts, read without time.Parse, and first
	// without singleSpaced: commonDate reads only single-spaced dates, so
	// what it reads here it would read the same after it.
	if len(s) <= 128 {
		if sec, ok := commonDate(withoutComment(s)); ok {
			return time.Unix(sec, 0).UTC(), true
		}
	}
	s = singleSpaced(s)
	if s == "" || len(s) > 128 {
		return time.Time{}, false
	}
	s = withoutComment(s)
	if sec, ok := commonDate(s); ok {
		return time.Unix(sec, 0).UTC(), true
	}
	return otherDate(s)
}

// withoutComment is s without a trailing comment: "... -0800 (PST)".
func withoutComment(s string) string {
	if i := strings.IndexByte(s, '('); i > 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// otherDate is parseTime's reading of a date commonDate does not read.
func otherDate(s string) (time.Time, bool) {
	// An obsolete zone name as the last token becomes its offset.
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if off, ok := obsZones[strings.ToUpper(s[i+1:])]; ok {
			s = s[:i+1] + off
		}
	}
	// Every layout of commonLayouts and of mail.ParseDate has a month
	// name, so a date without a letter is none of them: it is not tried
	// against their 50 layouts, each of which allocates its error.
	if hasLetter(s) {
		// The RFC 5322 forms nearly every date takes, first: mail.ParseDate
		// tries its layouts in an order where these come late, and every
		// layout that fails allocates its error. time.Parse reads month and
		// day names in any case, so these need no titleMonths.
		for _, l := range commonLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return valid(t)
			}
		}
		s = titleMonths(s)
		if t, err := mail.ParseDate(s); err == nil {
			return valid(t)
		}
	}
	for _, l := range extraLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return valid(t)
		}
	}
	return time.Time{}, false
}

// hasLetter reports whether s has an ASCII letter.
func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; 'a' <= c && c <= 'z' {
			return true
		}
	}
	return false
}

// singleSpaced is s without leading and trailing white space, each run of
// white space inside it one space (a folded header's CRLF and tabs
// included). A date written so already, nearly every one, is returned as
// it is, without allocating.
func singleSpaced(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '),
			c == '\t', c == '\n', c == '\v', c == '\f', c == '\r', c >= utf8.RuneSelf:
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// valid keeps dates a Timestamp can hold and a bounce can mean: years 1970
// to 9999.
func valid(t time.Time) (time.Time, bool) {
	if t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

var monthFix = strings.NewReplacer(
	"jan", "Jan", "feb", "Feb", "mar", "Mar", "apr", "Apr", "may", "May", "jun", "Jun",
	"jul", "Jul", "aug", "Aug", "sep", "Sep", "oct", "Oct", "nov", "Nov", "dec", "Dec",
	"JAN", "Jan", "FEB", "Feb", "MAR", "Mar", "APR", "Apr", "MAY", "May", "JUN", "Jun",
	"JUL", "Jul", "AUG", "Aug", "SEP", "Sep", "OCT", "Oct", "NOV", "Nov", "DEC", "Dec",
	"mon", "Mon", "tue", "Tue", "wed", "Wed", "thu", "Thu", "fri", "Fri", "sat", "Sat", "sun", "Sun",
	"MON", "Mon", "TUE", "Tue", "WED", "Wed", "THU", "Thu", "FRI", "Fri", "SAT", "Sat", "SUN", "Sun",
)

// titleMonths writes all-lower or all-upper month and day names the way
// time.Parse wants them ("jan" and "JAN" become "Jan").
func titleMonths(s string) string { return monthFix.Replace(s) }

// commonDate reads a date in one of the forms of commonLayouts, with a
// numeric zone or an obsolete zone name (obsZones), as the Unix time
// otherDate (time.Parse, mail.ParseDate) gives for it. It reads nothing
// else (false): the forms and ranges it is not sure of are left to
// otherDate, so the answers are otherDate's (TestCommonDate compares
// them). time.Parse
// allocates the zone of an offset that is not a whole hour and the error
// of each layout that fails; this costs neither (about 1 µs a message on
// the corpus, three dates in most).
//
//	[day-name ", "] day month-name year hh ":" mm ":" ss SP zone
//
// day and hh are one or two digits, year four (or two, RFC 5322 section
// 4.3), mm and ss two; names are read in any case (as time.Parse reads
// them); the day must exist in the month.
func commonDate(s string) (int64, bool) {
	if len(s) > 5 && s[3] == ',' && s[4] == ' ' {
		if nameIndex(s[:3], dayNames) < 0 {
			return 0, false
		}
		s = s[5:]
	}
	day, s, ok := number(s, 1, 2)
	if !ok || len(s) < 6 || s[0] != ' ' || s[4] != ' ' {
		return 0, false
	}
	month := nameIndex(s[1:4], monthNames) + 1
	// Four digits, or two (obsolete, RFC 5322 section 4.3), read as
	// mail.ParseDate reads them; three are a year before 1970.
	year, rest, ok := number(s[5:], 2, 4)
	if len(s[5:])-len(rest) == 2 {
		if year >= 69 {
			year += 1900
		} else {
			year += 2000
		}
	}
	s = rest
	if month == 0 || !ok || year < 1970 || len(s) < 2 || s[0] != ' ' {
		return 0, false
	}
	hour, s, ok := number(s[1:], 1, 2)
	if !ok || hour > 23 || len(s) < 2 || s[0] != ':' {
		return 0, false
	}
	min, s, ok := number(s[1:], 2, 2)
	if !ok || min > 59 || len(s) < 2 || s[0] != ':' {
		return 0, false
	}
	sec, s, ok := number(s[1:], 2, 2)
	if !ok || sec > 59 || len(s) < 2 || s[0] != ' ' {
		return 0, false
	}
	offset, ok := zoneOffset(s[1:])
	if !ok {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC)
	if t.Day() != day { // 31 Apr, 29 Feb 2026: time.Date moved it on
		return 0, false
	}
	return t.Unix() - int64(offset), true
}

var (
	dayNames   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// nameIndex is the index in names (three lower-case letters each) of the
// name s is in any ASCII case, or -1.
func nameIndex(s string, names []string) int {
	if len(s) != 3 {
		return -1
	}
	for i, n := range names {
		if s[0]|0x20 == n[0] && s[1]|0x20 == n[1] && s[2]|0x20 == n[2] {
			return i
		}
	}
	return -1
}

// number reads min to max leading digits of s.
func number(s string, min, max int) (int, string, bool) {
	n, i := 0, 0
	for ; i < max && i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if i < min {
		return 0, s, false
	}
	return n, s[i:], true
}

// zoneOffset reads a whole zone token: "+hhmm", "-hhmm" (hours to 23,
// minutes to 59) or an obsolete zone name, as seconds east of UTC.
func zoneOffset(z string) (int, bool) {
	if len(z) <= 3 { // strings.ToUpper, for ASCII, without allocating
		var up [3]byte
		for i := range len(z) {
			up[i] = z[i]
			if 'a' <= up[i] && up[i] <= 'z' {
				up[i] -= 'a' - 'A'
			}
		}
		if off, ok := obsZones[string(up[:len(z)])]; ok {
			z = off
		}
	}
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	hh, rest, ok := number(z[1:3], 2, 2)
	if !ok || rest != "" || hh > 23 {
		return 0, false
	}
	mm, rest, ok := number(z[3:], 2, 2)
	if !ok || rest != "" || mm > 59 {
		return 0, false
	}
	off := (hh*60 + mm) * 60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}
