package domaincache

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestMemoryStore(t *testing.T) {
	runStoreSuite(t, func(t *testing.T, ttl time.Duration) Store {
		m := NewMemory(1000, ttl)
		t.Cleanup(func() { m.Close() })
		return m
	})
}

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(3, 0)
	for _, d := range []string{"a.example", "b.example", "c.example"} {
		if err := m.Record(ctx, []Observation{{Domain: d, Reason: "blocked"}}); err != nil {
			t.Fatal(err)
		}
	}
	// A Get counts as use: a.example becomes the most recently used, so
	// b.example is the one to go when d.example arrives.
	if _, err := m.Get(ctx, []string{"a.example"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Record(ctx, []Observation{{Domain: "d.example", Reason: "blocked"}}); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(ctx, []string{"a.example", "b.example", "c.example", "d.example"})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{"a.example": true, "b.example": false, "c.example": true, "d.example": true} {
		if _, ok := got[d]; ok != want {
			t.Errorf("after eviction, %s present = %v, want %v", d, ok, want)
		}
	}
	if m.Len() != 3 {
		t.Errorf("Len() = %d, want 3", m.Len())
	}

	// One Record with more domains than fit keeps the last ones.
	var obs []Observation
	for i := range 10 {
		obs = append(obs, Observation{Domain: fmt.Sprintf("n%d.example", i)})
	}
	if err := m.Record(ctx, obs); err != nil {
		t.Fatal(err)
	}
	got, _ = m.Get(ctx, []string{"n7.example", "n8.example", "n9.example"})
	if len(got) != 3 || m.Len() != 3 {
		t.Errorf("after recording 10 domains into 3 slots: kept %d of the last 3, Len %d; want 3, 3", len(got), m.Len())
	}
}

func TestMemorySweepsExpired(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(100, time.Hour)
	m.now = func() time.Time { return now }
	for i := range 20 {
		if err := m.Record(ctx, []Observation{{Domain: fmt.Sprintf("old%d.example", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Hour)
	// Each Record drops up to sweepMax expired entries from the LRU tail.
	for i := range 3 {
		if err := m.Record(ctx, []Observation{{Domain: fmt.Sprintf("new%d.example", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Len(); got != 3 {
		t.Errorf("Len() after three Records past the TTL of 20 domains = %d, want 3", got)
	}
}

func TestMemoryDefaults(t *testing.T) {
	m := NewMemory(0, -time.Second)
	if m.max != DefaultMemorySize || m.ttl != DefaultTTL {
		t.Errorf("NewMemory(0, -1s) = max %d, ttl %v; want %d, %v", m.max, m.ttl, DefaultMemorySize, DefaultTTL)
	}
}

func TestMemoryStats(t *testing.T) {
	m := NewMemory(10, 0)
	ctx, cancel := context.WithCancel(context.Background())
	m.Record(ctx, []Observation{{Domain: "example.com"}})
	m.Get(ctx, []string{"example.com"})
	cancel()
	if err := m.Record(ctx, []Observation{{Domain: "example.com"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Record with a cancelled context = %v, want context.Canceled", err)
	}
	m.Record(context.Background(), []Observation{{Domain: ""}})
	want := Stats{Gets: 1, Records: 3, Errors: 2}
	if got := m.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestSenderSet(t *testing.T) {
	// Exact up to senderExactMax, then the estimate; the switch keeps the count.
	var s senderSet
	for i := range senderExactMax {
		s.add(fmt.Sprintf("s%d", i))
		s.add(fmt.Sprintf("s%d", i))
	}
	if got := s.count(); got != senderExactMax || s.regs != nil {
		t.Fatalf("count of %d senders = %d (dense %v), want exact", senderExactMax, got, s.regs != nil)
	}
	s.add("one-more")
	if got := s.count(); s.regs == nil || got < senderExactMax-1 || got > senderExactMax+3 {
		t.Errorf("count after switching to the sketch = %d (dense %v), want about %d", got, s.regs != nil, senderExactMax+1)
	}
	// Accuracy across the range (Ertl's estimator has no bias bump between
	// linear counting and the raw estimate).
	for _, n := range []int{500, 2000, 10000, 50000, 200000} {
		var s senderSet
		for i := range n {
			s.add(fmt.Sprintf("sender%d@example.org", i))
		}
		if e := float64(s.count()-int64(n)) / float64(n); e > 0.04 || e < -0.04 {
			t.Errorf("count of %d senders = %d, error %.2f%%, want within 4%% (2.5 standard errors)", n, s.count(), 100*e)
		}
	}
}
