package domaincache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// countingStore is a hand-written fake that records Record calls.
type countingStore struct {
	Store
	mu      sync.Mutex
	batches []int
	fail    bool
}

func (c *countingStore) Record(ctx context.Context, obs []Observation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, len(obs))
	if c.fail {
		return fmt.Errorf("%w: test", ErrUnavailable)
	}
	return c.Store.Record(ctx, obs)
}

func (c *countingStore) calls() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.batches...)
}

func TestBatcher(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Store: NewMemory(100, 0)}
	b := NewBatcher(store, time.Hour, 3*MaxBatch) // only full batches and Close flush
	obs := Observation{Domain: "example.com", Reason: "blocked", Side: "sender"}
	for range 2*MaxBatch + 10 {
		if err := b.Add(obs); err != nil {
			t.Fatalf("Add = %v", err)
		}
	}
	// A full batch wakes the writer before the hour is up.
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().Written < MaxBatch {
		if time.Now().After(deadline) {
			t.Fatalf("nothing written 5s after %d Adds; Stats() = %+v", 2*MaxBatch+10, b.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close = %v", err)
	}
	m, _ := store.Get(ctx, []string{"example.com"})
	if got := m["example.com"].Total; got != 2*MaxBatch+10 {
		t.Errorf("Total after Close = %d, want %d", got, 2*MaxBatch+10)
	}
	for _, n := range store.calls() {
		if n > MaxBatch {
			t.Errorf("Record got %d observations, want at most %d", n, MaxBatch)
		}
	}
	want := BatcherStats{Added: 2*MaxBatch + 10, Written: 2*MaxBatch + 10, Flushes: uint64(len(store.calls()))}
	if got := b.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	if err := b.Add(obs); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
}

func TestBatcherFlushesOnTime(t *testing.T) {
	store := NewMemory(100, 0)
	b := NewBatcher(store, 10*time.Millisecond, 0)
	defer b.Close(context.Background())
	b.Add(Observation{Domain: "example.com"})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := store.Get(context.Background(), []string{"example.com"}); len(m) == 1 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("observation not written 5s after Add with a 10ms flush interval")
}

func TestBatcherRefuses(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Store: NewMemory(100, 0), fail: true}
	b := NewBatcher(store, time.Hour, 3)
	err := b.Add(Observation{Domain: ""}, Observation{Domain: "a.example"}, Observation{Domain: "b.example"})
	if !errors.Is(err, ErrInvalidObservation) {
		t.Errorf("Add with an empty domain = %v, want ErrInvalidObservation", err)
	}
	err = b.Add(Observation{Domain: "c.example"}, Observation{Domain: "d.example"})
	if !errors.Is(err, ErrQueueFull) {
		t.Errorf("Add beyond the queue limit = %v, want ErrQueueFull", err)
	}
	if err := b.Close(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Close with a failing store = %v, want ErrUnavailable", err)
	}
	// The fake's error does not wrap ErrNotApplied: the batch may have been
	// written, so it is not retried but counted as lost.
	want := BatcherStats{Added: 3, Dropped: 5, Refused: 2, Failed: 3, Flushes: 1}
	if got := b.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

// notSentStore fails every Record with ErrNotApplied while down is set,
// as Redis does when no connection can be dialled.
type notSentStore struct {
	Store
	mu    sync.Mutex
	down  bool
	calls int
}

func (n *notSentStore) Record(ctx context.Context, obs []Observation) error {
	n.mu.Lock()
	n.calls++
	down := n.down
	n.mu.Unlock()
	if down {
		return fmt.Errorf("%w: %w: dial: connection refused", ErrUnavailable, ErrNotApplied)
	}
	return n.Store.Record(ctx, obs)
}

func (n *notSentStore) set(down bool) {
	n.mu.Lock()
	n.down = down
	n.mu.Unlock()
}

func (n *notSentStore) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.calls
}

// TestBatcherKeepsQueueWhileDown: batches that were not sent go back to
// the queue in order, the queue stays bounded (what it refuses is
// counted), retries back off, and Close counts what is still queued.
func TestBatcherKeepsQueueWhileDown(t *testing.T) {
	ctx := context.Background()
	store := &notSentStore{Store: NewMemory(100, 0), down: true}
	b := NewBatcher(store, time.Hour, 5) // flushed by hand
	for i := range 7 {
		b.Add(Observation{Domain: fmt.Sprintf("d%d.example", i)})
	}
	if err := b.Flush(ctx); !errors.Is(err, ErrNotApplied) {
		t.Fatalf("Flush while down = %v, want ErrNotApplied", err)
	}
	st := b.Stats()
	if st.Pending != 5 || st.Refused != 2 || st.Requeued != 5 || st.Failed != 0 || st.Written != 0 {
		t.Errorf("Stats() while down = %+v, want 5 pending, 2 refused, 5 requeued", st)
	}
	store.set(false)
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush after recovery = %v", err)
	}
	m, _ := store.Get(ctx, []string{"d0.example", "d4.example", "d5.example"})
	if len(m) != 2 || m["d0.example"].Total != 1 || m["d4.example"].Total != 1 {
		t.Errorf("after recovery the store holds %v, want d0 and d4 (d5 was refused)", m)
	}
	store.set(true)
	b.Add(Observation{Domain: "late.example"})
	if err := b.Close(ctx); !errors.Is(err, ErrNotApplied) {
		t.Errorf("Close while down = %v, want ErrNotApplied", err)
	}
	want := BatcherStats{Added: 6, Dropped: 3, Refused: 2, Failed: 1, Written: 5, Requeued: 6, Flushes: 3}
	if got := b.Stats(); got != want {
		t.Errorf("Stats() after Close = %+v, want %+v", got, want)
	}
}

// TestBatcherBacksOff: while the store is down the background loop does
// not call it every flush interval but backs off towards MaxRetryEvery.
func TestBatcherBacksOff(t *testing.T) {
	store := &notSentStore{Store: NewMemory(100, 0), down: true}
	b := NewBatcher(store, time.Millisecond, 0)
	b.Add(Observation{Domain: "a.example"})
	time.Sleep(600 * time.Millisecond)
	calls := store.count()
	// 1, 2, 4, ... 512 ms: about 10 attempts in 600 ms, against 600 at
	// the flush interval.
	if calls < 3 || calls > 20 {
		t.Errorf("%d Record calls in 600ms while down, want about 10", calls)
	}
	store.set(false)
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().Written != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("not written 5s after the store came back: %+v", b.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Errorf("Close = %v", err)
	}
}
