package dsn

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// inlineMarkers are lines (lower case, trimmed, matched as substrings) after
// which MTAs paste the returned original into the text. Each names the MTA
// whose wording it is.
var inlineMarkers = []string{
	"below this line is a copy of the message",                  // qmail
	"this is a copy of the message, including all the headers",  // Exim
	"this is a copy of your message, including all the headers", // Exim (malformed recipients)
	"this is a copy of the message's headers",                   // Exim (headers only)
	"original message follows",                                  // Sendmail, Courier
	"header of the original message is following",               // Japanese carriers
	"the original message was received",                         // (not a marker: see below)
	"original message header",                                   // various
	"copy of the original message",                              // various
	"unsent message below",                                      // Domino, Sendmail
	"----- unsent message follows -----",                        // Sendmail V5
	"original message headers",                                  // Office 365 text
	"message header follows",                                    // various
	"the headers of your message",                               // Yahoo
	"------ original message ------",                            // many
	"--- original message ---",                                  // many
	"-----original message-----",                                // Outlook forwards
	"content-type: message/rfc822",                              // MIME pasted as text
	"included is a copy of the message",                         // various
	"original message below",                                    // various
	"your message reads (in part)",                              // mail.ru style
	"message headers follow",                                    // DragonFly
	"original message:",                                         // Verizon MMS
	"^-------original message$",                                 // m-FILTER
}

// notInlineMarker is in inlineMarkers for the marker filter, but is
// Sendmail's arrival line, not a marker.
const notInlineMarker = "the original message was received"

// splitInlineOriginal cuts text at the first marker line after which an
// original message is pasted, returning the report text and the original.
// lower is text lower-cased.
func splitInlineOriginal(text string, lower lowerText) (string, string) {
	best := -1
	if lower.mayHaveMask(&inlineMask, inlineOnly) { // else none is in the text
		for _, m := range inlineOnly {
			if i := lower.indexMarker(m); i >= 0 && (best < 0 || i < best) {
				best = i
			}
		}
	}
	if best < 0 {
		// QUIRK: no marker; the original's header block simply follows the
		// report (Zoho, samples lhost-zoho-*).
		if lower.lacks(pastedFieldM[0]) && lower.lacks(pastedFieldM[1]) {
			return text, "" // neither field starts a line
		}
		if i := pastedHeaders(lower.s); i >= 0 {
			return text[:i], text[i:]
		}
		return text, ""
	}
	// The original starts on the line after the marker.
	lineEnd := strings.IndexByte(text[best:], '\n')
	if lineEnd < 0 {
		return text, ""
	}
	start := best + lineEnd + 1
	lineStart := strings.LastIndexByte(text[:best], '\n') + 1
	return text[:lineStart], text[start:]
}

// pastedFieldMarkers are the fields pastedHeaders looks for, at the
// start of a line, as markers of the filter (pastedFieldM).
var pastedFieldMarkers = []string{"\nreceived:", "\nreturn-path:"}

// pastedHeaders returns the offset of a line that starts a pasted header
// block: a "Received:" or "Return-Path:" field (in any case) right after
// an empty line or a rule ("-----"), followed by two more field lines. It
// returns -1 when there is none.
func pastedHeaders(text string) int {
	// Each field name is searched for once from each point, so the text is
	// scanned once per name.
	indexFrom := func(name string, off int) int {
		if i := indexLowerASCII(text[off:], name); i >= 0 {
			return off + i
		}
		return -1
	}
	r, rp := indexFrom(pastedFieldMarkers[0], 0), indexFrom(pastedFieldMarkers[1], 0)
	for r >= 0 || rp >= 0 {
		i := r
		if i < 0 || rp >= 0 && rp < i {
			i = rp
		}
		if i == r {
			r = indexFrom(pastedFieldMarkers[0], i+1)
		} else {
			rp = indexFrom(pastedFieldMarkers[1], i+1)
		}
		start := i + 1
		prev := strings.TrimSpace(text[strings.LastIndexByte(text[:start-1], '\n')+1 : start-1])
		if prev != "" && !banner(prev) {
			continue
		}
		rest := text[start:]
		fields := 0
		for n := 0; n < 8 && rest != ""; n++ {
			var line string
			line, rest, _ = strings.Cut(rest, "\n")
			if line == "" {
				break
			}
			if isFieldLine([]byte(line)) {
				fields++
			}
		}
		if fields >= 3 {
			return start
		}
	}
	return -1
}

// selectedHeaders are kept in Original.Headers besides any X- header
// (lower-case names).
var selectedHeaders = map[string]bool{
	"message-id": true, "from": true, "to": true, "cc": true, "subject": true, "date": true,
	"return-path": true, "list-id": true, "auto-submitted": true, "precedence": true,
	"feedback-id": true, "list-unsubscribe": true, "reply-to": true, "sender": true,
	"in-reply-to": true, "references": true,
}

// origField names the fields of a returned original that readOriginal
// keeps (origFieldOf).
type origField uint8

const (
	ofOther    origField = iota // not read
	ofReceived                  // Received, kept in Original.Received
	// Original's own fields: the first of each fills it, and Headers.
	ofMessageID
	ofFrom
	ofTo
	ofSubject
	ofDate
	ofReturnPath
	ofListID
	// The auto-reply markers of RFC 3834 (AutoReplyMarkers.note).
	ofAutoSubmitted
	ofPrecedence
	// The other selected headers, kept in Headers only.
	ofCc
	ofFeedbackID
	ofListUnsubscribe
	ofReplyTo
	ofSender
	ofInReplyTo
	ofReferences
	ofX // an X- field (not a marker): Headers, under canonicalNameInto
	// The vendor auto-reply markers (X- fields AutoReplyMarkers.note reads).
	ofXAutoreply
	ofXAutorespond
	ofXAutoresponder
	ofXAutoReply
	ofXAutoResponseSuppress
	ofXAppleAction
	ofXVacation
	ofXMailerAutoreply
	ofCount
)

// origFieldNames are the lower-case names of the origFields (ofX and
// ofOther have none): selectedHeaders, "received" and the X- markers.
// TestOrigFieldOf keeps origFieldOf equal to it.
var origFieldNames = [ofCount]string{
	ofReceived: "received", ofMessageID: "message-id", ofFrom: "from", ofTo: "to",
	ofSubject: "subject", ofDate: "date", ofReturnPath: "return-path", ofListID: "list-id",
	ofAutoSubmitted: "auto-submitted", ofPrecedence: "precedence", ofCc: "cc",
	ofFeedbackID: "feedback-id", ofListUnsubscribe: "list-unsubscribe", ofReplyTo: "reply-to",
	ofSender: "sender", ofInReplyTo: "in-reply-to", ofReferences: "references",
	ofXAutoreply: "x-autoreply", ofXAutorespond: "x-autorespond", ofXAutoresponder: "x-autoresponder",
	ofXAutoReply: "x-auto-reply", ofXAutoResponseSuppress: "x-auto-response-suppress",
	ofXAppleAction: "x-apple-action", ofXVacation: "x-vacation", ofXMailerAutoreply: "x-mailer-autoreply",
}

// origFieldCanonical are the canonical names (canonicalName) of the
// selected headers, and origFieldLower their lower-case names as bytes for
// AutoReplyMarkers.note.
var origFieldCanonical, origFieldLower = func() (c [ofCount]string, l [ofCount][]byte) {
	for i, n := range origFieldNames {
		if n != "" {
			c[i], l[i] = canonicalName([]byte(n)), []byte(n)
		}
	}
	return c, l
}()

// origFieldOf sorts a field of a returned original by its name in any
// ASCII case, without lowering it: the name's length and first letter
// pick the one candidate it is compared with (origFieldByShape, and the
// markers' lengths for X- fields). name is
// printable ASCII (fieldColon), so OR-ing 0x20 folds its letters only.
// A name longer than maxFieldName is none of them (lowerName's limit,
// which the reader kept before).
func origFieldOf(name []byte) origField {
	n := len(name)
	if n > maxFieldName || n < 2 {
		return ofOther
	}
	is := func(id origField) bool { return foldEqual(name, origFieldLower[id]) }
	c := name[0] | 0x20
	if c == 'x' && name[1] == '-' {
		if n == 2 {
			return ofOther
		}
		id := ofX
		switch n { // the markers' lengths are distinct
		case 10:
			id = ofXVacation
		case 11:
			id = ofXAutoreply
		case 12:
			id = ofXAutoReply
		case 13:
			id = ofXAutorespond
		case 14:
			id = ofXAppleAction
		case 15:
			id = ofXAutoresponder
		case 18:
			id = ofXMailerAutoreply
		case 24:
			id = ofXAutoResponseSuppress
		}
		if id != ofX && !is(id) {
			id = ofX
		}
		return id
	}
	// The one name of this length and first letter (origFieldByShape;
	// Reply-To shares Received's, and differs in its third letter).
	id := origFieldByShape[n][c&31]
	if id == ofReceived && name[2]|0x20 == 'p' {
		id = ofReplyTo
	}
	if id != ofOther && !is(id) {
		id = ofOther
	}
	return id
}

// origFieldByShape holds, by length and first letter (OR 0x20, AND 31),
// the one name of origFieldNames not an X- field that a name may be, but
// Reply-To (Received's length and first letter).
var origFieldByShape = func() (t [maxFieldName + 1][32]origField) {
	for id, n := range origFieldNames {
		if n == "" || n[0] == 'x' || origField(id) == ofReplyTo {
			continue
		}
		if t[len(n)][n[0]&31] != ofOther {
			panic("dsn: two original fields of one shape: " + n)
		}
		t[len(n)][n[0]&31] = origField(id)
	}
	return t
}()

// foldEqual reports whether name, printable ASCII, is lower (lower-case
// letters and '-', as long as name) in any case: a word at a time, the
// last word overlapping the one before (OR-ing 0x20 folds letters only,
// and leaves '-' and lower's bytes as they are).
func foldEqual(name, lower []byte) bool {
	n := len(name)
	if n != len(lower) {
		return false
	}
	const fold8, fold4, fold2 = 0x2020202020202020, 0x20202020, 0x2020
	le := binary.LittleEndian
	switch {
	case n >= 8:
		for i := 0; i < n-8; i += 8 {
			if le.Uint64(name[i:])|fold8 != le.Uint64(lower[i:]) {
				return false
			}
		}
		return le.Uint64(name[n-8:])|fold8 == le.Uint64(lower[n-8:])
	case n >= 4:
		return le.Uint32(name)|fold4 == le.Uint32(lower) && le.Uint32(name[n-4:])|fold4 == le.Uint32(lower[n-4:])
	case n >= 2:
		return le.Uint16(name)|fold2 == le.Uint16(lower) && le.Uint16(name[n-2:])|fold2 == le.Uint16(lower[n-2:])
	}
	return n == 0 || name[0]|0x20 == lower[0]
}

// canonicalOrigName is canonicalNameInto for a kept name, which is at most
// maxFieldName bytes of printable ASCII (fieldColon, origFieldOf): made in
// a buffer on the stack and written to arena at once.
func canonicalOrigName(arena *strArena, name []byte) string {
	var buf [maxFieldName]byte
	if len(name) > len(buf) {
		return canonicalNameInto(arena, name)
	}
	upper := true
	for i, c := range name {
		if !tokenByte[c] {
			return canonicalName(name)
		}
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	if len(name) == 0 {
		return canonicalName(name)
	}
	start := arena.Len()
	arena.Write(buf[:len(name)])
	return arena.String()[start:]
}

// keptField is a field of a returned original that readOriginal keeps.
// It holds offsets in the block, not slices of it: no pointers to
// write or clear.
type keptField struct {
	at, nameEnd       int // the name is b[at:nameEnd]
	valueAt, valueEnd int // the value (as in headerField) is b[valueAt:valueEnd]
	id                origField
}

// name and value return the field's name and value in b.
func (f *keptField) name(b []byte) []byte  { return b[f.at:f.nameEnd] }
func (f *keptField) value(b []byte) []byte { return b[f.valueAt:f.valueEnd] }

// unfoldInto unfolds the field's value into arena (RFC 5322 section
// 2.2.3; the package's unfoldInto).
func (f *keptField) unfoldInto(arena *strArena, b []byte) string {
	return unfoldInto(arena, f.value(b))
}

// lineEnd returns the offset of the LF that ends the line of b holding
// b[from], or len(b) when the line has none.
func lineEnd(b []byte, from int) int {
	if i := bytes.IndexByte(b[from:], '\n'); i >= 0 {
		return from + i
	}
	return len(b)
}

// maxOriginalHeaders caps Original.Headers.
const maxOriginalHeaders = 64

// readOriginal reads the header block of a returned original, pasted
// plainly, quoted with "> ", or after a few lines of text.
func readOriginal(b []byte) Original { return readOriginalFrom(b, false, true) }

// readOriginalFrom is readOriginal for b whose line ends are already
// normalised (no CR) when normalized is true; it leaves Received empty
// unless received is true (Options.SkipSendingIP: only sendingIP reads
// them).
//
// The header block is read as splitHeaderInto reads it (RFC 5322 section
// 2.2 and its QUIRKs: junk lines skipped with the continuation lines after
// them, a first line that is no field meaning no header, maxHeaderBytes),
// in one pass that sorts each field by its name as it meets it
// (origFieldOf): a field not kept, and each of its continuation lines,
// costs one search for the line's end. The kept fields are then unfolded
// and decoded, into one allocation sized by the first pass.
func readOriginalFrom(b []byte, normalized, received bool) Original {
	o, _ := readOriginalKeeping(nil, b, normalized, received, "")
	return o
}

// readOriginalKeeping is readOriginalFrom that also returns a copy of
// keep, made in the allocation that holds the original's fields when
// there is one (finish keeps the report text so: one allocation a
// message fewer), by strings.Clone otherwise.
func readOriginalKeeping(mem *Mem, b []byte, normalized, received bool, keep string) (Original, string) {
	o, kept := readOriginalArena(mem, b, normalized, received, keep)
	if kept == "" && keep != "" {
		kept = strings.Clone(keep)
	}
	return o, kept
}

// readOriginalArena is readOriginalKeeping, returning "" for keep when
// the original has no fields (no allocation was made).
func readOriginalArena(mem *Mem, b []byte, normalized, received bool, keep string) (o Original, copied string) {
	if !normalized {
		b = normalizeNewlines(b)
	}
	b = trimLeadingSpace(b)
	if quoted(b) {
		b = unquote(b)
	}
	// QUIRK: some MTAs put a line or two of text before the pasted headers.
	for tries := 0; tries < 4 && len(b) > 0; tries++ {
		if k, _ := fieldColon(b); k > 0 {
			break // a field line (isFieldLine, read up to the colon only)
		}
		_, next := cutLine(b)
		b = trimLeadingSpace(next)
	}
	var keptBuf [16]keptField
	kept := keptBuf[:0]
	size, nreceived := 0, 0
	maxReceived := 0
	if received {
		maxReceived = MaxReceived
	}
	fields := 0
	first := true
	cur := -1 // the kept field whose value continuation lines extend; -1 for none
	at := 0   // offset in b of the line read
	for at < len(b) {
		if c := b[at]; c == ' ' || c == '\t' {
			// A continuation line (or a blank one).
			end := lineEnd(b, at)
			if isBlank(b[at:end]) {
				break
			}
			if cur >= 0 {
				kf := &kept[cur]
				size += end - kf.valueEnd
				kf.valueEnd = end
			}
			first = false
			if at = end + 1; at > maxHeaderBytes {
				break
			}
			continue
		}
		if k, nameEnd := fieldColon(b[at:]); k > 0 {
			end := lineEnd(b, at+k)
			fields++
			cur = -1
			name := b[at : at+nameEnd]
			switch id := origFieldOf(name); {
			case id == ofOther:
			case id == ofReceived && nreceived >= maxReceived:
			default:
				if id == ofReceived {
					nreceived++
				} else {
					size += nameEnd
				}
				cur = len(kept)
				vstart := at + k + 1
				size += end - vstart
				kept = append(kept, keptField{at: at, nameEnd: at + nameEnd, valueAt: vstart, valueEnd: end, id: id})
			}
			first = false
			if at = end + 1; at > maxHeaderBytes {
				break
			}
			continue
		}
		end := lineEnd(b, at)
		if isBlank(b[at:end]) {
			break
		}
		if first {
			return o, "" // a block whose first line is no field is no header
		}
		// A junk line: skipped, with the continuation lines after it.
		cur = -1
		first = false
		if at = end + 1; at > maxHeaderBytes {
			break
		}
	}
	if fields == 0 {
		return o, ""
	}
	o.Found = true
	// unfoldInto returns valid UTF-8 and the names are printable ASCII
	// (fieldColon); only a value decodeWords rewrote may be invalid. The
	// auto-reply markers are unfolded (unfoldBytes) and lowered, or
	// canonical names joined to such a value: valid too.
	o.valid = true
	var arena strArena
	arena.grow(mem, len(keep)+size)
	if keep != "" {
		arena.WriteString(keep)
		copied = arena.String()
	}
	if nreceived > 0 {
		o.Received = mem.receivedList(nreceived) // counted above: one allocation
	}
	if n := min(len(kept)-nreceived, maxOriginalHeaders); n > 0 {
		o.Headers = mem.originalHeaders(n) // each kept field but Received is one, up to the cap
	}
	for i := range kept {
		f := &kept[i]
		var dst *string // the Original field this header fills
		decode := true
		switch f.id {
		case ofReceived:
			o.Received = append(o.Received, f.unfoldInto(&arena, b))
			continue
		case ofMessageID:
			dst, decode = &o.MessageID, false
		case ofFrom:
			dst = &o.From
		case ofTo:
			dst = &o.To
		case ofSubject:
			dst = &o.Subject
		case ofDate:
			dst, decode = &o.Date, false
		case ofReturnPath:
			dst, decode = &o.ReturnPath, false
		case ofListID:
			dst = &o.ListID
		case ofAutoSubmitted, ofPrecedence, ofXAutoreply, ofXAutorespond, ofXAutoresponder, ofXAutoReply,
			ofXAutoResponseSuppress, ofXAppleAction, ofXVacation, ofXMailerAutoreply:
			o.AutoReply.note(mem, origFieldLower[f.id], headerField{name: f.name(b), value: f.value(b)})
		}
		if dst != nil && *dst != "" {
			dst = nil // the first one counts
		}
		keep := len(o.Headers) < maxOriginalHeaders
		if dst == nil && !keep {
			continue
		}
		// One copy of the value serves both.
		v := f.unfoldInto(&arena, b)
		dv := decodeWordsIn(mem, v)
		if o.valid && unsafe.StringData(dv) != unsafe.StringData(v) && !utf8.ValidString(dv) {
			o.valid = false
		}
		if dst != nil {
			*dst = v
			if decode {
				*dst = dv
			}
		}
		if keep {
			hn := origFieldCanonical[f.id]
			if hn == "" || f.id >= ofXAutoreply {
				hn = canonicalOrigName(&arena, f.name(b))
			}
			o.Headers = append(o.Headers, Header{Name: hn, Value: dv})
		}
	}
	return o, copied
}

// quoted reports whether the first non-empty line starts with '>'.
func quoted(b []byte) bool {
	return len(b) > 0 && b[0] == '>'
}

// unquote removes one level of "> " quoting from every line.
func unquote(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		line, next := cutLine(b)
		b = next
		if len(line) > 0 && line[0] == '>' {
			line = line[1:]
			if len(line) > 0 && line[0] == ' ' {
				line = line[1:]
			}
		}
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}

// forwardMarkers start a bounce that a person forwarded to someone else,
// quoting it with '>' (Apple Mail, Gmail, Thunderbird wordings).
var forwardMarkers = []string{"begin forwarded message:", "---------- forwarded message", "-------- original message --------"}

// unquoteForwarded removes one level of '>' quoting from the lines after a
// forward marker, so that a forwarded bounce reads like the bounce itself.
// QUIRK: not a format of any RFC (sample lhost-sendmail-14). It returns
// text unchanged when there is nothing to unquote.
func unquoteForwarded(text string, lower lowerText) string {
	at := -1
	for _, m := range forwardM {
		if i := lower.indexMarker(m); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return text
	}
	nl := strings.IndexByte(text[at:], '\n')
	if nl < 0 {
		return text
	}
	head, rest := text[:at+nl+1], text[at+nl+1:]
	if !quoted(trimLeadingSpace([]byte(rest))) {
		return text
	}
	return head + string(unquote([]byte(rest)))
}
