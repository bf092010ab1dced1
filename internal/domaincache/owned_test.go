package domaincache

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

// viewOf returns a string that shares the bytes of b, as the parser's
// strings may share the bytes of the message they were cut out of.
func viewOf(b []byte) string { return unsafe.String(&b[0], len(b)) }

// scribble overwrites b, as a reused receive buffer would be.
func scribble(b []byte) {
	for i := range b {
		b[i] = 'x'
	}
}

// TestMemoryOwnsItsStrings records observations whose strings share the
// bytes of a buffer, overwrites the buffer, and checks that the store
// still answers the original names: it kept copies, not the caller's
// bytes (which would also keep a whole message in memory).
func TestMemoryOwnsItsStrings(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, time.Hour)
	domain, reason, side, status := []byte("owned.example"), []byte("blocked"), []byte("sender"), []byte("5.7.1")
	obs := Observation{Domain: viewOf(domain), Reason: viewOf(reason), Side: viewOf(side), Status: viewOf(status), Hard: true}
	if err := m.Record(ctx, []Observation{obs}); err != nil {
		t.Fatal(err)
	}
	// A second record of the same names: counts go up, copies stay.
	if err := m.Record(ctx, []Observation{obs}); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{domain, reason, side, status} {
		scribble(b)
	}
	s := summaryOf(t, m, "owned.example")
	if s.Domain != "owned.example" || s.LastReason != "blocked" || s.LastSide != "sender" || s.LastStatus != "5.7.1" {
		t.Errorf("summary changed with the caller's bytes: %+v", s)
	}
	if s.Reasons["blocked"] != 2 || s.Sides["sender"] != 2 || s.Total != 2 {
		t.Errorf("counts by name = %v, %v, total %d; want blocked 2, sender 2, total 2", s.Reasons, s.Sides, s.Total)
	}
}

// TestReadCacheOwnsItsNames does the same for the Redis store's read
// cache: a name put from a buffer is found by its text after the buffer
// was overwritten, with its summary's Domain intact.
func TestReadCacheOwnsItsNames(t *testing.T) {
	c := newReadCache(time.Hour, 10)
	name := []byte("cached.example")
	c.put(viewOf(name), Summary{Domain: viewOf(name), Total: 3}, true, 0)
	scribble(name)
	s, found, ok := c.get("cached.example", 1)
	if !ok || !found {
		t.Fatalf("cached.example not found after its bytes were overwritten (ok %v, found %v)", ok, found)
	}
	if s.Domain != "cached.example" || s.Total != 3 {
		t.Errorf("summary = %+v, want cached.example with total 3", s)
	}
}

// TestBatcherOwnsItsStrings queues an observation whose strings share the
// bytes of a buffer, overwrites the buffer before the flush, and checks
// what reaches the store: the queue kept copies.
func TestBatcherOwnsItsStrings(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, time.Hour)
	b := NewBatcher(m, time.Hour, 0) // flushed by hand below
	defer b.Close(ctx)
	domain, reason, side, status, rdom := []byte("queued.example"), []byte("blocked"), []byte("sender"), []byte("5.7.1"), []byte("rcpt.example")
	obs := Observation{Domain: viewOf(domain), Reason: viewOf(reason), Side: viewOf(side), Status: viewOf(status), RecipientDomain: viewOf(rdom)}
	if err := b.Add(obs); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{domain, reason, side, status, rdom} {
		scribble(s)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := summaryOf(t, m, "queued.example")
	if s.LastReason != "blocked" || s.LastSide != "sender" || s.LastStatus != "5.7.1" || s.DistinctRecipientDomains != 1 {
		t.Errorf("summary = %+v, want the names as queued and one recipient domain", s)
	}
}

// summaryOf is the summary m holds of domain, whose bytes the caller
// overwrote after recording it: missing is a failure.
func summaryOf(t *testing.T, m *Memory, domain string) Summary {
	t.Helper()
	got, err := m.Get(context.Background(), []string{domain})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := got[domain]
	if !ok {
		t.Fatalf("%s not found after its bytes were overwritten: %v", domain, got)
	}
	return s
}
