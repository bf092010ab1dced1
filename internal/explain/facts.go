package explain

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
	"github.com/bounced/bounced/internal/swar"
)

// Limits on the facts copied into an explanation. The facts come from a
// hostile message, so each is cleaned (control characters and runs of
// white space become one space, invalid UTF-8 becomes U+FFFD, which also
// keeps the text valid for a protobuf string) and cut at a rune boundary,
// with "…" marking the cut.
const (
	// MaxExcerptBytes caps the diagnostic excerpt ({diag}).
	MaxExcerptBytes = 200
	// MaxFactBytes caps every other fact: an address, a domain, a host
	// name. RFC 5321 section 4.5.3.1 allows paths of 256 octets and domains
	// of 255, so real values are never cut.
	MaxFactBytes = 256
)

const ellipsis = "…"

// facts are the values a template's slots are filled with, for one
// recipient, plus the language's words for a missing value.
type facts struct {
	rcpt, domain, mta, reporter, command, diag, from, until string
	status                                                  smtpcode.Status
	reply                                                   smtpcode.ReplyCode
	fallback                                                *[numSlots]string
}

func newFacts(rep *dsn.Report, r *dsn.Recipient, v classify.Verdict, l *lang) facts {
	f := facts{fallback: &l.fallback}
	if r != nil {
		f.rcpt = r.Recipient
		f.domain = r.Domain()
		if f.rcpt == "" {
			f.rcpt = r.OriginalRecipient
			f.domain = dsn.Recipient{Recipient: r.OriginalRecipient}.Domain()
		}
		f.mta = r.RemoteMTA
		f.command = r.Command
		f.diag = r.Diagnostic
		f.status = r.Status
		if !v.Status.IsZero() {
			f.status = v.Status // the code the verdict was decided on
		}
		f.reply = r.ReplyCode
		f.until = r.WillRetryUntil
	}
	if rep != nil {
		f.reporter = rep.ReportingMTA
		f.from = rep.Original.From
		if f.rcpt == "" && rep.Feedback != nil {
			// A feedback report names the complainer here, if anywhere.
			f.rcpt = rep.Feedback.OriginalRcptTo
			f.domain = dsn.Recipient{Recipient: f.rcpt}.Domain()
		}
	}
	return f
}

func (f *facts) str(s slot) string {
	switch s {
	case slotRcpt:
		return f.rcpt
	case slotDomain:
		return f.domain
	case slotMTA:
		return f.mta
	case slotReporter:
		return f.reporter
	case slotCommand:
		return f.command
	case slotDiag:
		return f.diag
	case slotFrom:
		return f.from
	case slotUntil:
		return f.until
	}
	return ""
}

// empty reports whether slot s has no value, so its fallback words are used
// or its group is dropped.
func (f *facts) empty(s slot) bool {
	switch s {
	case slotStatus:
		return f.status.IsZero()
	case slotReply:
		return f.reply == 0
	case slotCode:
		return f.status.IsZero() && f.reply == 0
	}
	return isBlank(f.str(s))
}

// size is an upper bound on what slot s writes.
func (f *facts) size(s slot) int {
	var n int
	switch s {
	case slotStatus:
		n = 11 // d.ddd.ddd
	case slotReply:
		n = 3
	case slotCode:
		n = 15
	case slotDiag:
		n = min(len(f.diag), MaxExcerptBytes) + len(ellipsis)
	default:
		n = min(len(f.str(s)), MaxFactBytes) + len(ellipsis)
	}
	return max(n, len(f.fallback[s]))
}

// write appends the value of slot s to b. The slot is not empty.
func (f *facts) write(b *buffer, s slot) {
	switch s {
	case slotStatus:
		writeStatus(b, f.status)
	case slotReply:
		writeInt(b, int(f.reply))
	case slotCode:
		if f.reply != 0 {
			writeInt(b, int(f.reply))
			if !f.status.IsZero() {
				b.addByte(' ')
			}
		}
		if !f.status.IsZero() {
			writeStatus(b, f.status)
		}
	case slotDiag:
		writeClean(b, f.diag, MaxExcerptBytes)
	default:
		writeClean(b, f.str(s), MaxFactBytes)
	}
}

func writeStatus(b *buffer, st smtpcode.Status) {
	writeInt(b, st.Class)
	b.addByte('.')
	writeInt(b, st.Subject)
	b.addByte('.')
	writeInt(b, st.Detail)
}

// writeInt writes n in decimal without allocating; the numbers of codes
// (0-999) digit by digit.
func writeInt(b *buffer, n int) {
	if 0 <= n && n < 1000 {
		if n >= 100 {
			b.addByte(byte('0' + n/100))
		}
		if n >= 10 {
			b.addByte(byte('0' + n/10%10))
		}
		b.addByte(byte('0' + n%10))
		return
	}
	b.b = strconv.AppendInt(b.b, int64(n), 10)
}

// isBlank reports whether s has nothing but white space and control
// characters.
func isBlank(s string) bool {
	for _, r := range s {
		if !isSpace(r) {
			return false
		}
	}
	return true
}

// isSpace reports the runes written as (at most) one space: white space,
// C0 and C1 controls, line and paragraph separators, the BOM.
func isSpace(r rune) bool {
	return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff
}

// printable reports printable ASCII, space excluded.
func printable(c byte) bool { return c > ' ' && c < 0x7f }

// plainWord reports whether the eight bytes of x are all printable ASCII
// or spaces (swar.Plain's first test), and m with the high bit of each
// space's byte set.
func plainWord(x uint64) (m uint64, ok bool) {
	const (
		ones  uint64 = 0x0101010101010101
		highs uint64 = 0x8080808080808080
	)
	if ((x+ones)|x)&highs != 0 || (x-ones*0x20)&^x&highs != 0 {
		return 0, false
	}
	z := x ^ ones*0x20
	return ^((z&^highs + ^highs) | z | ^highs), true
}

// isClean reports whether writeClean would write s as it is, when not
// cut: printable ASCII and single spaces, none first or last. Eight bytes
// at a time (plainWord), the spaces of one word checked against those of
// the next.
func isClean(s string) bool {
	if len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	carry := uint64(0) // the high bit set when the byte before is a space
	i := 0
	for ; i+8 <= len(s); i += 8 {
		m, ok := plainWord(swar.Load(s, i))
		if !ok || m&(m<<8|carry) != 0 {
			return false
		}
		carry = m >> 56
	}
	prevSpace := carry != 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		if !printable(c) {
			return false
		}
		prevSpace = false
	}
	return true
}

// writeClean writes s trimmed, with runs of white space and control
// characters folded into one space, invalid UTF-8 replaced, and cut after
// max bytes of output. Stretches of printable ASCII, most of any fact,
// are written whole; other runes one at a time.
func writeClean(b *buffer, s string, max int) {
	if len(s) <= max && isClean(s) {
		// The usual fact (an address, a host, a one-line diagnostic):
		// nothing to trim, fold, replace or cut.
		b.add(s)
		return
	}
	n := 0           // bytes written
	space := false   // a space is pending
	started := false // something was written
	for i := 0; i < len(s); {
		c := s[i]
		if c <= ' ' || c == 0x7f { // ASCII white space and controls (isSpace)
			space = started
			i++
			continue
		}
		if c < utf8.RuneSelf {
			// A stretch of printable ASCII with single spaces inside, most
			// of any fact, is written in one piece.
			// Past lim the stretch is cut anyway: no need to find its end.
			// s[j-1] is printable throughout: a space is taken only with
			// the printable byte after it.
			j, lim := i+1, min(len(s), i+max-n+1)
			for j < lim {
				// Eight bytes at a time: printable or single spaces (a
				// space last only with a printable byte after it, which
				// is taken too, as the byte steps below would).
				if j+8 <= lim {
					if m, ok := plainWord(swar.Load(s, j)); ok && m&(m<<8) == 0 {
						if m>>63 == 0 {
							j += 8
							continue
						}
						if j+8 < len(s) && printable(s[j+8]) {
							j += 9
							continue
						}
					}
				}
				if printable(s[j]) {
					j++
				} else if s[j] == ' ' && j+1 < len(s) && printable(s[j+1]) {
					j += 2
				} else {
					break
				}
			}
			extra := 0
			if space {
				extra = 1
			}
			if n+extra+j-i > max {
				// Cut: what fits, without a space that would only come
				// before the ellipsis.
				if room := max - n - extra; room > 0 {
					if space {
						b.addByte(' ')
					}
					b.add(strings.TrimSuffix(s[i:i+room], " "))
				}
				b.add(ellipsis)
				return
			}
			if space {
				b.addByte(' ')
				space = false
			}
			b.add(s[i:j])
			n += extra + j - i
			started = true
			i = j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if isSpace(r) {
			space = started
			continue
		}
		rl := utf8.RuneLen(r) // RuneError is written as U+FFFD, 3 bytes
		extra := 0
		if space {
			extra = 1
		}
		if n+extra+rl > max {
			b.add(ellipsis)
			return
		}
		if space {
			b.addByte(' ')
			space = false
		}
		b.addRune(r)
		n += extra + rl
		started = true
	}
}
