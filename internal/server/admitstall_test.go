package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

// metricValue is the value of the series of family name with the given
// label values (name=value pairs), read from m's registry; -1 when absent.
func metricValue(t testing.TB, m *Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				if !hasLabel(s, labels[i], labels[i+1]) {
					continue series
				}
			}
			switch {
			case s.GetGauge() != nil:
				return s.GetGauge().GetValue()
			case s.GetCounter() != nil:
				return s.GetCounter().GetValue()
			}
		}
	}
	return -1
}

func hasLabel(s *dto.Metric, name, value string) bool {
	for _, l := range s.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// stallConfig is a server with a 1 MiB budget, short admission waits and
// stall deadlines of grace plus size at rate.
func stallConfig(grace time.Duration, rate int64) Config {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 4 << 20}})
	return Config{Engine: engine, MaxMessageBytes: 4 << 20, MaxInflightBytes: 1 << 20, AdmissionWait: 50 * time.Millisecond,
		StallGrace: grace, StallMinRate: rate, Metrics: NewMetrics(MetricsConfig{})}
}

// TestStallFreesRoom (raw HTTP/2 client): a client announces a message
// of 900 KiB in a budget of 1 MiB, sends a little of it and stops. Until
// its deadline (grace plus size at the rate) a normal caller of 200 KiB
// gets SERVER_BUSY; then the stalled message's room goes back, the
// stalled client gets RST_STREAM ENHANCE_YOUR_CALM, the normal caller
// gets its verdict, and the stalled client's connection carries its next
// call. The metrics follow: bytes in use, refusals, stalls.
func TestStallFreesRoom(t *testing.T) {
	const grace, rate = 300 * time.Millisecond, 4 << 20
	cfg := stallConfig(grace, rate)
	addr, l := admitServer(t, cfg)
	m := cfg.Metrics
	if got := metricValue(t, m, MetricInflightLimit); got != 1<<20 {
		t.Errorf("%s = %v, want %d", MetricInflightLimit, got, 1<<20)
	}
	c := pb.NewBounceServiceClient(dialTCP(t, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	raw := dialH2(t, addr)
	id := raw.open(pb.BounceService_Parse_FullMethodName)
	msg := frame(&pb.ParseRequest{Raw: largeBounce(900 << 10)})
	start := time.Now() // before the prefix: the deadline starts after it
	raw.send(id, bytes.NewReader(msg), 20000, nil, 0, false)
	deadline := time.Now().Add(10 * time.Second)
	for taken(l) != int64(len(msg)) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := taken(l); got != int64(len(msg)) {
		t.Fatalf("stalled message holds %d bytes of the budget, want %d", got, len(msg))
	}
	if got := metricValue(t, m, MetricInflightBytes); got != float64(len(msg)) {
		t.Errorf("%s = %v while stalled, want %d", MetricInflightBytes, got, len(msg))
	}
	normal := &pb.ParseRequest{Raw: largeBounce(200 << 10), Source: "normal"}
	if _, err := c.Parse(ctx, normal); errorReason(err) != reasonInflight {
		t.Fatalf("normal caller while the stalled message holds its room: %v, want %s", err, reasonInflight)
	}
	if got := metricValue(t, m, MetricInflightRefused, "reason", reasonInflight); got < 1 {
		t.Errorf("%s{reason=%s} = %v, want at least 1", MetricInflightRefused, reasonInflight, got)
	}
	raw.wait("the stalled stream's reset", func() bool { return raw.ended[id] })
	took := time.Since(start)
	raw.mu.Lock()
	code := raw.rst[id]
	raw.mu.Unlock()
	if code != http2.ErrCodeEnhanceYourCalm {
		t.Errorf("stalled stream reset with %v, want ENHANCE_YOUR_CALM", code)
	}
	allow := grace + time.Duration(len(msg))*time.Second/rate
	t.Logf("stalled message of %d bytes reset after %v (allowance %v)", len(msg), took, allow)
	if took < allow {
		t.Errorf("reset after %v, before its allowance %v", took, allow)
	}
	waitBudgetFull(t, "after the reset", l)
	if _, err := c.Parse(ctx, normal); err != nil {
		t.Errorf("normal caller after the reset: %v", err)
	}
	if got := metricValue(t, m, MetricInflightStalled); got != 1 {
		t.Errorf("%s = %v, want 1", MetricInflightStalled, got)
	}
	// The stalled client's connection: the rest of the message is
	// dropped, and its next call is answered.
	raw.send(id, bytes.NewReader(msg[20000:]), 30000, nil, 0, true)
	id2 := raw.open(pb.BounceService_Parse_FullMethodName)
	one := frame(&pb.ParseRequest{Raw: []byte(relayDenied)})
	raw.send(id2, bytes.NewReader(one), len(one), nil, 0, true)
	raw.wait("the next call", func() bool { return raw.ended[id2] })
	if err := raw.status(id2); err != nil {
		t.Errorf("next call on the stalled client's connection: %v", err)
	}
	raw.mu.Lock()
	answers := len(messages(t, raw.data[id2]))
	raw.mu.Unlock()
	if answers != 1 {
		t.Errorf("next call: %d answers", answers)
	}
	waitBudgetFull(t, "at the end", l)
	if got := metricValue(t, m, MetricInflightBytes); got != 0 {
		t.Errorf("%s = %v at the end, want 0", MetricInflightBytes, got)
	}
}

// gatedConn is a client connection whose writes stop after a number of
// bytes (in the middle of a frame, as a stalled sender's), until opened;
// or that writes at most rate bytes a second.
type gatedConn struct {
	net.Conn
	mu    sync.Mutex
	left  int // bytes written before the gate closes; <0: no gate
	open  chan struct{}
	rate  int // bytes a second, 0: no limit
	wrote int
}

func (g *gatedConn) Write(b []byte) (int, error) {
	g.mu.Lock()
	left := g.left
	if left >= 0 && left < len(b) {
		g.left = -1
	} else if left >= 0 {
		g.left -= len(b)
	}
	rate := g.rate
	g.mu.Unlock()
	if left >= 0 && left < len(b) {
		n, err := g.Conn.Write(b[:left])
		if err != nil {
			return n, err
		}
		<-g.open
		m, err := g.Conn.Write(b[left:])
		return n + m, err
	}
	if rate > 0 {
		n := 0
		for n < len(b) {
			k := min(len(b)-n, 4096)
			m, err := g.Conn.Write(b[n : n+k])
			n += m
			if err != nil {
				return n, err
			}
			time.Sleep(time.Duration(k) * time.Second / time.Duration(rate))
		}
		return n, nil
	}
	return g.Conn.Write(b)
}

func dialGated(t *testing.T, addr string) (*grpc.ClientConn, *gatedConn) {
	t.Helper()
	g := &gatedConn{left: -1, open: make(chan struct{})}
	cc := dialTCP(t, addr, grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", a)
		if err != nil {
			return nil, err
		}
		g.Conn = conn
		return g, nil
	}))
	t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
	})
	return cc, g
}

// TestStallGRPCClient: a grpc-go client whose connection stops writing in
// the middle of a 2 MiB message gets RESOURCE_EXHAUSTED (the reset,
// ENHANCE_YOUR_CALM) after the message's deadline, the budget is full
// again, and once its writes go on the same connection answers its next
// call. A client that sends as slowly but steadily above the rate gets
// its verdict.
func TestStallGRPCClient(t *testing.T) {
	const grace, rate = 300 * time.Millisecond, 4 << 20
	cfg := stallConfig(grace, rate)
	cfg.MaxInflightBytes = 8 << 20
	addr, l := admitServer(t, cfg)
	cc, g := dialGated(t, addr)
	c := pb.NewBounceServiceClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatal(err) // the connection is up
	}
	g.mu.Lock()
	g.left = 300 << 10
	g.mu.Unlock()
	start := time.Now()
	_, err := c.Parse(ctx, &pb.ParseRequest{Raw: largeBounce(2 << 20), Source: "stalled"})
	took := time.Since(start)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "ENHANCE_YOUR_CALM") {
		t.Fatalf("stalled call: %v, want RESOURCE_EXHAUSTED from RST_STREAM ENHANCE_YOUR_CALM", err)
	}
	t.Logf("stalled call ended after %v: %v", took, err)
	if allow := grace + (2<<20)*time.Second/rate; took < allow-50*time.Millisecond {
		t.Errorf("stalled call reset after %v, before its allowance %v", took, allow)
	}
	waitBudgetFull(t, "after the reset", l)
	if got := metricValue(t, cfg.Metrics, MetricInflightStalled); got != 1 {
		t.Errorf("%s = %v, want 1", MetricInflightStalled, got)
	}
	close(g.open)
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Errorf("next call on the same connection: %v", err)
	}

	// Slow but steady: 1 MiB at 2 MiB/s (0.5s) against an allowance of
	// 1s + 1 MiB at 1 MiB/s.
	cfg2 := stallConfig(time.Second, 1<<20)
	cfg2.MaxInflightBytes = 8 << 20
	addr2, l2 := admitServer(t, cfg2)
	cc2, g2 := dialGated(t, addr2)
	c2 := pb.NewBounceServiceClient(cc2)
	if _, err := c2.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatal(err)
	}
	g2.mu.Lock()
	g2.rate = 2 << 20
	g2.mu.Unlock()
	start = time.Now()
	if _, err := c2.Parse(ctx, &pb.ParseRequest{Raw: largeBounce(1 << 20), Source: "steady"}); err != nil {
		t.Errorf("slow but steady sender: %v", err)
	}
	t.Logf("1 MiB sent at 2 MiB/s answered after %v", time.Since(start))
	if got := metricValue(t, cfg2.Metrics, MetricInflightStalled); got != 0 {
		t.Errorf("%s = %v for a steady sender, want 0", MetricInflightStalled, got)
	}
	waitBudgetFull(t, "after the steady call", l2)
}

// TestAdmissionMetricsRefusals: the refusals of the handlers (no guard:
// a server given its own credentials) and of the stream slots are
// counted by reason, and services sharing one budget count it once.
func TestAdmissionMetricsRefusals(t *testing.T) {
	cfg := stallConfig(time.Second, 0)
	cfg.MaxStreams = 1
	cfg.Limits = NewLimits(cfg)
	m := cfg.Metrics
	NewService(cfg) // a second service on the same budget and metrics
	s := NewService(cfg)
	l := s.limits
	if got := metricValue(t, m, MetricInflightLimit); got != float64(l.maxBytes) {
		t.Errorf("%s = %v with one budget shared, want %d", MetricInflightLimit, got, l.maxBytes)
	}
	ctx := context.Background()
	if err := l.bytes.Acquire(ctx, l.maxBytes); err != nil {
		t.Fatal(err)
	}
	if got := metricValue(t, m, MetricInflightBytes); got != float64(l.maxBytes) {
		t.Errorf("%s = %v with the budget taken, want %d", MetricInflightBytes, got, l.maxBytes)
	}
	for range 2 {
		if _, err := l.admitBytes(ctx, 100); errorReason(err) != reasonInflight {
			t.Fatalf("admitBytes with no room: %v", err)
		}
	}
	l.bytes.Release(l.maxBytes)
	release, err := l.admitStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.admitStream(ctx); errorReason(err) != reasonStreams {
		t.Fatalf("admitStream with no slot: %v", err)
	}
	release()
	for _, tc := range []struct {
		reason string
		want   float64
	}{{reasonInflight, 2}, {reasonStreams, 1}} {
		if got := metricValue(t, m, MetricInflightRefused, "reason", tc.reason); got != tc.want {
			t.Errorf("%s{reason=%s} = %v, want %v", MetricInflightRefused, tc.reason, got, tc.want)
		}
	}
	if got := metricValue(t, m, MetricInflightBytes); got != 0 {
		t.Errorf("%s = %v at the end", MetricInflightBytes, got)
	}
}

// TestStallNotForServerBackpressure: a ParseStream whose second message
// (2 MiB, over the stream's 1 MiB window) cannot arrive while the handler
// is busy with the first (held in the engine far past the second's
// allowance) is not reset: its clock starts when the first is answered.
func TestStallNotForServerBackpressure(t *testing.T) {
	const grace, rate = 200 * time.Millisecond, 4 << 20
	cfg := stallConfig(grace, rate)
	cfg.MaxInflightBytes = 8 << 20
	hold := make(chan struct{})
	var once sync.Once
	cfg.convert = func(res *bounce.Result, a []explain.Audience, lang string) *pb.ParseResponse {
		if res.Source == "first" {
			<-hold
		}
		return ToProto(res, a, lang)
	}
	addr, l := admitServer(t, cfg)
	c := pb.NewBounceServiceClient(dialTCP(t, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: "first"}}); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		sent <- st.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: largeBounce(2 << 20), Source: "second"}})
	}()
	allow := grace + (2<<20)*time.Second/rate
	time.Sleep(3 * allow) // the handler busy with the first meanwhile
	once.Do(func() { close(hold) })
	for _, want := range []string{"first", "second"} {
		r, err := st.Recv()
		if err != nil {
			t.Fatalf("%s: %v (reset while the server did not read it?)", want, err)
		}
		if e := r.GetResponse().GetError(); e != nil || r.GetResponse().GetSource() != want {
			t.Errorf("answer %q: %v, want %q's verdict", r.GetResponse().GetSource(), e, want)
		}
	}
	if err := <-sent; err != nil {
		t.Errorf("sending the second: %v", err)
	}
	_ = st.CloseSend()
	if got := metricValue(t, cfg.Metrics, MetricInflightStalled); got != 0 {
		t.Errorf("%s = %v, want 0", MetricInflightStalled, got)
	}
	waitBudgetFull(t, "after the stream", l)
}

// TestStallBeforeHandshakeEnds: a client that sends its preface, a call
// and the start of a message in one write, then stops: the message is
// admitted by the reads of grpc-go's HTTP/2 handshake, after which the
// server clears the connection's deadlines; the guard's still wakes it,
// and the call is reset within its allowance.
func TestStallBeforeHandshakeEnds(t *testing.T) {
	const grace, rate = 200 * time.Millisecond, 4 << 20
	cfg := stallConfig(grace, rate)
	addr, l := admitServer(t, cfg)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out bytes.Buffer
	out.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&out, conn)
	_ = fr.WriteSettings()
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", pb.BounceService_Parse_FullMethodName},
		{":authority", "bounced"}, {"content-type", "application/grpc"}, {"te", "trailers"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndHeaders: true})
	msg := frame(&pb.ParseRequest{Raw: largeBounce(500 << 10)})
	_ = fr.WriteData(1, false, msg[:10000])
	if _, err := conn.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no reset of the stalled call: %v", err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			if r.StreamID != 1 || r.ErrCode != http2.ErrCodeEnhanceYourCalm {
				t.Errorf("reset %v", r)
			}
			break
		}
	}
	took := time.Since(start)
	t.Logf("reset after %v", took)
	if allow := grace + time.Duration(len(msg))*time.Second/rate; took > allow+grace/4+2*time.Second {
		t.Errorf("reset after %v, allowance %v", took, allow)
	}
	waitBudgetFull(t, "after the reset", l)
}

// TestStallGRPCClientTLS is TestStallGRPCClient's stall over TLS: the
// guard sits above the server's tls.Conn, whose reads then time out in
// the middle of a TLS record, again and again while the client is silent.
// crypto/tls keeps what it read of a record across a read timeout, so
// the stalled call is reset and, once the client's writes go on, the same
// connection (the rest of that record included) answers the next call.
func TestStallGRPCClientTLS(t *testing.T) {
	const grace, rate = 300 * time.Millisecond, 4 << 20
	ca := certtest.NewCA(t, "test CA")
	leaf := ca.Issue(t, certtest.Options{CN: "bounced"})
	cfg := stallConfig(grace, rate)
	cfg.MaxInflightBytes = 8 << 20
	cfg.Creds = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12})
	addr, l := admitServer(t, cfg)
	g := &gatedConn{left: -1, open: make(chan struct{})}
	cc := dialTCP(t, addr,
		grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: ca.Pool()})),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", a)
			if err != nil {
				return nil, err
			}
			g.Conn = conn
			return g, nil
		}))
	opened := false
	t.Cleanup(func() {
		if !opened {
			close(g.open)
		}
	})
	c := pb.NewBounceServiceClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatal(err) // the TLS connection is up
	}
	g.mu.Lock()
	g.left = 300<<10 + 7 // not on a TLS record's boundary
	g.mu.Unlock()
	_, err := c.Parse(ctx, &pb.ParseRequest{Raw: largeBounce(2 << 20), Source: "stalled"})
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "ENHANCE_YOUR_CALM") {
		t.Fatalf("stalled call over TLS: %v, want RESOURCE_EXHAUSTED from RST_STREAM ENHANCE_YOUR_CALM", err)
	}
	waitBudgetFull(t, "after the reset", l)
	close(g.open)
	opened = true
	for i := 0; i < 3; i++ {
		if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
			t.Fatalf("call %d on the same TLS connection after the reset: %v", i, err)
		}
	}
	if got := metricValue(t, cfg.Metrics, MetricInflightStalled); got != 1 {
		t.Errorf("%s = %v, want 1", MetricInflightStalled, got)
	}
	waitBudgetFull(t, "after the calls", l)
}
