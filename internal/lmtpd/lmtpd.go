// Package lmtpd receives bounces from an MTA: an LMTP server (RFC 2033)
// for Postfix (lmtp transport) or Exim (lmtp transport) to hand each
// bounce to, over TCP or a unix socket, and an SMTP server (RFC 5321)
// with STARTTLS (RFC 3207) for a dedicated bounce MX, built on
// github.com/emersion/go-smtp.
//
// Each message runs through the engine once per envelope recipient, with
// a Delivered-To field (RFC 9228) naming that recipient prepended, as a
// local delivery agent would, so that a VERP return address identifies
// the failed recipient when the bounce's own text does not. Replies:
//
//   - 250 2.0.0 once the verdict is delivered to the sinks (per
//     recipient in LMTP, RFC 2033 section 4.2);
//   - 451 4.3.0 when a sink failed: the MTA keeps the message and retries,
//     so no verdict is lost;
//   - 552 5.3.4 for a message over the size limit (RFC 3463 section 3.4),
//     also announced with the SIZE extension (RFC 1870);
//   - a malformed message (not a message at all, MIME too deep, ...) is
//     accepted with 250 and recorded as an error verdict. It is never
//     refused: refusing a bounce makes the MTA bounce the bounce, which
//     loops or lands in a postmaster's mailbox.
//
// QUIRK: the SMTP server accepts mail for any recipient domain; it never
// relays, so this opens no relay, but point only the VERP return-path
// domain's MX at it.
package lmtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/net/netutil"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/ingest"
)

// Default limits.
const (
	// DefaultMaxRecipients is the most envelope recipients per message.
	DefaultMaxRecipients = 100
	// DefaultTimeout bounds each read and write on a connection.
	DefaultTimeout = 5 * time.Minute
	// DefaultDeliverTimeout bounds handing one verdict to the sinks
	// (a full webhook queue waits at most this long, then 451).
	DefaultDeliverTimeout = 30 * time.Second
	// DefaultMaxConnections is how many connections LimitConnections lets a
	// listener serve at once by default: 16 messages of the default 25 MiB
	// limit is 400 MiB, within the deploy manifests' 1 GiB.
	DefaultMaxConnections = 16
)

// Config configures a server.
type Config struct {
	// Handler parses and delivers (required).
	Handler *ingest.Handler
	// MaxMessageBytes is the size limit (default dsn.DefaultMaxMessageBytes);
	// it should equal the engine's limit.
	MaxMessageBytes int
	// MaxRecipients is the most recipients per message (default DefaultMaxRecipients).
	MaxRecipients int
	// Domain is the name in the greeting (default the host name).
	Domain string
	// TLSConfig enables STARTTLS on the SMTP server.
	TLSConfig *tls.Config
	// Timeout bounds each read and write (default DefaultTimeout).
	Timeout time.Duration
	// DeliverTimeout bounds each sink delivery (default DefaultDeliverTimeout).
	DeliverTimeout time.Duration
	// Logger reports sink failures (default slog.Default()).
	Logger *slog.Logger
	// Stats, when set, counts what the server does (for /metrics).
	Stats *Stats
}

// Stats counts messages per recipient; safe for concurrent use.
type Stats struct {
	Delivered  atomic.Uint64 // verdicts delivered to the sinks (250)
	Errors     atomic.Uint64 // of which error verdicts (malformed messages)
	TempFailed atomic.Uint64 // sink failures answered with 451
	TooLarge   atomic.Uint64 // messages refused with 552 5.3.4
}

// NewLMTP returns an LMTP server; call Serve with a listener from Listen.
func NewLMTP(cfg Config) *smtp.Server { return newServer(cfg, true) }

// NewSMTP returns an SMTP server (STARTTLS when cfg.TLSConfig is set).
func NewSMTP(cfg Config) *smtp.Server { return newServer(cfg, false) }

func newServer(cfg Config, lmtp bool) *smtp.Server {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = dsn.DefaultMaxMessageBytes
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = DefaultMaxRecipients
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DeliverTimeout <= 0 {
		cfg.DeliverTimeout = DefaultDeliverTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Domain == "" {
		cfg.Domain, _ = os.Hostname()
	}
	if cfg.Stats == nil {
		cfg.Stats = &Stats{}
	}
	be := &backend{cfg: cfg, proto: "smtp"}
	if lmtp {
		be.proto = "lmtp"
	}
	s := smtp.NewServer(be)
	s.LMTP = lmtp
	s.Domain = cfg.Domain
	// go-smtp refuses a message as soon as it has read MaxMessageBytes
	// without reaching the end, so a message of exactly the limit passes.
	s.MaxMessageBytes = int64(cfg.MaxMessageBytes) + 1
	// go-smtp's default line limit (2000 bytes) also applies inside DATA
	// and fails the message with a permanent 554, so a bounce quoting an
	// HTML original with a long line would be bounced back. A line can
	// be as long as the message (the size limit still answers 552); the
	// margin covers what the reader buffers ahead.
	s.MaxLineLength = max(s.MaxLineLength, cfg.MaxMessageBytes+64<<10)
	s.MaxRecipients = cfg.MaxRecipients
	s.ReadTimeout, s.WriteTimeout = cfg.Timeout, cfg.Timeout
	s.TLSConfig = cfg.TLSConfig
	s.ErrorLog = slogPrinter{cfg.Logger}
	return s
}

// LimitConnections returns a listener that serves at most n connections at
// once (n <= 0: DefaultMaxConnections); Accept waits while n are open, so
// further clients wait in the kernel's accept queue and the MTA's own
// timeouts apply. go-smtp has no limit of its own, and every connection
// may buffer one message up to the size limit.
func LimitConnections(l net.Listener, n int) net.Listener {
	if n <= 0 {
		n = DefaultMaxConnections
	}
	return netutil.LimitListener(l, n)
}

// Listen listens on "unix:/path" (or an absolute path) or a TCP host:port.
// A stale socket file is replaced.
func Listen(addr string) (net.Listener, error) {
	path, unix := strings.CutPrefix(addr, "unix:")
	if !unix && strings.HasPrefix(addr, "/") {
		path, unix = addr, true
	}
	if !unix {
		return net.Listen("tcp", addr)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("lmtpd: %s: another server is listening", path)
		}
		_ = os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	// The MTA (user postfix or Debian-exim) must be able to connect.
	_ = os.Chmod(path, 0o666)
	return l, nil
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp: " + fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("smtp: " + fmt.Sprint(v...)) }

type backend struct {
	cfg   Config
	proto string
	seq   atomic.Uint64
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b}, nil
}

type session struct {
	b     *backend
	from  string
	rcpts []string
}

func (s *session) Reset()        { s.from, s.rcpts = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data is the SMTP reply: one answer for all recipients, so any failure
// fails the message (the MTA retries it whole; sinks see it at least once).
func (s *session) Data(r io.Reader) error {
	raw, err := s.read(r)
	if err != nil {
		return err
	}
	for _, rc := range s.rcpts {
		if err := s.handle(rc, raw); err != nil {
			return err
		}
	}
	return nil
}

// LMTPData answers each recipient on its own (RFC 2033 section 4.2).
func (s *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	raw, err := s.read(r)
	if err != nil {
		return err
	}
	for _, rc := range s.rcpts {
		status.SetStatus(rc, s.handle(rc, raw))
	}
	return nil
}

var errTooLarge = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big for bounced"}

func (s *session) read(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(r)
	if errors.Is(err, smtp.ErrDataTooLarge) || len(raw) > s.b.cfg.MaxMessageBytes {
		s.b.cfg.Stats.TooLarge.Add(1)
		return nil, errTooLarge
	}
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// handle parses raw for one recipient and delivers the verdict.
func (s *session) handle(rcpt string, raw []byte) error {
	id := s.b.seq.Add(1)
	source := fmt.Sprintf("%s:%d-%d:%s", s.b.proto, time.Now().Unix(), id, rcpt)
	msg := raw
	// The Delivered-To line must not push a message of the limit over it.
	// Input that does not start with a header field is left alone, so
	// that it stays the malformed message it is.
	if rcpt != "" && len(raw)+len(rcpt)+16 <= s.b.cfg.MaxMessageBytes && startsWithField(raw) {
		msg = make([]byte, 0, len(raw)+len(rcpt)+20)
		msg = append(msg, "Delivered-To: "...)
		msg = append(msg, rcpt...)
		msg = append(msg, "\r\n"...)
		msg = append(msg, raw...)
	}
	h := s.b.cfg.Handler
	ctx, cancel := context.WithTimeout(context.Background(), s.b.cfg.DeliverTimeout)
	defer cancel()
	v := h.Verdict(ctx, source, msg)
	st := s.b.cfg.Stats
	if err := h.Deliver(ctx, v); err != nil {
		st.TempFailed.Add(1)
		s.b.cfg.Logger.Error("verdict not delivered; asking the MTA to retry", "source", source, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Verdict not stored, try again later"}
	}
	st.Delivered.Add(1)
	if v.GetError() != nil {
		st.Errors.Add(1)
	}
	return nil
}

// startsWithField reports whether raw's first line is a header field
// (RFC 5322 section 2.2: printable ASCII name, then a colon).
func startsWithField(raw []byte) bool {
	for i, c := range raw {
		switch {
		case c == ':':
			return i > 0
		case c < 33 || c > 126:
			return false
		}
	}
	return false
}
