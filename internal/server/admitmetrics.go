package server

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names of the in-flight budget (limits.go), beside metrics.go's.
const (
	MetricInflightBytes   = "bounced_inflight_bytes"
	MetricInflightLimit   = "bounced_inflight_limit_bytes"
	MetricInflightRefused = "bounced_inflight_refused_total"
	MetricInflightStalled = "bounced_inflight_stalled_total"
)

// admissionCollector exports the in-flight budgets of the services that
// count into a Metrics, read at each scrape from the limiters: bytes of
// the budget in use (a counter beside the semaphore, two atomic adds a
// message) and its size; messages refused for want of room, by the
// ErrorInfo reason their callers got (SERVER_BUSY: no room in
// --max-inflight-bytes, whether the handler, the gateway or the
// connection guard refused; TOO_MANY_STREAMS: no slot in --max-streams);
// messages whose calls were reset for arriving too late (the guard's
// stall deadlines). Services sharing one Limits count once.
type admissionCollector struct {
	mu       sync.Mutex
	limiters []*limiter

	bytes, limit, refused, stalled *prometheus.Desc
}

func newAdmissionCollector(reg *prometheus.Registry) *admissionCollector {
	c := &admissionCollector{
		bytes: prometheus.NewDesc(MetricInflightBytes,
			"Bytes of the in-flight budget taken by request messages received and not yet answered (max-inflight-bytes).", nil, nil),
		limit: prometheus.NewDesc(MetricInflightLimit,
			"Size of the in-flight budget in bytes (max-inflight-bytes).", nil, nil),
		refused: prometheus.NewDesc(MetricInflightRefused,
			"Messages refused with RESOURCE_EXHAUSTED for want of room, by ErrorInfo reason: SERVER_BUSY (max-inflight-bytes), TOO_MANY_STREAMS (max-streams).",
			[]string{"reason"}, nil),
		stalled: prometheus.NewDesc(MetricInflightStalled,
			"gRPC request messages that did not arrive within their deadline: their call was reset and their room given back.", nil, nil),
	}
	reg.MustRegister(c)
	return c
}

// watchLimits adds l to the budgets m exports (once).
func (m *Metrics) watchLimits(l *limiter) {
	c := m.admission
	c.mu.Lock()
	if !slices.Contains(c.limiters, l) {
		c.limiters = append(c.limiters, l)
	}
	c.mu.Unlock()
}

func (c *admissionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.bytes
	ch <- c.limit
	ch <- c.refused
	ch <- c.stalled
}

func (c *admissionCollector) Collect(ch chan<- prometheus.Metric) {
	var used, size int64
	var busy, streams, stalled uint64
	c.mu.Lock()
	for _, l := range c.limiters {
		used += l.bytes.used.Load()
		size += l.maxBytes
		busy += l.refusedBytes.Load()
		streams += l.refusedStreams.Load()
		stalled += l.stalled.Load()
	}
	c.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(used))
	ch <- prometheus.MustNewConstMetric(c.limit, prometheus.GaugeValue, float64(size))
	ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(busy), reasonInflight)
	ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(streams), reasonStreams)
	ch <- prometheus.MustNewConstMetric(c.stalled, prometheus.CounterValue, float64(stalled))
}
