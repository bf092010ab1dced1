package server

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/bounced/bounced/internal/domaincache"
)

// Metrics counts what the service does. It serves them over HTTP in the
// Prometheus text format (version 0.0.4), written by hand to keep the
// dependency list short.
type Metrics struct {
	parses           atomic.Uint64 // messages parsed, unary and streamed
	parseErrors      atomic.Uint64 // messages refused (bad input)
	limitErrors      atomic.Uint64 // messages refused for crossing a limit
	recipients       atomic.Uint64 // recipient verdicts returned
	cacheUnavailable atomic.Uint64 // messages classified without the domain memory because it failed
	store            interface{ Stats() domaincache.Stats }
	batcher          interface {
		Stats() domaincache.BatcherStats
	}
	dns dnsStats // nil without DNS evidence
}

// SetBatcher adds the write batcher's counters.
func (m *Metrics) SetBatcher(b batcherStats) { m.batcher = b }

// batcherStats is what Metrics reads of a domaincache.Batcher.
type batcherStats interface {
	Stats() domaincache.BatcherStats
}

// NewMetrics returns counters; store may be nil or any store with Stats.
func NewMetrics(store domaincache.Store) *Metrics {
	m := &Metrics{}
	if s, ok := store.(interface{ Stats() domaincache.Stats }); ok {
		m.store = s
	}
	return m
}

// ServeHTTP writes the counters.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("bounced_parse_total", "Messages parsed.", m.parses.Load())
	counter("bounced_parse_errors_total", "Messages refused as unreadable.", m.parseErrors.Load())
	counter("bounced_parse_limit_errors_total", "Messages refused for crossing a size, depth, parts or recipients limit.", m.limitErrors.Load())
	counter("bounced_recipients_total", "Recipient verdicts returned.", m.recipients.Load())
	counter("bounced_cache_unavailable_total", "Messages classified without the domain memory because it failed or timed out.", m.cacheUnavailable.Load())
	if m.store != nil {
		s := m.store.Stats()
		counter("bounced_cache_gets_total", "Domain memory reads.", s.Gets)
		counter("bounced_cache_records_total", "Domain memory writes.", s.Records)
		counter("bounced_cache_errors_total", "Domain memory calls that failed, timeouts included.", s.Errors)
		counter("bounced_cache_timeouts_total", "Domain memory calls that ran out of time.", s.Timeouts)
	}
	if m.batcher != nil {
		b := m.batcher.Stats()
		counter("bounced_cache_writes_queued_total", "Observations queued for batched writing.", b.Added)
		counter("bounced_cache_writes_dropped_total", "Observations never written, whatever the cause: refused (queue full, invalid) or lost with a batch that failed after sending.", b.Dropped)
		counter("bounced_cache_writes_failed_total", "Of those dropped, observations lost with a batch that failed after sending, or still queued at shutdown.", b.Failed)
		counter("bounced_cache_flushes_total", "Batched writes made.", b.Flushes)
	}
	m.writeDNS(w)
}
