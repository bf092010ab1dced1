package domaincache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultFlushEvery is how long a Batcher holds observations at most; it is
// also the server's default (--cache-flush-every).
const DefaultFlushEvery = 10 * time.Millisecond

// DefaultMaxPending is how many observations a Batcher queues at most.
const DefaultMaxPending = 10 * MaxBatch

// ErrQueueFull is wrapped by Batcher.Add for observations it drops because
// maxPending are already waiting.
var ErrQueueFull = errors.New("domaincache: batcher queue full")

// Batcher writes the observations of a stream of messages in batches, off
// the caller's path: Add queues and returns at once, and a background
// goroutine calls Store.Record with up to MaxBatch observations whenever a
// full batch is waiting or flushEvery has passed. One Record per batch
// instead of one per message saves round trips and Redis work when a
// stream carries many messages.
//
// The price is that a Get right after Add may not see the observations
// yet, and that observations of a batch whose Record fails are lost (the
// cache is best effort, and retrying HINCRBY could count twice). When
// maxPending observations are already queued, because the store is slow or
// down, Add drops new ones. Both losses are counted in BatcherStats.
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

	added, dropped, written, failed, flushes atomic.Uint64
}

// BatcherStats counts what a Batcher did with the observations it got.
type BatcherStats struct {
	Added   uint64 // observations queued
	Dropped uint64 // observations refused: queue full, invalid, or Batcher closed
	Written uint64 // observations stored
	Failed  uint64 // observations lost because their Record failed
	Flushes uint64 // Record calls made
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
		b.pending = append(b.pending, valid[:queued]...)
	}
	full := len(b.pending) >= MaxBatch
	b.mu.Unlock()

	b.added.Add(uint64(queued))
	b.dropped.Add(uint64(len(obs) - queued))
	if full {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
	return errors.Join(errs...)
}

// Flush writes everything queued now, in batches of at most MaxBatch, and
// returns the errors of the batches that failed.
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
		if err := b.store.Record(ctx, batch); err != nil {
			b.failed.Add(uint64(n))
			errs = append(errs, err)
			continue
		}
		b.written.Add(uint64(n))
	}
}

// Close stops the background goroutine, writes what is left and returns
// the errors of that last flush. It does not close the Store. Later Adds
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
	return b.Flush(ctx)
}

// Stats returns the counts so far.
func (b *Batcher) Stats() BatcherStats {
	return BatcherStats{
		Added:   b.added.Load(),
		Dropped: b.dropped.Load(),
		Written: b.written.Load(),
		Failed:  b.failed.Load(),
		Flushes: b.flushes.Load(),
	}
}

func (b *Batcher) loop() {
	defer close(b.stopped)
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
		case <-b.kick:
		}
		// The store bounds each Record by its own timeout. Errors are
		// counted in Stats; the store counts them too.
		_ = b.Flush(context.Background())
	}
}
