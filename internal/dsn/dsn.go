// Package dsn reads bounce messages into facts: who failed, with which
// status and reply code, what the remote server said, and which message it
// was. It knows nothing of reasons, verdicts or storage.
//
// It reads the structured reports of RFC 3464 (message/delivery-status),
// RFC 6533 (message/global-delivery-status, UTF-8 fields), RFC 6522
// (multipart/report) and RFC 5965 (message/feedback-report), the returned
// original as message/rfc822, message/global or text/rfc822-headers (RFC
// 6522 section 4), RFC 3834 auto-replies, and the free-text bounces that
// MTAs send without a report part.
//
// Facts are read once, here: the enhanced status code (Status and the
// server's ServerStatus), the reply code, the SMTP command and the Stage of
// the dialogue that failed, the rejecting host (RemoteMTA) and its
// registered domain (RegisteredDomain, the project's one such helper), the
// rejecting host's address and the sending server's address (RefusingHost
// and Report.SendingIP, received.go, from the reply text, X-Originating-IP, the
// original's Received fields of RFC 5321 4.4, or Received-From-MTA; skipped
// for a caller that reads none of them, Options.SkipSendingIP).
// CompleteFacts does the same for a Recipient built from an MTA log line.
//
// Free text is read by the recognisers table (recognisers.go): one row per
// MTA or provider format (Postfix, Sendmail, Exim, qmail, Exchange, Office
// 365, Gmail, Amazon SES, ...), picked by cheap substring markers on the
// text lower-cased once, then a generic scanner and, for bounces that name
// no recipient in their text, X-Failed-Recipients, the VERP address the
// bounce was sent to, or the original's To (recognise.go). A report with a
// delivery-status part keeps its structure; its text adds what the part
// lacks and names the format (Report.DecodedBy).
//
// Deviations, all on purpose (see the QUIRK comments):
//   - Line endings may be CRLF, LF or CR alone; they are normalised to LF
//     before anything else (RFC 5322 section 2.1 requires CRLF).
//   - Header and DSN field blocks are read leniently: a line without a colon
//     is skipped instead of ending the block (RFC 3464 section 2.1 has no
//     such lines), and field names are matched case-insensitively.
//   - A missing or malformed Status field is filled from the code in the
//     diagnostic text (StatusFromText). A Status field that is written is
//     kept as written; the remote server's own code in the diagnostic is
//     reported beside it (ServerStatus), and which one decides a verdict is
//     classify's policy (RFC 3464 section 2.3.4 wants the most specific
//     code in the field; Sendmail, Postfix and Exchange often write 5.0.0
//     there).
//   - A report whose recipients all lack a Final-Recipient is completed from
//     the Original-Recipient or the text.
//   - A reply code is not read from a non-smtp diagnostic ("X-Unix; 255" is
//     an exit status).
//   - Text that declares no charset, or holds bytes that are not valid
//     UTF-8, is read as UTF-8 where it is valid and as Windows-1252 (a
//     superset of ISO-8859-1) byte by byte elsewhere; RFC 3464 section
//     2.1.1 and RFC 5322 make fields US-ASCII, but 8-bit server replies are
//     common. Every string of a Report is valid UTF-8.
//   - Bodies that declare a 7-bit charset but hold 8-bit UTF-8, EUC-JP or
//     Shift_JIS are read as what they hold; RFC 2047 words split in the
//     middle of a character are decoded together.
//   - A bounce forwarded by a person, quoted with '>', is read as the
//     bounce itself.
//
// Limits (Options): message size, MIME nesting depth, MIME part count and
// recipients per report. Crossing one returns an error that wraps
// ErrTooLarge, ErrTooDeep, ErrTooManyParts or ErrTooManyRecipients; every
// other problem yields a Report with Warnings. Internal caps keep the time
// linear in the input: the report text read (MaxTextBytes, also the text
// taken from HTML parts, which are read only when the message has no plain
// text: by htmlToTextFast, which follows the tokenization states of the HTML
// Living Standard as golang.org/x/net/html does, and by that tokenizer for
// what it leaves, scripts and other raw-text elements), the text kept as one diagnostic
// (maxDiagBytes), the codes looked at in one diagnostic (maxCodeScan). The
// markers of the recognisers and the stage phrases are found in one pass
// each by the shared matcher of package phrase.
//
// Memory is bounded while reading, not after (limits.go): decoders stop
// at the budget of their part (the room left for text, MaxPartBytes for a
// part kept whole, 1 MiB of HTML in all), DSN field values are cut at
// MaxFieldBytes before they are copied and diagnostics at
// MaxDiagnosticBytes (Recipient.DiagnosticTruncated), and a report's
// recipient blocks are counted as its fields are cut out, before any
// value is read, so one over MaxRecipients is refused for the price of a
// scan. A message costs at most about twice its size plus a fixed amount.
//
// # Passes
//
// Parse reads a message in a fixed order of passes, each over bytes no
// earlier pass has already read for the same purpose (DESIGN.md,
// "Budgets"):
//
//  1. walk: the header blocks (splitHeaderInto, a field's name and colon
//     read once), the MIME tree (splitMultipart finds each delimiter by
//     one search), each part decoded once into one buffer (decodeQP for
//     quoted-printable and base64.Encoding.Decode for base64 of plain
//     lines, in one pass, into memory the next Parse reuses;
//     convertCharsetInto for a charset when the body is in memory, into
//     that memory too; the streaming decoders of mime and go-message
//     otherwise) and the
//     delivery-status fields (views of the part, each name told by one
//     hash, dsnFieldOf; a value unfolded only when read). A message with
//     CRs is read from a copy with LF line ends, in reused memory too
//     (scratch.normalize): nothing a Report holds is a view of either.
//  2. newLowerTextInto: every marker of the tables found in the text's
//     lower case in one pass (phrase.Matcher.ScanLower, two or four
//     chains at once, no copy written); every later marker lookup asks
//     that filter first and then searches the text in any case up to the
//     marker (indexFold), and the marker lists are compiled once
//     (markers.go).
//  3. the recognisers: the table is walked over the rows its text
//     markers and its From, Subject and header markers pick
//     (msgView.rows: keySet, one scan of each), each row then tested as
//     before (matches); the lead phrases a text lacks are dropped before
//     its lines are read.
//  4. the facts: each diagnostic is scanned once per Parse (diagMemo),
//     by one matcher for its command, stage and host phrases (diagSet:
//     setStage and hostOf look for nothing the scan did not find, and
//     search the text in any case: no lower-case copy), the
//     original's headers once, with the auto-reply markers in the same
//     loop.
//
// A scan of the shared matcher waits on each state's load, one byte after
// another: a text of 256 bytes or more is read as two or four chains at
// once, the marker scan's (ScanLower) and those of the matchers that
// ignore case, on the X- fields and the diagnostics (scanFold).
//
// Work whose answer is known is skipped: a body that decodeBody returned
// as it was lies inside the message, whose line ends Parse normalised
// (parser.inRaw); a report Text taken from text addText or htmlText
// wrote is valid UTF-8 (Report.textValid); ISO-2022-JP and single-byte
// charsets copy their ASCII runs as they are (convertISO2022JP,
// convertCharmap). A report's one text part is not copied into a text of
// its own: it is read where it lies (parser.textView), and only the
// report kept, without the original pasted after it, is copied.
//
// The memory a Parse uses and drops (header fields, the lower-case X-
// fields, the text's marker hits) comes from a pool
// (scratch) and is never reachable from a Report. Values that are only
// compared (Content-Type, Content-Transfer-Encoding, Content-Disposition:
// header.getView) are read as views of the message's bytes, and short
// working lists (a multipart's parts, a DSN's groups, a diagnostic's
// lines, addresses) live in arrays on the stack; whatever a
// Report keeps is a copy (TestReportOwnsItsStrings overwrites the message
// after Parse). Parse also records what its callers would otherwise
// recompute: Report.TextASCII, the host of each Recipient.RemoteMTA,
// that every string was checked for UTF-8 (Report.CheckedUTF8).
//
// The memory a Report keeps can be reused too: ParseInto writes the
// Report, its first recipient, the original's first headers and
// Received fields, the copied strings (unfolded values, decoded encoded
// words, the report kept with the original) and a folded Content-Type
// into a Mem, which its caller resets once it is done with the Report (a
// server, once the answer is written: bounce.Engine.Release). What does
// not fit goes to the heap as in Parse.
package dsn

import (
	"errors"
	"fmt"
)

// Default limits; see Options.
const (
	DefaultMaxMessageBytes = 25 << 20 // 25 MiB, the largest message many providers accept
	DefaultMaxDepth        = 16       // nested multiparts and messages
	DefaultMaxParts        = 512      // MIME parts in one message
	DefaultMaxRecipients   = 1000     // recipients in one report
	// MaxTextBytes caps the human-readable text kept in Report.Text and
	// scanned by the recognisers.
	MaxTextBytes = 256 << 10
	// maxHeaderBytes caps one header block (go-message's default is 1 MiB).
	maxHeaderBytes = 1 << 20
)

var (
	// ErrTooLarge is returned for messages over Options.MaxMessageBytes.
	ErrTooLarge = errors.New("dsn: message too large")
	// ErrTooDeep is returned when MIME nesting exceeds Options.MaxDepth.
	ErrTooDeep = errors.New("dsn: MIME nesting too deep")
	// ErrTooManyParts is returned when a message has more than Options.MaxParts parts.
	ErrTooManyParts = errors.New("dsn: too many MIME parts")
	// ErrTooManyRecipients is returned when a report names more than Options.MaxRecipients recipients.
	ErrTooManyRecipients = errors.New("dsn: too many recipients")
	// ErrEmpty is returned for input with no message in it.
	ErrEmpty = errors.New("dsn: empty message")
	// ErrNotMessage is returned for input that has no header block at all.
	ErrNotMessage = errors.New("dsn: not an email message")
)

// Options are the limits of one Parse call, and a fact it may skip. Zero
// fields take the defaults.
type Options struct {
	// MaxMessageBytes is the largest raw message accepted (default 25 MiB).
	MaxMessageBytes int
	// MaxDepth is the deepest MIME nesting walked (default 16).
	MaxDepth int
	// MaxParts is the most MIME parts walked (default 512).
	MaxParts int
	// MaxRecipients is the most recipients accepted in one report (default 1000).
	MaxRecipients int
	// SkipSendingIP leaves Report.SendingIP, Report.SendingIPFrom and
	// Original.Received empty, for a caller that reads none of them: the
	// sending server's address is looked for in the diagnostics and the
	// original's Received fields, about 5 % of a Parse (internal/bounce
	// reads it only for its blocklist lookups).
	SkipSendingIP bool
}

func (o Options) withDefaults() Options {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxParts <= 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.MaxRecipients <= 0 {
		o.MaxRecipients = DefaultMaxRecipients
	}
	return o
}

// Parse reads one raw message. It returns an error only for input over a
// limit or input that is not a message; anything else it cannot read is
// recorded in Report.Warnings.
func Parse(raw []byte, opts Options) (*Report, error) {
	return ParseInto(raw, opts, nil)
}

// ParseInto is Parse filling mem (see Mem) instead of allocating where it
// has room; a nil mem is Parse. On an error, mem holds nothing the caller
// needs.
func ParseInto(raw []byte, opts Options, mem *Mem) (*Report, error) {
	opts = opts.withDefaults()
	if len(raw) > opts.MaxMessageBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), opts.MaxMessageBytes)
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	raw = sc.normalize(trimLeadingSpace(raw))
	raw = stripMboxFrom(raw)
	if len(raw) == 0 {
		return nil, ErrEmpty
	}
	p := parser{opts: opts, rep: mem.report(), mem: mem, raw: raw, fields: &sc.fields, scratch: sc, xheaders: sc.xheaders[:0]}
	defer func() { sc.xheaders = p.xheaders[:0] }() // keep the grown buffer
	if err := p.run(raw); err != nil {
		return nil, err
	}
	if opts.SkipSendingIP {
		p.rep.Original.Received = nil // read by sendingIP only (a recogniser may have kept some)
	}
	p.rep.ensureUTF8()
	p.rep.checked = true
	if !opts.SkipSendingIP {
		p.rep.SendingIP, p.rep.SendingIPFrom = sendingIP(p.rep)
	}
	return p.rep, nil
}
