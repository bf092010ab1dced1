package domaincache_test

import (
	"context"
	"fmt"
	"github.com/bounced/bounced/internal/classify"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
)

func ExampleNewMemory() {
	ctx := context.Background()
	store := domaincache.NewMemory(1000, 0) // 1000 domains, 30 days
	defer store.Close()

	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var obs []domaincache.Observation
	for i := range 6 {
		obs = append(obs, domaincache.Observation{
			Domain: "migrated.example", Reason: "norelaying", Side: "recipient", Status: "5.7.1",
			Sender: fmt.Sprintf("client%d@shop.example", i), Hard: true, At: at,
		})
	}
	if err := store.Record(ctx, obs); err != nil {
		fmt.Println(err)
		return
	}
	m, err := store.Get(ctx, []string{"migrated.example", "unknown.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := m["migrated.example"]
	fmt.Println(len(m), s.Total, s.Reasons["norelaying"], s.DistinctSenders, s.LastStatus)
	// Output: 1 6 6 6 5.7.1
}

func ExampleParseRedisURL() {
	cfg, err := domaincache.ParseRedisURL("redis://:secret@cache.internal:6379/2?key_prefix=bounced&timeout=50ms")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Addrs, cfg.DB, cfg.KeyPrefix, cfg.Timeout)
	store, err := domaincache.NewRedis(cfg) // does not connect yet
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// Output: [cache.internal:6379] 2 bounced 50ms
}

// A domain's history, read back and judged by the classifier.
func ExampleSummary_History() {
	ctx := context.Background()
	store := domaincache.NewMemory(0, 0)
	for range 3 {
		store.Record(ctx, []domaincache.Observation{{Domain: "gone.example", Reason: "hostunknown", Side: "recipient", Status: "5.1.2"}})
	}
	got, err := store.Get(ctx, []string{"gone.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := classify.AssessDomain(got["gone.example"].History())
	fmt.Println(a.Total, a.DominantReason, a.LooksDead)
	// Output: 3 hostunknown true
}

func ExampleBatcher() {
	ctx := context.Background()
	store := domaincache.NewMemory(0, 0)
	b := domaincache.NewBatcher(store, time.Minute, 0) // flush a full batch, or once a minute
	// One message after the other in a stream.
	for i := range 100 {
		b.Add(domaincache.Observation{Domain: fmt.Sprintf("d%d.example", i%10), Reason: "mailboxfull", Side: "recipient"})
	}
	b.Close(ctx) // writes what is left
	fmt.Printf("%+v\n", b.Stats())
	// Output: {Added:100 Dropped:0 Refused:0 Failed:0 Written:100 Requeued:0 Pending:0 Flushes:1}
}
