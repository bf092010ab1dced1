package domaincache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultFlushEvery is how long a Batcher holds observations at most; it is
// also the server's default (--cache-flush-every).
const DefaultFlushEvery = 10 * time.Millisecond

// DefaultMaxPending is how many observations a Batcher queues at most:
// about 20 seconds of a Redis outage at 2,000 messages a second, in about
// 10 MiB (Add copies the strings it keeps, so a queued observation never
// holds on to the message it came from).
const DefaultMaxPending = 60 * MaxBatch

// ErrQueueFull is wrapped by Batcher.Add for observations it drops because
// maxPending are already waiting.
var ErrQueueFull = errors.New("domaincache: batcher queue full")

// MaxRetryEvery is the longest a Batcher waits between two attempts while
// its store is down.
const MaxRetryEvery = time.Second

// Batcher writes the observations of a stream of messages in batches, off
// the caller's path: Add queues and returns at once, and a background
// goroutine calls Store.Record with up to MaxBatch observations whenever a
// full batch is waiting or flushEvery has passed. One Record per batch
// instead of one per message saves round trips and Redis work when a
// stream carries many messages.
//
// The price is that a Get right after Add may not see the observations
// yet. When the store is down and a Record fails before anything was sent
// (its error wraps ErrNotApplied), the batch goes back to the head of the
// queue and the Batcher tries again, every flushEvery at first and at
// most every MaxRetryEvery, until the store answers: an outage shorter
// than the queue lasts loses nothing. The queue is bounded by maxPending;
// beyond it Add refuses observations. A batch whose Record fails after it
// was sent (a timeout, say) may have been applied and is not retried, as
// HINCRBY would count it twice. Every observation that is not written,
// whatever the cause, is counted in BatcherStats.Dropped.
type Batcher struct {
	store      Store
	every      time.Duration
	maxPending int

	mu      sync.Mutex
	pending []Observation
	closed  bool

	flushMu sync.Mutex    // one flush at a time, so batches keep their order
	kick    chan struct{} // a full batch is waiting
	done    chan struct{} // closed by Close
	stopped chan struct{} // closed when the loop has returned

	added, refused, written, failed, requeued, flushes atomic.Uint64
}

// BatcherStats counts what a Batcher did with the observations it got.
// Once the queue is empty, Added = Written + Failed.
type BatcherStats struct {
	Added    uint64 // observations queued
	Dropped  uint64 // observations never written, whatever the cause: Refused + Failed
	Refused  uint64 // observations Add refused: queue full, invalid, or Batcher closed
	Failed   uint64 // queued observations lost: their Record failed after sending, or the store was still down at Close
	Written  uint64 // observations stored
	Requeued uint64 // observations put back in the queue after a Record that sent nothing
	Pending  uint64 // observations waiting now
	Flushes  uint64 // Record calls made
}

// NewBatcher starts a Batcher writing to s. flushEvery <= 0 means
// DefaultFlushEvery; maxPending <= 0 means DefaultMaxPending. Close it to
// stop its goroutine and write what is left.
func NewBatcher(s Store, flushEvery time.Duration, maxPending int) *Batcher {
	if flushEvery <= 0 {
		flushEvery = DefaultFlushEvery
	}
	if maxPending <= 0 {
		maxPending = DefaultMaxPending
	}
	b := &Batcher{
		store:      s,
		every:      flushEvery,
		maxPending: maxPending,
		kick:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		stopped:    make(chan struct{}),
	}
	go b.loop()
	return b
}

// Add queues observations and never blocks. It returns an error for those
// it refuses: invalid ones (ErrInvalidObservation), those beyond the queue
// limit (ErrQueueFull) and all of them once closed (ErrClosed). The
// others are queued.
func (b *Batcher) Add(obs ...Observation) error {
	var errs []error
	valid := obs
	for i, o := range obs {
		if _, _, _, err := checkObservation(o); err != nil {
			if len(errs) == 0 {
				valid = append([]Observation(nil), obs[:i]...)
			}
			errs = append(errs, err)
			continue
		}
		if len(errs) > 0 {
			valid = append(valid, o)
		}
	}

	b.mu.Lock()
	queued := 0
	if b.closed {
		errs = append(errs, ErrClosed)
	} else {
		room := max(b.maxPending-len(b.pending), 0)
		queued = min(len(valid), room)
		if queued < len(valid) {
			errs = append(errs, fmt.Errorf("%w: %d observations dropped, %d already queued", ErrQueueFull, len(valid)-queued, len(b.pending)))
		}
		for _, o := range valid[:queued] {
			// Own copies: the strings may be cut out of a whole message.
			// The reason and side are the vocabulary's own strings, as
			// checkObservation gives them.
			_, o.Reason, o.Side, _ = checkObservation(o)
			o.Domain, o.Sender, o.Status = strings.Clone(o.Domain), strings.Clone(o.Sender), strings.Clone(o.Status)
			o.RecipientDomain = strings.Clone(o.RecipientDomain)
			b.pending = append(b.pending, o)
		}
	}
	full := len(b.pending) >= MaxBatch
	b.mu.Unlock()

	b.added.Add(uint64(queued))
	b.refused.Add(uint64(len(obs) - queued))
	if full {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
	return errors.Join(errs...)
}

// Flush writes everything queued now, in batches of at most MaxBatch, and
// returns the errors of the batches that failed. When a Record fails
// before sending anything (ErrNotApplied), its batch goes back to the head
// of the queue and Flush stops there: the store is down.
func (b *Batcher) Flush(ctx context.Context) error {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	var errs []error
	for {
		b.mu.Lock()
		n := min(len(b.pending), MaxBatch)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		if len(b.pending) == 0 {
			b.pending = nil // let the backing array go
		}
		b.mu.Unlock()
		if n == 0 {
			return errors.Join(errs...)
		}
		b.flushes.Add(1)
		err := b.store.Record(ctx, batch)
		switch {
		case err == nil:
			b.written.Add(uint64(n))
			continue
		case errors.Is(err, ErrNotApplied):
			b.requeue(batch)
			return errors.Join(append(errs, err)...)
		}
		b.failed.Add(uint64(n))
		errs = append(errs, err)
	}
}

// requeue puts a batch that was not written back at the head of the
// queue. What no longer fits under maxPending, the newest observations,
// is dropped.
func (b *Batcher) requeue(batch []Observation) {
	b.mu.Lock()
	q := make([]Observation, 0, len(batch)+len(b.pending))
	q = append(append(q, batch...), b.pending...)
	lost := 0
	if len(q) > b.maxPending {
		lost = len(q) - b.maxPending
		q = q[:b.maxPending]
	}
	b.pending = q
	b.mu.Unlock()
	b.requeued.Add(uint64(len(batch)))
	b.failed.Add(uint64(lost))
}

// Close stops the background goroutine, writes what is left and returns
// the errors of that last flush. What the store does not take then is
// dropped and counted as Failed. It does not close the Store. Later Adds
// are refused.
func (b *Batcher) Close(ctx context.Context) error {
	b.mu.Lock()
	already := b.closed
	b.closed = true
	b.mu.Unlock()
	if !already {
		close(b.done)
	}
	<-b.stopped
	err := b.Flush(ctx)
	b.mu.Lock()
	left := len(b.pending)
	b.pending = nil
	b.mu.Unlock()
	b.failed.Add(uint64(left))
	return err
}

// Stats returns the counts so far.
func (b *Batcher) Stats() BatcherStats {
	b.mu.Lock()
	pending := len(b.pending)
	b.mu.Unlock()
	refused, failed := b.refused.Load(), b.failed.Load()
	return BatcherStats{
		Added:    b.added.Load(),
		Dropped:  refused + failed,
		Refused:  refused,
		Failed:   failed,
		Written:  b.written.Load(),
		Requeued: b.requeued.Load(),
		Pending:  uint64(pending),
		Flushes:  b.flushes.Load(),
	}
}

// loop flushes every flushEvery, or at once when a full batch waits. While
// the store is down it waits longer between attempts, doubling up to
// MaxRetryEvery, so an outage costs a few calls a second, not hundreds.
func (b *Batcher) loop() {
	defer close(b.stopped)
	t := time.NewTicker(b.every)
	defer t.Stop()
	var backoff time.Duration
	var retryAt time.Time
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
		case <-b.kick:
		}
		if !retryAt.IsZero() && time.Now().Before(retryAt) {
			continue
		}
		// The store bounds each Record by its own timeout. Errors are
		// counted in Stats; the store counts them too.
		if err := b.Flush(context.Background()); errors.Is(err, ErrNotApplied) {
			backoff = min(max(2*backoff, b.every), MaxRetryEvery)
			retryAt = time.Now().Add(backoff)
			continue
		}
		backoff, retryAt = 0, time.Time{}
	}
}
