// Package mtalog reads delivery failures out of MTA logs, for the
// failures an ESP sees only there: synchronous rejections that never
// become a bounce email. It knows three formats:
//
//   - Postfix (smtp, lmtp, local, virtual, error delivery agents):
//     "QUEUEID: to=<rcpt>, relay=host[ip]:port, ..., dsn=5.1.1,
//     status=bounced (host X[ip] said: 550 ... (in reply to RCPT TO command))"
//     and status=deferred; status=sent and others are not failures.
//   - Exim main log: "** rcpt ... : SMTP error from remote mail server
//     after RCPT TO:<rcpt>: 550 ..." (a failure) and "== rcpt ... defer
//     (-44) H=host [ip]: ..." (a deferral).
//   - KumoMTA JSON log records (https://docs.kumomta.com/reference/log_record/):
//     type Bounce, Expiration, AdminBounce and OOB are failures,
//     TransientFailure a deferral; Delivery, Reception and Feedback are
//     not failures.
//
// A Record carries the log's own words and fields, not their meaning:
// the reply text is read into status, reply code and command by
// internal/dsn (ReplyRecipient), once, like every other fact. Deferrals
// are soft by construction (the MTA will retry) and say so in Deferred.
//
// QUIRK: syslog prefixes vary (BSD "Nov 29 10:00:01 host", RFC 3339
// "2026-11-29T10:00:01+00:00 host", journald exports); the Postfix reader
// looks for "postfix" and the "status=" field instead of parsing the
// prefix, and keeps the first two fields as the time.
//
// Limits: lines longer than MaxLineBytes are skipped and counted
// (Scanner.TooLong), and reading goes on; a line yields one Record per
// failed recipient (several only in a KumoMTA batch record).
package mtalog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxLineBytes is the longest log line read (KumoMTA records with headers
// can be long; Postfix lines are under 2 KiB).
const MaxLineBytes = 256 << 10

// Record is one failed or deferred delivery attempt.
type Record struct {
	// Format is "postfix", "exim" or "kumomta".
	Format string
	// Line is the 1-based line number in the input.
	Line int
	// Time is the log's timestamp as written (KumoMTA: RFC 3339).
	Time string
	// QueueID is the MTA's message id.
	QueueID   string
	Recipient string
	// OriginalRecipient is Postfix orig_to / Exim's "<original>", when logged.
	OriginalRecipient string
	Sender            string
	// Deferred is true when the MTA will try again (soft).
	Deferred bool
	// RemoteHost and RemoteIP are the server that answered, when logged.
	RemoteHost, RemoteIP string
	// SendingIP is the local address the MTA sent from, when logged (KumoMTA).
	SendingIP string
	// Command is the SMTP command the reply answered, when the log states
	// it as a field (KumoMTA); in text logs it is part of Text.
	Command string
	// Text is the failure as the MTA logged it: the remote server's reply
	// with the MTA's framing ("host X said: 550 5.1.1 ... (in reply to RCPT
	// TO command)"), or the MTA's own words ("connect to X: Connection
	// timed out").
	Text string
}

// Parse reads one line; ok is false for lines that are not failures.
// For a KumoMTA batch record naming several recipients it returns the
// first; Scanner returns them all.
func Parse(line string) (Record, bool) {
	recs := parseAll(line)
	if len(recs) == 0 {
		return Record{}, false
	}
	return recs[0], true
}

// parseAll reads one line into its Records, one per failed recipient.
func parseAll(line string) []Record {
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(strings.TrimLeft(line, " \t"), "{") {
		return parseKumo(line)
	}
	if r, ok := parseText(line); ok {
		return []Record{r}
	}
	return nil
}

// parseText reads a Postfix or Exim line.
func parseText(line string) (Record, bool) {
	switch {
	case strings.Contains(line, "status=bounced") || strings.Contains(line, "status=deferred") ||
		strings.Contains(line, "status=undeliverable"):
		return parsePostfix(line)
	case strings.Contains(line, " ** ") || strings.Contains(line, " == "):
		return parseExim(line)
	}
	return Record{}, false
}

// Scanner reads Records from a log, skipping other lines. A line longer
// than MaxLineBytes is skipped too and counted in TooLong; reading goes on.
type Scanner struct {
	r    *bufio.Reader
	rec  Record
	line int
	err  error
	buf  []byte
	more []Record // the other recipients of the current line
	// TooLong counts the lines skipped for being over MaxLineBytes.
	TooLong int
}

// NewScanner reads r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// Scan advances to the next Record; false at the end or on a read error.
func (s *Scanner) Scan() bool {
	for len(s.more) == 0 {
		line, ok := s.readLine()
		if !ok {
			return false
		}
		s.more = parseAll(line)
		for i := range s.more {
			s.more[i].Line = s.line
		}
	}
	s.rec, s.more = s.more[0], s.more[1:]
	return true
}

// readLine returns the next line within MaxLineBytes, skipping longer ones.
func (s *Scanner) readLine() (string, bool) {
	for {
		s.buf = s.buf[:0]
		tooLong := false
		for {
			chunk, err := s.r.ReadSlice('\n')
			if !tooLong {
				if len(s.buf)+len(chunk) > MaxLineBytes+1 {
					tooLong, s.buf = true, s.buf[:0]
				} else {
					s.buf = append(s.buf, chunk...)
				}
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				s.err = err
				return "", false
			}
			if err != nil && len(s.buf) == 0 && !tooLong {
				return "", false // the end
			}
			break
		}
		s.line++
		if tooLong {
			s.TooLong++
			continue
		}
		return string(s.buf), true
	}
}

// Record returns the current Record.
func (s *Scanner) Record() Record { return s.rec }

// Lines returns the number of lines read so far.
func (s *Scanner) Lines() int { return s.line }

// Err returns the read error that stopped Scan, if any.
func (s *Scanner) Err() error { return s.err }

// parsePostfix reads a delivery agent's status line.
//
//	Nov 29 10:00:01 mail postfix/smtp[1234]: 4F3A21234: to=<a@b>,
//	  orig_to=<c@d>, relay=mx.b[192.0.2.1]:25, delay=1, delays=0/0/0/1,
//	  dsn=5.1.1, status=bounced (host mx.b[192.0.2.1] said: 550 ...)
func parsePostfix(line string) (Record, bool) {
	i := strings.Index(line, "postfix")
	if i < 0 {
		return Record{}, false
	}
	r := Record{Format: "postfix", Time: timePrefix(line[:i])}
	rest := line[i:]
	// "postfix/smtp[1234]: QUEUEID: to=<...>, ..."
	j := strings.Index(rest, "]: ")
	if j < 0 {
		return Record{}, false
	}
	rest = rest[j+3:]
	if k := strings.Index(rest, ": "); k > 0 && !strings.Contains(rest[:k], "=") {
		r.QueueID, rest = rest[:k], rest[k+2:]
	}
	st := strings.Index(rest, "status=")
	if st < 0 {
		return Record{}, false
	}
	for _, f := range strings.Split(rest[:st], ", ") {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			continue
		}
		switch k {
		case "to":
			r.Recipient = trimAngle(v)
		case "orig_to":
			r.OriginalRecipient = trimAngle(v)
		case "relay":
			r.RemoteHost, r.RemoteIP = hostIP(v)
		}
	}
	status := rest[st+len("status="):]
	word, text, _ := strings.Cut(status, " ")
	switch word {
	case "bounced", "undeliverable":
	case "deferred":
		r.Deferred = true
	default:
		return Record{}, false
	}
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "(") && strings.HasSuffix(text, ")") {
		text = text[1 : len(text)-1]
	}
	r.Text = text
	if r.Recipient == "" {
		return Record{}, false
	}
	return r, true
}

// parseExim reads a main log failure (**) or deferral (==) line.
//
//	2026-11-29 10:00:01 1tABCD-000123-AB ** a@b <orig@c> R=dnslookup
//	  T=remote_smtp H=mx.b [192.0.2.1] X=TLS1.3:...: SMTP error from
//	  remote mail server after RCPT TO:<a@b>: 550 5.1.1 ...
func parseExim(line string) (Record, bool) {
	flag := " ** "
	i := strings.Index(line, flag)
	deferred := false
	if j := strings.Index(line, " == "); j >= 0 && (i < 0 || j < i) {
		i, flag, deferred = j, " == ", true
	}
	if i < 0 {
		return Record{}, false
	}
	r := Record{Format: "exim", Deferred: deferred}
	head := strings.Fields(line[:i])
	if len(head) == 0 {
		return Record{}, false
	}
	r.QueueID = head[len(head)-1]
	r.Time = strings.Join(head[:len(head)-1], " ")
	rest := line[i+len(flag):]
	// The error text follows the first ": " outside the recipient and the
	// fields; Exim writes " : " (failures) or "]: " / ": " (deferrals).
	fields, text := rest, ""
	if k := strings.Index(rest, "SMTP error from remote mail server"); k >= 0 {
		fields, text = rest[:k], rest[k:]
	} else if k := strings.Index(rest, ": "); k >= 0 {
		fields, text = rest[:k], rest[k+2:]
	}
	fs := strings.Fields(strings.TrimRight(strings.TrimSpace(fields), ":"))
	if len(fs) == 0 || !strings.Contains(fs[0], "@") {
		return Record{}, false
	}
	r.Recipient = trimAngle(fs[0])
	for n, f := range fs[1:] {
		switch {
		case n == 0 && strings.HasPrefix(f, "<"):
			r.OriginalRecipient = trimAngle(f)
		case strings.HasPrefix(f, "H="):
			r.RemoteHost = strings.TrimPrefix(f, "H=")
			// "H=mx.b [192.0.2.1]" puts the address in the next field.
			if n+2 < len(fs) && strings.HasPrefix(fs[n+2], "[") {
				r.RemoteIP = strings.Trim(fs[n+2], "[]:")
			}
		case strings.HasPrefix(f, "F=<"):
			r.Sender = trimAngle(strings.TrimPrefix(f, "F="))
		}
	}
	r.Text = strings.TrimSpace(strings.TrimPrefix(text, ":"))
	// QUIRK: "== a@b R=dnslookup defer (-54): retry time not reached for
	// any host" is written on every queue run that makes no attempt; it
	// carries no new answer and would count one deferral many times.
	if deferred && strings.Contains(r.Text, "retry time not reached") {
		return Record{}, false
	}
	return r, true
}

// kumoRecord is the part of a KumoMTA log record that bounced reads.
type kumoRecord struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Sender    string          `json:"sender"`
	Recipient json.RawMessage `json:"recipient"`
	Response  struct {
		Code         int `json:"code"`
		EnhancedCode *struct {
			Class, Subject, Detail int
		} `json:"enhanced_code"`
		Content string `json:"content"`
		Command string `json:"command"`
	} `json:"response"`
	PeerAddress struct {
		Name string `json:"name"`
		Addr string `json:"addr"`
	} `json:"peer_address"`
	SourceAddress *struct {
		Address string `json:"address"`
	} `json:"source_address"`
	Timestamp json.Number `json:"timestamp"`
}

func parseKumo(line string) []Record {
	var k kumoRecord
	if err := json.Unmarshal([]byte(line), &k); err != nil {
		return nil
	}
	r := Record{Format: "kumomta", QueueID: k.ID, Sender: k.Sender}
	switch k.Type {
	case "Bounce", "Expiration", "AdminBounce", "OOB":
	case "TransientFailure":
		r.Deferred = true
	default:
		return nil
	}
	// Newer KumoMTA logs an array of recipients for a batch: one Record
	// each, so that none of them is lost.
	var one string
	var many []string
	if json.Unmarshal(k.Recipient, &one) == nil {
		many = []string{one}
	} else if json.Unmarshal(k.Recipient, &many) != nil {
		return nil
	}
	if ts, err := k.Timestamp.Int64(); err == nil && ts > 0 {
		r.Time = time.Unix(ts, 0).UTC().Format(time.RFC3339)
	}
	r.RemoteHost = strings.TrimSuffix(k.PeerAddress.Name, ".")
	r.RemoteIP = k.PeerAddress.Addr
	if k.SourceAddress != nil {
		r.SendingIP = stripPort(k.SourceAddress.Address)
	}
	switch c := strings.ToUpper(strings.TrimSpace(k.Response.Command)); {
	case strings.HasPrefix(c, "RCPT"):
		r.Command = "RCPT"
	case strings.HasPrefix(c, "MAIL"):
		r.Command = "MAIL"
	case c == "." || c == "DATA":
		r.Command = "DATA"
	case c != "":
		r.Command = strings.Fields(c)[0]
	}
	// The reply as the server sent it: "550 5.1.1 content".
	var b strings.Builder
	if k.Response.Code > 0 {
		b.WriteString(strconv.Itoa(k.Response.Code))
		b.WriteByte(' ')
	}
	if e := k.Response.EnhancedCode; e != nil && e.Class > 0 {
		fmt.Fprintf(&b, "%d.%d.%d ", e.Class, e.Subject, e.Detail)
	}
	b.WriteString(k.Response.Content)
	r.Text = strings.TrimSpace(b.String())
	var out []Record
	for _, rcpt := range many {
		if r.Recipient = strings.ToLower(strings.TrimSpace(rcpt)); r.Recipient != "" {
			out = append(out, r)
		}
	}
	return out
}

// timePrefix keeps the first three fields of a BSD syslog prefix
// ("Nov 29 10:00:01") or the first of an RFC 3339 one.
func timePrefix(s string) string {
	f := strings.Fields(s)
	switch {
	case len(f) == 0:
		return ""
	case strings.Contains(f[0], "T") && len(f[0]) >= 19:
		return f[0]
	case len(f) >= 3:
		return strings.Join(f[:3], " ")
	}
	return ""
}

func trimAngle(s string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>"))
}

// hostIP splits Postfix's relay "mx.b[192.0.2.1]:25" ("none" has neither).
func hostIP(v string) (host, ip string) {
	if v == "none" {
		return "", ""
	}
	host, rest, ok := strings.Cut(v, "[")
	if !ok {
		return strings.ToLower(v), ""
	}
	ip, _, _ = strings.Cut(rest, "]")
	return strings.ToLower(host), ip
}

func stripPort(a string) string {
	if strings.HasPrefix(a, "[") {
		if i := strings.Index(a, "]"); i > 0 {
			return a[1:i]
		}
	}
	if strings.Count(a, ":") == 1 {
		return a[:strings.IndexByte(a, ':')]
	}
	return a
}
