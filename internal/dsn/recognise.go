package dsn

import (
	"math/bits"
	"slices"
	"strings"
	"unsafe"

	"github.com/bounced/bounced/internal/phrase"
	"github.com/bounced/bounced/internal/swar"
)

// This file holds the machinery that reads non-standard bounces; the table
// of formats it runs is in recognisers.go.
//
// A bounce is read in three layers, each a fallback for the one before:
//  1. the rows of the recognisers table whose markers match, in order: the
//     first one that finds a recipient wins;
//  2. the generic scanner (scanRecipients with genericLeads) over the whole
//     report text, for bounces that look like one;
//  3. a recipient the bounce does not name in its text: X-Failed-Recipients,
//     the VERP address the bounce was sent to, or the returned original's
//     single To.
//
// A report with a delivery-status part takes its recipients from the part;
// the text is still read by the first matching row (or the generic
// scanner) and merged in (mergeText), and the row names the format.

// recognise reads recipients out of a report with no delivery-status part.
func (p *parser) recognise(m *msgView) {
	p.recogniseText(m)
	if isDelayNotice(m) {
		for i := range p.rep.Recipients {
			if rc := &p.rep.Recipients[i]; rc.Action == ActionFailed {
				rc.Action = ActionDelayed
			}
		}
	}
}

// delaySubjects and delayTexts mark a notice that delivery is still being
// tried (lower case). They decide the Action of recipients read from text.
var (
	delaySubjects = []string{"(delay)", "delayed", "warning: could not send", "warning: message", "delivery delay",
		"still being retried", "delivery status notification (delay)"}
	delayTexts = []string{"this is a warning message only", "has not yet been delivered", "will keep trying",
		"message will be retried", "is only a temporary failure report", "delivery has been delayed",
		"delivery to the following recipient has been delayed", "no action is required on your part"}
)

// isDelayNotice reports a warning that a message is delayed, not failed.
func isDelayNotice(m *msgView) bool {
	return anyHit(m.keys.subject, delaySubjectK) || m.lower.containsAnyMarker(delayTextsM)
}

func (p *parser) recogniseText(m *msgView) {
	r := p.rep
	var named *recogniser
	block := m.text // the first matching row's error block
	for rg := range m.rows().all {
		if !rg.matches(m) {
			continue
		}
		list, b := rg.read(m)
		if named == nil {
			named, block = rg, b
		}
		if len(list) > 0 {
			r.Recipients, r.DecodedBy = list, rg.name
			return
		}
	}
	if named == nil && !m.bounceLike && isAutoReply(r) {
		r.Kind = KindAutoReply
		r.DecodedBy = "rfc3834"
		if a := normalizeAddress(r.From); a != "" {
			// The auto-reply shows the original reached the mailbox.
			r.Recipients = []Recipient{{Recipient: a, Action: ActionDelivered}}
		}
		return
	}
	if named == nil && !m.bounceLike {
		return
	}
	if named == nil {
		if list := scanRecipients(m, 0, len(m.text), genericLeads, false, true); len(list) > 0 {
			r.Recipients, r.DecodedBy = list, "generic"
			return
		}
	}
	// The text names no recipient: the headers or the original may.
	list, how := fallbackRecipients(r)
	if len(list) == 0 {
		return
	}
	d := diagnosticOf(block)
	for i := range list {
		list[i].Diagnostic = d
	}
	r.Recipients = list
	if named != nil {
		r.DecodedBy = named.name
	} else {
		r.DecodedBy = how
	}
}

// fallbackRecipients are the failed recipients of a bounce whose text names
// none: X-Failed-Recipients (Exim, Gmail), the VERP recipient, or the
// original's To when it names one address. how names the source.
func fallbackRecipients(r *Report) (list []Recipient, how string) {
	for _, a := range r.FailedRecipients {
		list = append(list, Recipient{Recipient: a, Action: ActionFailed})
	}
	if len(list) > 0 {
		return list, "x-failed-recipients"
	}
	if r.VERPRecipient != "" {
		return []Recipient{{Recipient: r.VERPRecipient, Action: ActionFailed}}, "verp"
	}
	if a := normalizeAddress(r.Original.To); a != "" && !strings.Contains(r.Original.To, ",") {
		// The returned message's To says where the message went, not that
		// this address failed: weak.
		return []Recipient{{Recipient: a, Action: ActionFailed, Weak: true}}, "generic-original"
	}
	return nil, ""
}

// msgView is what recognisers look at, computed once per message.
type msgView struct {
	rep      *Report
	text     string    // the report text (before any inline original)
	original lazyText  // the returned original as text, raw
	lower    lowerText // text lower-cased, with its filter
	header   []byte    // the bounce's own X- fields, "name: value" a line, names lower case (parser.xheaders; keySet ignores case)
	exclude  []string  // addresses that are not failed recipients (generic scanner), lower case: excluded()
	max      int       // readers stop after this many recipients (one over the limit)
	keys     keyHits   // the keySet markers of From and Subject, and of the X- fields once asked (keyHits)
	// tmp is memory for the first list of recipients a reader makes
	// (appendRecipient) when finish only reads the list (a DSN's text,
	// merged into its recipients): the Parse's scratch; nil otherwise.
	tmp *[2]Recipient
	// mem is the Report's memory (ParseInto), whose room for one
	// recipient the first list made otherwise may take; nil: the heap.
	mem *Mem
	// The flags together, after the words: the view fits 240 bytes.
	bounceLike bool
	excludeSet bool
	keysRead   bool // keys.header is read
}

// appendRecipient is append(out, rc), out starting in m.tmp when it is
// the first list made while finish has set m.tmp, else in the Mem's room
// for a recipient when no other list took it.
func (m *msgView) appendRecipient(out []Recipient, rc Recipient) []Recipient {
	if out == nil {
		if m.tmp != nil {
			out, m.tmp = m.tmp[:0], nil
		} else {
			out = m.mem.recipientRoom(1)
		}
	}
	return append(out, rc)
}

// excluded returns m.exclude, the bounce's own addresses and its
// original's sender, read on the first call (only the generic scanner
// asks).
func (m *msgView) excluded() []string {
	if !m.excludeSet {
		m.excludeSet = true
		r := m.rep
		for _, a := range [...]string{r.From, r.To, r.ReturnTo, r.Original.From, r.Original.ReturnPath} {
			if n := normalizeAddress(a); n != "" {
				m.exclude = append(m.exclude, toLower(n))
			}
		}
	}
	return m.exclude
}

// keyHits returns the keySet markers of the message, scanning the X-
// fields on the first call.
func (m *msgView) keyHits() *keyHits {
	if !m.keysRead {
		m.keysRead = true
		var h phrase.Hits
		scanFold(keySet, unsafe.String(unsafe.SliceData(m.header), len(m.header)), &h) // only read
		m.keys.header = keyBitsOf(&h)
	}
	return &m.keys
}

// newMsgView scans From and Subject for the keySet markers (bounceLike's,
// isDelayNotice's and the recognisers'), each in one pass. The view is
// sc's when sc is not nil (valid until the Parse returns), else new.
func newMsgView(sc *scratch, mem *Mem, r *Report, text string, lower lowerText, header []byte, original lazyText, maxRecipients int) *msgView {
	var m *msgView
	if sc != nil {
		m = &sc.view
	} else {
		m = new(msgView)
	}
	*m = msgView{
		rep:      r,
		text:     text,
		original: original,
		lower:    lower,
		header:   header,
		mem:      mem,
	}
	m.keys.from, m.keys.subject = keyBitsOfText(r.From), keyBitsOfText(r.Subject)
	m.bounceLike = bounceLike(m)
	m.max = maxRecipients + 1
	return m
}

// keyBitsOfText returns the keySet markers of toLower(s): keySet ignores
// ASCII case, so only a text that is not ASCII is lowered first.
func keyBitsOfText(s string) keyBits {
	if !textIsASCII(s) {
		s = toLower(s)
	}
	var h phrase.Hits
	keySet.Scan(s, &h)
	return keyBitsOf(&h)
}

// lazyText is text kept as bytes until a reader asks for it as a string:
// the returned original is rarely read as text, and copying it for every
// message would cost its size.
type lazyText struct {
	b    []byte
	s    string
	done bool
}

func (l *lazyText) String() string {
	if !l.done {
		l.s, l.done = string(l.b), true
	}
	return l.s
}

// asciiLower lower-cases ASCII letters only, so that offsets in the result
// are offsets in s (strings.ToLower may change the length of non-ASCII
// text). It does not copy a string with no upper-case ASCII letter.
func asciiLower(s string) string {
	i := firstUpperASCII(s)
	if i < 0 {
		return s
	}
	// One copy, lower-cased in place from the first capital on.
	b := make([]byte, len(s))
	copy(b, s)
	for ; i < len(b); i++ {
		b[i] = lowerByte[b[i]]
	}
	return unsafe.String(&b[0], len(b)) // b is not written again
}

// asciiLowerInto is asciiLower writing into buf when s fits its capacity;
// the result then lives in buf's memory.
func asciiLowerInto(buf []byte, s string) string {
	if len(s) > cap(buf) {
		return asciiLower(s)
	}
	b := append(buf[:0], s...)
	var changed uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := swar.Load(s, i)
		if x&0x8080808080808080 == 0 {
			y := swar.Lower(x)
			swar.Store(b[i:], y)
			changed |= x ^ y
			continue
		}
		for k := i; k < i+8; k++ {
			c := lowerByte[s[k]]
			b[k] = c
			changed |= uint64(c ^ s[k])
		}
	}
	for ; i < len(b); i++ {
		c := lowerByte[s[i]]
		b[i] = c
		changed |= uint64(c ^ s[i])
	}
	if changed == 0 {
		return s // no capital: s as it is, as asciiLower does
	}
	return unsafe.String(&b[0], len(b))
}

// lowerByte maps ASCII capitals to small letters and every other byte to
// itself.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// bounceSenders and bounceSubjects mark a message as a bounce when it has
// no report part (lower case substrings).
var (
	bounceSenders = []string{"mailer-daemon", "postmaster", "mail delivery", "mail.delivery", "maildelivery",
		"bounce", "mdaemon", "mail administrator", "mailadmin", "system administrator", "nobody@", "noreply-dmarc",
		"post_master", "mmsc ndr"}
	bounceSubjects = []string{"undeliver", "undelivered", "delivery fail", "delivery status", "failure notice",
		"returned mail", "returned to sender", "delivery problem", "could not be delivered", "not delivered",
		"mail delivery", "non-delivery", "nondelivery", "delivery notification", "rejected", "error sending",
		"message delivery", "warning: message", "mail system error", "failed delivery", "delivery error",
		"unzustellbar", "non remis", "non recapitabile", "no se puede entregar", "onbestelbaar", "不達", "エラー",
		"delivery failure", "mail failure", "недоставленное", "не доставлено"}
)

func bounceLike(m *msgView) bool {
	return len(m.rep.FailedRecipients) > 0 || anyHit(m.keys.from, bounceSenderK) || anyHit(m.keys.subject, bounceSubjectK)
}

// autoReplySubjects are subject prefixes that name an automatic reply on
// their own, in several languages (lower case).
var autoReplySubjects = []string{
	"auto:", "auto reply", "autoreply", "auto-reply", "automatic reply", "autoresponse", "autorespons",
	"auto response", "out of office", "out of the office", "ooo:", "abwesenheitsnotiz", "automatische antwort",
	"réponse automatique", "reponse automatique", "risposta automatica", "respuesta automática",
	"respuesta automatica", "resposta automática", "automatisch antwoord", "automatyczna odpowied",
	"自動応答", "自動返信", "автоответ", "自动回复",
}

// autoReplyWords are subject words that suggest an absence but also open
// ordinary subjects ("Vacation deals"): they count only beside a header
// marker.
var autoReplyWords = []string{
	"away", "vacation", "on leave", "abwesenheit", "absence", "fuori sede", "fuera de la oficina",
	"afwezig", "不在",
}

// isAutoReply reports an RFC 3834 auto-reply or a vendor vacation message.
// Auto-Submitted: auto-generated alone does not count: bounces carry it too
// (RFC 3834 section 5).
func isAutoReply(r *Report) bool {
	return autoReplyBy(r.AutoReply, r.Subject)
}

// IsAutoReply reports whether the returned original was itself an
// automatic reply (RFC 3834 markers, vendor headers, vacation subjects).
func (o Original) IsAutoReply() bool {
	return o.Found && autoReplyBy(o.AutoReply, o.Subject)
}

func autoReplyBy(a AutoReplyMarkers, subject string) bool {
	if strings.HasPrefix(a.AutoSubmitted, "auto-replied") || a.XAutoreply != "" ||
		a.Precedence == "auto_reply" || a.Other != "" && containsLower(a.Other, "vacation") {
		return true
	}
	s := strings.TrimSpace(subject)
	if s == "" {
		return false
	}
	if !isASCII(s) {
		s = toLower(s)
	} else if hasUpperASCII(s) {
		// An ASCII subject is compared without a lower-cased copy: the
		// prefixes are lower case, the ones that are not ASCII cannot match.
		return autoReplyPrefixFold(a, s)
	}
	for _, p := range autoReplySubjects {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if a.Other == "" && a.AutoSubmitted == "" && a.Precedence != "bulk" && a.Precedence != "junk" {
		return false
	}
	for _, p := range autoReplyWords {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// autoReplyPrefixFold is the subject half of autoReplyBy for an ASCII
// subject s, its prefixes compared in any ASCII case.
func autoReplyPrefixFold(a AutoReplyMarkers, s string) bool {
	for _, p := range autoReplySubjects {
		if hasPrefixASCIIFold(s, p) {
			return true
		}
	}
	if a.Other == "" && a.AutoSubmitted == "" && a.Precedence != "bulk" && a.Precedence != "junk" {
		return false
	}
	for _, p := range autoReplyWords {
		if hasPrefixASCIIFold(s, p) {
			return true
		}
	}
	return false
}

// hasPrefixASCIIFold reports whether s starts with the lower-case prefix p
// once the ASCII capitals of s are lowered.
func hasPrefixASCIIFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerByte[s[i]] != p[i] {
			return false
		}
	}
	return true
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool { return textIsASCII(s) }

// hasUpperASCII reports whether s has an ASCII capital.
func hasUpperASCII(s string) bool { return firstUpperASCII(s) >= 0 }

// firstUpperASCII returns the offset of the first ASCII capital of s, or
// -1: eight bytes at a time (capitalMarks), the last bytes of a string of
// eight or more as the word that ends it, overlapping bytes already read
// (they hold no capital, so a mark in it is the first).
func firstUpperASCII(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if m := capitalMarks(swar.Load(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i == len(s) {
		return -1
	}
	if len(s) >= 8 {
		if m := capitalMarks(swar.Load(s, len(s)-8)); m != 0 {
			return len(s) - 8 + bits.TrailingZeros64(m)/8
		}
		return -1
	}
	for ; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return i
		}
	}
	return -1
}

// lowerIfASCII returns asciiLower(s) and true when s is ASCII (s itself
// when it has no capital), false otherwise: toLower's test and work in
// one pass over the words of s. Past the first capital, the rest is
// copied and lowered a word at a time, each word also checked for a byte
// over 0x7f.
func lowerIfASCII(s string) (string, bool) {
	const highs = 0x8080808080808080
	i, at := 0, -1 // at: the first capital
	for ; i+8 <= len(s); i += 8 {
		x := swar.Load(s, i)
		if x&highs != 0 {
			return "", false
		}
		if m := capitalMarks(x); m != 0 {
			at = i + bits.TrailingZeros64(m)/8
			break
		}
	}
	if at < 0 {
		for ; i < len(s); i++ {
			if c := s[i]; c >= 0x80 {
				return "", false
			} else if c >= 'A' && c <= 'Z' {
				at = i
				break
			}
		}
		if at < 0 {
			return s, true
		}
	}
	b := make([]byte, len(s))
	copy(b, s[:at])
	k := at
	for ; k+8 <= len(s); k += 8 {
		x := swar.Load(s, k)
		if x&highs != 0 {
			return "", false
		}
		swar.Store(b[k:], swar.Lower(x))
	}
	for ; k < len(s); k++ {
		c := s[k]
		if c >= 0x80 {
			return "", false
		}
		b[k] = lowerByte[c]
	}
	return unsafe.String(&b[0], len(b)), true // b is not written again
}

// capitalMarks returns the high bit of each byte of x from 'A' to 'Z'.
// The bytes' high bits are cleared before the sums, so that none carries
// into the next byte, and a byte that had one (no capital) is unmarked.
func capitalMarks(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x &^ highs
	ge := (y + ones*(0x80-'A')) & highs
	gt := (y + ones*(0x80-'Z'-1)) & highs
	return ge &^ gt &^ x
}

// containsLower reports whether toLower(s) contains the lower-case
// ASCII word w, without the copy when s is ASCII.
func containsLower(s, w string) bool {
	if !isASCII(s) {
		return strings.Contains(toLower(s), w)
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if hasPrefixASCIIFold(s[i:], w) {
			return true
		}
	}
	return false
}

// maxDiagLines and maxDiagBytes cap the text kept as one recipient's
// diagnostic when it is read from free text.
const (
	maxDiagLines = 16
	maxDiagBytes = 4 << 10
)

// appendDiag adds a line to a diagnostic read from text, up to maxDiagBytes.
func appendDiag(d, line string) string {
	if len(d) >= maxDiagBytes {
		return d
	}
	return strings.TrimSpace(d + " " + line)
}

// scanRecipients reads failed recipients out of a block of report text,
// m.text[from:to]. A recipient is an address that starts a line (bare, in
// angle brackets or quotes, after a bullet such as "*", "-", "->" or
// ">>>"), unless leadOnly, or an address that follows one of the lead
// phrases on its line ("could not be delivered to: <a@b>"). Its diagnostic
// is the rest of that line (the whole line after a lead phrase) and the
// lines that follow, up to an empty line or the next recipient, at most
// maxDiagLines lines and about maxDiagBytes. When the block names one
// recipient whose own lines carry no code, the rest of the block is its
// diagnostic.
//
// generic is true for the generic scanner: it then skips the addresses of
// the bounce itself and its original's sender (m.exclude) and of mail
// systems; table rows know where their recipients are and skip only the
// bounce's own From and MAILER-DAEMON.
func scanRecipients(m *msgView, from, to int, lead []string, leadOnly, generic bool) []Recipient {
	// The lead phrases the text lacks are dropped before the lines are
	// read (the marker filter of m.lower, which knows every lead list).
	var present [64]string
	n := 0
	for _, p := range lead {
		if n == len(present) {
			n = -1
			break
		}
		if m.lower.mayContain(p) {
			present[n] = p
			n++
		}
	}
	if n >= 0 {
		lead = present[:n]
	}
	if leadOnly && len(lead) == 0 {
		return nil // no line can name a recipient
	}
	var out []Recipient
	// The block's lines, as strings.Split would cut them, by their offsets.
	var buf [128]int
	text := m.text[from:to]
	lines := newBlockLines(text, buf[:0])
	var bounceFrom string
	var fromBuf [lowerBufBytes]byte
	if !generic {
		bounceFrom = lowerView(&fromBuf, normalizeAddress(m.rep.From)) // compared only
	}
	skip := func(a string) bool {
		var buf [lowerBufBytes]byte
		l := lowerView(&buf, a) // compared only
		if generic {
			return slices.Contains(m.excluded(), l) || systemAddress(l)
		}
		return l == bounceFrom || strings.HasPrefix(l, "mailer-daemon@")
	}
	first, last := -1, -1 // line indexes of the first recipient and the end of the last one
	var listed []bool     // listed[k]: recipient k's line is followed directly by recipient k+1's
	prevEnd := -2         // the last line of the previous recipient
	for i := 0; i < lines.n() && len(out) <= m.max; i++ {
		addr, rest, ok := recipientOn(lines.line(text, i), lead, leadOnly)
		if !ok || skip(addr) {
			continue
		}
		if first < 0 {
			first = i
		}
		if len(out) > 0 {
			listed[len(out)-1] = prevEnd == i-1 && out[len(out)-1].Diagnostic == ""
		}
		var orig string
		orig, rest = expandedFrom(rest)
		var dbuf [maxDiagLines]string // on the stack: the loop stops at maxDiagLines
		diag, size := dbuf[:0], 0
		if s := strings.TrimSpace(setDiagLead.trimLeft(rest)); s != "" && s != "." {
			diag, size = append(diag, s), len(s)
		}
		for j := i + 1; j < lines.n(); j++ {
			l := strings.TrimSpace(lines.line(text, j))
			if l == "" {
				if len(diag) == 0 {
					continue // the diagnostic may start after one empty line
				}
				break
			}
			// A line indented deeper than the recipient's continues its
			// diagnostic even when it starts with an address (Postfix:
			// "    <a@b>: User unknown").
			deeper := len(diag) > 0 && indentOf(lines.line(text, j)) > indentOf(lines.line(text, i))
			if a, _, ok := recipientOn(lines.line(text, j), lead, leadOnly); ok && !skip(a) && !deeper {
				break
			}
			diag, size = append(diag, l), size+len(l)
			i = j
			if len(diag) >= maxDiagLines || size >= maxDiagBytes {
				break
			}
		}
		last, prevEnd = i, i
		out = m.appendRecipient(out, Recipient{Recipient: addr, OriginalRecipient: orig, Action: ActionFailed, Diagnostic: strings.Join(diag, " ")})
		listed = append(listed, false)
	}
	// QUIRK: addresses listed one a line with no text between them share the
	// diagnostic that follows the list (Gmail's "Delivery to the following
	// recipients failed permanently:" then "Technical details ...").
	for k := len(out) - 2; k >= 0; k-- {
		if listed[k] && out[k].Diagnostic == "" {
			out[k].Diagnostic = out[k+1].Diagnostic
		}
	}
	if len(out) == 1 && last >= 0 && !hasCode(out[0].Diagnostic) {
		// One recipient whose lines say no code: the rest of the block is
		// about it, the text after it first.
		d, code := out[0].Diagnostic, false
		var after diagLines // on the stack
		if after.read(lines.joinFrom(text, last+1)); after.n > 0 {
			// A code of d is one of after: d had none (hasCodeWithin).
			if d == "" {
				d = after.String()
				code = hasCode(d)
			} else {
				d = after.joinAfter(d) // d, a space and after, in one allocation
				code = hasCodeWithin(d[len(d)-after.size:])
			}
		}
		if !code {
			// The text before it, when it says what happened or nothing else does.
			if before := diagnosticOf(lines.joinTo(text, first)); hasCode(before) || d == "" {
				d = strings.TrimSpace(d + " " + before)
			}
		}
		out[0].Diagnostic = d
	}
	return out
}

// blockLines are where the lines of a block of text start, as
// strings.Split(s, "\n") cuts them: found in one pass, and the lines of
// the text and of its lower case read by offset instead of two slices of
// strings. The last element is len(s)+1. (The text is not kept beside
// the offsets, so that a small array of them can stay on the stack.)
type blockLines []int

func newBlockLines(s string, buf []int) blockLines {
	starts := append(buf[:0], 0)
	for off := 0; ; {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	return append(starts, len(s)+1)
}

// n is the number of lines.
func (b blockLines) n() int { return len(b) - 1 }

// line returns line k of s (or of its lower case) without its LF.
func (b blockLines) line(s string, k int) string { return s[b[k] : b[k+1]-1] }

// joinFrom is strings.Join(lines[a:], "\n") of s.
func (b blockLines) joinFrom(s string, a int) string {
	if a >= b.n() {
		return ""
	}
	return s[b[a]:]
}

// joinTo is strings.Join(lines[:a], "\n") of s.
func (b blockLines) joinTo(s string, a int) string {
	if a <= 0 {
		return ""
	}
	return s[:b[a]-1]
}

// expandedFrom reads the alias a recipient line says the address was
// expanded from: Postfix writes "<a@b> (expanded from <alias@c>): host ...",
// Sendmail "(expanded from: <alias@c>)". It returns the alias and the rest
// of the line after it, or "" and rest unchanged.
func expandedFrom(rest string) (string, string) {
	s := setSpaceTab.trimLeft(rest)
	const p = "(expanded from"
	if len(s) <= len(p) || !strings.EqualFold(s[:len(p)], p) {
		return "", rest
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return "", rest
	}
	a := normalizeAddress(setColonSpace.trimLeft(s[len(p):end]))
	if a == "" {
		return "", rest
	}
	return a, s[end+1:]
}

// indentOf returns the number of leading spaces and tabs of a line.
func indentOf(line string) int {
	return len(line) - len(setSpaceTab.trimLeft(line))
}

// recipientOn reads a failed recipient's address from one line; the lead
// phrases (lower case) are found in it in any ASCII case. After a lead
// phrase, the whole line is the start of the diagnostic ("Unknown user:
// a@b" says what happened).
func recipientOn(line string, lead []string, leadOnly bool) (addr, rest string, ok bool) {
	if strings.IndexByte(line, '@') < 0 {
		// Most lines, on one search: every address leadingAddress reads
		// is a piece of the line, with an '@'.
		return "", "", false
	}
	if l := setSpaceTabLT.trimLeft(line); hasPrefixASCIIFold(l, "mailto:") {
		// A link (RFC 6068), as List-Unsubscribe and List-Help write them
		// (RFC 2369): never a failed recipient (issue 10 item 1).
		return "", "", false
	}
	if !leadOnly {
		if a, r, ok := leadingAddress(stripBullet(line)); ok {
			return a, r, true
		}
	}
	for _, p := range lead {
		i := indexLowerASCII(line, p)
		if i < 0 {
			continue
		}
		s := setLeadTrim.trimLeft(line[i+len(p):])
		if a, _, ok := leadingAddress(s); ok {
			return a, strings.TrimSpace(line), true
		}
	}
	return "", "", false
}

// stripBullet drops the list markers some formats put before a recipient.
func stripBullet(line string) string {
	s := setSpaceTab.trimLeft(line)
	if len(s) == 0 || !bulletLead[s[0]] {
		return s // most lines, on one look
	}
	for _, b := range bullets {
		if strings.HasPrefix(s, b) {
			if len(b) == 1 {
				s = strings.TrimLeft(s, b) // "*** a@b" (Mercury/32)
			} else {
				s = s[len(b):]
			}
			return setSpaceTab.trimLeft(s)
		}
	}
	return s
}

// bullets are the list markers stripBullet drops, in the order it tries
// them, and bulletLead their first bytes.
var (
	bullets    = []string{">>>", "->", "=>", "*", "-", "•", "・"}
	bulletLead = func() (t [256]bool) {
		for _, b := range bullets {
			t[b[0]] = true
		}
		return t
	}()
)

// leadingAddress reads an address that starts a line.
func leadingAddress(line string) (addr, rest string, ok bool) {
	s := setSpaceTab.trimLeft(line)
	if s == "" {
		return "", "", false
	}
	// QUIRK: Exchange and MailEnable write proxy addresses, "[SMTP:a@b]" or "SMTP:a@b".
	if len(s) > 7 && s[0] == '[' && strings.EqualFold(s[1:6], "smtp:") {
		s = s[6:]
	} else if len(s) > 6 && s[0]|0x20 == 's' && strings.EqualFold(s[:5], "smtp:") && s[5] != ' ' {
		s = s[5:]
	}
	var tok string
	switch s[0] {
	case '<':
		j := strings.IndexByte(s, '>')
		if j < 0 {
			return "", "", false
		}
		tok, rest = s[1:j], s[j+1:]
	case '"':
		j := strings.IndexByte(s[1:], '"')
		if j < 0 {
			return "", "", false
		}
		// "quoted local"@domain
		if k := j + 2; k < len(s) && s[k] == '@' {
			e := setQuotedAddrEnd.indexAny(s[k:])
			if e < 0 {
				e = len(s) - k
			}
			tok, rest = s[:k+e], s[k+e:]
		} else {
			tok, rest = s[1:j+1], s[j+2:]
		}
	default:
		j := setAddrEnd.indexAny(s)
		if j < 0 {
			j = len(s)
		}
		tok, rest = s[:j], s[j:]
		// "a@b <c@d>": the address is the one in angle brackets, as in
		// Exim's "kijitora@example.com <neko@example.net>: malformed address".
		if r := setSpaceTab.trimLeft(rest); len(r) > 0 && r[0] == '<' && strings.Contains(tok, "@") {
			if k := strings.IndexByte(r, '>'); k > 0 && strings.Contains(r[:k], "@") {
				tok, rest = r[1:k], r[k+1:]
			}
		}
	}
	if !strings.Contains(tok, "@") || setSpaceTab.containsAny(tok) && !strings.HasPrefix(tok, `"`) {
		return "", "", false
	}
	a := normalizeAddress(tok)
	if a == "" || !strings.Contains(a[strings.LastIndexByte(a, '@'):], ".") {
		return "", "", false
	}
	return a, rest, true
}

// systemAddress reports the addresses of mail systems, never failed
// recipients; a is lower case.
func systemAddress(a string) bool {
	return strings.HasPrefix(a, "mailer-daemon@") || strings.HasPrefix(a, "postmaster@")
}

// diagnosticOf joins the non-empty lines of a block into one diagnostic,
// capped at maxDiagLines lines and maxDiagBytes bytes. Banner lines
// ("----- Transcript of session follows -----") are left out.
//
// A diagnostic of one line is that line of block, not a copy; one of
// more lines is joined into an allocation of its size.
func diagnosticOf(block string) string {
	var dl diagLines // on the stack
	dl.read(block)
	return dl.String()
}

// diagLines are the lines of a diagnostic (diagnosticOf), read before
// they are joined, so that the one allocation of the joined text can hold
// what goes before it as well (joinAfter).
type diagLines struct {
	lines [maxDiagLines]string
	n     int // lines read
	size  int // the lines joined by spaces
}

// read reads the lines of block: the non-empty ones but banners, at most
// maxDiagLines of them and about maxDiagBytes.
func (dl *diagLines) read(block string) {
	for len(block) > 0 && dl.n < maxDiagLines && dl.size < maxDiagBytes {
		var l string
		l, block, _ = strings.Cut(block, "\n")
		l = strings.TrimSpace(l)
		if l == "" || banner(l) {
			continue
		}
		if dl.n > 0 {
			dl.size++
		}
		dl.lines[dl.n], dl.size = l, dl.size+len(l)
		dl.n++
	}
}

// String returns the lines joined by spaces: the line itself when there
// is one.
func (dl *diagLines) String() string {
	if dl.n == 1 {
		return dl.lines[0]
	}
	return dl.joinAfter("")
}

// joinAfter returns prefix, a space when prefix is not empty, and the
// lines joined by spaces, in one allocation; the lines' text is its last
// dl.size bytes.
func (dl *diagLines) joinAfter(prefix string) string {
	var sb strings.Builder
	if prefix != "" {
		sb.Grow(len(prefix) + 1 + dl.size)
		sb.WriteString(prefix)
		sb.WriteByte(' ')
	} else {
		sb.Grow(dl.size)
	}
	for i, l := range dl.lines[:dl.n] {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(l)
	}
	return sb.String()
}

// banner reports a decoration line: "----- Transcript of session follows
// -----", or a rule of '=', '*', '#', '_' or '-'.
func banner(l string) bool {
	if strings.HasPrefix(l, "---") && strings.HasSuffix(l, "---") {
		return true
	}
	return len(l) >= 5 && strings.Trim(l, "=*#_-~ ") == ""
}

// mergeText completes DSN recipients from the report's free text, which
// often says more than the Diagnostic-Code (Postfix transcripts, Gmail's
// explanations, Sendmail's session transcript): a recipient takes the text
// block about it (same address, or the only one on both sides) and merges
// it in (mergeFromText).
func (p *parser) mergeText(text []Recipient, block string) {
	rs := p.rep.Recipients
	byAddr := make(map[string]int, len(text))
	for j := len(text) - 1; j >= 0; j-- {
		byAddr[toLower(text[j].Recipient)] = j
	}
	for i := range rs {
		rc := &rs[i]
		var from *Recipient
		if j, ok := byAddr[toLower(rc.Recipient)]; ok && rc.Recipient != "" {
			from = &text[j]
		} else if j, ok := byAddr[toLower(rc.OriginalRecipient)]; ok && rc.OriginalRecipient != "" {
			from = &text[j]
		}
		if from == nil && len(rs) == 1 && len(text) == 1 {
			from = &text[0]
		}
		if from == nil && len(rs) == 1 && len(text) == 0 && block != "" {
			from = &Recipient{Diagnostic: diagnosticOf(block)}
		}
		if from != nil {
			mergeFromText(rc, *from, &p.diags)
		}
	}
}

// mergeFromText merges what the text says about a recipient into the DSN's
// facts: a missing address or diagnostic, a missing reply code, and a more
// specific status code (RFC 3464 section 2.3.4 wants the most specific).
func mergeFromText(rc *Recipient, t Recipient, memo *diagMemo) {
	if rc.Recipient == "" {
		rc.Recipient = t.Recipient
	}
	if rc.OriginalRecipient == "" && t.OriginalRecipient != "" && sameAddress(rc.Recipient, t.Recipient) {
		// Exim's "(ultimately generated from a@b)", Postfix's "(expanded
		// from <a@b>)": the text names the alias the DSN leaves out.
		rc.OriginalRecipient = t.OriginalRecipient
	}
	if t.Diagnostic == "" {
		return
	}
	if rc.Diagnostic == "" {
		rc.Diagnostic = t.Diagnostic
		if rc.DiagnosticType == "" {
			rc.DiagnosticType = t.DiagnosticType
		}
		return
	}
	td, rd := memo.scan(t.Diagnostic), memo.scan(rc.Diagnostic)
	completeWith(rc, rd)
	if rc.ReplyCode == 0 && td.Reply != 0 {
		rc.ReplyCode = td.Reply
	}
	if !td.Status.IsZero() && !td.Status.Generic() && (rc.ServerStatus.IsZero() || rc.ServerStatus.Generic()) {
		rc.ServerStatus = td.Status
	}
	if rc.Status.IsZero() && !td.Status.IsZero() {
		rc.Status, rc.StatusFromText = td.Status, true
	}
	if !rd.hasCode() && td.hasCode() {
		// The DSN's diagnostic says no code ("X-Unix; 255"); the text's
		// does: keep both, the DSN's first.
		rc.Diagnostic = appendDiag(rc.Diagnostic, t.Diagnostic)
	}
	if rc.Command == "" {
		rc.Command = td.Command
	}
	if rc.RemoteMTA == "" {
		rc.RemoteMTA = td.Host
	}
}
