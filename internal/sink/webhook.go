package sink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Webhook headers. SignatureHeader carries "sha256=" followed by the
// lower-case hex HMAC-SHA256 (RFC 2104) of the exact request body, keyed
// with the shared secret; it is absent when no secret is configured.
// DeliveryHeader carries the item's random id, the same on every retry,
// so a receiver can drop duplicates (delivery is at least once).
const (
	SignatureHeader = "X-Bounced-Signature"
	DeliveryHeader  = "X-Bounced-Delivery"
)

// Sign returns the SignatureHeader value for body: "sha256=<hex>".
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is Sign(secret, body), in constant time.
func Verify(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// Encoder turns a verdict into zero or more request bodies.
type Encoder func(v *pb.ParseResponse) ([][]byte, error)

// EncodeVerdict is the default webhook body: the verdict's JSON, as
// `bounced parse --format=jsonl` prints it (without the newline).
func EncodeVerdict(v *pb.ParseResponse) ([][]byte, error) {
	b, err := JSONOptions.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sink: webhook: marshal: %w", err)
	}
	return [][]byte{b}, nil
}

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// URL receives a POST per body (required). User info in the URL is
	// sent as HTTP Basic authentication (listmonk's API user and token).
	URL string
	// Secret, when set, signs every body (SignatureHeader).
	Secret []byte
	// QueueDir holds the queue on disk so that an outage or a restart
	// loses nothing; empty keeps it in memory (lost on a crash).
	QueueDir string
	// QueueMax bounds the queue (items, default DefaultQueueMax). When it
	// is full, Deliver waits for room until its context ends.
	QueueMax int
	// Timeout bounds each request (default 10 s).
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries, which
	// doubles from the first to the second (defaults 500 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// Encode makes the bodies (default EncodeVerdict).
	Encode Encoder
	// Client sends the requests (default a new http.Client).
	Client *http.Client
	// Logger reports retries and dropped items (default slog.Default()).
	Logger *slog.Logger
}

// Webhook POSTs each verdict to a URL, in order, one request at a time,
// retrying with exponential backoff until the receiver answers 2xx. A
// receiver's answer 4xx other than 408 and 429 is permanent: the item is
// moved to QueueDir/dead (or, in memory, dropped) and logged at error
// level, so one bad item cannot stop the queue; everything else (network
// errors, timeouts, 5xx, 408, 429, a redirect that would drop the body)
// is retried for ever.
type Webhook struct {
	cfg    WebhookConfig
	q      *queue
	cancel context.CancelFunc
	done   chan struct{}

	delivered, retries, dead atomic.Int64
	closeOnce                sync.Once
}

// WebhookStats counts a webhook's requests.
type WebhookStats struct {
	Queued    int   // items waiting
	Delivered int64 // items the receiver accepted
	Retries   int64 // failed attempts that were retried
	Dead      int64 // items refused for good
}

// NewWebhook opens the queue and starts the sender.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sink: webhook: %q is not an http(s) URL", redact(cfg.URL))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(30*time.Second, cfg.MinBackoff)
	}
	if cfg.Encode == nil {
		cfg.Encode = EncodeVerdict
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Client.CheckRedirect == nil {
		// A 301, 302 or 303 is followed with a GET without the body; a
		// 2xx to it would count a verdict never sent as delivered. Such a
		// redirect is answered as is (retried and logged with its status);
		// 307 and 308 keep the POST and its body and are followed.
		c := *cfg.Client
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if req.Method != http.MethodPost {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		}
		cfg.Client = &c
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	q, err := openQueue(cfg.QueueDir, cfg.QueueMax)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Webhook{cfg: cfg, q: q, cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return w, nil
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Deliver implements Sink: the bodies are queued (on disk when QueueDir
// is set) and sent in the background.
func (w *Webhook) Deliver(ctx context.Context, v *pb.ParseResponse) error {
	bodies, err := w.cfg.Encode(v)
	if err != nil {
		return err
	}
	return w.q.push(ctx, bodies)
}

// Stats returns the webhook's counters.
func (w *Webhook) Stats() WebhookStats {
	return WebhookStats{Queued: w.q.Len(), Delivered: w.delivered.Load(), Retries: w.retries.Load(), Dead: w.dead.Load()}
}

// Close stops taking verdicts, waits until the queue is sent or ctx ends,
// and stops the sender. Items not sent stay in QueueDir.
func (w *Webhook) Close(ctx context.Context) error {
	var err error
	w.closeOnce.Do(func() {
		w.q.close()
		if werr := w.q.waitEmpty(ctx); werr != nil {
			err = fmt.Errorf("sink: webhook: %d items left queued: %w", w.q.Len(), werr)
		}
		w.cancel()
		<-w.done
		w.q.release()
	})
	return err
}

func (w *Webhook) run(ctx context.Context) {
	defer close(w.done)
	for {
		it, err := w.q.peek(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// An unreadable item (disk trouble) is kept aside, not dropped.
			w.cfg.Logger.Error("webhook: unreadable queue item moved to dead", "seq", it.seq, "err", err)
			w.dead.Add(1)
			if perr := w.q.pop(it.seq, w.deadDir()); perr != nil {
				w.cfg.Logger.Error("webhook: queue", "err", perr)
				sleep(ctx, w.cfg.MaxBackoff)
			}
			continue
		}
		w.send(ctx, it)
	}
}

func (w *Webhook) deadDir() string {
	if w.cfg.QueueDir == "" {
		return ""
	}
	return filepath.Join(w.cfg.QueueDir, deadSubdir)
}

// send posts one item until it is accepted, refused for good, or ctx ends.
func (w *Webhook) send(ctx context.Context, it item) {
	backoff := w.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		code, err := w.post(ctx, it)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil && code/100 == 2:
			w.delivered.Add(1)
			if perr := w.q.pop(it.seq, ""); perr != nil {
				w.cfg.Logger.Error("webhook: queue", "err", perr)
			}
			return
		case err == nil && code/100 == 4 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
			w.dead.Add(1)
			w.cfg.Logger.Error("webhook: receiver refused the item; kept in the dead directory",
				"url", redact(w.cfg.URL), "status", code, "delivery", it.id, "dir", w.deadDir())
			if perr := w.q.pop(it.seq, w.deadDir()); perr != nil {
				w.cfg.Logger.Error("webhook: queue", "err", perr)
			}
			return
		}
		w.retries.Add(1)
		w.cfg.Logger.Warn("webhook: delivery failed, retrying", "url", redact(w.cfg.URL), "attempt", attempt,
			"status", code, "err", err, "backoff", backoff.String(), "queued", w.q.Len())
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(backoff*2, w.cfg.MaxBackoff)
	}
}

func (w *Webhook) post(ctx context.Context, it item) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(it.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bounced")
	req.Header.Set(DeliveryHeader, it.id)
	if len(w.cfg.Secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(w.cfg.Secret, it.body))
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may hold a password
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
