package dsn

import (
	"math/bits"
	"strings"

	"github.com/bounced/bounced/internal/phrase"
	"github.com/bounced/bounced/internal/smtpcode"
)

// Diagnosis is what a piece of free text says about a failure: the SMTP
// reply code, the enhanced status code, the SMTP command the reply
// answered, and the host that answered.
type Diagnosis struct {
	Reply   smtpcode.ReplyCode
	Status  smtpcode.Status
	Command string
	Host    string
}

// ScanDiagnostic reads the codes, command and host out of free text such as
// "host mx.example.com[192.0.2.1] said: 554 5.7.1 <a@b>: Relay access
// denied (in reply to RCPT TO command)".
//
// The status code is the first one that directly follows a reply code (the
// remote server's own answer, "550 5.7.1" or "550-'5.7.1"), else the first
// one standing alone; a reply code without a status is the first 4yz or
// 5yz one. When a reply and its status disagree in class ("554 4.4.7
// Message expired <421 4.4.2 Connection timed out>"), a later pair that
// agrees is the server's answer and wins.
func ScanDiagnostic(text string) Diagnosis {
	d, _ := scanDiagnostic(text)
	return d
}

// scanDiagnostic is ScanDiagnostic that also returns the stage phrases
// of text (setStage's), found in the same pass as the command phrases
// (diagSet).
func scanDiagnostic(text string) (Diagnosis, stageBits) {
	var d Diagnosis
	if text == "" {
		return d, 0
	}
	d = scanCodes(text)
	var hits phrase.Hits
	scanFold(diagSet, text, &hits) // in any case: diagSet ignores it
	// commandOf and hostOf search the text, in any ASCII case, only for
	// a command lead or a host marker the scan found (most diagnostics
	// have none): no lower-case copy.
	d.Command = commandOf(text, &hits)
	d.Host = hostOf(text, &hits)
	return d, stageBitsOf(&hits)
}

// hasCode reports whether text carries a failure reply code or a status
// code: scanCodes(text).hasCode(), which is that smtpcode.Find finds a
// status, else that firstFailureReply finds a 4yz or 5yz code, without
// scanCodes' search for the status that pairs with a reply.
func hasCode(text string) bool {
	if hasCodeWithin(text) {
		return true
	}
	c := startReply(text)
	return c.Temporary() || c.Permanent()
}

// hasCodeWithin is hasCode without startReply's look at the start of
// text: what hasCode says of text after other text without a code and a
// space (scanRecipients), since the space glues neither a code nor its
// context from one to the other.
func hasCodeWithin(text string) bool {
	if _, _, _, ok := smtpcode.Find(text); ok {
		return true
	}
	return failureReplyIn(text) != 0
}

// hasCode reports whether the diagnosis has a failure reply code or a
// status code: hasCode(text) is ScanDiagnostic(text).hasCode().
func (d Diagnosis) hasCode() bool {
	return d.Reply.Temporary() || d.Reply.Permanent() || !d.Status.IsZero()
}

// maxCodeScan caps the status codes looked at in one text.
const maxCodeScan = 32

// scanCodes is the part of ScanDiagnostic that reads the reply and status
// codes.
func scanCodes(text string) (d Diagnosis) {
	paired := false // the status came with a reply code, as the server's answer
	var first, pair, agree smtpcode.Status
	var pairReply, agreeReply smtpcode.ReplyCode
	off := 0
	for n := 0; n < maxCodeScan && off < len(text); n++ {
		st, i, j, ok := smtpcode.Find(text[off:])
		if !ok {
			break
		}
		if first.IsZero() {
			first = st
		}
		if c, ok := replyBefore(text[:off+i]); ok {
			if pair.IsZero() {
				pair, pairReply = st, c
			}
			if c.Class() == st.Class {
				agree, agreeReply = st, c
				break
			}
		}
		off += j
	}
	switch {
	case !agree.IsZero() && (pair.IsZero() || pairReply.Class() != pair.Class):
		d.Status, d.Reply, paired = agree, agreeReply, true
	case !pair.IsZero():
		d.Status, d.Reply, paired = pair, pairReply, true
	default:
		d.Status = first
	}
	if d.Reply == 0 {
		d.Reply = firstFailureReply(text)
	}
	// A reply code and a status of different classes disagree; the status
	// is then likely unrelated text ("550 ... see 4.2.1 of our policy").
	if !paired && d.Reply != 0 && !d.Status.IsZero() && d.Reply.Class() != d.Status.Class && d.Status.Class != 2 {
		if c2 := d.Reply.Class(); c2 == 4 || c2 == 5 {
			if alt, ok := findStatusOfClass(text, c2); ok {
				d.Status = alt
			}
		}
	}
	return d
}

// findStatusOfClass returns the first status code of class c in text.
func findStatusOfClass(text string, c int) (smtpcode.Status, bool) {
	for off, n := 0, 0; off < len(text) && n < maxCodeScan; n++ {
		st, _, j, ok := smtpcode.Find(text[off:])
		if !ok {
			break
		}
		if st.Class == c {
			return st, true
		}
		off += j
	}
	return smtpcode.Status{}, false
}

// replyBefore reads a reply code that directly precedes a status code:
// "554 5.7.1" or "550-5.1.1".
func replyBefore(prefix string) (smtpcode.ReplyCode, bool) {
	p := setReplyTrail.trimRight(prefix)
	if len(p) < 3 {
		return 0, false
	}
	c, err := smtpcode.ParseReplyCode(p[len(p)-3:])
	if err != nil {
		return 0, false
	}
	if len(p) > 3 {
		b := p[len(p)-4]
		if b >= '0' && b <= '9' || b == '.' || (b|0x20) >= 'a' && (b|0x20) <= 'z' {
			return 0, false
		}
	}
	return c, true
}

// firstFailureReply finds the first 4yz or 5yz reply code standing alone;
// a 2yz or 3yz code counts only when it starts the text ("250 OK").
func firstFailureReply(text string) smtpcode.ReplyCode {
	if c := failureReplyIn(text); c != 0 {
		return c
	}
	return startReply(text)
}

// failureReplyIn finds the first 4yz or 5yz reply code standing alone in
// text, or returns 0.
func failureReplyIn(text string) smtpcode.ReplyCode {
	for off := 0; off < len(text); {
		c, i, ok := smtpcode.FindReply(text[off:])
		if !ok {
			break
		}
		if c.Temporary() || c.Permanent() {
			return c
		}
		off += i + 3
	}
	return 0
}

// startReply reads a reply code of any class that starts text, after
// spaces and tabs, judged on its first four bytes ("250 OK", "550.").
func startReply(text string) smtpcode.ReplyCode {
	if t := setSpaceTab.trimLeft(text); len(t) >= 3 {
		if c, i, ok := smtpcode.FindReply(t[:min(len(t), 4)]); ok && i == 0 {
			return c
		}
	}
	return 0
}

// commandLeads are the words after which MTAs name the SMTP command a
// reply answered, and commandWords the names that may follow them:
// Postfix "(in reply to RCPT TO command)", Exim "after RCPT TO:<a@b>".
var (
	commandLeads = []struct {
		lead string
		by   int // indexBy's k: "reply to " and "fter " start with rarer bytes
	}{{"in reply to ", 3}, {"after ", 1}}
	commandWords = []struct{ word, cmd string }{
		{"end of data", "DATA"}, {"data", "DATA"}, {"rcpt to", "RCPT"}, {"mail from", "MAIL"},
		{"ehlo", "EHLO"}, {"helo", "HELO"}, {"starttls", "STARTTLS"}, {"auth", "AUTH"},
		{"initial greeting", "CONN"}, {"initial connection", "CONN"}, {"the greeting", "CONN"},
	}
	// commandPhrases name a command on their own; first match wins.
	commandPhrases = []struct{ phrase, cmd string }{
		{"rcpt to response", "RCPT"},              // qmail
		{"connected but greeting failed", "CONN"}, // qmail
		// qmail-remote(8): "Connected to 192.0.2.1 but greeting failed.",
		// "... but my name was rejected." (HELO), "... but sender was
		// rejected." (MAIL), "192.0.2.1 does not like recipient.", "192.0.2.1
		// failed after I sent the message." (end of data).
		{"but greeting failed", "CONN"},
		{"but my name was rejected", "HELO"},
		{"but sender was rejected", "MAIL"},
		{"does not like recipient", "RCPT"},
		{"failed after i sent the message", "DATA"},
		// Postfix smtp(8): "host X[ip] refused to talk to me: 554 ..." is the
		// greeting; "timed out while receiving the initial server greeting".
		{"refused to talk to me", "CONN"},
		{"initial server greeting", "CONN"},
		{"while connected to", "CONN"},         // Sendmail (timeouts)
		{"recipient address rejected", "RCPT"}, // Postfix smtpd RCPT restrictions
		{"rcpt to:", "RCPT"},                   // transcripts ">>> RCPT To:<a@b>", qmail
		{"mail from:", "MAIL"},                 // transcripts
		{">>> data", "DATA"},                   // Sendmail transcripts
		{"[rcpt_to]", "RCPT"},                  // Yahoo
	}
)

// maxCommandLeads caps the lead words looked at in one text.
const maxCommandLeads = 8

// commandOf reads the command a diagnostic names, in any ASCII case;
// hits are its diagSet phrases.
func commandOf(text string, hits *phrase.Hits) string {
	// One pass found every phrase and lead; the leads come first, then
	// the table's order picks the winner.
	for k, cl := range commandLeads {
		if !hits.Has(len(commandPhrases) + k) {
			continue // not in the text
		}
		lead := cl.lead
		for off, n := 0, 0; n < maxCommandLeads; n++ {
			i := indexFold(text[off:], lead, cl.by)
			if i < 0 {
				break
			}
			off += i + len(lead)
			for _, w := range commandWords {
				if hasPrefixASCIIFold(text[off:], w.word) {
					return w.cmd
				}
			}
		}
	}
	// The first phrase of the table found: ids 0 to len(commandPhrases)-1
	// (a phrase that repeats an earlier one is found under that one's
	// id, which also comes first).
	if b := hitBits(hits, 0) & (1<<len(commandPhrases) - 1); b != 0 {
		return commandPhrases[bits.TrailingZeros64(b)].cmd
	}
	return ""
}

// hitBits returns the word of h's phrase ids from to from+63: bit i is
// h.Has(from+i) (ids past phrase.MaxPhrases read as absent). Hits keep
// id k as bit k%64 of word k/64; TestHitBits checks this against Has.
func hitBits(h *phrase.Hits, from int) uint64 {
	w, s := from>>6, uint(from&63)
	if w >= len(h) {
		return 0
	}
	x := h[w] >> s
	if s != 0 && w+1 < len(h) {
		x |= h[w+1] << (64 - s)
	}
	return x
}

// diagSet finds, in one pass over a diagnostic and in any ASCII case,
// commandPhrases (id i is commandPhrases[i]), commandLeads (id
// len(commandPhrases)+k is commandLeads[k]), and stagePhrases then
// deliveryPhrases (ids diagStageIDs): ScanDiagnostic's command and
// setStage's stage from the same scan (diagMemo keeps the stage's).
var diagSet, diagStageIDs = func() (*phrase.Matcher, []int) {
	list := make([]string, 0, len(commandPhrases)+len(commandLeads)+len(stagePhrases)+len(deliveryPhrases))
	for _, c := range commandPhrases {
		list = append(list, c.phrase)
	}
	for _, cl := range commandLeads {
		list = append(list, cl.lead)
	}
	for _, p := range stagePhrases {
		list = append(list, p.phrase)
	}
	list = append(list, deliveryPhrases...)
	list = append(list, hostMarkers...)
	list = append(list, hostWord)
	m, err := phrase.CompileFold(list)
	if err != nil {
		panic(err)
	}
	// A phrase that repeats an earlier one is found under that one's id;
	// one that repeats an earlier stage phrase is never found, as in
	// stageSet (-1).
	for k, s := range hostMarkers {
		diagHostMarkerIDs[k], _ = m.ID(s)
	}
	diagHostWordID, _ = m.ID(hostWord)
	ids := make([]int, 0, len(stagePhrases)+len(deliveryPhrases))
	for i, s := range list[len(commandPhrases)+len(commandLeads) : len(list)-len(hostMarkers)-1] {
		id, _ := m.ID(s)
		if first, _ := stageSet.ID(s); first != i {
			id = -1
		}
		ids = append(ids, id)
	}
	return m, ids
}()

// diagHostMarkerIDs and diagHostWordID are the ids in diagSet of
// hostMarkers and hostWord, which hostOf looks for only when the scan
// found them.
var (
	diagHostMarkerIDs = make([]int, len(hostMarkers))
	diagHostWordID    int
)

// hostWord starts hostOf's "host X said" (in lower case).
const hostWord = "host "

// stageBits are the stage and delivery phrases found in a diagnostic, bit
// i for stageSet's id i (stagePhrases, then deliveryPhrases).
type stageBits uint64

// stageBitsOf reads the stage phrases out of diagSet's hits: those whose
// id is where the list put them, after the command phrases and leads
// (diagStageBase), as one word, and the few that repeat a command phrase
// (diagStageMoved) one by one.
func stageBitsOf(h *phrase.Hits) stageBits {
	b := stageBits(hitBits(h, diagStageBase)) & diagStageDirect
	for _, m := range diagStageMoved {
		if h.Has(m.id) {
			b |= 1 << m.bit
		}
	}
	return b
}

// diagStageBase is the first stage phrase's place in diagSet's list;
// diagStageDirect has bit i set when stage phrase i is found under the id
// base+i, and diagStageMoved lists the others that can be found (a
// repeated command phrase's id; -1 never is).
var diagStageBase, diagStageDirect, diagStageMoved = func() (int, stageBits, []struct{ bit, id int }) {
	if len(diagStageIDs) > 64 || len(commandPhrases) > 63 {
		panic("dsn: stageBits and commandOf read at most 64 phrases as one word")
	}
	base := len(commandPhrases) + len(commandLeads)
	var direct stageBits
	var moved []struct{ bit, id int }
	for i, id := range diagStageIDs {
		switch id {
		case base + i:
			direct |= 1 << i
		case -1:
		default:
			moved = append(moved, struct{ bit, id int }{i, id})
		}
	}
	return base, direct, moved
}()

// hostOf reads the host that answered: "host X[ip] said:", "host X
// [ip]:", "X [ip] did not like our RCPT TO:", "connect to X[ip]:",
// "remote host X said". A name in angle brackets ("<X[ip]>: Client host
// rejected") is the client, not the server, and is skipped.
//
// hits, when not nil, are text's diagSet phrases: a marker they lack is
// not looked for. The markers are found in any ASCII case.
func hostOf(text string, hits *phrase.Hits) string {
	best, host := len(text), ""
	// "host X" followed by '[', '(', ':' or " said".
	for off := 0; off < len(text) && (hits == nil || hits.Has(diagHostWordID)); {
		i := indexFold(text[off:], hostWord, 0)
		if i < 0 {
			break
		}
		i += off + len(hostWord)
		off = i
		rest := text[i:min(len(text), i+maxHostName)]
		end := setHostEnd.indexAny(rest)
		if end < 0 {
			end = len(rest)
		}
		h := strings.TrimSuffix(rest[:end], ".")
		after := strings.TrimLeft(rest[end:], " ")
		if strings.Contains(h, ".") && validHostChars(h) && (after == "" || strings.ContainsRune("[(:", rune(after[0])) || strings.HasPrefix(after, "said")) {
			best, host = i, h
			break
		}
	}
	if h, ok := hostBeforeLiteral(text, best); ok {
		return h
	}
	if host == "" {
		host = hostAfter(text, hostMarkers, hits)
	}
	return toLower(host)
}

// hostBeforeLiteral reads "X[ip]" or "X [ip]" in text before offset best:
// the first host name, in lower case, directly before an address
// literal, not in angle brackets.
func hostBeforeLiteral(text string, best int) (string, bool) {
	for off := 0; off < best; {
		i := strings.IndexByte(text[off:best], '[')
		if i < 0 {
			break
		}
		i += off
		off = i + 1
		j := strings.IndexByte(text[i:min(len(text), i+maxLiteral)], ']')
		if j < 0 || !ipLiteral(text[i+1:i+j]) {
			continue
		}
		k := i
		if k > 0 && text[k-1] == ' ' {
			k--
		}
		lo := max(0, k-maxHostName)
		s := lo + strings.LastIndexAny(text[lo:k], " \t\n(<:,;'\"") + 1
		h := strings.TrimSuffix(text[s:k], ".")
		if s > 0 && text[s-1] == '<' || !strings.Contains(h, ".") || !validHostChars(h) {
			continue
		}
		// QUIRK: "550 5.7.1 [192.0.2.1] Our system has detected..." (Gmail's
		// replies quote the client address): a status code before an
		// address literal is not a host name.
		if strings.Trim(h, "0123456789.") == "" && ipLiteral(text[i+1:i+j]) && strings.Count(h, ".") == 2 {
			continue
		}
		return toLower(h), true
	}
	return "", false
}

// hostMarkers are the words after which a diagnostic names the host that
// answered, tried when no "host X" or "X[ip]" is present: Sendmail "while
// talking to mx.example.com.", "connect to mx.example.com", "blocked by
// mx.example.com".
var hostMarkers = []string{"connect to ", "talking to ", " by "}

// maxHostMarkers caps the markers looked at in one text.
const maxHostMarkers = 16

// hostAfter returns the first name with a dot and a letter that follows one
// of markers (lower case) in text, in any ASCII case, or "".
// hits, when not nil, are text's diagSet phrases (markers is hostMarkers).
func hostAfter(text string, markers []string, hits *phrase.Hits) string {
	for k, marker := range markers {
		if hits != nil && !hits.Has(diagHostMarkerIDs[k]) {
			continue // not in the text
		}
		by := 0
		if marker[0] == ' ' {
			by = 1 // spaces are the most common byte of a text
		}
		for off, n := 0, 0; off < len(text) && n < maxHostMarkers; n++ {
			i := indexFold(text[off:], marker, by)
			if i < 0 {
				break
			}
			start := off + i + len(marker)
			j := start
			for j < len(text) && j-start < maxHostName && isHostByte(lowerByte[text[j]]) {
				j++
			}
			name := strings.TrimRight(text[start:j], ".-")
			if strings.IndexByte(name, '.') > 0 && strings.IndexFunc(name, isLetterFold) >= 0 {
				return name
			}
			off = start
		}
	}
	return ""
}

func isHostByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_'
}

// isLetterFold reports an ASCII letter in either case.
func isLetterFold(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// maxLiteral and maxHostName bound the look-around of hostOf (RFC 1035
// names are at most 253 bytes; an IPv6 literal with a port fits in 64).
const (
	maxLiteral  = 64
	maxHostName = 255
)

// ipLiteral reports an address literal as MTAs print it: "192.0.2.1",
// "IPv6:2001:db8::1", "2001:db8::1", possibly with ":port".
func ipLiteral(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "IPv6:"), "ipv6:")
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return strings.ContainsAny(s, ".:")
}

func validHostChars(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || (c|0x20) >= 'a' && (c|0x20) <= 'z') {
			return false
		}
	}
	return true
}

// completeFromDiagnostic fills the reply code, the server's status code,
// the command and the remote host from the diagnostic text, and the Status
// from the text when the report has no Status field.
func completeFromDiagnostic(rc *Recipient) { completeFromDiagnosticMemo(rc, nil) }

// completeFromDiagnosticMemo is completeFromDiagnostic scanning through
// memo (nil for none).
func completeFromDiagnosticMemo(rc *Recipient, memo *diagMemo) {
	if rc.Diagnostic == "" {
		return
	}
	completeWith(rc, memo.scan(rc.Diagnostic))
}

// diagMemo remembers the last few diagnoses of one Parse: mergeText
// scans a recipient's diagnostic, and completeFromDiagnostic the same text
// again.
type diagMemo struct {
	text  [4]string
	d     [4]Diagnosis
	stage [4]stageBits // the stage phrases of text (scanDiagnostic)
	n     int
}

// scan is ScanDiagnostic(text), from the memo when text was scanned lately.
func (m *diagMemo) scan(text string) Diagnosis {
	if m == nil {
		return ScanDiagnostic(text)
	}
	for i := range min(m.n, len(m.text)) {
		if m.text[i] == text {
			return m.d[i]
		}
	}
	d, st := scanDiagnostic(text)
	k := m.n % len(m.text)
	m.text[k], m.d[k], m.stage[k] = text, d, st
	m.n++
	return d
}

// stages returns the stage phrases of text when it was scanned lately.
func (m *diagMemo) stages(text string) (stageBits, bool) {
	if m != nil {
		for i := range min(m.n, len(m.text)) {
			if m.text[i] == text {
				return m.stage[i], true
			}
		}
	}
	return 0, false
}

// completeWith is completeFromDiagnostic with d = ScanDiagnostic(rc.Diagnostic).
func completeWith(rc *Recipient, d Diagnosis) {
	// QUIRK: "X-Unix; 255" is a program's exit status, not a reply code
	// (RFC 3464 section 2.3.6 leaves non-smtp types to their own grammar).
	if rc.ReplyCode == 0 && !strings.HasPrefix(rc.DiagnosticType, "x-unix") {
		rc.ReplyCode = d.Reply
	}
	if !d.Status.IsZero() {
		if rc.ServerStatus.IsZero() || rc.ServerStatus.Generic() && !d.Status.Generic() {
			rc.ServerStatus = d.Status
		}
		if rc.Status.IsZero() {
			rc.Status, rc.StatusFromText = d.Status, true
		}
	}
	if rc.Command == "" {
		rc.Command = d.Command
	}
	if rc.RemoteMTA == "" && d.Host != "" {
		rc.RemoteMTA = d.Host
	}
}

// CompleteFacts fills the facts of rc that its Diagnostic holds and its
// fields lack: the reply code, the server's status code, the Status when
// there is none, the command, the remote host, the stage and the rejecting
// host's registered domain. Parse does this for every recipient; a caller
// that builds a Recipient itself (from an MTA log line, say) calls it once.
func CompleteFacts(rc *Recipient) {
	completeFromDiagnostic(rc)
	finishRecipient(rc)
}

// finishRecipient fills the facts derived from the others: the stage and
// the rejecting host's registered domain.
func finishRecipient(rc *Recipient) { finishRecipientMemo(rc, nil) }

// finishRecipientMemo is finishRecipient reading the stage phrases of a
// diagnostic memo scanned (setStage).
func finishRecipientMemo(rc *Recipient, memo *diagMemo) {
	setStage(rc, memo)
	h := hostOfRemoteMTA(rc.RemoteMTA)
	rc.keepRemoteHost(h)
	if h != "" {
		rc.RemoteMTADomain = RegisteredDomain(h)
	}
}
