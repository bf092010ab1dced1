package bounce

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/redistest"
)

// BenchmarkParseBusy runs the corpus through one engine from many
// goroutines at once (16 per CPU), with Redis and batched writes, so the
// CPU is saturated as on a busy host. It reports the share of messages
// classified without history because the cache read ran out of time
// (unavail/op): on a healthy Redis it should be 0 with the default
// settings (issue 9).
func BenchmarkParseBusy(b *testing.B) {
	for _, c := range []struct {
		timeout time.Duration
		pool    int
	}{
		{domaincache.DefaultTimeout, domaincache.DefaultPoolSize},
	} {
		b.Run(fmt.Sprintf("timeout=%v/pool=%d", c.timeout, c.pool), func(b *testing.B) {
			srv := redistest.Start(b)
			cfg, err := domaincache.ParseRedisURL(srv.URL())
			if err != nil {
				b.Fatal(err)
			}
			cfg.KeyPrefix = srv.KeyPrefix()
			cfg.Timeout, cfg.PoolSize = c.timeout, c.pool
			store, err := domaincache.NewRedis(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			w := domaincache.NewBatcher(store, 10*time.Millisecond, 0)
			defer w.Close(context.Background())
			e := New(Config{Store: store, CacheTimeout: c.timeout, Writer: w})
			msgs := corpusMessages(b)
			var next, unavailable atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					i := next.Add(1)
					r, err := e.Parse(ctx, Request{Raw: msgs[int(i)%len(msgs)]})
					if err == nil && r.CacheStatus == CacheUnavailable {
						unavailable.Add(1)
					}
				}
			})
			b.ReportMetric(float64(unavailable.Load())/float64(b.N), "unavail/op")
		})
	}
}

// BenchmarkEngineCPU is BenchmarkParse/nocache reporting the process's
// CPU time per message (user and system, GC included: cpu-ns/op) besides
// the wall time, so that it compares with the server's CPU per message
// that cmd/loadgen reads from /proc, on a machine shared with other work.
func BenchmarkEngineCPU(b *testing.B) {
	msgs := corpusMessages(b)
	e := New(Config{})
	ctx := context.Background()
	b.ReportAllocs()
	start := cpuTime()
	for i := 0; b.Loop(); i++ {
		e.Parse(ctx, Request{Raw: msgs[i%len(msgs)]})
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMaxParallel: with one slot, a second Parse waits for the first to
// leave its CPU steps, and a Parse whose context ends while waiting
// returns that context's error.
func TestMaxParallel(t *testing.T) {
	e := New(Config{MaxParallel: 1})
	raw := corpusMessages(t)[0]
	if err := e.acquire(context.Background()); err != nil { // hold the only slot
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := e.Parse(ctx, Request{Raw: raw}); err != context.DeadlineExceeded {
		t.Errorf("Parse with the slot taken = %v, want context.DeadlineExceeded", err)
	}
	e.release()
	if _, err := e.Parse(context.Background(), Request{Raw: raw}); err != nil {
		t.Errorf("Parse with the slot free = %v", err)
	}
	if len(e.slots) != 0 {
		t.Errorf("%d slots still held after Parse", len(e.slots))
	}
}

// BenchmarkJudge is the engine's share of BenchmarkEngineCPU without
// dsn: every corpus message is parsed once before the timer starts, then
// each iteration runs judge (classify, explain and the result building
// around them) over one report, round robin. The reports are only read.
// Like BenchmarkEngineCPU it reports the process's CPU time per message
// (cpu-ns/op, GC included) besides the wall time.
func BenchmarkJudge(b *testing.B) {
	var reps []*dsn.Report
	for _, m := range corpusMessages(b) {
		if rep, err := dsn.Parse(m, dsn.Options{}); err == nil {
			reps = append(reps, rep)
		}
	}
	e := New(Config{})
	ctx := context.Background()
	b.ReportAllocs()
	start := cpuTime()
	for i := 0; b.Loop(); i++ {
		if _, err := e.judge(ctx, Request{}, reps[i%len(reps)], nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
