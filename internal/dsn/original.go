package dsn

import (
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
// block: a "Received:" or "Return-Path:" field right after an empty line
// or a rule ("-----"), followed by two more field lines. It returns -1
// when there is none.
func pastedHeaders(lower string) int {
	// Each field name is searched for once from each point, so the text is
	// scanned once per name.
	indexFrom := func(name string, off int) int {
		if i := strings.Index(lower[off:], name); i >= 0 {
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
		prev := strings.TrimSpace(lower[strings.LastIndexByte(lower[:start-1], '\n')+1 : start-1])
		if prev != "" && !banner(prev) {
			continue
		}
		rest := lower[start:]
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

// selectedCanonical returns the canonical name of a selected header
// (lower-case name), "" for any other name: a switch rather than a map
// lookup, for every field of every returned original.
// TestSelectedCanonical keeps it equal to selectedHeaders and
// canonicalName.
func selectedCanonical(name []byte) string {
	switch string(name) {
	case "message-id":
		return "Message-Id"
	case "from":
		return "From"
	case "to":
		return "To"
	case "cc":
		return "Cc"
	case "subject":
		return "Subject"
	case "date":
		return "Date"
	case "return-path":
		return "Return-Path"
	case "list-id":
		return "List-Id"
	case "auto-submitted":
		return "Auto-Submitted"
	case "precedence":
		return "Precedence"
	case "feedback-id":
		return "Feedback-Id"
	case "list-unsubscribe":
		return "List-Unsubscribe"
	case "reply-to":
		return "Reply-To"
	case "sender":
		return "Sender"
	case "in-reply-to":
		return "In-Reply-To"
	case "references":
		return "References"
	}
	return ""
}

// fieldClass sorts the fields of a returned original for readOriginal.
type fieldClass uint8

const (
	fieldOther    fieldClass = iota // not read
	fieldKept                       // a selected header or an X- field: kept in Headers
	fieldReceived                   // Received, kept in Received
)

// classOf sorts a field by its lower-case name. selectedHeaders holds the
// names of Original's own fields and of the auto-reply markers too.
func classOf(name []byte) fieldClass {
	switch {
	case len(name) > 2 && name[0] == 'x' && name[1] == '-' || selectedCanonical(name) != "":
		return fieldKept
	case string(name) == "received":
		return fieldReceived
	}
	return fieldOther
}

// maxOriginalHeaders caps Original.Headers.
const maxOriginalHeaders = 64

// readOriginal reads the header block of a returned original, pasted
// plainly, quoted with "> ", or after a few lines of text.
func readOriginal(b []byte) Original { return readOriginalInto(b, nil) }

// readOriginalInto is readOriginal reading the header fields into scratch
// (splitHeaderInto).
func readOriginalInto(b []byte, scratch *[]headerField) Original {
	return readOriginalFrom(b, scratch, false)
}

// readOriginalFrom is readOriginalInto for b whose line ends are already
// normalised (no CR) when normalized is true.
func readOriginalFrom(b []byte, scratch *[]headerField, normalized bool) Original {
	var o Original
	if !normalized {
		b = normalizeNewlines(b)
	}
	b = trimLeadingSpace(b)
	if quoted(b) {
		b = unquote(b)
	}
	// QUIRK: some MTAs put a line or two of text before the pasted headers.
	for tries := 0; tries < 4 && len(b) > 0; tries++ {
		line, next := cutLine(b)
		if isFieldLine(line) {
			break
		}
		b = trimLeadingSpace(next)
	}
	h, _, ok := splitHeaderInto(b, scratch)
	if !ok {
		return o
	}
	o.Found = true
	// unfoldInto returns valid UTF-8 and the names are printable ASCII
	// (fieldColon); only a value decodeWords rewrote may be invalid.
	o.valid = true
	var buf [maxFieldName]byte
	// The first look at the names sorts the fields (fieldClass) and sizes
	// the one allocation the values kept share (an over-estimate: only the
	// first of a repeated field counts); the second reads the fields kept.
	var classes [64]fieldClass
	var arena strings.Builder
	size, received := 0, 0
	for i, f := range h.fields {
		c := classOf(lowerName(&buf, f.name))
		if i < len(classes) {
			classes[i] = c
		}
		switch {
		case c == fieldKept:
			size += len(f.value) + len(f.name)
		case c == fieldReceived && received < MaxReceived:
			size += len(f.value)
			received++
		}
	}
	arena.Grow(size)
	if received > 0 {
		o.Received = make([]string, 0, received) // counted above: one allocation
	}
	for i, f := range h.fields {
		var c fieldClass
		if i < len(classes) {
			c = classes[i]
		} else {
			c = classOf(lowerName(&buf, f.name))
		}
		switch c {
		case fieldOther:
			continue // neither kept nor an auto-reply marker
		case fieldReceived:
			o.addReceivedInto(&arena, f.value)
			continue
		}
		name := lowerName(&buf, f.name)
		o.AutoReply.note(name, f)
		var dst *string // the Original field this header fills
		decode := true
		switch string(name) {
		case "message-id":
			dst, decode = &o.MessageID, false
		case "from":
			dst = &o.From
		case "to":
			dst = &o.To
		case "subject":
			dst = &o.Subject
		case "date":
			dst, decode = &o.Date, false
		case "return-path":
			dst, decode = &o.ReturnPath, false
		case "list-id":
			dst = &o.ListID
		}
		if dst != nil && *dst != "" {
			dst = nil // the first one counts
		}
		keep := len(o.Headers) < maxOriginalHeaders
		if dst == nil && !keep {
			continue
		}
		// One copy of the value serves both.
		v := unfoldInto(&arena, f.value)
		dv := decodeWords(v)
		if dst != nil {
			*dst = v
			if decode {
				*dst = dv
			}
		}
		if keep {
			if o.Headers == nil {
				o.Headers = make([]Header, 0, 8)
			}
			hn := selectedCanonical(name)
			if hn == "" {
				hn = canonicalNameInto(&arena, f.name)
			}
			if o.valid && unsafe.StringData(dv) != unsafe.StringData(v) && !utf8.ValidString(dv) {
				o.valid = false
			}
			o.Headers = append(o.Headers, Header{Name: hn, Value: dv})
		}
	}
	return o
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
