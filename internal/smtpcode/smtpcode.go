// Package smtpcode models the two kinds of status a mail server gives: the
// three-digit SMTP reply code of RFC 5321 section 4.2 and the enhanced mail
// system status code of RFC 3463, with the subjects and details registered by
// RFC 5248 (the IANA "Enumerated Status Codes" registry).
//
// Deviations: ParseStatus accepts detail numbers up to 999 as RFC 3463
// section 2 allows, and also accepts class 2 codes, which RFC 3463 defines but
// bounces rarely carry. Find and FindReply scan free text and accept a code
// only when it stands alone (not inside an IP address, a version number or a
// longer number).
package smtpcode

import (
	"errors"
	"fmt"
	"strconv"
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
//	status-code = class "." subject "." detail
//	class       = "2" / "4" / "5"
//	subject     = 1*3digit
//	detail      = 1*3digit
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
		if j == i {
			return Status{}, i, false
		}
		parts[p], i = n, j
	}
	return Status{Class: class, Subject: parts[0], Detail: parts[1]}, i, true
}

// digits reads up to max decimal digits at s[i].
func digits(s string, i, max int) (int, int) {
	n, j := 0, i
	for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j
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

func replyAt(s string, i int) (ReplyCode, bool) {
	if i+3 > len(s) {
		return 0, false
	}
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

// boundary reports whether the byte before i and the byte at j allow a code
// to stand alone there: not a digit or a dot joined to more digits, nor a
// letter glued to it.
func boundary(s string, i, j int) bool {
	if i > 0 {
		p := s[i-1]
		if isDigit(p) || p == '.' || p == '-' || p == '_' || isAlpha(p) {
			return false
		}
	}
	if j < len(s) {
		n := s[j]
		if isDigit(n) || isAlpha(n) || n == '_' {
			return false
		}
		if n == '.' && j+1 < len(s) && isDigit(s[j+1]) {
			return false
		}
	}
	return true
}

func isAlpha(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// Find returns the first enhanced status code standing alone in text, and
// the byte offsets of the match.
func Find(text string) (Status, int, int, bool) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		st, j, ok := scanStatus(text, i)
		if ok && boundary(text, i, j) {
			return st, i, j, true
		}
	}
	return Status{}, -1, -1, false
}

// FindReply returns the first reply code standing alone in text (followed by
// a space, '-', end of text or punctuation), with its offset.
func FindReply(text string) (ReplyCode, int, bool) {
	for i := 0; i+3 <= len(text); i++ {
		c, ok := replyAt(text, i)
		if !ok || !boundary(text, i, i+3) {
			continue
		}
		if i+3 < len(text) && text[i+3] == '.' {
			continue // "5.1.1" or a decimal, not a reply code
		}
		return c, i, true
	}
	return 0, -1, false
}
