package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
)

// serveGCPercent is the GC setting `bounced serve` runs with when GOGC is
// not set (cmd/bounced/serve_gc.go); -mode engine runs with it too, so
// that its figure and the server's differ by the server's own work.
const serveGCPercent = 400

// driveEngine is -mode engine: the same messages on the same schedule,
// parsed by a bounce.Engine in this process, configured as serve's
// (2 messages per CPU in their CPU steps, the in-process domain cache).
// Its CPU per message, taken on the same machine at the same rate, is
// what the server's is compared with: what the server spends beyond it is
// the cost of serving (gRPC, conversion, metrics, scheduling).
func driveEngine(ctx context.Context, cfg Config, msgs []message) (*result, error) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	}
	store := domaincache.NewMemory(0, 0)
	e := bounce.New(bounce.Config{MaxParallel: 2 * runtime.GOMAXPROCS(0), Store: store})
	// Warm up as the server is by its first calls.
	for _, m := range msgs[:min(len(msgs), 100)] {
		res, _ := e.Parse(ctx, bounce.Request{Raw: m.raw, Source: m.name, SkipCache: true})
		e.Release(res)
	}
	return measure(ctx, cfg, len(msgs), func(rec *recorder, start time.Time) int64 {
		return driveCalls(ctx, cfg, rec, start, func(it item) {
			m := msgs[it.i%len(msgs)]
			cctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
			res, err := e.Parse(cctx, bounce.Request{Raw: m.raw, Source: m.name, SkipCache: cfg.SkipCache})
			cancel()
			lat := time.Since(it.due)
			if err != nil {
				rec.answered(lat, "ENGINE_ERROR", "")
				return
			}
			rec.answered(lat, "", cacheName(res.CacheStatus))
			e.Release(res) // as the server does once the answer is encoded
		})
	})
}

// cacheNames are the cache statuses as the wire enum names them, without
// its prefix, made once: the engine's loop is what -mode engine measures.
var cacheNames = func() (n [bounce.CacheUnavailable + 1]string) {
	for s := range n {
		n[s] = strings.ToUpper(bounce.CacheStatus(s).String())
	}
	return n
}()

// cacheName is the name of s in cacheNames.
func cacheName(s bounce.CacheStatus) string {
	if s >= 0 && int(s) < len(cacheNames) {
		return cacheNames[s]
	}
	return "DISABLED"
}
