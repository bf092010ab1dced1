package domaincache

import (
	"context"
	"fmt"
	"testing"

	"github.com/bounced/bounced/internal/redistest"
)

// benchRecordGet does one Record and one Get per op, the cache's work for
// one message, over 1000 domains.
func benchRecordGet(b *testing.B, s Store) {
	ctx := context.Background()
	domains := make([]string, 1000)
	for i := range domains {
		domains[i] = fmt.Sprintf("d%d.example", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		d := domains[i%len(domains)]
		o := []Observation{{Domain: d, Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: "s@shop.example", Hard: true}}
		if err := s.Record(ctx, o); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Get(ctx, domains[i%len(domains):i%len(domains)+1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkMemoryRecordGet(b *testing.B) {
	benchRecordGet(b, NewMemory(10000, 0))
}

func BenchmarkRedisRecordGet(b *testing.B) {
	srv := redistest.Start(b)
	benchRecordGet(b, newTestRedis(b, srv, nil))
}
