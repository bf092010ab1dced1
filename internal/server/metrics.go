package server

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
)

// Metric names, one place for the dashboard test and the README. Every
// bounced_* family is registered by NewMetrics; the gRPC families are
// grpcMetrics's (the names of go-grpc-middleware's prometheus provider),
// go_* and process_* come from client_golang's collectors.
const (
	MetricBuildInfo         = "bounced_build_info"
	MetricParseDuration     = "bounced_parse_duration_seconds"
	MetricMessageSize       = "bounced_message_size_bytes"
	MetricMessages          = "bounced_messages_total"
	MetricVerdicts          = "bounced_verdicts_total"
	MetricParseErrors       = "bounced_parse_errors_total"
	MetricCacheLookups      = "bounced_cache_lookups_total"
	MetricCacheOps          = "bounced_cache_operations_total"
	MetricCacheOpDuration   = "bounced_cache_operation_duration_seconds"
	MetricCacheQueueDepth   = "bounced_cache_write_queue_depth"
	MetricCacheWritesQueued = "bounced_cache_writes_queued_total"
	MetricCacheWritesDone   = "bounced_cache_writes_stored_total"
	MetricCacheWritesDrop   = "bounced_cache_writes_dropped_total"
	MetricCacheWritesFailed = "bounced_cache_writes_failed_total"
	MetricCacheFlushes      = "bounced_cache_flushes_total"
	MetricDNSQueries        = "bounced_dns_queries_total"
	MetricDNSCacheHits      = "bounced_dns_cache_hits_total"
	MetricDNSCoalesced      = "bounced_dns_coalesced_total"
	MetricDNSSharedErrors   = "bounced_dns_shared_errors_total"
	MetricAuthFailures      = "bounced_auth_failures_total"
	MetricTLSReloads        = "bounced_tls_reloads_total"
	MetricHTTPRequests      = "bounced_http_requests_total"
	MetricHTTPDuration      = "bounced_http_request_duration_seconds"
)

// Metrics is bounced's Prometheus registry: gRPC server metrics (requests
// by method and code, handling time; grpcmetrics.go), the pipeline's own (parse latency,
// message sizes, verdicts by kind, reason and side, errors by ErrorInfo
// reason), the domain cache (lookups by result, operation latency, the
// write batcher's queue), optional DNS counters, and the Go and process
// collectors. Serve it with Handler.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler
	grpc    *grpcMetrics

	parseDuration prometheus.Histogram
	messageSize   prometheus.Histogram
	messages      *prometheus.CounterVec // kind
	verdicts      *prometheus.CounterVec // kind, reason, side
	parseErrors   *prometheus.CounterVec // reason
	cacheLookups  *prometheus.CounterVec // result
	cacheOps      *prometheus.CounterVec // op, result
	cacheOpTime   *prometheus.HistogramVec
	authFailures  *prometheus.CounterVec // why
	tlsReloads    *prometheus.CounterVec // result
	httpRequests  *prometheus.CounterVec // route, code
	httpDuration  *prometheus.HistogramVec
	admission     *admissionCollector // admitmetrics.go

	// The series observeParse counts every message into, found once per
	// label tuple rather than per message: WithLabelValues hashes and
	// checks its labels and takes a lock each time, about 1 µs a message
	// on the corpus (a message, its recipients' verdicts, its cache
	// result). The labels come from fixed vocabularies (dsn.Kind,
	// classify's reasons and sides), so these stay small.
	kindSeries    seriesCache[dsn.Kind]
	verdictSeries seriesCache[verdictLabels]
	lookupSeries  [bounce.CacheUnavailable + 1]prometheus.Counter // by status
}

// verdictLabels are a bounced_verdicts_total series' labels.
type verdictLabels struct {
	kind   dsn.Kind
	reason classify.Reason
	side   classify.Side
}

// seriesCache holds the series of a metric vector by a key that stands
// for their label values. Readers take no lock: the map is replaced, never
// changed.
type seriesCache[K comparable] struct {
	mu sync.Mutex // serialises writers
	m  atomic.Pointer[map[K]prometheus.Counter]
}

// get returns k's series, made by with the first time.
func (c *seriesCache[K]) get(k K, with func() prometheus.Counter) prometheus.Counter {
	if m := c.m.Load(); m != nil {
		if s, ok := (*m)[k]; ok {
			return s
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var next map[K]prometheus.Counter
	if m := c.m.Load(); m != nil {
		if s, ok := (*m)[k]; ok {
			return s
		}
		next = maps.Clone(*m)
	} else {
		next = map[K]prometheus.Counter{}
	}
	s := with()
	next[k] = s
	c.m.Store(&next)
	return s
}

// MetricsConfig configures NewMetrics.
type MetricsConfig struct {
	// Version is the build's version (stamped with -ldflags -X); the VCS
	// revision is read from the binary's build information.
	Version string
	// Revision, when set, overrides the VCS revision (builds without .git).
	Revision string
}

// NewMetrics returns a registry with every bounced family registered.
func NewMetrics(cfg MetricsConfig) *Metrics {
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.Revision == "" {
		cfg.Revision = vcsRevision()
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg:  reg,
		grpc: newGRPCMetrics(),
		parseDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricParseDuration,
			Help:    "Time to parse, classify and explain one message, domain cache included.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		messageSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricMessageSize,
			Help:    "Size of the raw messages received, in bytes.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 9), // 1 KiB .. 64 MiB
		}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricMessages, Help: "Messages parsed, by kind (bounce, delay, delivery, autoreply, feedback, notbounce).",
		}, []string{"kind"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricVerdicts, Help: "Recipient verdicts returned, by message kind, reason and side.",
		}, []string{"kind", "reason", "side"}),
		parseErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricParseErrors, Help: "Messages refused, by ErrorInfo reason (OTHER when none applies).",
		}, []string{"reason"}),
		cacheLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricCacheLookups, Help: "Domain memory use per message: hit, miss, unavailable, skipped, disabled.",
		}, []string{"result"}),
		cacheOps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricCacheOps, Help: "Domain memory calls by operation (get, record) and result (ok, error, timeout).",
		}, []string{"op", "result"}),
		cacheOpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricCacheOpDuration,
			Help:    "Latency of domain memory calls by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}, []string{"op"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricAuthFailures, Help: "Calls refused for a missing or wrong bearer token, by transport and cause.",
		}, []string{"transport", "cause"}),
		tlsReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricTLSReloads, Help: "TLS certificate reloads after a file changed, by result (ok, error).",
		}, []string{"result"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricHTTPRequests, Help: "HTTP/JSON API requests by route (parse, domains, openapi, other) and status code.",
		}, []string{"route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricHTTPDuration,
			Help:    "HTTP/JSON API request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        MetricBuildInfo,
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": cfg.Version, "revision": cfg.Revision},
	})
	buildInfo.Set(1)
	m.admission = newAdmissionCollector(reg)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	reg.MustRegister(m.grpc.collectors()...)
	reg.MustRegister(
		buildInfo, m.parseDuration, m.messageSize, m.messages, m.verdicts, m.parseErrors,
		m.cacheLookups, m.cacheOps, m.cacheOpTime, m.authFailures, m.tlsReloads, m.httpRequests, m.httpDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Zero series, so that dashboards and alerts see the families (and a
	// rate of 0) before the first event.
	for st := range m.lookupSeries {
		m.lookupSeries[st] = m.cacheLookups.WithLabelValues(bounce.CacheStatus(st).String())
	}
	for _, r := range errorReasons {
		m.parseErrors.WithLabelValues(r.reason)
	}
	m.parseErrors.WithLabelValues("OTHER")
	for _, op := range []string{"get", "record"} {
		m.cacheOpTime.WithLabelValues(op)
		for _, r := range []string{"ok", "error", "timeout"} {
			m.cacheOps.WithLabelValues(op, r)
		}
	}
	for _, tr := range []string{"grpc", "http"} {
		for _, c := range []string{"missing", "wrong"} {
			m.authFailures.WithLabelValues(tr, c)
		}
	}
	for _, r := range []string{"ok", "error"} {
		m.tlsReloads.WithLabelValues(r)
	}
	return m
}

// vcsRevision is the commit the binary was built from, when the Go
// toolchain recorded it (builds inside a git checkout), else "unknown".
func vcsRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// Registry is the registry, for callers that add their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler { return m.handler }

// ServeHTTP serves Handler, so a *Metrics can be mounted directly.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// initGRPC creates the zero series of every method of s.
func (m *Metrics) initGRPC(s *grpc.Server) { m.grpc.init(s) }

// observeParse records one message: its size, the pipeline's latency and
// outcome.
func (m *Metrics) observeParse(size int, took time.Duration, res *bounce.Result, err error) {
	m.messageSize.Observe(float64(size))
	if err != nil {
		m.parseErrors.WithLabelValues(metricReason(err)).Inc()
		return
	}
	m.parseDuration.Observe(took.Seconds())
	kind := res.Report.Kind
	m.kindSeries.get(kind, func() prometheus.Counter {
		return m.messages.WithLabelValues(kind.String())
	}).Inc()
	for i := range res.Recipients {
		v := &res.Recipients[i].Verdict
		m.verdictSeries.get(verdictLabels{kind, v.Reason, v.Side}, func() prometheus.Counter {
			return m.verdicts.WithLabelValues(kind.String(), string(v.Reason), string(v.Side))
		}).Inc()
	}
	if st := res.CacheStatus; st >= 0 && int(st) < len(m.lookupSeries) {
		m.lookupSeries[st].Inc()
	} else {
		m.cacheLookups.WithLabelValues(st.String()).Inc()
	}
}

// refused counts a message refused before the pipeline ran.
func (m *Metrics) refused(size int, err error) {
	m.messageSize.Observe(float64(size))
	m.parseErrors.WithLabelValues(metricReason(err)).Inc()
}

// metricReason is the ErrorInfo reason of err, or OTHER.
func metricReason(err error) string {
	for _, r := range errorReasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "OTHER"
}

// AuthFailed counts a refused call; transport is "grpc" or "http", cause
// "missing" or "wrong".
func (m *Metrics) AuthFailed(transport, cause string) {
	m.authFailures.WithLabelValues(transport, cause).Inc()
}

// TLSReloaded counts a certificate reload; err nil means it succeeded.
func (m *Metrics) TLSReloaded(err error) {
	if err != nil {
		m.tlsReloads.WithLabelValues("error").Inc()
		return
	}
	m.tlsReloads.WithLabelValues("ok").Inc()
}

// BatcherStats is what Metrics reads of a domaincache.Batcher.
type BatcherStats interface {
	Stats() domaincache.BatcherStats
}

// SetBatcher exports the write batcher's queue depth and counters, read at
// each scrape.
func (m *Metrics) SetBatcher(b BatcherStats) {
	counter := func(name, help string, f func(domaincache.BatcherStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(b.Stats())) })
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: MetricCacheQueueDepth,
			Help: "Observations queued for the next batched write.",
		}, func() float64 {
			return float64(b.Stats().Pending)
		}),
		counter(MetricCacheWritesQueued, "Observations queued for batched writing.", func(s domaincache.BatcherStats) uint64 { return s.Added }),
		counter(MetricCacheWritesDone, "Observations written by the batcher.", func(s domaincache.BatcherStats) uint64 { return s.Written }),
		counter(MetricCacheWritesDrop, "Observations never written, whatever the cause: refused (queue full, invalid) or lost with a batch that failed after sending.", func(s domaincache.BatcherStats) uint64 { return s.Dropped }),
		counter(MetricCacheWritesFailed, "Of those dropped, observations lost with a batch that failed after sending, or still queued at shutdown.", func(s domaincache.BatcherStats) uint64 { return s.Failed }),
		counter(MetricCacheFlushes, "Batched writes made.", func(s domaincache.BatcherStats) uint64 { return s.Flushes }),
	)
}

// DNSStats is what the DNS evidence resolver reports (issue 11).
type DNSStats struct {
	// Queries counts the queries sent to the resolver by kind ("mx", "a",
	// "dnsbl", ...) and result ("ok", "nxdomain", "timeout", ...).
	Queries map[DNSQuery]uint64
	// CacheHits counts answers served from a cache, by cache ("memory",
	// "shared").
	CacheHits map[string]uint64
	// Coalesced counts lookups that waited for the same query in flight.
	Coalesced uint64
	// SharedErrors counts failed calls to the shared cache.
	SharedErrors uint64
}

// DNSQuery labels a count of DNSStats.Queries.
type DNSQuery struct{ Kind, Result string }

// SetDNSStats exports the resolver's counters, read at each scrape through
// stats. Call it once, when DNS evidence is on.
func (m *Metrics) SetDNSStats(stats func() DNSStats) {
	m.reg.MustRegister(&dnsCollector{
		stats:     stats,
		queries:   prometheus.NewDesc(MetricDNSQueries, "DNS queries sent to the resolver, by kind and result.", []string{"kind", "result"}, nil),
		hits:      prometheus.NewDesc(MetricDNSCacheHits, "DNS answers served from a cache, by cache.", []string{"cache"}, nil),
		coalesced: prometheus.NewDesc(MetricDNSCoalesced, "DNS lookups that waited for the same query already in flight.", nil, nil),
		shared:    prometheus.NewDesc(MetricDNSSharedErrors, "Failed calls to the shared DNS cache.", nil, nil),
	})
}

type dnsCollector struct {
	stats                            func() DNSStats
	queries, hits, coalesced, shared *prometheus.Desc
}

func (c *dnsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.queries
	ch <- c.hits
	ch <- c.coalesced
	ch <- c.shared
}

func (c *dnsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for q, n := range s.Queries {
		ch <- prometheus.MustNewConstMetric(c.queries, prometheus.CounterValue, float64(n), q.Kind, q.Result)
	}
	for cache, n := range s.CacheHits {
		ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(n), cache)
	}
	ch <- prometheus.MustNewConstMetric(c.coalesced, prometheus.CounterValue, float64(s.Coalesced))
	ch <- prometheus.MustNewConstMetric(c.shared, prometheus.CounterValue, float64(s.SharedErrors))
}

// InstrumentStore wraps s so that every Get and Record is timed and
// counted. Methods beyond domaincache.Store (Ping, Stats) stay reachable
// through Unwrap.
func (m *Metrics) InstrumentStore(s domaincache.Store) domaincache.Store {
	if s == nil {
		return nil
	}
	return &instrumentedStore{Store: s, m: m}
}

type instrumentedStore struct {
	domaincache.Store
	m *Metrics
}

// Unwrap returns the store underneath.
func (s *instrumentedStore) Unwrap() domaincache.Store { return s.Store }

func (s *instrumentedStore) Get(ctx context.Context, domains []string) (map[string]domaincache.Summary, error) {
	start := time.Now()
	got, err := s.Store.Get(ctx, domains)
	s.m.cacheOp("get", start, err)
	return got, err
}

func (s *instrumentedStore) Record(ctx context.Context, obs []domaincache.Observation) error {
	start := time.Now()
	err := s.Store.Record(ctx, obs)
	s.m.cacheOp("record", start, err)
	return err
}

func (m *Metrics) cacheOp(op string, start time.Time, err error) {
	m.cacheOpTime.WithLabelValues(op).Observe(time.Since(start).Seconds())
	result := "ok"
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		result = "timeout"
	case err != nil:
		result = "error"
	}
	m.cacheOps.WithLabelValues(op, result).Inc()
}
