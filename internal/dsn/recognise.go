package dsn

import (
	"strings"
)

// recognise reads recipients out of a report with no delivery-status part:
// first the recognisers of known MTA formats (recognisers.go), then the
// generic scanner, then RFC 3834 auto-replies.
func (p *parser) recognise(text string) {
	r := p.rep
	m := newMsgView(r, text)
	for i := range recognisers {
		rg := &recognisers[i]
		if !rg.matches(m) {
			continue
		}
		list := rg.read(m)
		if len(list) == 0 {
			continue
		}
		r.Recipients = list
		r.DecodedBy = rg.name
		return
	}
	if isAutoReply(r) {
		r.Kind = KindAutoReply
		r.DecodedBy = "rfc3834"
		if a := normalizeAddress(r.From); a != "" {
			// The auto-reply shows the original reached the mailbox.
			r.Recipients = []Recipient{{Recipient: a, Action: ActionDelivered}}
		}
		return
	}
	if !m.bounceLike {
		return
	}
	if list := scanBlock(m.text, m.exclude); len(list) > 0 {
		r.Recipients = list
		r.DecodedBy = "generic"
		return
	}
	// A bounce that names no address: the original's recipient is the one
	// that failed. Losing the verdict would be worse than this guess.
	if a := normalizeAddress(r.Original.To); a != "" && !strings.Contains(r.Original.To, ",") {
		d := firstDiagnosticLine(m.text)
		r.Recipients = []Recipient{{Recipient: a, Action: ActionFailed, Diagnostic: d}}
		r.DecodedBy = "generic-original"
	}
}

// msgView is what recognisers look at, computed once per message.
type msgView struct {
	rep        *Report
	text       string // the report text (before any inline original)
	lower      string // strings.ToLower(text)
	from       string // lower-case From of the bounce
	subject    string // lower-case Subject of the bounce
	bounceLike bool
	exclude    map[string]bool // addresses that are not failed recipients
}

func newMsgView(r *Report, text string) *msgView {
	m := &msgView{
		rep:     r,
		text:    text,
		lower:   strings.ToLower(text),
		from:    strings.ToLower(r.From),
		subject: strings.ToLower(r.Subject),
		exclude: map[string]bool{},
	}
	for _, a := range []string{r.From, r.To, r.ReturnTo, r.Original.From, r.Original.ReturnPath} {
		if n := normalizeAddress(a); n != "" {
			m.exclude[strings.ToLower(n)] = true
		}
	}
	m.bounceLike = bounceLike(m)
	return m
}

// bounceSenders and bounceSubjects mark a message as a bounce when it has
// no report part (lower case substrings).
var (
	bounceSenders = []string{"mailer-daemon", "postmaster", "mail delivery", "mail.delivery", "maildelivery",
		"bounce", "mdaemon", "mail administrator", "mailadmin", "system administrator", "nobody@", "noreply-dmarc"}
	bounceSubjects = []string{"undeliver", "undelivered", "delivery fail", "delivery status", "failure notice",
		"returned mail", "returned to sender", "delivery problem", "could not be delivered", "not delivered",
		"mail delivery", "non-delivery", "nondelivery", "delivery notification", "rejected", "error sending",
		"message delivery", "warning: message", "mail system error", "failed delivery", "delivery error",
		"unzustellbar", "non remis", "non recapitabile", "no se puede entregar", "onbestelbaar", "不達", "エラー"}
)

func bounceLike(m *msgView) bool {
	for _, s := range bounceSenders {
		if strings.Contains(m.from, s) {
			return true
		}
	}
	for _, s := range bounceSubjects {
		if strings.Contains(m.subject, s) {
			return true
		}
	}
	return false
}

// autoReplySubjects are subject prefixes of vacation and out-of-office
// replies in several languages (lower case).
var autoReplySubjects = []string{
	"auto:", "auto reply", "autoreply", "auto-reply", "automatic reply", "autoresponse", "autorespons",
	"auto response", "out of office", "out of the office", "ooo:", "away", "vacation", "on leave",
	"abwesenheit", "automatische antwort", "réponse automatique", "reponse automatique", "absence",
	"risposta automatica", "fuori sede", "respuesta automática", "respuesta automatica", "fuera de la oficina",
	"resposta automática", "automatisch antwoord", "afwezig", "automatyczna odpowied", "自動応答", "自動返信",
	"不在", "автоответ", "自动回复",
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
		a.Precedence == "auto_reply" || strings.Contains(strings.ToLower(a.Other), "vacation") {
		return true
	}
	s := strings.ToLower(subject)
	for _, p := range autoReplySubjects {
		if strings.HasPrefix(s, p) || strings.Contains(s, p) && a.Other != "" {
			return true
		}
	}
	return false
}

// scanBlock is the generic scanner: a recipient is an address at the start
// of a line (bare, in angle brackets or quotes, optionally followed by ':'
// or text), and its diagnostic is the rest of that line and the lines that
// follow up to an empty line or the next recipient.
func scanBlock(text string, exclude map[string]bool) []Recipient {
	var out []Recipient
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		addr, rest, ok := leadingAddress(lines[i])
		if !ok || exclude[strings.ToLower(addr)] || systemAddress(addr) {
			continue
		}
		diag := []string{}
		if s := strings.TrimSpace(strings.TrimLeft(rest, ":;,.>) ")); s != "" {
			diag = append(diag, s)
		}
		for j := i + 1; j < len(lines); j++ {
			l := strings.TrimSpace(lines[j])
			if l == "" {
				if len(diag) == 0 {
					continue // the diagnostic may start after one empty line
				}
				break
			}
			if _, _, ok := leadingAddress(lines[j]); ok {
				break
			}
			diag = append(diag, l)
			i = j
			if len(diag) >= 12 {
				break
			}
		}
		out = append(out, Recipient{Recipient: addr, Action: ActionFailed, Diagnostic: strings.Join(diag, " ")})
	}
	return out
}

// leadingAddress reads an address that starts a line.
func leadingAddress(line string) (addr, rest string, ok bool) {
	s := strings.TrimLeft(line, " \t")
	if s == "" {
		return "", "", false
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
		tok, rest = s[1:j+1], s[j+2:]
	default:
		j := strings.IndexAny(s, " \t:;,")
		if j < 0 {
			j = len(s)
		}
		tok, rest = s[:j], s[j:]
	}
	if !strings.Contains(tok, "@") || strings.ContainsAny(tok, " \t") {
		return "", "", false
	}
	a := normalizeAddress(tok)
	if a == "" || !strings.Contains(a[strings.LastIndexByte(a, '@'):], ".") {
		return "", "", false
	}
	return a, rest, true
}

// systemAddress reports the addresses of mail systems, never failed recipients.
func systemAddress(a string) bool {
	l := strings.ToLower(a)
	return strings.HasPrefix(l, "mailer-daemon@") || strings.HasPrefix(l, "postmaster@")
}

// firstDiagnosticLine returns the first line of text that carries a code
// or a failure word, for bounces that name no address.
func firstDiagnosticLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		d := ScanDiagnostic(l)
		if d.Reply != 0 || !d.Status.IsZero() {
			return l
		}
	}
	return ""
}

// mergeText completes DSN recipients from the report's free text, which
// often says more than the Diagnostic-Code (Postfix transcripts, Gmail's
// explanations): a recipient with no diagnostic, or one whose text carries
// a more specific code, takes it from the text block about it.
func (p *parser) mergeText(text string) {
	if text == "" {
		return
	}
	var blocks []Recipient
	for i := range p.rep.Recipients {
		rc := &p.rep.Recipients[i]
		if rc.Diagnostic != "" && !rc.Status.IsZero() && !rc.Status.Generic() {
			continue
		}
		if blocks == nil {
			blocks = scanBlock(text, nil)
		}
		for _, b := range blocks {
			if !strings.EqualFold(b.Recipient, rc.Recipient) || b.Diagnostic == "" {
				continue
			}
			if rc.Diagnostic == "" {
				rc.Diagnostic = b.Diagnostic
				break
			}
			d := ScanDiagnostic(b.Diagnostic)
			if !d.Status.IsZero() && !d.Status.Generic() {
				rc.Diagnostic = b.Diagnostic
			}
			break
		}
	}
}
