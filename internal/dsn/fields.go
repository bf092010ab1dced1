package dsn

import (
	"strings"

	"github.com/bounced/bounced/internal/smtpcode"
)

// field is one "Name: value" of a DSN block: which of the names the
// package reads it is (dsnField), and its raw value, folding included, cut
// at MaxFieldBytes (cut says so). The value is unfolded when it is read
// (fieldValues.value), not before: fields no one reads cost no copy.
type field struct {
	id  dsnField
	cut bool
	raw []byte
}

// fieldBlocks reads groups of fields separated by empty lines (RFC 3464
// section 2.1: per-message fields, then one group per recipient).
//
//	delivery-status-content = per-message-fields 1*( CRLF per-recipient-fields )
//
// QUIRK: lines that are not fields and not continuations are skipped; some
// MTAs put comments or banners between the groups.
//
// At most maxBlocks blocks are read, and each value is cut to MaxFieldBytes
// of its raw form (field.cut says so).
func fieldBlocks(b []byte, maxBlocks int) [][]field {
	blocks, _, _ := fieldBlocksInto(nil, nil, b, maxBlocks, -1)
	return blocks
}

// fieldBlocksInto is fieldBlocks appending the blocks to out[:0] (a
// caller's array on its stack) and their fields to fields[:0] (pooled,
// scratch.dsnFields), which it returns grown: the blocks are consecutive
// pieces of one list of fields, each capped at its end, instead of a
// slice each. They are valid until fields is written again. The values
// are views of b.
//
// With maxRcpt not negative it also counts the recipient blocks of b as
// countRecipientBlocks does, on the lines it reads anyway, and stops
// reading once the count is over maxRcpt: rcpts is then the count of the
// whole of b, and the blocks are not to be read.
func fieldBlocksInto(out [][]field, fields []field, b []byte, maxBlocks, maxRcpt int) (_ [][]field, _ []field, rcpts int) {
	blocks := out[:0]
	all := fields[:0]
	first := 0             // the first field of the block being read, in all
	vstart, vend := -1, -1 // the raw value of the last field of cur, continuations included
	flush := func() {
		if vstart >= 0 && len(all) > first {
			raw := b[vstart:vend]
			if len(raw) > MaxFieldBytes {
				raw = raw[:MaxFieldBytes]
				all[len(all)-1].cut = true
			}
			all[len(all)-1].raw = raw
		}
		vstart = -1
	}
	end := func() { // the block being read is complete
		if len(all) > first {
			blocks = append(blocks, all[first:len(all):len(all)])
			first = len(all)
		}
	}
	var final, orig int // the lines countRecipientBlocks counts
	rest := b
	for len(rest) > 0 && len(blocks) < maxBlocks {
		at := len(b) - len(rest)
		line, next := cutLine(rest)
		rest = next
		k, nameEnd := fieldColon(line) // the colon of a field line (isFieldLine), by words
		switch {
		case isBlank(line):
			flush()
			end()
		case line[0] == ' ' || line[0] == '\t':
			if vstart >= 0 {
				vend = at + len(line) // the value runs on over this line
			}
		case k > 0:
			flush()
			id := dsnFieldOf(line[:nameEnd])
			all = append(all, field{id: id})
			vstart, vend = at+k+1, at+len(line)
			switch id {
			case fieldFinalRecipient:
				final++
			case fieldOriginalRecipient:
				orig++
			}
		default:
			flush() // QUIRK: a stray line ends the field before it
			// A line countRecipientBlocks counts that fieldColon does
			// not read: a tab before the colon, a CR for a dash.
			f, o := recipientFieldLine(line)
			final, orig = final+f, orig+o
		}
		if maxRcpt >= 0 && max(final, orig) > maxRcpt {
			return blocks, all, countRecipientBlocks(b)
		}
	}
	flush()
	end()
	if maxRcpt >= 0 && len(rest) > 0 {
		// Blocks past maxBlocks: counted, not read.
		return blocks, all, countRecipientBlocks(b)
	}
	return blocks, all, max(final, orig)
}

// fieldValues unfolds the values of the fields read into one allocation,
// sized by newFieldValues from the fields that may be read.
type fieldValues struct{ arena strArena }

// newFieldValues sizes the values' allocation for the known fields of
// blocks (an unfolded value is never longer than its raw form, but for
// one with invalid UTF-8, which unfoldInto copies on its own).
func newFieldValues(blocks [][]field) *fieldValues {
	v := &fieldValues{}
	v.init(nil, blocks)
	return v
}

// init is newFieldValues for a fieldValues of the caller's (on its
// stack), its memory from m when it has room.
func (v *fieldValues) init(m *Mem, blocks [][]field) {
	size := 0
	for _, blk := range blocks {
		for _, f := range blk {
			if f.id != dsnOther {
				size += len(f.raw)
			}
		}
	}
	v.arena.grow(m, size)
}

// value returns the value of f unfolded (RFC 5322 section 2.2.3).
func (v *fieldValues) value(f field) string {
	if v == nil {
		return unfoldBytes(f.raw)
	}
	return unfoldInto(&v.arena, f.raw)
}

// dsnField names a field the package reads (RFC 3464 sections 2.2 and
// 2.3, RFC 5965 section 3.5); dsnOther is any other.
type dsnField uint8

const (
	dsnOther dsnField = iota
	fieldFinalRecipient
	fieldOriginalRecipient
	fieldXActualRecipient
	fieldAction
	fieldStatus
	fieldRemoteMTA
	fieldDiagnosticCode
	fieldLastAttemptDate
	fieldWillRetryUntil
	fieldReportingMTA
	fieldReceivedFromMTA
	fieldArrivalDate
	fieldXOriginalMessageID
	fieldFeedbackType
	fieldUserAgent
	fieldOriginalRcptTo
	fieldRemovalRecipient
	fieldOriginalMailFrom
	fieldSourceIP
	fieldReportedDomain
	fieldReceivedDate
	numDSNFields
)

// dsnFieldNames are the names of the dsnFields, in lower case.
var dsnFieldNames = [numDSNFields]string{
	fieldFinalRecipient:     "final-recipient",
	fieldOriginalRecipient:  "original-recipient",
	fieldXActualRecipient:   "x-actual-recipient",
	fieldAction:             "action",
	fieldStatus:             "status",
	fieldRemoteMTA:          "remote-mta",
	fieldDiagnosticCode:     "diagnostic-code",
	fieldLastAttemptDate:    "last-attempt-date",
	fieldWillRetryUntil:     "will-retry-until",
	fieldReportingMTA:       "reporting-mta",
	fieldReceivedFromMTA:    "received-from-mta",
	fieldArrivalDate:        "arrival-date",
	fieldXOriginalMessageID: "x-original-message-id",
	fieldFeedbackType:       "feedback-type",
	fieldUserAgent:          "user-agent",
	fieldOriginalRcptTo:     "original-rcpt-to",
	fieldRemovalRecipient:   "removal-recipient",
	fieldOriginalMailFrom:   "original-mail-from",
	fieldSourceIP:           "source-ip",
	fieldReportedDomain:     "reported-domain",
	fieldReceivedDate:       "received-date",
}

// dsnFieldOf returns the dsnField of a field name in any ASCII case: a
// hash of its length and its first and last letters picks the one
// candidate (dsnFieldHash), compared without lowering the name.
func dsnFieldOf(name []byte) dsnField {
	if len(name) == 0 {
		return dsnOther
	}
	f := dsnFieldByHash[dsnFieldHash(len(name), lowerByte[name[0]], lowerByte[name[len(name)-1]])]
	if f != dsnOther && isLowerName(name, dsnFieldNames[f]) {
		return f
	}
	return dsnOther
}

// dsnFieldHash tells the names of dsnFieldNames apart (TestDSNFieldOf).
func dsnFieldHash(n int, first, last byte) int {
	return (n*7 + int(first)<<2 + int(last)) & 63
}

// dsnFieldByHash is the dsnField of each dsnFieldHash.
var dsnFieldByHash = func() (t [64]dsnField) {
	for f := dsnField(1); f < numDSNFields; f++ {
		s := dsnFieldNames[f]
		t[dsnFieldHash(len(s), s[0], s[len(s)-1])] = f
	}
	return t
}()

// typed splits "type; value" (RFC 3464 section 2.1.2: address-type,
// diagnostic-type, mta-name-type). A value without a type returns "".
func typed(v string) (string, string) {
	t, rest := typedRaw(v)
	return toLower(t), rest
}

// typedValue is the value of typed, for a field whose type is not kept.
func typedValue(v string) string {
	_, rest := typedRaw(v)
	return rest
}

// typedRaw is typed with the type as written.
func typedRaw(v string) (string, string) {
	t, rest, ok := strings.Cut(v, ";")
	if !ok {
		return "", strings.TrimSpace(v)
	}
	if t = strings.TrimSpace(t); setTypeBad.containsAny(t) {
		return "", strings.TrimSpace(v)
	}
	return t, strings.TrimSpace(rest)
}

// isRecipientBlock reports whether a block carries per-recipient fields.
func isRecipientBlock(blk []field) bool {
	for _, f := range blk {
		switch f.id {
		case fieldFinalRecipient, fieldOriginalRecipient, fieldAction, fieldStatus, fieldDiagnosticCode, fieldXActualRecipient:
			return true
		}
	}
	return false
}

// splitGroups splits a block of per-recipient fields at each repeated
// Final-Recipient. QUIRK: RFC 3464 section 2.1 separates recipient groups
// by a blank line, but some MTAs write the groups back to back; without the
// split the first group would be overwritten by the second. An
// Original-Recipient right before a repeated Final-Recipient belongs to the
// new group, as RFC 3464 section 2.3 orders them.
func splitGroups(blk []field) [][]field { return appendGroups(nil, blk) }

// appendGroups is splitGroups appending the groups to out.
func appendGroups(out [][]field, blk []field) [][]field {
	start, finals := 0, 0
	for i, f := range blk {
		if f.id != fieldFinalRecipient {
			continue
		}
		if finals++; finals == 1 {
			continue
		}
		cut := i
		if cut-1 > start && blk[cut-1].id == fieldOriginalRecipient && originalFirst(blk[start:cut-1]) {
			cut--
		}
		out = append(out, blk[start:cut])
		start = cut
	}
	return append(out, blk[start:])
}

// originalFirst reports whether a group writes its Original-Recipient
// before its Final-Recipient, or has none: then an Original-Recipient that
// ends it begins the next group.
func originalFirst(g []field) bool {
	for _, f := range g {
		switch f.id {
		case fieldOriginalRecipient:
			return true
		case fieldFinalRecipient:
			for _, h := range g {
				if h.id == fieldOriginalRecipient {
					return false
				}
			}
			return true
		}
	}
	return true
}

// readDeliveryStatus reads a message/delivery-status body (RFC 3464
// section 2.2 and 2.3; RFC 6533 section 3 for the UTF-8 form).
//
// The recipient blocks are counted while the fields are cut out, before
// any value is read: a report with more than MaxRecipients is refused
// (p.tooMany) once the count passes it.
func (p *parser) readDeliveryStatus(b []byte, global bool) {
	var gbuf [8][]field // a usual report's groups, on the stack
	groups, rcpts := gbuf[:0], 0
	var bbuf [8][]field
	var fields []field
	if p.scratch != nil {
		fields = p.scratch.dsnFields
	}
	blocks, fields, n := fieldBlocksInto(bbuf[:0], fields, b, p.opts.MaxRecipients+2, p.opts.MaxRecipients)
	if p.scratch != nil {
		// Kept for the next report part or Parse; blocks are read
		// before readDeliveryStatus returns.
		p.scratch.dsnFields = fields[:0]
		p.scratch.dsnUsed = max(p.scratch.dsnUsed, len(fields))
	}
	if n > p.opts.MaxRecipients {
		p.tooMany = n
		return
	}
	var values fieldValues // on the stack: only its arena's memory is kept
	values.init(p.mem, blocks)
	vals := &values
	for _, blk := range blocks {
		if !isRecipientBlock(blk) {
			groups = append(groups, blk)
			continue
		}
		n := len(groups)
		groups = appendGroups(groups, blk)
		rcpts += len(groups) - n
	}
	fresh := p.rep.Recipients == nil
	if fresh && rcpts > 0 {
		// Sized once: a Recipient is large, and append's growth copies them.
		p.rep.Recipients = p.mem.recipients(min(rcpts, p.opts.MaxRecipients+1))
	}
	defer func() {
		if fresh && len(p.rep.Recipients) == 0 {
			p.rep.Recipients = nil // as before: no recipient is a nil list
		}
	}()
	for _, blk := range groups {
		if len(p.rep.Recipients) > p.opts.MaxRecipients {
			return // over the limit: run reports ErrTooManyRecipients
		}
		if !isRecipientBlock(blk) {
			p.readPerMessage(blk, vals)
			continue
		}
		rc := readRecipient(blk, global, vals)
		if rc.Recipient == "" && rc.OriginalRecipient != "" {
			// QUIRK: Final-Recipient missing; RFC 3464 section 2.3.2 requires it.
			rc.Recipient = rc.OriginalRecipient
		}
		if rc.Recipient == "" && rc.Status.IsZero() && rc.Diagnostic == "" {
			continue
		}
		if rc.Action == "" {
			// QUIRK: Action missing or misspelt ("ction: failed", sample
			// lhost-sendmail-13); RFC 3464 section 2.3.3 requires it. The
			// Status class says as much.
			switch rc.Status.Class {
			case 5:
				rc.Action = ActionFailed
			case 4:
				rc.Action = ActionDelayed
			case 2:
				rc.Action = ActionDelivered
			}
		}
		p.rep.Recipients = append(p.rep.Recipients, rc)
	}
}

func (p *parser) readPerMessage(blk []field, v *fieldValues) {
	for _, f := range blk {
		switch f.id {
		case fieldReportingMTA:
			p.rep.ReportingMTA = typedValue(v.value(f))
		case fieldReceivedFromMTA:
			p.rep.ReceivedFromMTA = typedValue(v.value(f))
		case fieldArrivalDate:
			p.rep.ArrivalDate = v.value(f)
		case fieldXOriginalMessageID:
			p.origID = v.value(f)
		}
	}
}

func readRecipient(blk []field, global bool, v *fieldValues) Recipient {
	var rc Recipient
	var statusText string
	for _, f := range blk {
		switch f.id {
		case fieldFinalRecipient:
			rc.Recipient = normalizeAddress(typedValue(v.value(f)))
		case fieldOriginalRecipient:
			rc.OriginalRecipient = normalizeAddress(typedValue(v.value(f)))
		case fieldXActualRecipient:
			if rc.Recipient == "" {
				rc.Recipient = normalizeAddress(typedValue(v.value(f)))
			}
		case fieldAction:
			rc.Action = parseAction(v.value(f))
		case fieldStatus:
			statusText = v.value(f)
		case fieldRemoteMTA:
			rc.RemoteMTA = cleanHost(typedValue(v.value(f)))
		case fieldDiagnosticCode:
			rc.DiagnosticType, rc.Diagnostic = typed(v.value(f))
			if f.cut || len(rc.Diagnostic) > MaxDiagnosticBytes {
				rc.Diagnostic = cutUTF8String(rc.Diagnostic, MaxDiagnosticBytes)
				rc.DiagnosticTruncated = true
			}
		case fieldLastAttemptDate:
			rc.LastAttemptDate = v.value(f)
		case fieldWillRetryUntil:
			rc.WillRetryUntil = v.value(f)
		}
	}
	_ = global // RFC 6533 fields are UTF-8 already; nothing to decode.
	// QUIRK: "Status: 5.1.1 (bad mailbox)", "Status: 5.1.1 <text>": the
	// comment is not part of the code (RFC 3464 section 2.3.4 allows only
	// the code). When the block has no Diagnostic-Code, the comment is the
	// only words the MTA gave, and it becomes the diagnostic (rfc3464-35:
	// "4.0.0 (cat.example.net: host name lookup failure)").
	if st, _, end, ok := smtpcode.Find(statusText); ok {
		rc.Status = st
		if rc.Diagnostic == "" {
			if c := statusComment(statusText[end:]); c != "" {
				rc.Diagnostic = c
			}
		}
	}
	return rc
}

// parseAction reads the Action field (RFC 3464 section 2.3.3).
// QUIRK: comments and trailing words ("failed (permanent)") are dropped, and
// "failure", "delay" are read as their RFC names.
func parseAction(v string) Action {
	v = toLower(strings.TrimSpace(v))
	if i := setActionEnd.indexAny(v); i >= 0 {
		v = v[:i]
	}
	switch v {
	case "failed", "failure", "fail":
		return ActionFailed
	case "delayed", "delay":
		return ActionDelayed
	case "delivered", "delivery", "deliverable": // QUIRK: Postfix address verification reports say "deliverable"
		return ActionDelivered
	case "relayed":
		return ActionRelayed
	case "expanded":
		return ActionExpanded
	}
	return Action(v)
}

// cleanHost strips brackets, a trailing dot and an address literal suffix
// from an MTA name: "mx.example.com. [192.0.2.1]" -> "mx.example.com".
func cleanHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.IndexAny(h, " ["); i > 0 {
		h = h[:i]
	}
	h = strings.Trim(h, "[]<>()")
	return toLower(strings.TrimSuffix(h, "."))
}

// readFeedback reads an RFC 5965 section 3 feedback report.
func (p *parser) readFeedback(b []byte) {
	fb := &Feedback{}
	var removal []string
	blocks := fieldBlocks(b, 64)
	v := newFieldValues(blocks)
	for _, blk := range blocks {
		for _, f := range blk {
			switch f.id {
			case fieldFeedbackType:
				fb.Type = toLower(v.value(f))
			case fieldUserAgent:
				fb.UserAgent = v.value(f)
			case fieldOriginalRcptTo:
				val := v.value(f)
				if fb.OriginalRcptTo == "" {
					fb.OriginalRcptTo = val
				}
				if a := normalizeAddress(val); a != "" {
					fb.Recipients = append(fb.Recipients, a)
				}
			case fieldRemovalRecipient:
				// The opted-out address of the early ARF drafts (sample arf-12).
				if a := normalizeAddress(v.value(f)); a != "" {
					removal = append(removal, a)
				}
			case fieldOriginalMailFrom:
				fb.OriginalMailFrom = v.value(f)
			case fieldSourceIP:
				fb.SourceIP = v.value(f)
			case fieldReportedDomain:
				fb.ReportedDomain = v.value(f)
			case fieldArrivalDate, fieldReceivedDate:
				fb.ArrivalDate = v.value(f)
			}
		}
	}
	if len(fb.Recipients) == 0 {
		fb.Recipients = removal
	}
	p.rep.Feedback = fb
}

// statusComment returns the text of an RFC 5322 comment that follows a
// status code, "(host name lookup failure)" -> "host name lookup failure".
func statusComment(rest string) string {
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") {
		return ""
	}
	if i := strings.LastIndexByte(rest, ')'); i > 0 {
		rest = rest[1:i]
	} else {
		rest = rest[1:]
	}
	return strings.TrimSpace(rest)
}
