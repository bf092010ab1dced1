package bounce

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/worstcase"
)

// TestWorstCaseMemory runs the issue 9 worst cases through the whole
// engine (parse, classify, explain, cache): what one message costs stays
// within twice its size plus 24 MiB, peak and total allocated.
func TestWorstCaseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 MiB messages")
	}
	e := New(Config{Store: domaincache.NewMemory(1000, time.Hour)})
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"html-24MiB-windows-1252-base64", worstcase.HTML(worstcase.HTMLBytes)},
		{"plain-24MiB", worstcase.PlainText(worstcase.HTMLBytes)},
		{"diagnostic-5MB", worstcase.LongDiag(worstcase.LongDiagnostic)},
		{"1000-recipients-20KB-diagnostics", worstcase.WideDiags(worstcase.WideRecipients, worstcase.WideDiagnosticSize)},
		{"100000-recipients", worstcase.Recipients(worstcase.ManyRecipients)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var top uint64
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					top = max(top, ms.HeapInuse)
					select {
					case <-done:
						return
					case <-time.After(time.Millisecond):
					}
				}
			})
			res, err := e.Parse(context.Background(), Request{Raw: tc.raw})
			close(done)
			wg.Wait()
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			peak := max(top, after.HeapInuse) - min(before.HeapInuse, max(top, after.HeapInuse))
			t.Logf("%d bytes: allocated %.1f MB, peak heap +%.1f MB", len(tc.raw), float64(alloc)/1e6, float64(peak)/1e6)
			if err != nil && !IsLimit(err) {
				t.Fatalf("Parse = %v", err)
			}
			if err == nil && len(res.Recipients) == 0 {
				t.Errorf("no recipient found")
			}
			limit := uint64(2*len(tc.raw) + 24<<20)
			if alloc > limit || peak > limit {
				t.Errorf("allocated %d, peak %d for a %d-byte message, want at most %d", alloc, peak, len(tc.raw), limit)
			}
		})
	}
}
