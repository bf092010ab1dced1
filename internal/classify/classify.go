package classify

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/phrase"
	"github.com/bounced/bounced/internal/smtpcode"
	"github.com/bounced/bounced/internal/swar"
)

// Limits on the text the classifier reads. The parser already caps
// Report.Text at dsn.MaxTextBytes; these bound the per-recipient work.
const (
	// MaxDiagnosticBytes is how much of a diagnostic is matched against the
	// phrase table; phrases sit at the start of a reply.
	MaxDiagnosticBytes = 4096
	// MaxTextBytes is how much of the report's human-readable text is read
	// when the diagnostic decides nothing.
	MaxTextBytes = 8192
	// TextWindowBytes is how much text after the recipient's address is
	// read when the report names several recipients.
	TextWindowBytes = 600
	// maxWindowRecipients is how many other recipients' addresses may cut
	// a recipient's text window short.
	maxWindowRecipients = 64
	// MinDistinctSenders is how many distinct senders a domain's history
	// needs before its relay denials count against the domain itself.
	MinDistinctSenders = 3
)

// Classify returns the verdict for one recipient of rep, from the facts
// dsn read (see dsn.CompleteFacts for a Recipient built by hand). hist may
// be nil.
// It is pure: no I/O, safe for concurrent use; the only shared state it
// writes are caches of answers that never change (round2, noted,
// statusOnly) and a pool of scratch buffers (diagBufs).
// Equal inputs give equal verdicts.
func Classify(rep *dsn.Report, rcpt *dsn.Recipient, hist *History) Verdict {
	return ClassifyWith(rep, rcpt, Input{History: hist})
}

// ClassifyWith is Classify with the rejecting host's history and the DNS
// evidence as well (see Input). Like Classify it is pure.
func ClassifyWith(rep *dsn.Report, rcpt *dsn.Recipient, in Input) Verdict {
	if rep == nil {
		rep = &dsn.Report{}
	}
	if rcpt == nil {
		rcpt = &dsn.Recipient{}
	}
	switch {
	case rep.Kind == dsn.KindFeedback || rep.Feedback != nil:
		return feedbackVerdict(rep)
	case rep.Kind == dsn.KindAutoReply:
		return vacationVerdict(rep)
	}
	var f facts // on the stack: one recipient's facts do not outlive the call
	buf := diagBufs.Get().(*[]byte)
	defer diagBufs.Put(buf)
	f.gather(rep, rcpt, buf)
	if f.delivered() {
		return Verdict{
			Reason: Delivered, Side: SideUnknown, Confidence: 0.95,
			Evidence: []Evidence{{Signal: SignalAction, Value: string(rcpt.Action) + statusSuffix(f.status),
				RuleID: "action-delivered", Source: "RFC 3464 2.3.3", Weight: 0.95}},
			Status: f.status,
		}
	}
	v := f.decide(rep, rcpt, &in)
	dnsVerdict(&v, &f, in.DNS)
	return v
}

// facts are what Classify reads of one recipient, normalised once. The
// facts only some rows or the relay policy read are worked out when first
// asked (lowDiag, remoteHost, hostDom, namesSender, domainGone).
type facts struct {
	rep        *dsn.Report
	rcpt       *dsn.Recipient
	rawDiag    string  // the diagnostic, capped
	diagBuf    *[]byte // where lowDiag folds it
	hits       hitSet  // phrases of the table found in the diagnostic
	status     smtpcode.Status
	statusFrom string // where status came from (decisiveStatus)
	reply      smtpcode.ReplyCode
	command    string // upper case
	stage      dsn.Stage
	mta        string // lower case DecodedBy
	dtype      string // lower-case diagnostic type
	rcptDomain string // lower-case domain of the recipient
	action     dsn.Action
	kind       dsn.Kind
	class      int     // 4 or 5 when known
	codeRows   ruleSet // rows whose code conditions may hold (ruleIndex.codeRows)

	// Worked out when first asked: known marks which are.
	known      lazyFact
	diag       string // lowDiag
	host       string // remoteHost
	hostDomain string // hostDom
	sender     bool   // namesSender
	gone       bool   // domainGone

	// textRule's answer, once textRead
	textRead   bool
	textIdx    int
	textPhrase string
}

// lazyFact marks the facts worked out so far, one bit each.
type lazyFact uint8

const (
	knowHost lazyFact = 1 << iota
	knowDiag
	knowHostDomain
	knowSender
	knowGone
)

// diagBufs holds the buffers diagnostics are folded into (facts.diag).
// The folded diagnostic is read only while one recipient is classified (no
// verdict keeps a piece of it), so its buffer is reused by the next.
var diagBufs = sync.Pool{New: func() any { return new([]byte) }}

// gather reads the facts of rcpt, folding its diagnostic into buf.
func (f *facts) gather(rep *dsn.Report, rcpt *dsn.Recipient, buf *[]byte) {
	*f = facts{
		rep:     rep,
		rcpt:    rcpt,
		reply:   rcpt.ReplyCode,
		command: strings.ToUpper(strings.TrimSpace(rcpt.Command)),
		stage:   rcpt.Stage,
		mta:     toLower(rep.DecodedBy),
		dtype:   lowerTrim(rcpt.DiagnosticType),
		action:  dsn.Action(lowerTrim(string(rcpt.Action))),
		kind:    rep.Kind,
	}
	f.rcptDomain = toLower(rcpt.Domain())
	raw := rcpt.Diagnostic
	if len(raw) > MaxDiagnosticBytes {
		raw = raw[:MaxDiagnosticBytes]
	}
	f.status, f.statusFrom = decisiveStatus(rcpt)
	f.rawDiag, f.diagBuf = raw, buf
	if scansAsIs(raw, f.reply) {
		// The phrases of the folded diagnostic are those of the
		// diagnostic itself: it is folded only if a reader asks.
		phrases.ScanWords(raw, &f.hits)
	} else {
		phrases.ScanWords(f.lowDiag(), &f.hits)
	}
	switch {
	case f.status.Class == 4 || f.status.Class == 5:
		if f.status.Generic() && (f.reply.Temporary() || f.reply.Permanent()) {
			f.class = f.reply.Class()
		} else {
			f.class = f.status.Class
		}
	case f.reply.Temporary() || f.reply.Permanent():
		f.class = f.reply.Class()
	}
	f.codeRows = index.codeRows(f)
}

// lowDiag is the diagnostic folded for reading (normalizeDiag): lower
// case, white space collapsed, repeated reply codes dropped.
func (f *facts) lowDiag() string {
	if f.known&knowDiag == 0 {
		f.known |= knowDiag
		f.diag = normalizeDiag(f.diagBuf, f.rawDiag, f.reply, f.status)
	}
	return f.diag
}

// remoteHost is the lower-case rejecting host, "" when unknown.
func (f *facts) remoteHost() string {
	if f.known&knowHost == 0 {
		f.known |= knowHost
		if f.rcpt != nil {
			f.host = f.rcpt.RemoteHost()
		}
	}
	return f.host
}

// hostDom is the registered domain of the rejecting host, "" when unknown.
func (f *facts) hostDom() string {
	if f.known&knowHostDomain == 0 {
		f.known |= knowHostDomain
		if f.rcpt != nil {
			f.hostDomain = f.rcpt.RemoteMTADomain
		}
		if h := f.remoteHost(); f.hostDomain == "" && h != "" {
			f.hostDomain = dsn.RegisteredDomain(h)
		}
	}
	return f.hostDomain
}

// namesSender reports whether the diagnostic names the sender's domain,
// not the recipient's (namesSender).
func (f *facts) namesSender() bool {
	if f.known&knowSender == 0 {
		f.known |= knowSender
		f.sender = f.rep != nil && f.rcpt != nil && namesSender(f.rep, f.rcpt, f.lowDiag())
	}
	return f.sender
}

// domainGone reports whether the diagnostic says the recipient's domain
// does not exist (domainMissing).
func (f *facts) domainGone() bool {
	if f.known&knowGone == 0 {
		f.known |= knowGone
		// Each word domainMissing looks for starts a word of diag, so
		// the scan that found the rows' phrases has found it too.
		for _, id := range domainMissingIDs {
			if f.hits.Has(int(id)) {
				f.gone = domainMissing(f.lowDiag(), f.rcptDomain)
				break
			}
		}
	}
	return f.gone
}

// decisiveStatus is the one policy for which enhanced status code decides
// a verdict when the report's Status field and the remote server's own code
// (dsn.Recipient.ServerStatus) differ. The server's code wins when the field
// is missing or generic (QUIRK: RFC 3464 2.3.4 wants the most specific code
// in the field, but Sendmail, Postfix and Exchange often write 5.0.0 there
// and the real code only in the Diagnostic-Code; lhost-postfix-44), and
// when a specific server code contradicts the field in an smtp diagnostic
// (Sendmail maps the server's 5.7.1 to its own 5.1.1; lhost-sendmail-36).
// It returns the code and where it came from, for the evidence.
func decisiveStatus(rcpt *dsn.Recipient) (smtpcode.Status, string) {
	field, srv := rcpt.Status, rcpt.ServerStatus
	from := "Status field"
	if rcpt.StatusFromText {
		from = "diagnostic"
	}
	if srv.IsZero() || (srv.Class != 4 && srv.Class != 5) || srv == field {
		return field, from
	}
	dtype := strings.ToLower(strings.TrimSpace(rcpt.DiagnosticType))
	switch {
	case field.IsZero() || rcpt.StatusFromText:
		return srv, "server reply"
	case !srv.Generic() && (field.Generic() || dtype == "smtp" || dtype == ""):
		return srv, "server reply; Status field " + field.String()
	}
	return field, from
}

// normalizeDiag collapses runs of white space and drops the reply and
// status codes that multi-line replies repeat on every line, so that
// phrases spanning lines match (QUIRK: RFC 5321 4.2.1 multi-line replies
// unfolded by the parser, as in "messages with multiple 550 5.7.1 addresses
// in from:"; lhost-postfix-29, lhost-postfix-59).
//
// The text is folded into *buf, which keeps the grown buffer for the next
// call: the result may be a view of it, valid until buf is used again.
func normalizeDiag(buf *[]byte, s string, reply smtpcode.ReplyCode, st smtpcode.Status) string {
	b := collapseLower((*buf)[:0], s)
	*buf = b[:0]
	out := view(b) // b is not written again
	if reply == 0 {
		return out
	}
	// The patterns are built in stack buffers, not by concatenation:
	// "554" (r), "554-5.7.1 " (dash), "554 5.7.1 " (sp).
	var rb, db, sb [32]byte
	r := view(strconv.AppendInt(rb[:0], int64(reply), 10))
	if i := strings.Index(out, r); i < 0 || !strings.Contains(out[i+1:], r) {
		// The reply code is not repeated: every pattern below occurs at
		// most once, and each change below needs a second occurrence.
		return out
	}
	if !st.IsZero() {
		dash := view(append(appendStatus(append(append(db[:0], r...), '-'), st), ' '))
		sp := view(append(appendStatus(append(append(sb[:0], r...), ' '), st), ' '))
		if strings.Contains(out, dash) || strings.Contains(out, sp) {
			return dropRepeats(dropRepeats(out, dash, ""), sp, "")
		}
	}
	if strings.HasPrefix(out, r) {
		// The reply starts the text: every later copy is a continuation.
		return strings.ReplaceAll(strings.ReplaceAll(out, " "+r+"-", " "), " "+r+" ", " ")
	}
	return dropRepeats(dropRepeats(out, " "+r+"-", " "), " "+r+" ", " ")
}

// scansAsIs reports whether the phrases of normalizeDiag(s, reply, st) are
// those of s itself, for any st, so that the folding can wait until a
// reader asks (facts.lowDiag). They are when folding changes nothing but
// case: s has no white space to collapse (a tab, CR or LF, two spaces side
// by side, a space first or last), no repeated reply code to drop (the
// reply code's digits do not occur twice: the condition under which
// normalizeDiag drops nothing, asked of s, whose digits folding keeps
// where they are), and no rune whose lower case is ASCII
// (lowersIntoASCII). Then the lower case differs from s only in letters,
// ASCII ones as the matcher folds them (the phrases are ASCII and it
// ignores ASCII case) and others, which stay non-ASCII, as it never sees
// them: same phrases, at the same word starts.
//
// Eight bytes at a time: no byte below 0x20 (a control character
// refuses the shortcut: the slow path is always right), no space after
// a space; non-ASCII bytes are noted for the last test.
func scansAsIs(s string, reply smtpcode.ReplyCode) bool {
	const (
		ones  uint64 = 0x0101010101010101
		highs uint64 = 0x8080808080808080
	)
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	var high uint64       // the high bits of every word read: non-ASCII
	carry := uint64(0x80) // the high bit set when the byte before is a space
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		z := x ^ ones*0x20
		m := ^((z&^highs + ^highs) | z | ^highs) // high bit set where a space
		// A byte below 0x20, or a space after a space.
		if (x-ones*0x20)&^x&highs|m&(m<<8|carry) != 0 {
			return false
		}
		high |= x
		carry = m >> 56
	}
	prevSpace := carry != 0 && i > 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20:
			return false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		high |= uint64(c)
		prevSpace = false
	}
	if high&highs != 0 && lowersIntoASCII(s) {
		return false
	}
	if reply != 0 {
		var rb [32]byte
		r := view(strconv.AppendInt(rb[:0], int64(reply), 10))
		if i := strings.Index(s, r); i >= 0 && strings.Contains(s[i+1:], r) {
			return false
		}
	}
	return true
}

// view is b as a string without a copy, for a buffer that is not written
// again while the string is in use.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// appendStatus appends st as Status.String writes it ("5.7.1").
func appendStatus(b []byte, st smtpcode.Status) []byte {
	b = strconv.AppendInt(b, int64(st.Class), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(st.Subject), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(st.Detail), 10)
}

// collapseLower returns s lower-cased (as strings.ToLower) with each run
// of ASCII white space (space, tab, CR, LF) made one space and none at
// the ends, in one pass. Lower-casing neither makes nor removes white
// space, so the order of the two does not matter.
func collapseLower(dst []byte, s string) []byte {
	// The text is written by index into a buffer with room for it. The
	// room kept is at least n + pending space + len(s) - i (the bytes
	// written, a space owed, the bytes left): white space and ASCII never
	// write more than they read, nor does a rune whose lower case is no
	// longer, so only a rune that grows (a few have a longer lower case;
	// an invalid byte becomes U+FFFD, three bytes) checks the room first.
	b := slices.Grow(dst[:0], len(s))
	b = b[:cap(b)]
	// Most diagnostics are plain (printable ASCII, single spaces, none
	// first): their plain eight-byte words are lower-cased as they are,
	// and the rest, if any, is read by the loop below. A space last is
	// taken back and kept pending: it may start a run, or end the text.
	i := plainLower(b, s)
	n := i
	space := false
	if n > 0 && b[n-1] == ' ' {
		n--
		space = true
	}
	swarFrom := 0 // where eight bytes at a time are tried next
	for i < len(s) {
		if i >= swarFrom && i+8 <= len(s) {
			// Eight bytes at a time where the text has nothing to fold but
			// capitals (swar.Plain), and a space first only where it is
			// written as it is. The room kept holds the space and the
			// eight bytes. Where they are not, the next eight bytes are
			// read one at a time before the next try, so that text in
			// another script (a rune every two or three bytes) is not
			// tried at every rune.
			x := swar.Load(s, i)
			if spaces, ok := swar.Plain(x); ok && (spaces&1 == 0 || !space && n > 0) {
				if space && n > 0 {
					b[n] = ' '
					n++
				}
				swar.Store(b[n:], swar.Lower(x))
				space = false
				if spaces&(1<<7) != 0 { // a space last: kept pending, it may start a run
					n += 7
					space = true
				} else {
					n += 8
				}
				i += 8
				continue
			}
			swarFrom = i + 8
		}
		c := diagByte[s[i]]
		if c == diagSpace {
			space = true
			i++
			continue
		}
		if space && n > 0 {
			b[n] = ' '
			n++
		}
		space = false
		if c != diagNonASCII {
			b[n] = c
			n++
			i++
			continue
		}
		// A rune of two or three bytes without a lower case (Arabic,
		// Hebrew, Indic scripts, CJK, and the lower-case letters of
		// Greek and Cyrillic) is copied here, without a call; any other
		// by putLowerRune.
		if c0 := s[i]; c0 < 0xe0 {
			if c0 >= 0xc2 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
				if r := rune(c0&0x1f)<<6 | rune(s[i+1]&0x3f); hasLower[r>>6]&(1<<(r&63)) == 0 {
					b[n], b[n+1] = c0, s[i+1]
					n += 2
					i += 2
					continue
				}
			}
		} else if c0 <= 0xef && c0 != 0xe0 && c0 != 0xed && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 {
			if r := rune(c0&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f); hasLower[r>>6]&(1<<(r&63)) == 0 {
				b[n], b[n+1], b[n+2] = c0, s[i+1], s[i+2]
				n += 3
				i += 3
				continue
			}
		}
		var wrote, read int
		b, wrote, read = putLowerRune(b, n, s[i:])
		n += wrote
		i += read
	}
	return b[:n]
}

// diagByte maps an ASCII byte to what collapseLower writes for it: its
// lower case, or diagSpace for white space; diagNonASCII marks the rest.
var diagByte = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = diagNonASCII
		case isDiagSpace(byte(c)):
			t[c] = diagSpace
		case 'A' <= c && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		default:
			t[c] = byte(c)
		}
	}
	return t
}()

// Marks in diagByte: bytes that are not ASCII, so never written as such.
const (
	diagSpace    = 0xfe
	diagNonASCII = 0xff
)

// isDiagSpace reports the white space normalizeDiag folds.
func isDiagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// dropRepeats replaces every occurrence of prefix after its first one.
func dropRepeats(s, prefix, with string) string {
	i := strings.Index(s, prefix)
	if i < 0 {
		return s
	}
	j := i + len(prefix)
	if !strings.Contains(s[j:], prefix) {
		return s
	}
	return s[:j] + strings.ReplaceAll(s[j:], prefix, with)
}

// namesSender reports whether the diagnostic names the envelope sender's
// domain when that is not the recipient's: the reply is then about the
// sender ("553 sender.example does not exist").
func namesSender(rep *dsn.Report, rcpt *dsn.Recipient, diag string) bool {
	if diag == "" {
		return false
	}
	for _, a := range [...]string{rep.Original.ReturnPath, rep.Original.From, rep.To} {
		i := strings.LastIndexByte(a, '@')
		if i < 0 {
			continue
		}
		d := strings.Trim(strings.ToLower(a[i+1:]), "<>\" .")
		if len(d) < 4 || strings.IndexByte(d, '.') < 0 {
			continue
		}
		if dsn.RegisteredDomain(d) == dsn.RegisteredDomain(rcpt.Domain()) {
			return false
		}
		return strings.Contains(diag, d)
	}
	return false
}

// domainMissing reports a diagnostic that names the recipient's domain on
// its own, not in an address, and says right after it that the domain does
// not exist: "550 5.4.310 DNS domain example.com does not exist",
// "example.com: no such domain", "Host example.com not found".
func domainMissing(diag, domain string) bool {
	if len(domain) < 4 || !strings.Contains(domain, ".") {
		return false
	}
	for off, n := 0, 0; n < 8; n++ {
		i := strings.Index(diag[off:], domain)
		if i < 0 {
			return false
		}
		i += off
		off = i + len(domain)
		if i > 0 {
			if c := diag[i-1]; c == '@' || c == '.' || c == '-' || isWordByte(c) {
				continue // an address, or a longer name
			}
		}
		if off < len(diag) && (diag[off] == '-' || isWordByte(diag[off]) || diag[off] == '.' && off+1 < len(diag) && isWordByte(diag[off+1])) {
			continue
		}
		after := strings.TrimLeft(diag[off:min(len(diag), off+40)], " :>\"'")
		for _, p := range domainMissingWords {
			if strings.HasPrefix(after, p) {
				return true
			}
		}
	}
	return false
}

// domainMissingWords follow a domain name that does not exist;
// domainMissingIDs are their ids in the phrase table (set by init).
var domainMissingWords = []string{"does not exist", "doesn't exist", "not found", "no such domain", "is unresolvable",
	"could not be resolved", "nxdomain", "has no mx", "unknown domain"}

var domainMissingIDs []uint16

func (f *facts) delivered() bool {
	switch f.action {
	case dsn.ActionDelivered, dsn.ActionRelayed, dsn.ActionExpanded:
		return true
	case "deliverable":
		// QUIRK: RFC 3464 2.3.3 has no "deliverable"; Postfix's address
		// verification reports use it (rfc3464-28).
		return true
	case "":
		return f.status.Success() && f.class == 0
	}
	return false
}

// replyOnly reports a row that decides by the reply code alone.
func (r *rule) replyOnly() bool { return r.codeHi != 0 && !r.hasText && !r.st.set }

// permanentReply reports a permanent reply from a server: a 5yz reply
// code whose enhanced code, if any, is of class 5 and not of the network
// and routing subject (RFC 5321 4.2.1, RFC 3463 3.1, 3.5). Exchange's "550
// 4.4.7 QUEUE.Expired" and "550 5.4.300 Message expired" are the sending
// system's own conclusion about its queue, not a server's refusal.
func (f *facts) permanentReply() bool {
	return f.reply.Permanent() && (f.status.IsZero() || f.status.Class == 5 && f.status.Subject != 4)
}

func (f *facts) delayed() bool {
	return f.action == dsn.ActionDelayed || (f.action == "" && f.kind == dsn.KindDelay)
}

// permanent reports whether the failure is permanent: a specific status
// code decides, then the reply code, then a generic status, then the action.
func (f *facts) permanent() bool {
	if f.delayed() {
		return false
	}
	if !f.status.IsZero() && !f.status.Generic() {
		return f.status.Permanent()
	}
	if f.reply.Temporary() || f.reply.Permanent() {
		return f.reply.Permanent()
	}
	if !f.status.IsZero() {
		return f.status.Permanent()
	}
	return f.action == dsn.ActionFailed || (f.action == "" && f.kind == dsn.KindBounce)
}

// match reports whether r holds for f, with hits the phrases found in the
// text read, and which phrase matched (the row's first one present).
func (r *rule) match(f *facts, hits *hitSet) (string, bool) {
	// The conditions are pure, so their order is free: the code and stage
	// conditions first (integer compares that fail most often), then the
	// strings, then the facts worked out when first asked.
	if r.class != 0 && f.class != r.class {
		return "", false
	}
	if r.stages != 0 && !r.stages.has(f.stage) {
		return "", false
	}
	if r.st.set && !r.st.match(f.status.Class, f.status.Subject, f.status.Detail) {
		return "", false
	}
	if r.codeHi != 0 && (int(f.reply) < r.codeLo || int(f.reply) > r.codeHi) {
		return "", false
	}
	if r.transient && f.permanentReply() {
		return "", false
	}
	if r.command != "" && f.command != r.command {
		return "", false
	}
	if r.mta != "" && f.mta != r.mta {
		return "", false
	}
	if r.dtype != "" && f.dtype != r.dtype {
		return "", false
	}
	if r.rcptDomain != "" && f.rcptDomain != r.rcptDomain {
		return "", false
	}
	if r.host != "" && !strings.HasSuffix(f.remoteHost(), r.host) && f.remoteHost() != strings.TrimPrefix(r.host, ".") {
		return "", false
	}
	if r.namesSender && !f.namesSender() {
		return "", false
	}
	if r.rcptDomainMissing && !f.domainGone() {
		return "", false
	}
	if !r.hasText {
		return "", true
	}
	if hits == nil {
		return "", false
	}
	for k, id := range r.ids {
		if hits.Has(int(id)) {
			return r.phrases[k], true
		}
	}
	return "", false
}

// first returns the index of the first row matching f with hits the
// phrases found in the text read, or -1. With textOnly, rows without
// phrases are skipped. Only the rows the hits make possible are asked
// (ruleIndex.candidates), in table order.
func first(f *facts, hits *hitSet, textOnly bool) (int, string) {
	cand := index.candidates(hits, textOnly)
	cand.and(&f.codeRows)
	for i := cand.next(0); i >= 0; i = cand.next(i + 1) {
		if ph, ok := rules[i].match(f, hits); ok {
			return i, ph
		}
	}
	return -1, ""
}

// textRule returns the first row with phrases that holds for f with the
// phrases of the report's text about rcpt (reportText), or -1. The text is
// read and scanned once per recipient however often decide asks.
func (f *facts) textRule(rep *dsn.Report, rcpt *dsn.Recipient) (int, string) {
	if !f.textRead {
		f.textRead, f.textIdx = true, -1
		var h hitSet
		if scanReportText(rep, rcpt, &h) {
			f.textIdx, f.textPhrase = first(f, &h, true)
		}
	}
	return f.textIdx, f.textPhrase
}

// scanReportText adds the phrases of reportText(rep, rcpt) to h, and
// reports whether that text is not empty. The text of a report with one
// recipient is scanned as it is, without a lower-cased copy, unless
// lower-casing it makes ASCII out of other runes (lowersIntoASCII): the
// phrases are ASCII (init checks it) and the matcher folds ASCII case, so
// the copy would give the same phrases.
func scanReportText(rep *dsn.Report, rcpt *dsn.Recipient, h *hitSet) bool {
	if rep.Text == "" {
		return false
	}
	if t := rep.Text[:min(len(rep.Text), MaxTextBytes)]; len(rep.Recipients) <= 1 && (rep.TextASCII || !lowersIntoASCII(t)) {
		phrases.ScanWords(t, h)
		return true
	}
	text := reportText(rep, rcpt)
	if text == "" {
		return false
	}
	phrases.ScanWords(text, h)
	return true
}

// decidesByCode reports a row that decides by codes alone (no phrases, no
// command, diagnostic type or domain condition), the rows statusOnly asks.
func (r *rule) decidesByCode() bool {
	return !r.hasText && r.command == "" && r.dtype == "" && r.rcptDomain == "" && (r.st.set || r.codeHi != 0)
}

// statusOnly returns the first row that decides by codes alone (no phrases)
// and holds for f, or -1; used to corroborate a phrase. Such rows read
// only the status, the reply code and the stage (buildIndex checks it), so
// the answer for each is remembered (statusOnlyAnswers).
func statusOnly(f *facts) int {
	st, reply, stage := f.status, f.reply, f.stage
	if uint(st.Class) >= 8 || uint(st.Subject) >= 1024 || uint(st.Detail) >= 1024 || uint(reply) >= 1024 || uint(stage) >= 16 {
		return statusOnlyRow(f) // beyond what a key holds: asked every time
	}
	key := uint64(st.Class)<<34 | uint64(st.Subject)<<24 | uint64(st.Detail)<<14 | uint64(reply)<<4 | uint64(stage)
	slot := &statusOnlyAnswers[(key*0x9e3779b97f4a7c15)>>(64-statusOnlyBits)]
	if e := slot.Load(); e&1 != 0 && e>>16 == key {
		return int(e>>1&0x7fff) - 1
	}
	row := statusOnlyRow(f)
	slot.Store(key<<16 | uint64(row+1)<<1 | 1)
	return row
}

// statusOnlyAnswers holds recent answers of statusOnly, one per slot by a
// hash of the codes and stage, each in one word: the key (class, subject,
// detail, reply code, stage; 37 bits) above bit 16, the row plus one in
// bits 1-15, bit 0 set when the slot is filled. A slot is only ever
// replaced whole, so no answer is read half written, and none allocates.
var statusOnlyAnswers [1 << statusOnlyBits]atomic.Uint64

const statusOnlyBits = 10

// statusOnlyRow is statusOnly without the remembered answers.
func statusOnlyRow(f *facts) int {
	cand := index.statusOnly
	cand.and(&f.codeRows)
	for i := cand.next(0); i >= 0; i = cand.next(i + 1) {
		if _, ok := rules[i].match(f, nil); ok {
			return i
		}
	}
	return -1
}

func (f *facts) decide(rep *dsn.Report, rcpt *dsn.Recipient, in *Input) Verdict {
	var v Verdict
	idx, phrase := first(f, &f.hits, false)
	fromText := false
	if idx < 0 || rules[idx].weak {
		// A weak phrase of the text still outranks a bare reply code,
		// the last fallback (issue 10 item 5).
		if j, ph := f.textRule(rep, rcpt); j >= 0 && (idx < 0 || !rules[j].weak || rules[idx].replyOnly()) {
			idx, phrase, fromText = j, ph, true
		}
	}

	if idx >= 0 && !fromText && rules[idx].reason == NetworkError && f.reply == 0 {
		// A network cause with no server reply, in a report whose own text
		// says the queue gave up ("was aborted after 5.0 hour(s)"): the
		// give-up decides, as it does inside a diagnostic, where the expired
		// row comes before the network row (qmail's "wasn't able to establish
		// an SMTP connection ... in the queue too long"; lhost-x3-02).
		if j, ph := f.textRule(rep, rcpt); j >= 0 && j < idx && rules[j].reason == Expired {
			idx, phrase, fromText = j, ph, true
		}
	}
	if idx < 0 {
		v = f.fallback()
	} else {
		r := &rules[idx]
		v.Reason = r.reason
		v.Confidence = baseConfidence(r, fromText)
		// Room for the row's conditions and the usual additions (the code
		// agreeing, hard), in one allocation, or in the caller's.
		ev := in.Evidence[:0]
		if cap(ev) < EvidenceRoom {
			ev = make([]Evidence, 0, EvidenceRoom)
		}
		v.Evidence = ruleEvidence(ev, r, f, phrase, fromText, v.Confidence)
		if r.hasText {
			if j := statusOnly(f); j >= 0 && j != idx {
				s := &rules[j]
				switch {
				case s.reason == r.reason:
					v.Confidence = min(0.97, v.Confidence+0.1)
					v.Evidence = append(v.Evidence, Evidence{Signal: codeSignal(s), Value: codeNote(f, s.st.set, " agrees"),
						RuleID: s.id, Source: ruleSource(s), Weight: 0.1})
				case !s.weak:
					v.Confidence = max(0.3, v.Confidence-0.1)
					v.Evidence = append(v.Evidence, Evidence{Signal: codeSignal(s),
						Value:  codeValue(f, s) + " suggests " + string(s.reason) + ", overruled by the phrase",
						RuleID: s.id, Source: ruleSource(s), Weight: 0})
				}
			}
		}
		v.Side = r.side
		if v.Side == "" {
			v.Side = r.defSide // defaultSide(v.Reason), v.Reason being r.reason
		}
		f.stageCheck(&v)
		v.Hard = f.hardBounce(&v, r, rcpt)
		if v.Hard && v.Reason == Suspend && temporaryFirst.first(f.lowDiag()) != "" {
			v.Hard = false
			v.Evidence = append(v.Evidence, Evidence{Signal: SignalPhrase, Value: temporaryFirst.first(f.lowDiag()),
				RuleID: "suspend-temporary", Source: "RFC 3463 3.1 (transient vs permanent)", Weight: 0.2})
		}
	}

	if v.Reason == NoRelaying {
		side, conf, ev := relaySide(f, rep, rcpt, in)
		v.Side = side
		v.Confidence = round2((v.Confidence + conf) / 2)
		v.Evidence = append(v.Evidence, ev...)
	}
	if f.delayed() {
		v.Hard = false
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalAction, Value: "delayed: still being retried, never a hard bounce",
			RuleID: "delay-notice", Source: "RFC 3464 2.3.3", Weight: 0.1})
	}
	if v.Hard {
		v.Evidence = append(v.Evidence, Evidence{Signal: hardSignal(f), Value: hardValue(f, ": permanent, retrying the address is pointless"),
			RuleID: "hard-permanent", Source: "RFC 3463 3.1; RFC 5321 4.2.1", Weight: 0.2})
	}
	v.Confidence = round2(v.Confidence)
	v.Status = f.status
	v.OriginalIsAutoReply = rep.Original.IsAutoReply()
	return v
}

// stageCheck applies the stage to a verdict (issue 10 item 2): before
// RCPT TO no mailbox has been named and no message sent (RFC 5321 section
// 3.3), so a refusal at the greeting or at HELO/EHLO is about the sending
// host. A reason that cannot be given there becomes blocked, side SENDER.
// unknown user is kept whatever the stage: the project's documented policy
// (testdata/bounces/REASONS.md).
func (f *facts) stageCheck(v *Verdict) {
	if f.stage != dsn.StageConnect && f.stage != dsn.StageHelo {
		return
	}
	switch v.Reason {
	case Blocked, BadReputation, RequirePTR, RateLimited, FailedSTARTTLS, SystemError, SystemFull,
		NotAccept, NetworkError, Expired, OnHold, SyntaxError, UserUnknown, NoRelaying:
		return
	}
	v.Evidence = append(v.Evidence, Evidence{Signal: SignalStage,
		Value:  f.stage.String() + ": refused before any recipient or message, " + string(v.Reason) + " cannot apply; the sending host was refused",
		RuleID: "stage-sending-host", Source: "RFC 5321 3.1, 4.1.1.1 (greeting, EHLO)", Weight: 0.2})
	v.Reason, v.Side = Blocked, SideSender
}

// hardBounce is the hard-bounce policy (issue 10 item 6, REASONS.md): a
// hard bounce needs a mailbox or domain reason (isHardReason) that the
// row does not mark as weak evidence, on the recipient's side, with a
// permanent failure (a 450 4.1.1 is soft), answered where a mailbox is in
// question (not at the greeting, HELO or MAIL FROM), for an address the
// bounce names as failed (dsn.Recipient.Weak is never hard). Sender-side
// and policy refusals never are: they say nothing about the address.
func (f *facts) hardBounce(v *Verdict, r *rule, rcpt *dsn.Recipient) bool {
	if !r.hardReason(v.Reason) || r.notHard || v.Side != SideRecipient || !f.permanent() {
		return false
	}
	switch f.stage {
	case dsn.StageConnect, dsn.StageHelo, dsn.StageMail:
		if v.Reason != UserUnknown {
			return false
		}
	}
	if rcpt.Weak {
		v.Evidence = append(v.Evidence, Evidence{Signal: SignalFormat,
			Value:  "the address was found only by a fallback (the returned message or prose), not named as failed",
			RuleID: "weak-recipient", Source: "issue 10 item 1", Weight: 0})
		return false
	}
	return true
}

// hardReason is isHardReason, without a lookup for the row's own reason.
func (r *rule) hardReason(reason Reason) bool {
	if reason == r.reason {
		return r.canBeHard
	}
	return isHardReason(reason)
}

// fallback is the verdict when no row matched.
func (f *facts) fallback() Verdict {
	switch {
	case (f.stage == dsn.StageConnect || f.stage == dsn.StageHelo) && f.class == 5:
		// Refused at the greeting or HELO with no stated cause: the
		// sending host was refused (issue 10 item 2).
		return Verdict{Reason: Blocked, Side: SideSender, Confidence: 0.5,
			Evidence: []Evidence{{Signal: SignalStage, Value: f.stage.String() + ": permanent refusal before any recipient",
				RuleID: "stage-sending-host", Source: "RFC 5321 3.1, 4.1.1.1 (greeting, EHLO)", Weight: 0.5}}}
	case f.delayed():
		// A delay notice without a cause: the queue is still trying to reach
		// the destination (lhost-gmail-08, lhost-opensmtpd-04).
		return Verdict{Reason: Expired, Side: SideNetwork, Confidence: 0.4,
			Evidence: []Evidence{{Signal: SignalAction, Value: "delayed without a stated cause",
				RuleID: "delay-no-cause", Source: "RFC 3464 2.3.3", Weight: 0.4}}}
	case f.class == 4:
		return Verdict{Reason: OnHold, Side: SideUnknown, Confidence: 0.2,
			Evidence: []Evidence{{Signal: codeSignalOf(f), Value: codeValueOf(f) + ": transient, no recognised cause",
				RuleID: "transient-no-cause", Source: "RFC 3463 3.1", Weight: 0.2}}}
	}
	ev := Evidence{Signal: SignalAction, Value: string(f.action), RuleID: "no-rule", Source: "RFC 3464 2.3.3", Weight: 0.1}
	if !f.status.IsZero() || f.reply != 0 {
		ev = Evidence{Signal: codeSignalOf(f), Value: codeValueOf(f), RuleID: "no-rule", Source: "RFC 3463 3.1", Weight: 0.1}
	}
	return Verdict{Reason: Undefined, Side: SideUnknown, Confidence: 0.1, Evidence: []Evidence{ev}}
}

func baseConfidence(r *rule, fromText bool) float64 {
	c := 0.85
	switch {
	case r.weak && r.hasText:
		c = 0.55
	case r.weak && r.codeHi != 0:
		c = 0.45
	case r.weak:
		c = 0.6
	case !r.hasText && r.dtype != "":
		c = 0.75
	case !r.hasText:
		c = 0.8
	}
	if fromText {
		c -= 0.15
	}
	return c
}

// ruleEvidence appends the conditions of the winning row to ev as evidence.
func ruleEvidence(ev []Evidence, r *rule, f *facts, phrase string, fromText bool, w float64) []Evidence {
	add := func(sig Signal, value string, weight float64) {
		ev = append(ev, Evidence{Signal: sig, Value: value, RuleID: r.id, Source: ruleSource(r), Weight: weight})
	}
	if r.hasText {
		value := phrase
		if fromText {
			value += " (in the report's text, not the recipient's diagnostic)"
		}
		add(SignalPhrase, value, w)
		w = 0.1
	}
	if r.st.set {
		add(SignalStatus, noted(f.status, 0, " (", f.statusFrom, ")"), w)
		w = 0.1
	}
	if r.codeHi != 0 {
		add(SignalReplyCode, noted(smtpcode.Status{}, f.reply, "", "", ""), w)
		w = 0.1
	}
	if r.dtype != "" {
		add(SignalFormat, "diagnostic type "+f.dtype, w)
		w = 0.1
	}
	if r.command != "" {
		add(SignalStage, f.command, 0.2)
	}
	if r.mta != "" {
		add(SignalFormat, f.mta, 0.2)
	}
	if r.host != "" {
		add(SignalHost, f.remoteHost(), 0.2)
	}
	if r.rcptDomain != "" {
		add(SignalHost, "recipient domain "+f.rcptDomain, w)
	}
	if r.namesSender {
		add(SignalPhrase, "the diagnostic names the sender's domain", 0.2)
	}
	if r.rcptDomainMissing {
		add(SignalPhrase, "the diagnostic says the recipient's domain "+f.rcptDomain+" does not exist", w)
	}
	return ev
}

// ruleSource is the citation of a row: its src without the names of
// corpus samples ("lhost-postfix-44"), which are files, not sources; a row
// citing only samples cites the RFC of what it matches on.
func ruleSource(r *rule) string {
	if r.source != "" {
		return r.source // built at init
	}
	return buildRuleSource(r)
}

func buildRuleSource(r *rule) string {
	var parts []string
	for _, part := range strings.Split(r.src, ";") {
		part = strings.TrimSpace(part)
		var kept []string
		for _, w := range strings.Split(part, ", ") {
			if !isSampleName(w) {
				kept = append(kept, w)
			}
		}
		if len(kept) > 0 {
			parts = append(parts, strings.Join(kept, ", "))
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ")
	}
	for _, v := range vendorSources {
		if strings.HasPrefix(r.id, v.prefix) {
			return v.src
		}
	}
	if src, ok := reasonSources[r.reason]; ok {
		return src
	}
	switch {
	case r.st.set:
		return "RFC 3463"
	case r.codeHi != 0:
		return "RFC 5321 4.2"
	case r.dtype != "":
		return "RFC 3464 2.3.6"
	}
	return "MTA wording seen in real bounces"
}

// vendorSources cite the published error references of a provider, for the
// rows whose id names it and whose src cites only samples.
var vendorSources = []struct{ prefix, src string }{
	{"exchange-", "Microsoft, Exchange Online non-delivery reports (learn.microsoft.com)"},
	{"ms-", "Microsoft, Exchange Online non-delivery reports (learn.microsoft.com)"},
	{"google-", "Google, SMTP error reference (support.google.com/a/answer/3726730)"},
	{"yahoo-", "Yahoo, SMTP error codes (senders.yahooinc.com/smtp-error-codes)"},
	{"orange-", "Orange, postmaster error codes (postmaster.orange.fr)"},
	{"laposte-", "La Poste, postmaster error codes"},
	{"cox-", "Cox, email error codes (cox.com)"},
}

// reasonSources cite the RFC that defines what a reason's rows recognise,
// for the rows whose src cites only samples.
var reasonSources = map[Reason]string{
	AuthFailure:     "RFC 7372 (X.7.20-X.7.26); RFC 7208; RFC 6376; RFC 7489",
	BadReputation:   "RFC 3463 3.8 (X.7.1); RFC 5782",
	Blocked:         "RFC 5782 (DNS blocklists); RFC 3463 3.8 (X.7.1)",
	ContentError:    "RFC 3463 3.7 (X.6.x)",
	EmailTooLarge:   "RFC 3463 3.3 (X.2.3), 3.4 (X.3.4); RFC 1870",
	Expired:         "RFC 3463 3.5 (X.4.7); RFC 5321 4.5.4.1",
	FailedSTARTTLS:  "RFC 3207; RFC 3463 3.8 (X.7.10)",
	Filtered:        "RFC 3463 3.8 (X.7.1)",
	HasMoved:        "RFC 3463 3.2 (X.1.6)",
	HostUnknown:     "RFC 3463 3.2 (X.1.2); RFC 5321 5.1; RFC 7505",
	MailboxFull:     "RFC 3463 3.3 (X.2.2)",
	MailerError:     "RFC 3464 2.3.6 (local delivery diagnostics)",
	NetworkError:    "RFC 3463 3.5 (X.4.x); RFC 5321 5.1",
	NoRelaying:      "RFC 5321 3.6.2; RFC 3463 3.8 (X.7.1)",
	NotAccept:       "RFC 7505; RFC 3463 3.4 (X.3.2)",
	NotCompliantRFC: "RFC 5322 3.6",
	PolicyViolation: "RFC 3463 3.8 (X.7.1)",
	RateLimited:     "RFC 3463 3.5 (X.4.5); RFC 5248 (X.7.28)",
	Rejected:        "RFC 3463 3.2 (X.1.7, X.1.8)",
	RequirePTR:      "RFC 7372 3.3 (X.7.25)",
	SecurityError:   "RFC 4954 6; RFC 3463 3.8",
	SpamDetected:    "RFC 3463 3.8 (X.7.1)",
	Suspend:         "RFC 3463 3.3 (X.2.1)",
	SyntaxError:     "RFC 3463 3.6 (X.5.x)",
	SystemError:     "RFC 3463 3.4 (X.3.x)",
	SystemFull:      "RFC 3463 3.4 (X.3.1)",
	UserUnknown:     "RFC 3463 3.2 (X.1.1)",
	VirusDetected:   "RFC 3463 3.8 (X.7.1)",
}

// isSampleName reports a corpus file name such as "lhost-postfix-44" or
// "rfc3464-28", possibly followed by words.
func isSampleName(w string) bool {
	name, _, _ := strings.Cut(w, " ")
	for _, prefix := range [...]string{"lhost-", "rhost-", "rfc3464-", "rfc3834-", "arf-", "bsd-"} {
		if strings.HasPrefix(name, prefix) && strings.IndexFunc(name, func(r rune) bool { return r >= '0' && r <= '9' }) > 0 {
			return true
		}
	}
	return false
}

func codeSignal(r *rule) Signal {
	if r.st.set {
		return SignalStatus
	}
	return SignalReplyCode
}

func codeValue(f *facts, r *rule) string {
	if r.st.set {
		return f.status.String()
	}
	return f.reply.String()
}

func codeSignalOf(f *facts) Signal {
	if !f.status.IsZero() {
		return SignalStatus
	}
	return SignalReplyCode
}

func codeValueOf(f *facts) string {
	if !f.status.IsZero() {
		return f.status.String()
	}
	return f.reply.String()
}

func hardSignal(f *facts) Signal {
	if !f.status.IsZero() || f.reply != 0 {
		return codeSignalOf(f)
	}
	return SignalAction
}

// hardValue is the value of the hard-bounce evidence: the code it rests
// on (codeValueOf), else the action, then suffix.
func hardValue(f *facts, suffix string) string {
	if !f.status.IsZero() || f.reply != 0 {
		return noted(f.status, f.reply, "", "", suffix)
	}
	return string(f.action) + suffix
}

// codeNote is codeValue(f, r) + suffix, for a row with a status pattern
// (status) or a reply range.
func codeNote(f *facts, status bool, suffix string) string {
	if status {
		return noted(f.status, 0, "", "", suffix)
	}
	return noted(smtpcode.Status{}, f.reply, "", "", suffix)
}

// noted returns the text of st (Status.String), or of reply when st is
// zero, followed by a, b and c: an evidence value such as "5.1.1 (Status
// field)" or "550: permanent, ...". The same few codes and sentences recur
// in most bounces, so the strings are remembered (notes) rather than
// built and allocated for every verdict.
func noted(st smtpcode.Status, reply smtpcode.ReplyCode, a, b, c string) string {
	if !st.IsZero() {
		reply = 0
	}
	h := uint64(st.Class)<<48 ^ uint64(st.Subject)<<32 ^ uint64(st.Detail)<<16 ^ uint64(reply) ^
		uint64(len(a))<<56 ^ uint64(len(b))<<40 ^ uint64(len(c))<<24
	slot := &notes[(h*0x9e3779b97f4a7c15)>>(64-notesBits)]
	if e := slot.Load(); e != nil && e.st == st && e.reply == reply && e.a == a && e.b == b && e.c == c {
		return e.text
	}
	var code string
	if !st.IsZero() {
		code = st.String()
	} else {
		code = reply.String()
	}
	e := &note{st: st, reply: reply, a: a, b: b, c: c, text: code + a + b + c}
	slot.Store(e)
	return e.text
}

// notes holds recent answers of noted, one per slot by a hash of the
// arguments; entries are never changed, only replaced.
var notes [1 << notesBits]atomic.Pointer[note]

const notesBits = 8

type note struct {
	st      smtpcode.Status
	reply   smtpcode.ReplyCode
	a, b, c string
	text    string
}

func statusSuffix(st smtpcode.Status) string {
	if st.IsZero() {
		return ""
	}
	return " " + st.String()
}

var temporaryPhrases = []string{"temporar", "try again later", "please try again"}

// firstOfList is firstOf for a fixed list, in one pass over the text (a
// phrase.Matcher: the same answers as strings.Contains) instead of one
// search per phrase.
type firstOfList struct {
	list []string
	m    *phrase.Matcher
}

func newFirstOf(list []string) firstOfList { return firstOfList{list, phrase.MustCompile(list)} }

// first returns the first phrase of the list, in list order, found in s,
// or "".
func (l firstOfList) first(s string) string {
	var h phrase.Hits
	l.m.Scan(s, &h)
	for i, p := range l.list {
		if h.Has(i) {
			return p
		}
	}
	return ""
}

// The lists diagnostics are searched for, compiled once.
var (
	temporaryFirst      = newFirstOf(temporaryPhrases)
	relaySenderFirst    = newFirstOf(relaySenderPhrases)
	relayRecipientFirst = newFirstOf(relayRecipientPhrases)
	blocklistFirst      = newFirstOf(blocklistPhrases)
)

func firstOf(s string, list []string) string {
	for _, x := range list {
		if strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

// round2 rounds x to two decimals the way formatting it with %.2f and
// parsing the result back does. Confidences are a few sums of the rows'
// constants, so the answers are remembered (round2Cache) rather than
// formatted and parsed for every verdict.
func round2(x float64) float64 {
	bits := math.Float64bits(x)
	slot := &round2Cache[(bits*0x9e3779b97f4a7c15)>>(64-round2Slots)]
	if e := slot.Load(); e != nil && e.bits == bits {
		return e.rounded
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	slot.Store(&round2Entry{bits, v})
	return v
}

// round2Cache holds recent answers of round2, one per slot by a hash of
// the argument's bits; entries are never changed, only replaced.
var round2Cache [1 << round2Slots]atomic.Pointer[round2Entry]

const round2Slots = 6

type round2Entry struct {
	bits    uint64 // of the argument
	rounded float64
}

// reportText returns the part of the report's human-readable text that
// speaks of rcpt, lower-cased: the whole (capped) text when rcpt is the
// report's only recipient, else the window after its address when the text
// names it, else "".
func reportText(rep *dsn.Report, rcpt *dsn.Recipient) string {
	if rep.Text == "" {
		return ""
	}
	t := rep.Text
	if len(t) > MaxTextBytes {
		t = t[:MaxTextBytes]
	}
	lower := toLower(t)
	if len(rep.Recipients) <= 1 {
		return lower
	}
	if addr := strings.ToLower(rcpt.Recipient); addr != "" {
		if i := strings.Index(lower, addr); i >= 0 {
			w := lower[i+len(addr) : min(len(lower), i+len(addr)+TextWindowBytes)]
			// The window ends where another recipient's part begins.
			for k := range rep.Recipients {
				if k == maxWindowRecipients {
					break
				}
				other := strings.ToLower(rep.Recipients[k].Recipient)
				if other == "" || other == addr {
					continue
				}
				if j := strings.Index(w, other); j >= 0 {
					w = w[:j]
				}
			}
			return w
		}
	}
	return ""
}
