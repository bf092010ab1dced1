// Package smtpcode models the two kinds of status a mail server gives: the
// three-digit SMTP reply code of RFC 5321 section 4.2 (with 521 and 556 from
// RFC 7504) and the enhanced mail system status code of RFC 3463, with the
// subjects and details of the IANA "Enumerated Status Codes" registry that
// RFC 5248 set up. The registry rows come from RFC 3463, 3886, 4468, 4954,
// 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689 and the mailbomb draft
// (X.7.28); registry.go holds them as one ordered table, replies.go holds the
// reply codes.
//
// Deviations and tolerances:
//
//   - ParseStatus accepts class 2 codes, which RFC 3463 defines but bounces
//     rarely carry, and subject and detail numbers up to 999 as RFC 3463
//     section 2 allows. It rejects leading zeros ("5.01.1"), which that
//     section forbids, so that String gives back exactly what was parsed.
//   - Lookup finds a registry row by subject and detail whatever the class,
//     because servers send codes with classes the defining RFC does not list
//     (4.1.1 from greylisting servers, 5.4.6 from Postfix for a forwarding
//     loop). Entry.Classes says which classes the RFC and the registry's
//     associated reply codes name.
//   - Find and FindReply scan free text and accept a code only when it
//     stands alone: not inside an IP address, a host name, a version number,
//     a date or a longer number. A '#', '(', '<', quote or ';' before a code
//     is fine (Exchange writes "#5.1.1"), and so is the '-' of a multiline
//     reply ("550-5.1.1"). Find also skips codes whose subject is not
//     registered (above 7), since "Exim 4.94.2" looks like a status code.
//     Three-part numbers with a registered subject, such as a version
//     "2.5.6" or a date "5.2.13", cannot be told apart and do match.
package smtpcode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bounced/bounced/internal/swar"
)

// ErrBadStatus is returned when text is not an enhanced status code.
var ErrBadStatus = errors.New("smtpcode: malformed enhanced status code")

// ErrBadReply is returned when text is not an SMTP reply code.
var ErrBadReply = errors.New("smtpcode: malformed reply code")

// Status is an RFC 3463 enhanced status code, class.subject.detail.
// The zero value means "no status".
type Status struct {
	Class   int // 2 success, 4 persistent transient failure, 5 permanent failure
	Subject int // 0..999
	Detail  int // 0..999
}

// ParseStatus parses "5.1.1". Surrounding text is not allowed.
//
//	status-code = class "." subject "." detail   ; RFC 3463 section 2
//	class       = "2" / "4" / "5"
//	subject     = 1*3digit                        ; no leading zero
//	detail      = 1*3digit                        ; no leading zero
func ParseStatus(s string) (Status, error) {
	st, n, ok := scanStatus(s, 0)
	if !ok || n != len(s) {
		return Status{}, fmt.Errorf("%w: %q", ErrBadStatus, s)
	}
	return st, nil
}

// MustStatus is ParseStatus for constants; it panics on bad input.
func MustStatus(s string) Status {
	st, err := ParseStatus(s)
	if err != nil {
		panic(err)
	}
	return st
}

// scanStatus reads a status code starting at s[i] and returns it with the
// index just after it.
func scanStatus(s string, i int) (Status, int, bool) {
	if i >= len(s) || (s[i] != '2' && s[i] != '4' && s[i] != '5') {
		return Status{}, i, false
	}
	class := int(s[i] - '0')
	i++
	var parts [2]int
	for p := range parts {
		if i >= len(s) || s[i] != '.' {
			return Status{}, i, false
		}
		i++
		n, j := digits(s, i, 3)
		if j == i || (j-i > 1 && s[i] == '0') {
			// RFC 3463 section 2: "without leading zero digits".
			return Status{}, i, false
		}
		parts[p], i = n, j
	}
	return Status{Class: class, Subject: parts[0], Detail: parts[1]}, i, true
}

// digits reads up to limit decimal digits at s[i].
func digits(s string, i, limit int) (int, int) {
	n, j := 0, i
	for j < len(s) && j-i < limit && isDigit(s[j]) {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j
}

// Valid reports whether s could have come from ParseStatus: class 2, 4 or
// 5, subject and detail 0..999. The zero Status is not valid.
func (s Status) Valid() bool {
	return (s.Class == 2 || s.Class == 4 || s.Class == 5) &&
		s.Subject >= 0 && s.Subject <= 999 && s.Detail >= 0 && s.Detail <= 999
}

// IsZero reports whether s is the zero Status (no code).
func (s Status) IsZero() bool { return s == Status{} }

// String formats s as "5.1.1"; the zero Status formats as "".
func (s Status) String() string {
	if s.IsZero() {
		return ""
	}
	return strconv.Itoa(s.Class) + "." + strconv.Itoa(s.Subject) + "." + strconv.Itoa(s.Detail)
}

// Success reports a class 2 code.
func (s Status) Success() bool { return s.Class == 2 }

// Temporary reports a class 4 code (persistent transient failure): the same
// message may be delivered if sent again later.
func (s Status) Temporary() bool { return s.Class == 4 }

// Permanent reports a class 5 code: sending again will not help.
func (s Status) Permanent() bool { return s.Class == 5 }

// Generic reports whether subject and detail are both 0 (x.0.0), a code that
// says only success, transient or permanent.
func (s Status) Generic() bool { return !s.IsZero() && s.Subject == 0 && s.Detail == 0 }

// ReplyCode is an RFC 5321 section 4.2 reply code such as 550. Zero means "no code".
type ReplyCode int

// ParseReplyCode parses a three-digit reply code: first digit 2..5, second 0..5.
func ParseReplyCode(s string) (ReplyCode, error) {
	if len(s) != 3 {
		return 0, fmt.Errorf("%w: %q", ErrBadReply, s)
	}
	c, ok := replyAt(s, 0)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrBadReply, s)
	}
	return c, nil
}

// replyAt reads the reply code in s[i:i+3]; the caller makes sure those
// three bytes exist.
//
//	Reply-code = %x32-35 %x30-35 %x30-39   ; RFC 5321 section 4.2
func replyAt(s string, i int) (ReplyCode, bool) {
	a, b, c := s[i], s[i+1], s[i+2]
	if a < '2' || a > '5' || b < '0' || b > '5' || c < '0' || c > '9' {
		return 0, false
	}
	return ReplyCode(int(a-'0')*100 + int(b-'0')*10 + int(c-'0')), true
}

// Class is the first digit of the code.
func (c ReplyCode) Class() int { return int(c) / 100 }

// Positive reports a 2yz or 3yz code.
func (c ReplyCode) Positive() bool { return c.Class() == 2 || c.Class() == 3 }

// Temporary reports a 4yz code (transient negative completion).
func (c ReplyCode) Temporary() bool { return c.Class() == 4 }

// Permanent reports a 5yz code (permanent negative completion).
func (c ReplyCode) Permanent() bool { return c.Class() == 5 }

// String formats the code; zero formats as "".
func (c ReplyCode) String() string {
	if c == 0 {
		return ""
	}
	return strconv.Itoa(int(c))
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isAlpha(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// leftOK reports whether the byte before s[i] lets a code start at i: not
// a digit, letter, '_' or '.' glued to it (which would make it part of a
// number, an IP address or a word), nor a '-' as in "exim-4.1.1".
func leftOK(s string, i int) bool {
	if i == 0 {
		return true
	}
	p := s[i-1]
	return !isDigit(p) && !isAlpha(p) && p != '.' && p != '-' && p != '_'
}

// rightOK reports whether the byte at s[j] lets a code end there: not a
// digit, letter or '_', nor a '.' followed by a digit or letter (an IP
// address "10.5.1.1", a version "3.5.1.1" or a host name "550.example").
// A '.' ending a sentence is fine.
func rightOK(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	n := s[j]
	if isDigit(n) || isAlpha(n) || n == '_' {
		return false
	}
	return n != '.' || j+1 >= len(s) || (!isDigit(s[j+1]) && !isAlpha(s[j+1]))
}

// afterReplyDash reports whether s[i-1] is the '-' of a multiline reply
// line whose reply code stands alone: "550-5.1.1".
//
// QUIRK: RFC 5321 section 4.2.1 puts '-' between the code and the text of
// every line but the last, so the status code of a Gmail reply is glued to
// it ("550-5.1.1 The email account that you tried to reach does not exist").
func afterReplyDash(s string, i int) bool {
	if i < 4 || s[i-1] != '-' {
		return false
	}
	_, ok := replyAt(s, i-4)
	return ok && leftOK(s, i-4)
}

// Find returns the first enhanced status code standing alone in text, and
// the byte offsets of the match: text[start:end] is the code. Only codes
// with a registered subject (0 to 7) count; see the package doc for what
// "standing alone" means. Find runs in time linear in len(text).
func Find(text string) (st Status, start, end int, ok bool) {
	// A code's class digit is followed by a dot: the dots are found by
	// strings.IndexByte, in order, and the byte before each is the
	// candidate (findByBytes is the same search a byte at a time).
	for off := 1; off < len(text); {
		d := strings.IndexByte(text[off:], '.')
		if d < 0 {
			break
		}
		i := off + d - 1
		off += d + 1
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

// hasReplyDigit reports whether one of the eight bytes of x may be '2'
// to '5' (a byte c with '1' < c < '6', by Bit Twiddling Hacks' hasbetween;
// a byte >= 0x80 is never reported).
func hasReplyDigit(x uint64) bool {
	const l, m, n = 0x0101010101010101, '1', '6'
	return (l*(127+n)-(x&(l*127)))&^x&((x&(l*127))+l*(127-m))&(l*128) != 0
}

// FindReply returns the first reply code standing alone in text, with its
// offset: followed by a space, '-', punctuation or the end of text, and not
// part of a longer number, an IP address or a word.
func FindReply(text string) (ReplyCode, int, bool) {
	for i := 0; i+3 <= len(text); i++ {
		// Eight bytes none of which is '2'..'5' are passed over at once.
		for i+8 <= len(text) && !hasReplyDigit(swar.Load(text, i)) {
			i += 8
		}
		if i+3 > len(text) {
			break
		}
		if c := text[i]; c < '2' || c > '5' {
			continue // the common case, decided on one byte
		}
		c, ok := replyAt(text, i)
		if ok && leftOK(text, i) && rightOK(text, i+3) {
			return c, i, true
		}
	}
	return 0, -1, false
}
