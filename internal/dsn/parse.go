package dsn

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parser holds the state of one Parse call.
type parser struct {
	opts  Options
	rep   *Report
	mem   *Mem // the memory of rep and its strings (ParseInto), nil: the heap
	parts int
	raw   []byte // the message, line ends normalised (no CR): see inRaw

	text      strings.Builder // human-readable parts outside the original, decoded, once there are two (textView before)
	textView  []byte          // the first such part as it is, line end included, until another comes: not copied (addText)
	textHigh  bool            // text holds a byte over 0x7f (false: text is all ASCII)
	html      [][]byte        // HTML parts, converted to text only when there is no plain text
	htmlBytes int             // their size, at most maxHTMLBytes in all
	attached  strings.Builder // text attachments, used when there is no other text
	original  []byte          // the first returned original (message/rfc822 body or headers)
	nested    [][]byte        // attached messages, in case the report is inside one, after the first two:
	nested2   [2][]byte       // the first two, in the parser (no allocation for a usual report)
	nestedN   int             // how many were attached
	dsnSeen   bool            // a delivery-status part was read
	tooMany   int             // recipient blocks counted over MaxRecipients, before reading them
	origID    string          // X-Original-Message-ID or similar from the DSN fields
	xheaders  []byte          // the bounce's own X- fields, "name: value" a line, names lower case, values as written
	fields    *[]headerField  // the header fields of every block read (scratch.fields)
	scratch   *scratch        // pooled memory of the call; nil for a nested report's parser
	diags     diagMemo        // the diagnostics scanned lately
}

func (p *parser) warn(format string, a ...any) {
	if len(p.rep.Warnings) < 32 {
		p.rep.Warnings = append(p.rep.Warnings, fmt.Sprintf(format, a...))
	}
}

func (p *parser) run(raw []byte) error {
	h, body, ok := splitHeaderInto(raw, p.fields)
	if !ok {
		return fmt.Errorf("%w: no header fields at the start", ErrNotMessage)
	}
	p.readOwnHeaders(h)
	if err := p.walk(h, body, 0); err != nil {
		return err
	}
	if !p.dsnSeen && p.rep.Feedback == nil && p.nestedN > 0 {
		// QUIRK: some gateways forward the bounce itself as an attachment
		// (the report sits one message deeper).
		if err := p.tryNested(); err != nil {
			return err
		}
	}
	p.finish()
	if p.tooMany > 0 {
		return fmt.Errorf("%w: %d, limit %d", ErrTooManyRecipients, p.tooMany, p.opts.MaxRecipients)
	}
	if len(p.rep.Recipients) > p.opts.MaxRecipients {
		return fmt.Errorf("%w: %d, limit %d", ErrTooManyRecipients, len(p.rep.Recipients), p.opts.MaxRecipients)
	}
	return nil
}

// readOwnHeaders keeps the bounce's own headers that matter.
func (p *parser) readOwnHeaders(h header) {
	r := p.rep
	var buf [maxFieldName]byte
	// One pass over the fields sorts them by their names (ownFieldKind):
	// the X- fields and the auto-reply markers are read on the way; the
	// fields whose values are kept are noted and read after it, into one
	// allocation the pass has sized (an over-estimate: only the first of
	// a repeated field counts).
	type keptField struct {
		i    int32
		kind uint8
	}
	var kept [16]keptField
	nk, more := 0, -1 // more: the first field with a value past kept's room
	size := 0
	for i := range h.fields {
		f := &h.fields[i]
		k := ownFieldKind(f.name)
		if k == ownOther {
			continue
		}
		if k >= ownFrom {
			size += len(f.value)
			if nk < len(kept) {
				kept[nk] = keptField{int32(i), uint8(k)}
				nk++
			} else if more < 0 {
				more = i
			}
			if k < ownXOriginalTo {
				continue // not an X- field
			}
		}
		name := lowerName(&buf, f.name)
		r.AutoReply.note(p.mem, name, *f)
		if k != ownAutoSubmitted && k != ownPrecedence && len(p.xheaders) < maxHeaderBytes {
			p.xheaders = append(append(p.xheaders, name...), ": "...)
			p.xheaders = appendUnfolded(p.xheaders, f.value)
			p.xheaders = append(p.xheaders, '\n')
		}
	}
	var arena strArena
	arena.grow(p.mem, size)
	unfold := func(v []byte) string { return unfoldInto(&arena, v) }
	var to, returnPath, deliveredTo, originalTo string
	read := func(k int, f *headerField) {
		switch k {
		case ownFrom:
			if r.From == "" {
				r.From = decodeWordsIn(p.mem, unfold(f.value))
			}
		case ownTo:
			if to == "" {
				to = unfold(f.value)
				r.To = decodeWordsIn(p.mem, to)
			}
		case ownSubject:
			if r.Subject == "" {
				r.Subject = decodeWordsIn(p.mem, unfold(f.value))
			}
		case ownReturnPath:
			if returnPath == "" {
				returnPath = unfold(f.value)
				r.ReturnTo = returnPath
			}
		case ownMessageID:
			if r.MessageID == "" {
				r.MessageID = unfold(f.value)
			}
		case ownDeliveredTo:
			if deliveredTo == "" {
				deliveredTo = unfold(f.value)
			}
		case ownXOriginalTo:
			if originalTo == "" {
				originalTo = unfold(f.value)
			}
		case ownXFailedRecipients:
			for a := range strings.SplitSeq(unfold(f.value), ",") {
				if n := normalizeAddress(a); n != "" && len(r.FailedRecipients) < p.opts.MaxRecipients {
					r.FailedRecipients = append(r.FailedRecipients, n)
				}
			}
		}
	}
	for _, kf := range kept[:nk] {
		read(int(kf.kind), &h.fields[kf.i])
	}
	if more >= 0 {
		// More fields with values than kept holds: the rest, sorted again.
		for i := more; i < len(h.fields); i++ {
			if k := ownFieldKind(h.fields[i].name); k >= ownFrom {
				read(k, &h.fields[i])
			}
		}
	}
	r.VERPRecipient = verpRecipient(to, returnPath, deliveredTo, originalTo)
}

// The bounce's own fields, by ownFieldKind.
const (
	ownOther         = iota
	ownX             // an X- field not among those below
	ownAutoSubmitted // the auto-reply markers of RFC 3834 and others
	ownPrecedence
	ownFrom // the fields whose values readOwnHeaders keeps, from here on
	ownTo
	ownSubject
	ownReturnPath
	ownMessageID
	ownDeliveredTo
	ownXOriginalTo // X- fields with a value kept, from here on
	ownXFailedRecipients
)

// ownFieldKind sorts a field of the bounce's own header by its name in
// any ASCII case, as a switch on lowerName would, without lowering it:
// the name's length picks the one candidate.
func ownFieldKind(name []byte) int {
	if len(name) > maxFieldName || len(name) < 2 {
		return ownOther // lowerName's limit, or no name of ours
	}
	// The length and the first letter pick the one candidate.
	k, s := ownOther, ""
	switch c := lowerByte[name[0]]; len(name) {
	case 2:
		k, s = ownTo, "to"
	case 4:
		k, s = ownFrom, "from"
	case 7:
		k, s = ownSubject, "subject"
	case 10:
		k, s = ownMessageID, "message-id"
		if c == 'p' {
			k, s = ownPrecedence, "precedence"
		}
	case 11:
		k, s = ownReturnPath, "return-path"
	case 12:
		k, s = ownDeliveredTo, "delivered-to"
	case 13:
		k, s = ownXOriginalTo, "x-original-to"
	case 14:
		k, s = ownAutoSubmitted, "auto-submitted"
	case 19:
		k, s = ownXFailedRecipients, "x-failed-recipients"
	}
	if k != ownOther && lowerByte[name[0]] == s[0] && isLowerName(name, s) {
		return k
	}
	if len(name) > 2 && lowerByte[name[0]] == 'x' && name[1] == '-' {
		return ownX
	}
	return ownOther
}

// note reads one field into the RFC 3834 and vendor auto-reply markers,
// if it is one of theirs; name is
// its name in lower case. The header readers call it from their own loop
// over the fields.
func (m *AutoReplyMarkers) note(mem *Mem, name []byte, f headerField) {
	dst, named := m.markerOf(name)
	if dst == nil || *dst != "" {
		return // not a marker, or the first one counts
	}
	v := f.value
	if len(v) > noteRoom/2 || !swar.Printable(v) {
		// Folded, with a tab, not ASCII or long: the general reading.
		*dst = noteValue(named, f)
		return
	}
	// The usual value, one line of printable ASCII: written on the
	// stack, then kept in mem (or copied once).
	v = trimSpaces(v)
	var buf [noteRoom]byte
	b := buf[:0]
	if named {
		if len(v) == 0 {
			return
		}
		b = appendCanonicalName(b, name)
		b = append(append(b, ": "...), v...)
	} else {
		b = append(b, v...)
		lowerASCIIInPlace(b)
	}
	*dst = decodedString(mem, b)
}

// markerOf is the marker a field of that lower-case name fills, nil for
// none; named says it is kept as "Name: value".
func (m *AutoReplyMarkers) markerOf(name []byte) (dst *string, named bool) {
	switch string(name) {
	case "auto-submitted":
		return &m.AutoSubmitted, false
	case "precedence":
		return &m.Precedence, false
	case "x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply":
		return &m.XAutoreply, true
	case "x-auto-response-suppress", "x-apple-action", "x-vacation", "x-mailer-autoreply":
		return &m.Other, true
	}
	return nil, false
}

// noteRoom is the stack room of note's usual value.
const noteRoom = 256

// noteValue is what note keeps of f: its value unfolded and in lower
// case, or, named, "Name: value" with the name canonical ("" for an empty
// value).
func noteValue(named bool, f headerField) string {
	v := unfoldBytes(f.value)
	if !named {
		return toLower(v)
	}
	if v == "" {
		return ""
	}
	return canonicalName(f.name) + ": " + v
}

// appendCanonicalName appends a lower-case token name as net/textproto
// canonicalises it: its first letter and each after a '-' in upper case.
func appendCanonicalName(b, name []byte) []byte {
	upper := true
	for _, c := range name {
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
		upper = c == '-'
	}
	return b
}

// lowerASCIIInPlace lowers the ASCII capitals of b.
func lowerASCIIInPlace(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

func (p *parser) walk(h header, body []byte, depth int) error {
	p.parts++
	if p.parts > p.opts.MaxParts {
		return fmt.Errorf("%w: limit %d", ErrTooManyParts, p.opts.MaxParts)
	}
	if depth > p.opts.MaxDepth {
		return fmt.Errorf("%w: limit %d", ErrTooDeep, p.opts.MaxDepth)
	}
	t, params := mediaTypeIn(p.mem, h)
	// Parts kept whole are read up to MaxPartBytes decoded (an encoding
	// never makes a body shorter, so identity bodies are never cut); text
	// is read up to the room left for it.
	limit := max(MaxPartBytes, len(body))
	switch {
	case strings.HasPrefix(t, "multipart/"):
		var buf [8][]byte
		parts := splitMultipartInto(buf[:0], body, params.value("boundary"))
		if parts == nil {
			// QUIRK: a multipart without a usable boundary is read as text.
			p.addText(body, false)
			p.warn("dsn: %s without a usable boundary", t)
			return nil
		}
		for _, part := range parts {
			ph, pb := p.partHeader(part)
			if err := p.walk(ph, pb, depth+1); err != nil {
				return err
			}
		}
	case t == "message/delivery-status" || t == "message/global-delivery-status" ||
		t == "text/delivery-status": // QUIRK: some Exchange versions
		b, w := decodeBody(p.scratch, h, t, &params, body, limit)
		p.noteWarning(w)
		p.dsnSeen = true
		p.readDeliveryStatus(b, t == "message/global-delivery-status")
		if p.tooMany > 0 {
			return fmt.Errorf("%w: %d, limit %d", ErrTooManyRecipients, p.tooMany, p.opts.MaxRecipients)
		}
	case t == "message/feedback-report":
		b, w := decodeBody(p.scratch, h, t, &params, body, limit)
		p.noteWarning(w)
		p.readFeedback(b)
	case t == "message/rfc822" || t == "message/global" || t == "message/partial" ||
		t == "text/rfc822-headers" || t == "message/rfc822-headers" || t == "text/rfc822-header" ||
		t == "message/global-headers":
		b, w := decodeBody(p.scratch, h, t, &params, body, limit)
		p.noteWarning(w)
		if p.original == nil {
			p.original = b
		}
		if strings.HasPrefix(t, "message/") && t != "message/global-headers" && t != "message/rfc822-headers" {
			if p.nestedN < len(p.nested2) {
				p.nested2[p.nestedN] = b
			} else {
				p.nested = append(p.nested, b)
			}
			p.nestedN++
		}
	case t == "text/html":
		if isAttachment(h) || p.htmlBytes >= maxHTMLBytes {
			return nil
		}
		b, w := decodeBody(p.scratch, h, t, &params, body, maxHTMLBytes-p.htmlBytes)
		p.noteWarning(w)
		p.htmlBytes += len(b)
		p.addText(b, true)
	case strings.HasPrefix(t, "text/") || t == "application/octet-stream" && depth == 0:
		if isAttachment(h) {
			if p.original != nil && p.attached.Len() >= MaxTextBytes {
				return nil
			}
			// Headers or a report: either fits in a text budget.
			b, w := decodeBody(p.scratch, h, t, &params, body, 2*MaxTextBytes)
			p.noteWarning(w)
			switch {
			case looksLikeHeaders(b):
				// QUIRK: the original's headers attached as a text file
				// (sample lhost-x6-01), where RFC 6522 section 4 wants
				// text/rfc822-headers.
				if p.original == nil {
					p.original = b
				}
			case p.attached.Len() < MaxTextBytes:
				// QUIRK: the report itself attached as a text file
				// (McAfee's deliveryproblems.txt, sample lhost-mcafee-05);
				// read when no inline text says anything.
				p.attached.Write(b)
				p.attached.WriteByte('\n')
			}
			return nil
		}
		room := MaxTextBytes - p.textLen()
		if room <= 0 {
			return nil
		}
		// Twice the room: CRLF line ends become LF.
		b, w := decodeBody(p.scratch, h, t, &params, body, 2*room)
		p.noteWarning(w)
		p.addText(b, false)
	}
	return nil
}

// inRaw reports whether b lies inside p.raw, whose line ends Parse
// normalised: a body that decodeBody returned as it was, which then holds
// no CR and needs no normalizeNewlines.
func (p *parser) inRaw(b []byte) bool {
	if len(b) == 0 || len(p.raw) == 0 {
		return false
	}
	start, at := uintptr(unsafe.Pointer(unsafe.SliceData(p.raw))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return at >= start && at+uintptr(len(b)) <= start+uintptr(len(p.raw))
}

// partHeader splits a body part into its header and content. A part that
// starts with an empty line has no header (RFC 2046 section 5.1.1: it is
// text/plain in US-ASCII).
func (p *parser) partHeader(part []byte) (header, []byte) {
	if len(part) > 0 && part[0] == '\n' {
		return header{}, part[1:]
	}
	h, b, ok := splitHeaderInto(part, p.fields)
	if !ok {
		return header{}, part
	}
	return h, b
}

func isAttachment(h header) bool {
	d := toLower(h.getView("Content-Disposition"))
	return strings.HasPrefix(d, "attachment")
}

// looksLikeHeaders reports whether b starts like a header block (an attached
// original sent as text/plain).
func looksLikeHeaders(b []byte) bool {
	line, _ := cutLine(trimLeadingSpace(b))
	return isFieldLine(line)
}

func (p *parser) noteWarning(w string) {
	if w != "" {
		p.warn("%s", w)
	}
}

// addText appends a decoded human-readable part, converting HTML to text.
// The first part is kept as a view (textView) when it ends with a line
// end, or the message has one right after it: a report's one text part
// is then not copied, and finish copies only the report it keeps.
func (p *parser) addText(b []byte, html bool) {
	if html {
		p.html = append(p.html, b) // converted by htmlText only if needed
		return
	}
	if p.textLen() >= MaxTextBytes {
		return
	}
	if !p.inRaw(b) {
		b = normalizeNewlines(b)
	}
	// An ASCII text is valid, and Report.TextASCII is known without
	// another look.
	if ascii, valid := asciiValid(b); !ascii {
		p.textHigh = true
		if !valid {
			// Text without a charset, or not the one declared: read as
			// toUTF8 does, so the recognisers see the words.
			b = []byte(toUTF8(string(b)))
		}
	}
	b = cutUTF8(b, MaxTextBytes-1-p.textLen()) // a byte for the line end written after b
	if len(b) == 0 {
		return
	}
	if p.textView == nil && p.text.Len() == 0 {
		if b[len(b)-1] == '\n' {
			p.textView = b
			return
		}
		if p.inRaw(b) { // not rewritten above
			if end := p.rawEnd(b); end < len(p.raw) && p.raw[end] == '\n' {
				p.textView = p.raw[end-len(b) : end+1] // b and the message's own line end after it
				return
			}
		}
	}
	p.flushText(len(b) + 1)
	p.text.Write(b)
	if b[len(b)-1] != '\n' {
		p.text.WriteByte('\n')
	}
}

// rawEnd returns the offset in p.raw where b, which lies in it (inRaw),
// ends.
func (p *parser) rawEnd(b []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))-uintptr(unsafe.Pointer(unsafe.SliceData(p.raw)))) + len(b)
}

// textLen is the length of the text addText has kept.
func (p *parser) textLen() int { return len(p.textView) + p.text.Len() }

// flushText copies textView into text, with room for n bytes more, before
// text is written to.
func (p *parser) flushText(n int) {
	if p.textView == nil {
		return
	}
	p.text.Grow(min(len(p.textView)+n, MaxTextBytes))
	p.text.Write(p.textView)
	p.textView = nil
}

// textString returns the text addText has kept: a view of textView's
// bytes when it holds it (then not p.text's own: see finish).
func (p *parser) textString() string {
	if p.textView != nil {
		return unsafe.String(unsafe.SliceData(p.textView), len(p.textView))
	}
	return p.text.String()
}

// tryNested parses attached messages looking for the report inside.
func (p *parser) tryNested() error {
	for k := range p.nestedN {
		var b []byte
		if k < len(p.nested2) {
			b = p.nested2[k]
		} else {
			b = p.nested[k-len(p.nested2)]
		}
		h, body, ok := splitHeaderInto(normalizeNewlines(trimLeadingSpace(b)), p.fields)
		if !ok {
			continue
		}
		t, _ := mediaType(h)
		if !strings.HasPrefix(t, "multipart/report") {
			continue
		}
		inner := parser{opts: p.opts, rep: &Report{}, parts: p.parts, fields: p.fields}
		inner.readOwnHeaders(h)
		if err := inner.walk(h, body, 1); err != nil {
			return err
		}
		p.parts = inner.parts
		if !inner.dsnSeen {
			continue
		}
		p.dsnSeen = true
		p.rep.ReportingMTA = inner.rep.ReportingMTA
		p.rep.ReceivedFromMTA = inner.rep.ReceivedFromMTA
		p.rep.ArrivalDate = inner.rep.ArrivalDate
		p.rep.Recipients = inner.rep.Recipients
		p.flushText(inner.textLen())
		p.text.WriteString(inner.textString())
		p.textHigh = p.textHigh || inner.textHigh
		p.original = inner.original
		if inner.origID != "" {
			p.origID = inner.origID
		}
		return nil
	}
	return nil
}

// finish fills what the parts alone did not give: the original, the
// recipients from free text, the codes from diagnostics, and the kind.
func (p *parser) finish() {
	r := p.rep
	text := p.textString()
	viewed := p.textView != nil // text is a view of bytes the Report must not keep: the report is copied
	valid := true               // addText and htmlText write valid UTF-8 only
	ascii := !p.textHigh
	if strings.TrimSpace(text) == "" && len(p.html) > 0 {
		text, ascii = p.htmlText(), false // not known
	}
	if strings.TrimSpace(text) == "" {
		text = p.attached.String()
		valid, ascii = false, false // attachments are kept as they decoded
	}
	var lower lowerText
	if p.scratch != nil {
		lower = newLowerTextInto(text, p.scratch)
	} else {
		lower = newLowerText(text)
	}
	if t := unquoteForwarded(text, lower); t != text {
		text, lower = t, newLowerText(t)
	}
	// The text before an inline original is the report; after it, the original.
	report, inline := splitInlineOriginal(text, lower)
	lowerReport := lower.prefix(len(report))
	// When text is a view, the report the Report keeps, and the
	// recognisers read, is a copy, with the same offsets, made with the
	// original's fields (readOriginalKeeping); the original is read from
	// the view (readOriginalKeeping and lazyText copy what they keep).
	keep := ""
	if viewed {
		keep = report
	}
	if p.original != nil {
		r.Original, keep = readOriginalKeeping(p.mem, p.original, p.inRaw(p.original), !p.opts.SkipSendingIP, keep)
	} else if inline != "" {
		// A view of the text: readOriginal only reads its bytes, and
		// copies what it keeps.
		r.Original, keep = readOriginalKeeping(p.mem, unsafe.Slice(unsafe.StringData(inline), len(inline)), false, !p.opts.SkipSendingIP, keep)
	} else if viewed {
		keep = strings.Clone(report)
	}
	if viewed {
		report = keep
		lowerReport.s = report
	}
	// Unquoting and cutting remove bytes only: an ASCII text stays so.
	r.Text, r.textValid, r.TextASCII = report, valid, ascii
	if r.Original.MessageID == "" && p.origID != "" {
		r.Original.MessageID = p.origID
	}

	if !p.dsnSeen && r.Feedback == nil && lower.indexMarker(finalRecipientM) >= 0 {
		// QUIRK: the delivery-status fields pasted into a text body, with no
		// MIME structure or a broken one (samples rfc3464-04, rfc3464-34).
		// A view of the text: readDeliveryStatus only reads its bytes
		// (as it reads a part's, a view of the message), and copies what
		// it keeps.
		p.readDeliveryStatus(unsafe.Slice(unsafe.StringData(text), len(text)), false)
		p.dsnSeen = len(r.Recipients) > 0
	}
	orig := lazyText{s: inline, done: true}
	if viewed {
		orig = lazyText{b: unsafe.Slice(unsafe.StringData(inline), len(inline))}
	}
	if p.original != nil {
		orig = lazyText{b: p.original}
	}
	m := newMsgView(p.scratch, p.mem, r, report, lowerReport, p.xheaders, orig, p.opts.MaxRecipients)
	switch {
	case p.dsnSeen && len(r.Recipients) > 0:
		// The DSN gives the structure; the text may say more about each
		// recipient, and its wording names the MTA.
		var list []Recipient
		block := report
		if p.scratch != nil {
			m.tmp = &p.scratch.rcpts // the list is read, then dropped
		}
		if rg := firstMatch(m); rg != nil {
			r.DecodedBy = rg.name
			list, block = rg.read(m)
		} else {
			r.DecodedBy = "rfc3464"
			list = scanRecipients(m, 0, len(report), genericLeads, false, true)
		}
		p.mergeText(list, block)
		if p.scratch != nil {
			m.tmp, p.scratch.rcpts = nil, [2]Recipient{} // views of the text: the Report keeps none
		}
	case r.Feedback != nil:
		r.DecodedBy = "arf"
		r.Kind = KindFeedback
		for _, a := range r.Feedback.Recipients {
			r.Recipients = append(r.Recipients, Recipient{Recipient: a, Action: ActionDelivered})
		}
		if len(r.Recipients) == 0 {
			// QUIRK: RFC 5965 section 3.2 makes Original-Rcpt-To optional;
			// the returned original's To is then the complainant.
			for a := range strings.SplitSeq(r.Original.To, ",") {
				if n := normalizeAddress(a); n != "" {
					r.Recipients = append(r.Recipients, Recipient{Recipient: n, Action: ActionDelivered})
				}
			}
		}
		r.Recipients = dedupe(r.Recipients)
		return
	default:
		p.recognise(m)
	}
	for i := range r.Recipients {
		completeFromDiagnosticMemo(&r.Recipients[i], &p.diags)
	}
	commandsFromTranscript(report, lowerReport, r.Recipients)
	r.Recipients = dedupe(r.Recipients)
	for i := range r.Recipients {
		sendersAddress(&r.Recipients[i])
		finishRecipientMemo(&r.Recipients[i], &p.diags)
	}
	r.Kind = kindOf(r)
}

// sendersAddress makes the address the sender used the reported recipient
// and keeps the mailbox that failed beside it (issue 10): a mailing list or
// a contact list holds the Original-Recipient, or the alias a bounce says
// the mailbox was "expanded from", not the address it was rewritten to.
func sendersAddress(rc *Recipient) {
	if rc.OriginalRecipient == "" || rc.Recipient == "" || sameAddress(rc.OriginalRecipient, rc.Recipient) {
		return
	}
	rc.FinalRecipient, rc.Recipient = rc.Recipient, rc.OriginalRecipient
}

// sameAddress compares two normalised addresses: the domain and the local
// part without case (RFC 5321 section 2.4 lets a host fold the local part's
// case; bounces do), and a quoted local part as its content.
func sameAddress(a, b string) bool {
	return strings.EqualFold(unquoteLocal(a), unquoteLocal(b))
}

func unquoteLocal(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at < 2 || a[0] != '"' || a[at-1] != '"' {
		return a
	}
	return a[1:at-1] + a[at:]
}

// kindOf decides the kind from the recipients' actions.
func kindOf(r *Report) Kind {
	if r.Kind != KindUnknown {
		return r.Kind
	}
	if len(r.Recipients) == 0 {
		return KindNotBounce
	}
	var failed, delayed, ok int
	for _, rc := range r.Recipients {
		switch rc.Action {
		case ActionDelayed:
			delayed++
		case ActionDelivered, ActionRelayed, ActionExpanded:
			ok++
		default:
			failed++
		}
	}
	switch {
	case failed > 0:
		return KindBounce
	case delayed > 0:
		return KindDelay
	default:
		return KindDelivery
	}
}

// dedupe drops repeated recipients, keeping the first and merging the
// facts the later ones add.
func dedupe(list []Recipient) []Recipient {
	if len(list) < 2 {
		return list
	}
	out := list[:0]
	seen := make(map[string]int, len(list))
	for _, rc := range list {
		key := toLower(rc.Recipient)
		if key == "" {
			out = append(out, rc)
			continue
		}
		if i, ok := seen[key]; ok {
			mergeRecipient(&out[i], rc)
			continue
		}
		seen[key] = len(out)
		out = append(out, rc)
	}
	return out
}

// mergeRecipient fills the empty facts of dst from src.
func mergeRecipient(dst *Recipient, src Recipient) {
	if dst.Status.IsZero() || (dst.Status.Generic() && !src.Status.IsZero() && !src.Status.Generic()) {
		dst.Status = src.Status
	}
	if dst.ServerStatus.IsZero() || (dst.ServerStatus.Generic() && !src.ServerStatus.IsZero() && !src.ServerStatus.Generic()) {
		dst.ServerStatus = src.ServerStatus
	}
	if dst.ReplyCode == 0 {
		dst.ReplyCode = src.ReplyCode
	}
	if dst.Command == "" {
		dst.Command = src.Command
	}
	switch {
	case dst.Diagnostic == "":
		dst.Diagnostic, dst.DiagnosticType = src.Diagnostic, src.DiagnosticType
	case src.Diagnostic != "" && !hasCode(dst.Diagnostic) && hasCode(src.Diagnostic):
		// "Your message to a@b couldn't be delivered." then, further
		// down, the server's answer about a@b: keep both.
		dst.Diagnostic = appendDiag(dst.Diagnostic, src.Diagnostic)
	}
	if dst.RemoteMTA == "" {
		dst.RemoteMTA = src.RemoteMTA
	}
	if dst.OriginalRecipient == "" {
		dst.OriginalRecipient = src.OriginalRecipient
	}
	if dst.Action == "" {
		dst.Action = src.Action
	}
}

// htmlText converts the HTML parts to text, at most MaxTextBytes in all.
func (p *parser) htmlText() string {
	var sb strings.Builder
	for _, b := range p.html {
		room := MaxTextBytes - sb.Len()
		if room <= 0 {
			break
		}
		t := []byte(htmlToText(b))
		if !utf8.Valid(t) {
			t = []byte(toUTF8(string(t)))
		}
		sb.Write(cutUTF8(t, room))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// htmlToText returns the text of an HTML body (HTML Living Standard
// tokenization, golang.org/x/net/html): character references decoded,
// script and style dropped, a line break at each block element, the
// content of <pre> as it is, at most MaxTextBytes bytes.
//
// It reads b with htmlToTextFast, and with the tokenizer only what that
// leaves to it.
func htmlToText(b []byte) string {
	var sb strings.Builder
	sb.Grow(htmlTextGuess(len(b)))
	if htmlToTextFast(b, &sb) {
		return finishHTMLText(&sb)
	}
	sb.Reset()
	return htmlToTextTokenizer(b)
}

// htmlTextGuess is the room a text made of n bytes of HTML starts with: a
// quarter of them, as markup is most of an HTML bounce (the corpus's two
// HTML-only bounces, 58 KB each, hold 5.4 KB of text; room for all of it,
// before, made each a large allocation ten times the text's size); a
// longer text grows the builder.
func htmlTextGuess(n int) int { return min(n/4+64, MaxTextBytes) }

// htmlToTextTokenizer is htmlToText by golang.org/x/net/html's Tokenizer.
func htmlToTextTokenizer(b []byte) string {
	var sb strings.Builder
	sb.Grow(htmlTextGuess(len(b)))
	z := html.NewTokenizer(bytes.NewReader(b))
	z.SetMaxBuf(MaxTextBytes) // a token longer than this ends the text
	skip := 0                 // inside script or style
	for sb.Len() < MaxTextBytes {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return finishHTMLText(&sb)
		case html.TextToken:
			if skip == 0 {
				sb.Write(cutUTF8(z.Text(), MaxTextBytes-sb.Len()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style:
				switch tt {
				case html.StartTagToken:
					skip++
				case html.EndTagToken:
					skip = max(0, skip-1)
				}
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.Table, atom.Td, atom.Th, atom.Pre,
				atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Hr, atom.Ul, atom.Ol:
				sb.WriteByte('\n')
			}
		}
	}
	return finishHTMLText(&sb)
}

// finishHTMLText turns no-break spaces into spaces, in sb's own memory
// (the text gets shorter; sb is not written again): the text is one
// allocation, not two.
func finishHTMLText(sb *strings.Builder) string {
	s := sb.String()
	i := strings.Index(s, "\u00a0")
	if i < 0 {
		return s
	}
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // sb's buffer, only sb's
	w := i
	for i < len(b) {
		if b[i] == 0xc2 && i+1 < len(b) && b[i+1] == 0xa0 {
			b[w] = ' '
			w++
			i += 2
			continue
		}
		b[w] = b[i]
		w++
		i++
	}
	return s[:w]
}
