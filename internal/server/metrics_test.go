package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/redistest"
)

// opsServer runs the production gRPC server on a loopback TCP port with
// metrics, an instrumented in-process cache and a write batcher, and the
// operator HTTP endpoints on another.
type opsServer struct {
	client  pb.BounceServiceClient
	conn    *grpc.ClientConn
	metrics *Metrics
	opsURL  string
	apiURL  string // HTTP/JSON API over the same engine and metrics
	batcher *domaincache.Batcher
	addr    string // gRPC, 127.0.0.1:port
}

func startOpsServer(t *testing.T, auth *Auth, opts ...grpc.ServerOption) *opsServer {
	t.Helper()
	m := NewMetrics(MetricsConfig{Version: "v1.2.3-test"})
	mem := domaincache.NewMemory(100, time.Hour)
	store := m.InstrumentStore(mem)
	b := domaincache.NewBatcher(store, 5*time.Millisecond, 0)
	m.SetBatcher(b)
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}, Store: store, Writer: b})
	srv, _ := NewGRPCServer(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes, Metrics: m, Auth: auth}, opts...)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	hs := httptest.NewServer(OpsHandler(m, NewReadiness(store, false, time.Second), auth))
	api := httptest.NewServer(NewHTTPHandler(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes, Metrics: m, Auth: auth}))
	t.Cleanup(func() {
		api.Close()
		hs.Close()
		srv.Stop()
		_ = b.Close(context.Background())
	})
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &opsServer{client: pb.NewBounceServiceClient(conn), conn: conn, metrics: m, opsURL: hs.URL, apiURL: api.URL, batcher: b, addr: lis.Addr().String()}
}

// scrape reads /metrics over HTTP and parses the text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample returns the value of the series of family name whose labels
// include want, or -1.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

func TestMetricsAfterTraffic(t *testing.T) {
	s := startOpsServer(t, nil)
	s.metrics.SetDNSStats(func() DNSStats {
		return DNSStats{
			Queries:   map[DNSQuery]uint64{{"mx", "ok"}: 3, {"mx", "timeout"}: 1},
			CacheHits: map[string]uint64{"memory": 7},
			Coalesced: 2,
		}
	})
	ctx := context.Background()
	for i := range 3 {
		if _, err := s.client.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// The next ones find the first one's write: a cache hit.
			for deadline := time.Now().Add(5 * time.Second); s.batcher.Stats().Written == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
	}
	if _, err := s.client.Parse(ctx, &pb.ParseRequest{Raw: make([]byte, testMaxBytes+1)}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("oversized Parse: %v", err)
	}
	if _, err := s.client.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "broken.example"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.client.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}})
	_ = st.CloseSend()
	for {
		if _, err := st.Recv(); err != nil {
			break
		}
	}
	if _, err := healthpb.NewHealthClient(s.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.apiURL+"/v1/parse", MIMERFC822, strings.NewReader(relayDenied))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Let the batcher write.
	deadline := time.Now().Add(5 * time.Second)
	var fams map[string]*dto.MetricFamily
	for {
		fams = scrape(t, s.opsURL)
		if sample(fams, MetricCacheWritesDone, nil) >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"grpc_server_handled_total", map[string]string{"grpc_method": "Parse", "grpc_code": "OK"}, 3},
		{"grpc_server_handled_total", map[string]string{"grpc_method": "Parse", "grpc_code": "ResourceExhausted"}, 1},
		{"grpc_server_handled_total", map[string]string{"grpc_method": "ParseStream", "grpc_code": "OK"}, 1},
		{"grpc_server_started_total", map[string]string{"grpc_method": "GetDomainVerdict"}, 1},
		{"grpc_server_handling_seconds", map[string]string{"grpc_method": "Parse"}, 4},
		{MetricParseDuration, nil, 5},
		{MetricMessageSize, nil, 6},
		{MetricMessages, map[string]string{"kind": "bounce"}, 5},
		{MetricVerdicts, map[string]string{"kind": "bounce", "reason": "norelaying"}, 5},
		{MetricHTTPRequests, map[string]string{"route": "parse", "code": "200"}, 1},
		{MetricHTTPDuration, map[string]string{"route": "parse"}, 1},
		{MetricParseErrors, map[string]string{"reason": "MESSAGE_TOO_LARGE"}, 1},
		{MetricCacheLookups, map[string]string{"result": "miss"}, 1},
		{MetricCacheLookups, map[string]string{"result": "hit"}, 1},
		{MetricCacheOps, map[string]string{"op": "get", "result": "ok"}, 4},
		{MetricCacheOpDuration, map[string]string{"op": "record"}, 1},
		{MetricCacheQueueDepth, nil, 0},
		{MetricCacheWritesQueued, nil, 4},
		{MetricCacheWritesDone, nil, 1},
		{MetricCacheWritesDrop, nil, 0},
		{MetricCacheWritesFailed, nil, 0},
		{MetricCacheFlushes, nil, 1},
		{MetricDNSQueries, map[string]string{"kind": "mx", "result": "ok"}, 3},
		{MetricDNSQueries, map[string]string{"kind": "mx", "result": "timeout"}, 1},
		{MetricDNSCacheHits, map[string]string{"cache": "memory"}, 7},
		{MetricDNSCoalesced, nil, 2},
		{MetricDNSSharedErrors, nil, 0},
		{MetricAuthFailures, map[string]string{"transport": "grpc", "cause": "wrong"}, 0},
		{MetricTLSReloads, map[string]string{"result": "ok"}, 0},
		{MetricBuildInfo, map[string]string{"version": "v1.2.3-test"}, 1},
		{"go_goroutines", nil, 1},
		{"process_cpu_seconds_total", nil, 0},
	}
	for _, c := range checks {
		if got := sample(fams, c.name, c.labels); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	// The side label is one of the four sides.
	for _, m := range fams[MetricVerdicts].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "side" && !strings.Contains(" sender recipient network unknown ", " "+l.GetValue()+" ") {
				t.Errorf("side label %q", l.GetValue())
			}
		}
	}
	if rev := buildLabel(fams, "revision"); rev == "" {
		t.Errorf("bounced_build_info has no revision label")
	}

	// Every metric the Grafana dashboard queries exists in the scrape.
	for _, name := range dashboardMetrics(t, "../../deploy/grafana/bounced-dashboard.json") {
		if _, ok := fams[name]; !ok {
			t.Errorf("dashboard queries %s, absent from /metrics", name)
		}
	}
}

func buildLabel(fams map[string]*dto.MetricFamily, name string) string {
	for _, m := range fams[MetricBuildInfo].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == name {
				return l.GetValue()
			}
		}
	}
	return ""
}

// dashboardMetrics returns the metric families named in the dashboard's
// PromQL expressions (histogram series reduced to their family).
func dashboardMetrics(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	re := regexp.MustCompile(`\b(?:bounced|grpc_server|go|process)_[a-z0-9_]+`)
	set := map[string]bool{}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, n := range re.FindAllString(tg.Expr, -1) {
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if strings.HasSuffix(n, suf) && (strings.Contains(n, "seconds") || strings.Contains(n, "bytes_")) {
						n = strings.TrimSuffix(n, suf)
					}
				}
				set[n] = true
			}
		}
	}
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	if len(out) < 10 {
		t.Fatalf("dashboard names only %v", out)
	}
	return out
}

func TestHealthAndReadiness(t *testing.T) {
	s := startOpsServer(t, nil)
	get := func(path string) (int, string) {
		resp, err := http.Get(s.opsURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with the in-process cache = %d, want 200", code)
	}
}

// sumOf adds up the values of every counter or gauge series c collects.
func sumOf(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 64)
	go func() { c.Collect(ch); close(ch) }()
	total := 0.0
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) == nil {
			total += d.GetCounter().GetValue() + d.GetGauge().GetValue()
		}
	}
	return total
}

func TestReadinessFollowsRedis(t *testing.T) {
	rs := redistest.StartLocal(t)
	rc, err := domaincache.ParseRedisURL(rs.URL())
	if err != nil {
		t.Fatal(err)
	}
	rc.KeyPrefix, rc.Timeout = rs.KeyPrefix(), 200*time.Millisecond
	store, err := domaincache.NewRedis(rc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := NewMetrics(MetricsConfig{})
	wrapped := m.InstrumentStore(store)
	required := httptest.NewServer(OpsHandler(m, NewReadiness(wrapped, false, 300*time.Millisecond), nil))
	defer required.Close()
	optional := httptest.NewServer(OpsHandler(m, NewReadiness(wrapped, true, 300*time.Millisecond), nil))
	defer optional.Close()
	code := func(url string) int {
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := code(required.URL); got != http.StatusOK {
		t.Errorf("/readyz with Redis up = %d, want 200", got)
	}
	rs.Kill()
	if got := code(required.URL); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down = %d, want 503", got)
	}
	if got := code(optional.URL); got != http.StatusOK {
		t.Errorf("/readyz with Redis down but optional = %d, want 200", got)
	}
	rs.Restart()
	deadline := time.Now().Add(5 * time.Second)
	for code(required.URL) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := NewReadiness(nil, false, 0)
	r.Stopping()
	if r.Check(context.Background()) == nil {
		t.Error("ready while stopping")
	}
}
