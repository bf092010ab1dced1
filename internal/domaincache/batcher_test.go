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
	want := BatcherStats{Added: 3, Dropped: 2, Failed: 3, Flushes: 1}
	if got := b.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}
