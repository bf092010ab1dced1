package domaincache

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// newStoreFunc makes a fresh, empty Store for one subtest, remembering
// domains for ttl (0: the default).
type newStoreFunc func(t *testing.T, ttl time.Duration) Store

// ttlLeft returns how long store keeps domain from now on, 0 when it does
// not hold it.
func ttlLeft(t *testing.T, store Store, domain string) time.Duration {
	t.Helper()
	switch s := store.(type) {
	case *Memory:
		s.mu.Lock()
		defer s.mu.Unlock()
		el := s.byName[domain]
		if el == nil {
			return 0
		}
		return max(el.Value.(*memEntry).expires.Sub(s.now()), 0)
	case *Redis:
		d, err := s.c.PTTL(context.Background(), s.hashKey(domain)).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", s.hashKey(domain), err)
		}
		return max(d, 0) // -2: no key, -1: no TTL (a bug, caught by callers)
	default:
		t.Fatalf("ttlLeft: unknown store %T", store)
		return 0
	}
}

// runStoreSuite runs the behavioural tests every Store must pass.
func runStoreSuite(t *testing.T, newStore newStoreFunc) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	mustRecord := func(t *testing.T, s Store, obs ...Observation) {
		t.Helper()
		if err := s.Record(ctx, obs); err != nil {
			t.Fatalf("Record(%d observations) = %v, want nil", len(obs), err)
		}
	}
	mustGet := func(t *testing.T, s Store, domains ...string) map[string]Summary {
		t.Helper()
		m, err := s.Get(ctx, domains)
		if err != nil {
			t.Fatalf("Get(%q) = %v, want nil", domains, err)
		}
		return m
	}
	mustGetOne := func(t *testing.T, s Store, domain string) Summary {
		t.Helper()
		m := mustGet(t, s, domain)
		sum, ok := m[domain]
		if !ok {
			t.Fatalf("Get(%q): domain absent, want a summary", domain)
		}
		return sum
	}

	// Issue 11 item 4: a rejecting host's record counts the distinct
	// recipient domains it refused, across calls, duplicates once.
	t.Run("distinct recipient domains", func(t *testing.T) {
		s := newStore(t, 0)
		host := func(rd, sender string) Observation {
			return Observation{Domain: "isp.example", Reason: "norelaying", Side: "sender", Sender: sender, RecipientDomain: rd, At: t0}
		}
		mustRecord(t, s, host("a.example", "x@shop.test"), host("b.example", "x@shop.test"), host("A.example.", "x@shop.test"))
		mustRecord(t, s, host("c.example", "x@shop.test"), Observation{Domain: "a.example", Reason: "norelaying", Sender: "x@shop.test", At: t0})
		got := mustGet(t, s, "isp.example", "a.example")
		if h := got["isp.example"]; h.DistinctRecipientDomains != 3 || h.DistinctSenders != 1 || h.Reasons["norelaying"] != 4 {
			t.Errorf("host: DistinctRecipientDomains=%d DistinctSenders=%d norelaying=%d, want 3, 1, 4", h.DistinctRecipientDomains, h.DistinctSenders, h.Reasons["norelaying"])
		}
		if d := got["a.example"]; d.DistinctRecipientDomains != 0 {
			t.Errorf("recipient domain: DistinctRecipientDomains=%d, want 0", d.DistinctRecipientDomains)
		}
	})

	t.Run("counts", func(t *testing.T) {
		s := newStore(t, 0)
		mustRecord(t, s,
			Observation{Domain: "example.com", Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: "a@shop.test", Hard: true, At: t0},
			Observation{Domain: "example.com", Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: "b@shop.test", Hard: true, At: t0.Add(time.Minute)},
			Observation{Domain: "other.example", Reason: "mailboxfull", Side: "recipient", Status: "4.2.2", At: t0},
		)
		mustRecord(t, s,
			Observation{Domain: "example.com", Reason: "ratelimited", Side: "sender", Status: "4.7.0", Sender: "a@shop.test", At: t0.Add(time.Hour)},
		)
		got := mustGetOne(t, s, "example.com")
		want := Summary{
			Domain:          "example.com",
			Total:           3,
			Hard:            2,
			Reasons:         map[string]int64{"norelaying": 2, "ratelimited": 1},
			Sides:           map[string]int64{"recipient": 2, "sender": 1},
			FirstSeen:       t0,
			LastSeen:        t0.Add(time.Hour),
			LastReason:      "ratelimited",
			LastSide:        "sender",
			LastStatus:      "4.7.0",
			DistinctSenders: 2,
		}
		checkSummary(t, got, want)
		other := mustGetOne(t, s, "other.example")
		if other.Total != 1 || other.DistinctSenders != 0 || other.Reasons["mailboxfull"] != 1 {
			t.Errorf("Get(other.example) = %+v, want Total 1, mailboxfull 1, no senders", other)
		}
	})

	t.Run("first and last within one batch", func(t *testing.T) {
		s := newStore(t, 0)
		// Out of order in the slice: the earliest sets FirstSeen, the latest
		// sets LastSeen and the last verdict.
		mustRecord(t, s,
			Observation{Domain: "example.com", Reason: "userunknown", Side: "recipient", Status: "5.1.1", At: t0.Add(2 * time.Minute)},
			Observation{Domain: "example.com", Reason: "hostunknown", Side: "recipient", Status: "5.1.2", At: t0},
			Observation{Domain: "example.com", Reason: "blocked", Side: "sender", Status: "5.7.1", At: t0.Add(time.Minute)},
		)
		got := mustGetOne(t, s, "example.com")
		if !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("FirstSeen, LastSeen = %v, %v, want %v, %v", got.FirstSeen, got.LastSeen, t0, t0.Add(2*time.Minute))
		}
		if got.LastReason != "userunknown" || got.LastStatus != "5.1.1" {
			t.Errorf("last verdict = %q %q, want userunknown 5.1.1", got.LastReason, got.LastStatus)
		}
		// A later Record does not move FirstSeen, even with an older time.
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "blocked", Side: "sender", At: t0.Add(-time.Hour)})
		got = mustGetOne(t, s, "example.com")
		if !got.FirstSeen.Equal(t0) {
			t.Errorf("FirstSeen after a later Record = %v, want %v", got.FirstSeen, t0)
		}
	})

	t.Run("zero time means now", func(t *testing.T) {
		s := newStore(t, 0)
		before := time.Now().Add(-time.Millisecond)
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "expired", Side: "network"})
		after := time.Now().Add(time.Millisecond)
		got := mustGetOne(t, s, "example.com")
		if got.FirstSeen.Before(before) || got.LastSeen.After(after) {
			t.Errorf("FirstSeen, LastSeen = %v, %v, want within [%v, %v]", got.FirstSeen, got.LastSeen, before, after)
		}
		if got.FirstSeen.Location() != time.UTC {
			t.Errorf("FirstSeen location = %v, want UTC", got.FirstSeen.Location())
		}
	})

	t.Run("normalisation", func(t *testing.T) {
		s := newStore(t, 0)
		mustRecord(t, s, Observation{Domain: "Example.COM.", At: t0}) // no reason, no side
		m := mustGet(t, s, "example.com", "EXAMPLE.com", "example.com.")
		if len(m) != 3 {
			t.Fatalf("Get of three spellings returned %d entries, want 3: %v", len(m), m)
		}
		got := m["EXAMPLE.com"]
		if got.Domain != "example.com" || got.Reasons[UndefinedReason] != 1 || got.Sides[UnknownSide] != 1 {
			t.Errorf("Get(EXAMPLE.com) = %+v, want Domain example.com, reason %s and side %s counted once", got, UndefinedReason, UnknownSide)
		}
	})

	t.Run("distinct senders exact when few", func(t *testing.T) {
		s := newStore(t, 0)
		var obs []Observation
		for i := range 20 {
			// 5 senders, repeated, in mixed case; empty senders are not counted.
			sender := fmt.Sprintf("User%d@Shop.test", i%5)
			if i%2 == 1 {
				sender = strings.ToLower(sender)
			}
			obs = append(obs, Observation{Domain: "example.com", Reason: "norelaying", Side: "recipient", Sender: sender, At: t0})
		}
		obs = append(obs, Observation{Domain: "example.com", Reason: "norelaying", Side: "recipient", At: t0})
		mustRecord(t, s, obs[:10]...)
		mustRecord(t, s, obs[10:]...)
		if got := mustGetOne(t, s, "example.com").DistinctSenders; got != 5 {
			t.Errorf("DistinctSenders = %d, want 5", got)
		}
	})

	t.Run("distinct senders estimated when many", func(t *testing.T) {
		s := newStore(t, 0)
		// Redis's standard error is 0.81 %, Memory's 1.6 %; the bounds are
		// the (2 % at 1000) and 2.5 Memory standard errors.
		for _, tc := range []struct {
			n      int
			maxErr float64
		}{{1000, 0.02}, {10000, 0.04}} {
			n := tc.n
			domain := fmt.Sprintf("n%d.example", n)
			var obs []Observation
			for i := range n {
				obs = append(obs, Observation{Domain: domain, Reason: "norelaying", Sender: fmt.Sprintf("sender-%d@shop%d.test", i, i%7), At: t0})
				if len(obs) == MaxBatch || i == n-1 {
					mustRecord(t, s, obs...)
					obs = obs[:0]
				}
			}
			got := mustGetOne(t, s, domain).DistinctSenders
			if e := math.Abs(float64(got)-float64(n)) / float64(n); e > tc.maxErr {
				t.Errorf("DistinctSenders of %d senders = %d, error %.2f%%, want < %.0f%%", n, got, 100*e, 100*tc.maxErr)
			}
		}
	})

	t.Run("absent domains", func(t *testing.T) {
		s := newStore(t, 0)
		mustRecord(t, s, Observation{Domain: "known.example", Reason: "blocked", At: t0})
		m := mustGet(t, s, "unknown.example", "", strings.Repeat("x", MaxDomainLen+1), "known.example")
		if len(m) != 1 {
			t.Errorf("Get = %v, want only known.example", m)
		}
		if m := mustGet(t, s); m == nil || len(m) != 0 {
			t.Errorf("Get() = %#v, want an empty, non-nil map", m)
		}
	})

	t.Run("many domains in one call", func(t *testing.T) {
		s := newStore(t, 0)
		var obs []Observation
		var domains []string
		for i := range 300 {
			d := fmt.Sprintf("d%03d.example", i)
			domains = append(domains, d)
			for range i%3 + 1 {
				obs = append(obs, Observation{Domain: d, Reason: "userunknown", Side: "recipient", At: t0})
			}
		}
		mustRecord(t, s, obs...)
		domains = append(domains, "none1.example", "none2.example")
		m := mustGet(t, s, domains...)
		if len(m) != 300 {
			t.Fatalf("Get(%d domains) returned %d, want 300", len(domains), len(m))
		}
		for i, d := range domains[:300] {
			if got, want := m[d].Total, int64(i%3+1); got != want {
				t.Errorf("Get(%s).Total = %d, want %d", d, got, want)
			}
		}
	})

	t.Run("limits", func(t *testing.T) {
		s := newStore(t, 0)
		tooMany := make([]Observation, MaxBatch+1)
		for i := range tooMany {
			tooMany[i] = Observation{Domain: "example.com", Reason: "blocked"}
		}
		if err := s.Record(ctx, tooMany); !errors.Is(err, ErrBatchTooLarge) {
			t.Errorf("Record(%d observations) = %v, want ErrBatchTooLarge", len(tooMany), err)
		}
		if _, err := s.Get(ctx, make([]string, MaxBatch+1)); !errors.Is(err, ErrBatchTooLarge) {
			t.Errorf("Get(%d domains) = %v, want ErrBatchTooLarge", MaxBatch+1, err)
		}
		for _, bad := range []Observation{
			{Domain: ""},
			{Domain: "."},
			{Domain: strings.Repeat("a", MaxDomainLen+1)},
			{Domain: "example.com", Reason: strings.Repeat("r", MaxLabelLen+1)},
			{Domain: "example.com", Side: strings.Repeat("s", MaxLabelLen+1)},
			{Domain: "example.com", Status: strings.Repeat("5", MaxLabelLen+1)},
			{Domain: "example.com", Reason: "usrunknown"}, // not in classify.Reasons
			{Domain: "example.com", Reason: "userunknown", Side: "them"},
		} {
			// The valid observation before the bad one must not be written.
			err := s.Record(ctx, []Observation{{Domain: "valid.example", Reason: "blocked"}, bad})
			if !errors.Is(err, ErrInvalidObservation) {
				t.Errorf("Record(%.20q...) = %v, want ErrInvalidObservation", bad.Domain+bad.Reason+bad.Side+bad.Status, err)
			}
		}
		if m := mustGet(t, s, "valid.example", "example.com"); len(m) != 0 {
			t.Errorf("after rejected batches Get = %v, want nothing written", m)
		}
		// A long sender is counted by its first MaxSenderLen bytes.
		long := strings.Repeat("x", MaxSenderLen)
		mustRecord(t, s,
			Observation{Domain: "long.example", Reason: "blocked", Sender: long + "a"},
			Observation{Domain: "long.example", Reason: "blocked", Sender: long + "b"})
		if got := mustGetOne(t, s, "long.example").DistinctSenders; got != 1 {
			t.Errorf("DistinctSenders of two senders equal in their first %d bytes = %d, want 1", MaxSenderLen, got)
		}
	})

	t.Run("TTL", func(t *testing.T) {
		const ttl = 2 * time.Second
		s := newStore(t, ttl)
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "blocked", Sender: "a@shop.test"})
		if left := ttlLeft(t, s, "example.com"); left <= ttl-500*time.Millisecond || left > ttl {
			t.Fatalf("TTL left after Record = %v, want just under %v", left, ttl)
		}
		if r, ok := s.(*Redis); ok {
			// The HyperLogLog expires with the hash.
			left, err := r.c.PTTL(ctx, r.hllKey("example.com")).Result()
			if err != nil || left <= 0 || left > ttl {
				t.Errorf("PTTL of the sender key = %v, %v, want in (0, %v]", left, err, ttl)
			}
		}
		time.Sleep(300 * time.Millisecond)
		mustGet(t, s, "example.com") // reads do not slide the TTL
		if left := ttlLeft(t, s, "example.com"); left > ttl-250*time.Millisecond {
			t.Fatalf("TTL left 300ms later, after a Get = %v, want at most %v", left, ttl-250*time.Millisecond)
		}
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "blocked"}) // writes do
		if left := ttlLeft(t, s, "example.com"); left <= ttl-200*time.Millisecond {
			t.Errorf("TTL left after a second Record = %v, want refreshed to about %v", left, ttl)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		const ttl = 200 * time.Millisecond
		s := newStore(t, ttl)
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "blocked", Sender: "a@shop.test"})
		mustGetOne(t, s, "example.com")
		time.Sleep(ttl + 150*time.Millisecond)
		if m := mustGet(t, s, "example.com"); len(m) != 0 {
			t.Fatalf("Get after the TTL = %v, want the domain forgotten", m)
		}
		// Recorded again, it starts from scratch.
		mustRecord(t, s, Observation{Domain: "example.com", Reason: "userunknown"})
		got := mustGetOne(t, s, "example.com")
		if got.Total != 1 || got.DistinctSenders != 0 || got.Reasons["blocked"] != 0 {
			t.Errorf("Get after expiry and a new Record = %+v, want a fresh history", got)
		}
	})

	t.Run("concurrency", func(t *testing.T) {
		s := newStore(t, 0)
		const writers, records = 32, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers*records+writers)
		for w := range writers {
			wg.Go(func() {
				for i := range records {
					o := Observation{Domain: "example.com", Reason: []string{"norelaying", "blocked"}[i%2], Side: "recipient", Hard: i%5 == 0, Sender: fmt.Sprintf("w%d@shop.test", w)}
					if err := s.Record(ctx, []Observation{o, {Domain: fmt.Sprintf("w%d.example", w), Reason: "blocked"}}); err != nil {
						errs <- err
					}
				}
			})
			wg.Go(func() { // readers alongside
				for range 10 {
					if _, err := s.Get(ctx, []string{"example.com", fmt.Sprintf("w%d.example", w)}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent call failed: %v", err)
		}
		got := mustGetOne(t, s, "example.com")
		want := map[string]int64{"norelaying": writers * records / 2, "blocked": writers * records / 2}
		if got.Total != writers*records || !maps.Equal(got.Reasons, want) || got.Sides["recipient"] != writers*records || got.Hard != writers*records/5 {
			t.Errorf("after %d writers x %d records: Total %d, Hard %d, Reasons %v, Sides %v; want %d, %d, %v, all recipient",
				writers, records, got.Total, got.Hard, got.Reasons, got.Sides, writers*records, writers*records/5, want)
		}
		if got.DistinctSenders != writers {
			t.Errorf("DistinctSenders = %d, want %d", got.DistinctSenders, writers)
		}
	})

	t.Run("closed", func(t *testing.T) {
		s := newStore(t, 0)
		if err := s.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if err := s.Record(ctx, []Observation{{Domain: "example.com"}}); !errors.Is(err, ErrClosed) {
			t.Errorf("Record after Close = %v, want ErrClosed", err)
		}
		if _, err := s.Get(ctx, []string{"example.com"}); !errors.Is(err, ErrClosed) {
			t.Errorf("Get after Close = %v, want ErrClosed", err)
		}
	})

	t.Run("History", func(t *testing.T) {
		s := newStore(t, 0)
		for i := range 8 {
			mustRecord(t, s, Observation{Domain: "broken-mx.example", Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: fmt.Sprintf("s%d@shop.test", i), At: t0})
		}
		got, err := s.Get(ctx, []string{"broken-mx.example", "Nobody.Example"})
		if err != nil {
			t.Fatal(err)
		}
		h := got["broken-mx.example"].History()
		if h.Total != 8 || h.Reasons["norelaying"] != 8 || h.DistinctSenders != 8 || h.Domain != "broken-mx.example" {
			t.Errorf("History(broken-mx.example) = %+v, want 8 relay denials from 8 senders", h)
		}
		if _, ok := got["Nobody.Example"]; ok {
			t.Errorf("Get(Nobody.Example) found history, want none")
		}
	})
}

// checkSummary compares two summaries field by field.
func checkSummary(t *testing.T, got, want Summary) {
	t.Helper()
	if got.Domain != want.Domain || got.Total != want.Total || got.Hard != want.Hard ||
		!maps.Equal(got.Reasons, want.Reasons) || !maps.Equal(got.Sides, want.Sides) ||
		!got.FirstSeen.Equal(want.FirstSeen) || !got.LastSeen.Equal(want.LastSeen) ||
		got.LastReason != want.LastReason || got.LastSide != want.LastSide || got.LastStatus != want.LastStatus ||
		got.DistinctSenders != want.DistinctSenders {
		t.Errorf("Summary =\n  %+v\nwant\n  %+v", got, want)
	}
}
