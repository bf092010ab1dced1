package dsn

import (
	"unicode/utf8"
	"unsafe"
)

// This file keeps the reader of the returned original's header as it was
// before readOriginalFrom read the block in one pass (splitHeaderInto for
// every field, then the kept ones lowered and sorted): the oracle of
// TestReadOriginalSame.

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

// readOriginalOld reads the header block of a returned original, pasted
// plainly, quoted with "> ", or after a few lines of text.
func readOriginalOld(b []byte) Original { return readOriginalOldFrom(b, nil, false) }

// readOriginalOldFrom is readOriginalOld for b whose line ends are already
// normalised (no CR) when normalized is true.
func readOriginalOldFrom(b []byte, scratch *[]headerField, normalized bool) Original {
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
	var arena strArena
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
		o.AutoReply.note(nil, name, f)
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
