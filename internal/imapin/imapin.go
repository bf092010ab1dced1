// Package imapin reads bounces from a mailbox over IMAP (RFC 9051 and
// RFC 3501, with IDLE from RFC 2177, MOVE from RFC 6851 and UIDPLUS from
// RFC 4315), built on github.com/emersion/go-imap/v2.
//
// Many platforms point their Return-Path at a mailbox. Run watches one:
// it searches the unseen, undeleted messages (UID SEARCH UNSEEN
// UNDELETED), fetches each with BODY.PEEK[] (which leaves \Seen alone),
// runs it through the engine, delivers the verdict to the sinks, and only
// then acknowledges it: sets \Seen, moves it to the done folder, or
// deletes it (\Deleted and UID EXPUNGE). When the server offers IDLE it
// waits for new mail with IDLE, else it polls.
//
// Nothing is lost: a message stays unseen until its verdict is delivered,
// so after a dropped connection or a restart the next search finds it
// again. Nothing is counted twice: the UIDs whose verdict was delivered
// but whose acknowledgement failed are remembered (with the mailbox's
// UIDVALIDITY) and, after reconnecting, only acknowledged. That memory is
// per process; a crash between delivery and acknowledgement delivers the
// message again (at least once, never lost).
//
// Limits: a message larger than MaxMessageBytes (its RFC822.SIZE) is not
// downloaded; it gets an error verdict and is acknowledged, like a
// malformed message, so that it cannot block the mailbox.
package imapin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/ingest"
)

// Defaults.
const (
	DefaultPollInterval = time.Minute
	// DefaultIdleRestart re-issues IDLE before servers drop it (RFC 2177
	// section 3: at least every 29 minutes).
	DefaultIdleRestart = 25 * time.Minute
	// DefaultBatch is the most UIDs fetched per round.
	DefaultBatch = 100
	// DefaultMaxBackoff bounds the wait between reconnections.
	DefaultMaxBackoff = time.Minute
)

// ErrLogin is returned when the server refuses the credentials; Run does
// not retry it.
var ErrLogin = errors.New("imapin: login refused")

// Config configures a mailbox reader.
type Config struct {
	// URL is imaps://user@host[:993]/MAILBOX (TLS) or
	// imap://user@host[:143]/MAILBOX (STARTTLS, or plain text when
	// AllowPlaintext). The mailbox defaults to INBOX.
	URL string
	// Password is the login password; never put it in the URL.
	Password string
	// DoneFolder, when set, receives each processed message (created if
	// missing); else Delete removes it; else it is marked \Seen.
	DoneFolder string
	Delete     bool
	// AllowPlaintext permits imap:// without STARTTLS (tests, loopback).
	AllowPlaintext bool
	// TLSConfig for imaps and STARTTLS (default: system roots).
	TLSConfig *tls.Config
	// Handler parses and delivers (required).
	Handler *ingest.Handler
	// MaxMessageBytes is the size limit (default dsn.DefaultMaxMessageBytes).
	MaxMessageBytes int64
	// PollInterval is the wait between searches without IDLE (default 1 min).
	PollInterval time.Duration
	// IdleRestart bounds one IDLE (default 25 min).
	IdleRestart time.Duration
	// Batch is the most UIDs handled per search round (default 100).
	Batch int
	// MinBackoff and MaxBackoff bound the wait before reconnecting
	// (defaults 1 s and 1 min).
	MinBackoff, MaxBackoff time.Duration
	// Logger reports reconnections (default slog.Default()).
	Logger *slog.Logger
}

// Reader watches one mailbox.
type Reader struct {
	cfg                      Config
	addr, user, mailbox      string
	implicitTLS              bool
	mu                       sync.Mutex
	pending                  map[pendingKey]bool // delivered, not yet acknowledged
	processed, acked, errors int
	reconnects               int
}

type pendingKey struct {
	validity uint32
	uid      imap.UID
}

// Stats counts what a Reader did.
type Stats struct {
	Delivered int // verdicts delivered
	Acked     int // messages marked, moved or deleted
	Errors    int // error verdicts among Delivered (too large, malformed)
	Pending   int // delivered, acknowledgement still to do
	// Reconnects counts the sessions that ended in an error and were retried.
	Reconnects int
}

// New checks the configuration.
func New(cfg Config) (*Reader, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("imapin: %w", err)
	}
	r := &Reader{cfg: cfg, pending: map[pendingKey]bool{}}
	switch u.Scheme {
	case "imaps":
		r.implicitTLS = true
		r.addr = hostPort(u.Host, "993")
	case "imap":
		r.addr = hostPort(u.Host, "143")
	default:
		return nil, fmt.Errorf("imapin: %q: scheme must be imaps or imap", u.Redacted())
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("imapin: %q: no user name (imaps://user@host/INBOX)", u.Redacted())
	}
	if _, has := u.User.Password(); has {
		return nil, fmt.Errorf("imapin: the password must not be in the URL (use a password file or BOUNCED_IMAP_PASSWORD)")
	}
	r.user = u.User.Username()
	r.mailbox = strings.TrimPrefix(u.Path, "/")
	if r.mailbox == "" {
		r.mailbox = "INBOX"
	}
	if cfg.Handler == nil {
		return nil, errors.New("imapin: no handler")
	}
	if r.cfg.MaxMessageBytes <= 0 {
		r.cfg.MaxMessageBytes = dsn.DefaultMaxMessageBytes
	}
	if r.cfg.PollInterval <= 0 {
		r.cfg.PollInterval = DefaultPollInterval
	}
	if r.cfg.IdleRestart <= 0 {
		r.cfg.IdleRestart = DefaultIdleRestart
	}
	if r.cfg.Batch <= 0 {
		r.cfg.Batch = DefaultBatch
	}
	if r.cfg.MinBackoff <= 0 {
		r.cfg.MinBackoff = time.Second
	}
	if r.cfg.MaxBackoff < r.cfg.MinBackoff {
		r.cfg.MaxBackoff = max(DefaultMaxBackoff, r.cfg.MinBackoff)
	}
	if r.cfg.Logger == nil {
		r.cfg.Logger = slog.Default()
	}
	return r, nil
}

func hostPort(h, port string) string {
	if _, _, err := net.SplitHostPort(h); err == nil {
		return h
	}
	return net.JoinHostPort(strings.Trim(h, "[]"), port)
}

// Stats returns the counters.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Delivered: r.processed, Acked: r.acked, Errors: r.errors, Pending: len(r.pending), Reconnects: r.reconnects}
}

// Run watches the mailbox until ctx ends, reconnecting with backoff after
// any failure except refused credentials.
func (r *Reader) Run(ctx context.Context) error {
	backoff := r.cfg.MinBackoff
	for {
		err := r.session(ctx, true)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrLogin) {
			return err
		}
		r.mu.Lock()
		r.reconnects++
		r.mu.Unlock()
		r.cfg.Logger.Warn("imap: connection lost, reconnecting", "addr", r.addr, "err", err, "backoff", backoff.String())
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, r.cfg.MaxBackoff)
	}
}

// Once connects, handles every unseen message, and returns.
func (r *Reader) Once(ctx context.Context) error {
	return r.session(ctx, false)
}

// session is one connection: handle what is there, then (when watch)
// wait for more with IDLE or polling.
func (r *Reader) session(ctx context.Context, watch bool) error {
	newMail := make(chan struct{}, 1)
	opts := &imapclient.Options{
		TLSConfig: r.cfg.TLSConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	c, err := r.dial(opts)
	if err != nil {
		return err
	}
	defer c.Close()
	// Closing the connection is how a cancelled ctx interrupts a command.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if err := c.Login(r.user, r.cfg.Password).Wait(); err != nil {
		var ierr *imap.Error
		if errors.As(err, &ierr) && ierr.Type == imap.StatusResponseTypeNo {
			return fmt.Errorf("%w: %v", ErrLogin, err)
		}
		return fmt.Errorf("imapin: login: %w", err)
	}
	if r.cfg.DoneFolder != "" {
		// An existing folder makes CREATE fail; that is fine.
		_ = c.Create(r.cfg.DoneFolder, nil).Wait()
	}
	sel, err := c.Select(r.mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("imapin: select %s: %w", r.mailbox, err)
	}
	validity := sel.UIDValidity
	for {
		n, err := r.round(ctx, c, validity)
		if err != nil {
			return err
		}
		if n > 0 {
			continue // more may be waiting beyond the batch
		}
		if !watch {
			_ = c.Logout().Wait()
			return nil
		}
		if err := r.wait(ctx, c, newMail); err != nil {
			return err
		}
	}
}

func (r *Reader) dial(opts *imapclient.Options) (*imapclient.Client, error) {
	var c *imapclient.Client
	var err error
	switch {
	case r.implicitTLS:
		c, err = imapclient.DialTLS(r.addr, opts)
	default:
		c, err = imapclient.DialInsecure(r.addr, opts)
		if err != nil {
			break
		}
		if err = c.WaitGreeting(); err != nil {
			c.Close()
			break
		}
		if c.Caps().Has(imap.CapStartTLS) {
			c.Close()
			c, err = imapclient.DialStartTLS(r.addr, opts)
		} else if !r.cfg.AllowPlaintext {
			c.Close()
			return nil, fmt.Errorf("imapin: %s offers no STARTTLS; use imaps:// (or allow plain text on a trusted network)", r.addr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("imapin: dial %s: %w", r.addr, err)
	}
	return c, nil
}

// round handles up to Batch unseen messages in UID order; it returns how
// many it handled.
func (r *Reader) round(ctx context.Context, c *imapclient.Client, validity uint32) (int, error) {
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen, imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imapin: search: %w", err)
	}
	uids := data.AllUIDs()
	slices.Sort(uids)
	if len(uids) > r.cfg.Batch {
		uids = uids[:r.cfg.Batch]
	}
	if len(uids) == 0 {
		return 0, nil
	}
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return 0, fmt.Errorf("imapin: fetch sizes: %w", err)
	}
	size := map[imap.UID]int64{}
	for _, m := range sizes {
		size[m.UID] = m.RFC822Size
	}
	for _, uid := range uids {
		if err := r.handle(ctx, c, validity, uid, size[uid]); err != nil {
			return 0, err
		}
	}
	return len(uids), nil
}

var bodySection = &imap.FetchItemBodySection{Peek: true}

// handle delivers one message's verdict (unless already delivered) and
// acknowledges it.
func (r *Reader) handle(ctx context.Context, c *imapclient.Client, validity uint32, uid imap.UID, size int64) error {
	key := pendingKey{validity, uid}
	r.mu.Lock()
	done := r.pending[key]
	r.mu.Unlock()
	if !done {
		source := fmt.Sprintf("imap:%s/%s;UIDVALIDITY=%d/;UID=%d", r.addr, r.mailbox, validity, uid)
		h := r.cfg.Handler
		var v = ingest.ErrorVerdict(source, fmt.Errorf("%w: %d bytes, limit %d", dsn.ErrTooLarge, size, r.cfg.MaxMessageBytes))
		if size <= r.cfg.MaxMessageBytes {
			msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{bodySection}}).Collect()
			if err != nil {
				return fmt.Errorf("imapin: fetch %d: %w", uid, err)
			}
			if len(msgs) == 0 {
				return nil // expunged meanwhile by someone else
			}
			v = h.Verdict(ctx, source, msgs[0].FindBodySection(bodySection))
		}
		if err := h.Deliver(ctx, v); err != nil {
			return err
		}
		r.mu.Lock()
		r.pending[key] = true
		r.processed++
		if v.GetError() != nil {
			r.errors++
		}
		r.mu.Unlock()
	}
	if err := r.ack(c, uid); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.pending, key)
	r.acked++
	r.mu.Unlock()
	return nil
}

// ack marks, moves or deletes a handled message.
func (r *Reader) ack(c *imapclient.Client, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	switch {
	case r.cfg.DoneFolder != "" && c.Caps().Has(imap.CapMove):
		if _, err := c.Move(set, r.cfg.DoneFolder).Wait(); err != nil {
			return fmt.Errorf("imapin: move %d to %s: %w", uid, r.cfg.DoneFolder, err)
		}
	case r.cfg.DoneFolder != "":
		// No MOVE (RFC 6851): COPY, then delete the original.
		if _, err := c.Copy(set, r.cfg.DoneFolder).Wait(); err != nil {
			return fmt.Errorf("imapin: copy %d to %s: %w", uid, r.cfg.DoneFolder, err)
		}
		fallthrough
	case r.cfg.Delete:
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return fmt.Errorf("imapin: delete %d: %w", uid, err)
		}
		expunge := c.UIDExpunge
		if !c.Caps().Has(imap.CapUIDPlus) {
			// QUIRK: without UIDPLUS (RFC 4315) EXPUNGE removes every
			// \Deleted message of the mailbox, not only this one.
			expunge = func(imap.UIDSet) *imapclient.ExpungeCommand { return c.Expunge() }
		}
		if err := expunge(set).Close(); err != nil {
			return fmt.Errorf("imapin: expunge %d: %w", uid, err)
		}
	default:
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			return fmt.Errorf("imapin: mark %d seen: %w", uid, err)
		}
	}
	return nil
}

// wait returns when new mail may have arrived: after IDLE reports it (or
// times out), or after the poll interval.
func (r *Reader) wait(ctx context.Context, c *imapclient.Client, newMail <-chan struct{}) error {
	if !c.Caps().Has(imap.CapIdle) {
		t := time.NewTimer(r.cfg.PollInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.Closed():
			return errors.New("imapin: connection closed")
		case <-t.C:
			return nil
		}
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("imapin: idle: %w", err)
	}
	t := time.NewTimer(r.cfg.IdleRestart)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-newMail:
	case <-t.C:
	case <-c.Closed():
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("imapin: idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("imapin: idle: %w", err)
	}
	return ctx.Err()
}
