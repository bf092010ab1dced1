package dsn

import (
	"bytes"
	"strings"

	"github.com/bounced/bounced/internal/smtpcode"
)

// field is one "Name: value" of a DSN block; name is lower case, value
// unfolded. cut is set when the value was longer than MaxFieldBytes.
type field struct {
	name, value string
	cut         bool
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
// of its raw form before it is unfolded (field.cut says so).
func fieldBlocks(b []byte, maxBlocks int) [][]field {
	blocks, _ := fieldBlocksInto(nil, nil, b, maxBlocks)
	return blocks
}

// fieldBlocksInto is fieldBlocks appending the blocks to out[:0] (a
// caller's array on its stack) and their fields to fields[:0] (pooled,
// scratch.dsnFields), which it returns grown: the blocks are consecutive
// pieces of one list of fields, each capped at its end, instead of a
// slice each. They are valid until fields is written again.
func fieldBlocksInto(out [][]field, fields []field, b []byte, maxBlocks int) ([][]field, []field) {
	blocks := out[:0]
	all := fields[:0]
	first := 0                // the first field of the block being read, in all
	var arena strings.Builder // the values, one allocation for a usual report
	vstart, vend := -1, -1    // the raw value of the last field of cur, continuations included
	flush := func() {
		if vstart >= 0 && len(all) > first {
			raw := b[vstart:vend]
			if len(raw) > MaxFieldBytes {
				raw = raw[:MaxFieldBytes]
				all[len(all)-1].cut = true
			}
			if arena.Cap()-arena.Len() < len(raw) {
				// A fresh arena rather than a grown one, which would copy
				// what the values already returned hold.
				arena = strings.Builder{}
				arena.Grow(max(len(raw), min(len(b)-vstart, 16<<10)))
			}
			all[len(all)-1].value = unfoldInto(&arena, raw)
		}
		vstart = -1
	}
	end := func() { // the block being read is complete
		if len(all) > first {
			blocks = append(blocks, all[first:len(all):len(all)])
			first = len(all)
		}
	}
	for rest := b; len(rest) > 0 && len(blocks) < maxBlocks; {
		at := len(b) - len(rest)
		line, next := cutLine(rest)
		rest = next
		k, _ := fieldColon(line) // the colon of a field line (isFieldLine), by words
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
			all = append(all, field{name: fieldName(line[:k])})
			vstart, vend = at+k+1, at+len(line)
		default:
			flush() // QUIRK: a stray line ends the field before it
		}
	}
	flush()
	end()
	return blocks, all
}

// dsnFieldNameList are the field names the package reads (RFC 3464
// sections 2.2 and 2.3, RFC 5965 section 3.5), which dsnFieldName returns
// without allocating (TestDSNFieldName keeps the two equal).
var dsnFieldNameList = []string{
	"final-recipient",
	"original-recipient",
	"x-actual-recipient",
	"action",
	"status",
	"remote-mta",
	"diagnostic-code",
	"last-attempt-date",
	"will-retry-until",
	"final-log-id",
	"reporting-mta",
	"received-from-mta",
	"arrival-date",
	"x-original-message-id",
	"dsn-gateway",
	"original-envelope-id",
	"feedback-type",
	"user-agent",
	"version",
	"original-rcpt-to",
	"removal-recipient",
	"original-mail-from",
	"source-ip",
	"reported-domain",
	"received-date",
	"authentication-results",
	"reported-uri",
	"x-postfix-queue-id",
	"x-postfix-sender",
	"x-display-name",
}

// dsnFieldName returns the constant of a lower-case field name of
// dsnFieldNameList, "" for any other: a switch, not a map lookup, for
// every field of every delivery-status block.
func dsnFieldName(l []byte) string {
	switch string(l) {
	case "final-recipient":
		return "final-recipient"
	case "original-recipient":
		return "original-recipient"
	case "x-actual-recipient":
		return "x-actual-recipient"
	case "action":
		return "action"
	case "status":
		return "status"
	case "remote-mta":
		return "remote-mta"
	case "diagnostic-code":
		return "diagnostic-code"
	case "last-attempt-date":
		return "last-attempt-date"
	case "will-retry-until":
		return "will-retry-until"
	case "final-log-id":
		return "final-log-id"
	case "reporting-mta":
		return "reporting-mta"
	case "received-from-mta":
		return "received-from-mta"
	case "arrival-date":
		return "arrival-date"
	case "x-original-message-id":
		return "x-original-message-id"
	case "dsn-gateway":
		return "dsn-gateway"
	case "original-envelope-id":
		return "original-envelope-id"
	case "feedback-type":
		return "feedback-type"
	case "user-agent":
		return "user-agent"
	case "version":
		return "version"
	case "original-rcpt-to":
		return "original-rcpt-to"
	case "removal-recipient":
		return "removal-recipient"
	case "original-mail-from":
		return "original-mail-from"
	case "source-ip":
		return "source-ip"
	case "reported-domain":
		return "reported-domain"
	case "received-date":
		return "received-date"
	case "authentication-results":
		return "authentication-results"
	case "reported-uri":
		return "reported-uri"
	case "x-postfix-queue-id":
		return "x-postfix-queue-id"
	case "x-postfix-sender":
		return "x-postfix-sender"
	case "x-display-name":
		return "x-display-name"
	}
	return ""
}

// fieldName returns a field name trimmed and lower case.
func fieldName(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	var buf [maxFieldName]byte
	if l := lowerName(&buf, raw); l != nil {
		if n := dsnFieldName(l); n != "" {
			return n
		}
		return string(l)
	}
	return toLower(string(raw))
}

// typed splits "type; value" (RFC 3464 section 2.1.2: address-type,
// diagnostic-type, mta-name-type). A value without a type returns "".
func typed(v string) (string, string) {
	t, rest, ok := strings.Cut(v, ";")
	if !ok || setTypeBad.containsAny(strings.TrimSpace(t)) {
		return "", strings.TrimSpace(v)
	}
	return toLower(strings.TrimSpace(t)), strings.TrimSpace(rest)
}

// isRecipientBlock reports whether a block carries per-recipient fields.
func isRecipientBlock(blk []field) bool {
	for _, f := range blk {
		switch f.name {
		case "final-recipient", "original-recipient", "action", "status", "diagnostic-code", "x-actual-recipient":
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
		if f.name != "final-recipient" {
			continue
		}
		if finals++; finals == 1 {
			continue
		}
		cut := i
		if cut-1 > start && blk[cut-1].name == "original-recipient" && originalFirst(blk[start:cut-1]) {
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
		switch f.name {
		case "original-recipient":
			return true
		case "final-recipient":
			for _, h := range g {
				if h.name == "original-recipient" {
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
// The recipient blocks are counted first: a report with more than
// MaxRecipients is refused (p.tooMany) before any block is read.
func (p *parser) readDeliveryStatus(b []byte, global bool) {
	if n := countRecipientBlocks(b); n > p.opts.MaxRecipients {
		p.tooMany = n
		return
	}
	var gbuf [8][]field // a usual report's groups, on the stack
	groups, rcpts := gbuf[:0], 0
	var bbuf [8][]field
	var fields []field
	if p.scratch != nil {
		fields = p.scratch.dsnFields
	}
	blocks, fields := fieldBlocksInto(bbuf[:0], fields, b, p.opts.MaxRecipients+2)
	if p.scratch != nil {
		// Kept for the next report part or Parse; blocks are read
		// before readDeliveryStatus returns.
		p.scratch.dsnFields = fields[:0]
	}
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
		p.rep.Recipients = make([]Recipient, 0, min(rcpts, p.opts.MaxRecipients+1))
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
			p.readPerMessage(blk)
			continue
		}
		rc := readRecipient(blk, global)
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

func (p *parser) readPerMessage(blk []field) {
	for _, f := range blk {
		switch f.name {
		case "reporting-mta":
			_, p.rep.ReportingMTA = typed(f.value)
		case "received-from-mta":
			_, p.rep.ReceivedFromMTA = typed(f.value)
		case "arrival-date":
			p.rep.ArrivalDate = f.value
		case "x-original-message-id":
			p.origID = f.value
		}
	}
}

func readRecipient(blk []field, global bool) Recipient {
	var rc Recipient
	var statusText string
	for _, f := range blk {
		switch f.name {
		case "final-recipient":
			_, a := typed(f.value)
			rc.Recipient = normalizeAddress(a)
		case "original-recipient":
			_, a := typed(f.value)
			rc.OriginalRecipient = normalizeAddress(a)
		case "x-actual-recipient":
			if rc.Recipient == "" {
				_, a := typed(f.value)
				rc.Recipient = normalizeAddress(a)
			}
		case "action":
			rc.Action = parseAction(f.value)
		case "status":
			statusText = f.value
		case "remote-mta":
			_, rc.RemoteMTA = typed(f.value)
			rc.RemoteMTA = cleanHost(rc.RemoteMTA)
		case "diagnostic-code":
			rc.DiagnosticType, rc.Diagnostic = typed(f.value)
			if f.cut || len(rc.Diagnostic) > MaxDiagnosticBytes {
				rc.Diagnostic = cutUTF8String(rc.Diagnostic, MaxDiagnosticBytes)
				rc.DiagnosticTruncated = true
			}
		case "last-attempt-date":
			rc.LastAttemptDate = f.value
		case "will-retry-until":
			rc.WillRetryUntil = f.value
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
	for _, blk := range fieldBlocks(b, 64) {
		for _, f := range blk {
			switch f.name {
			case "feedback-type":
				fb.Type = toLower(f.value)
			case "user-agent":
				fb.UserAgent = f.value
			case "original-rcpt-to":
				if fb.OriginalRcptTo == "" {
					fb.OriginalRcptTo = f.value
				}
				if a := normalizeAddress(f.value); a != "" {
					fb.Recipients = append(fb.Recipients, a)
				}
			case "removal-recipient":
				// The opted-out address of the early ARF drafts (sample arf-12).
				if a := normalizeAddress(f.value); a != "" {
					removal = append(removal, a)
				}
			case "original-mail-from":
				fb.OriginalMailFrom = f.value
			case "source-ip":
				fb.SourceIP = f.value
			case "reported-domain":
				fb.ReportedDomain = f.value
			case "arrival-date", "received-date":
				fb.ArrivalDate = f.value
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
