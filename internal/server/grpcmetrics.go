package server

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// grpcMetrics counts the gRPC calls in the families dashboards and
// alerts know (the names and labels of go-grpc-middleware's Prometheus
// provider, which bounced used before): grpc_server_started_total,
// grpc_server_handled_total (with grpc_code), grpc_server_msg_received_total,
// grpc_server_msg_sent_total and grpc_server_handling_seconds, labelled
// grpc_type, grpc_service and grpc_method.
//
// The series of each method are found once, when the server is set up
// (init), then by the method's full name per call: no label values are
// hashed per call or per stream message.
type grpcMetrics struct {
	started, handled, received, sent *prometheus.CounterVec
	handling                         *prometheus.HistogramVec

	mu      sync.Mutex                             // serialises writers of methods
	methods atomic.Pointer[map[string]*callSeries] // by full method name; replaced, never changed
}

// callSeries are one method's series.
type callSeries struct {
	started, received, sent prometheus.Counter
	handled                 [codes.Unauthenticated + 1]prometheus.Counter // by code
	handling                prometheus.Observer
	labels                  [3]string // grpc_type, grpc_service, grpc_method
}

// The grpc_type values.
const (
	typeUnary        = "unary"
	typeClientStream = "client_stream"
	typeServerStream = "server_stream"
	typeBidiStream   = "bidi_stream"
)

func newGRPCMetrics() *grpcMetrics {
	call := []string{"grpc_type", "grpc_service", "grpc_method"}
	g := &grpcMetrics{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_started_total", Help: "gRPC calls started on the server.",
		}, call),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_handled_total", Help: "gRPC calls ended on the server, whatever their code.",
		}, append(call[:3:3], "grpc_code")),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_msg_received_total", Help: "gRPC messages received by the server.",
		}, call),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_msg_sent_total", Help: "gRPC messages sent by the server.",
		}, call),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grpc_server_handling_seconds",
			Help:    "Time from the start of a gRPC call to its end on the server, in seconds.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, call),
	}
	empty := map[string]*callSeries{}
	g.methods.Store(&empty)
	return g
}

func (g *grpcMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{g.started, g.handled, g.received, g.sent, g.handling}
}

// init creates the zero series of every method of s, all codes included,
// so that dashboards see them (and a rate of 0) before the first call.
func (g *grpcMetrics) init(s *grpc.Server) {
	for svc, info := range s.GetServiceInfo() {
		for _, m := range info.Methods {
			g.series("/"+svc+"/"+m.Name, callType(m.IsClientStream, m.IsServerStream))
		}
	}
}

func callType(clientStream, serverStream bool) string {
	switch {
	case clientStream && serverStream:
		return typeBidiStream
	case clientStream:
		return typeClientStream
	case serverStream:
		return typeServerStream
	}
	return typeUnary
}

// series returns the series of a method ("/package.Service/Method"),
// creating them the first time.
func (g *grpcMetrics) series(fullMethod, typ string) *callSeries {
	if s := (*g.methods.Load())[fullMethod]; s != nil {
		return s
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	old := *g.methods.Load()
	if s := old[fullMethod]; s != nil {
		return s
	}
	service, method := splitMethod(fullMethod)
	s := &callSeries{labels: [3]string{typ, service, method}}
	s.started = g.started.WithLabelValues(typ, service, method)
	s.received = g.received.WithLabelValues(typ, service, method)
	s.sent = g.sent.WithLabelValues(typ, service, method)
	s.handling = g.handling.WithLabelValues(typ, service, method)
	for c := range s.handled {
		s.handled[c] = g.handled.WithLabelValues(typ, service, method, codes.Code(c).String())
	}
	methods := make(map[string]*callSeries, len(old)+1)
	for k, v := range old {
		methods[k] = v
	}
	methods[fullMethod] = s
	g.methods.Store(&methods)
	return s
}

// splitMethod splits "/package.Service/Method" into its service and
// method names.
func splitMethod(full string) (service, method string) {
	full = strings.TrimPrefix(full, "/")
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "unknown", "unknown"
}

// ended counts a call that ended with err after took.
func (g *grpcMetrics) ended(s *callSeries, err error, took time.Duration) {
	code := codeOf(err)
	if int(code) < len(s.handled) {
		s.handled[code].Inc()
	} else {
		g.handled.WithLabelValues(s.labels[0], s.labels[1], s.labels[2], code.String()).Inc()
	}
	s.handling.Observe(took.Seconds())
}

// codeOf is the gRPC code a call ends with: the status of err, or the
// code of a context error, as the server sends them.
func codeOf(err error) codes.Code {
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	return status.FromContextError(err).Code()
}

// observeUnary is the outermost unary interceptor of NewGRPCServer: it
// counts each call (refused and failed ones too) and logs it (logCall).
func observeUnary(g *grpcMetrics, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		s := g.series(info.FullMethod, typeUnary)
		start := time.Now()
		s.started.Inc()
		s.received.Inc()
		resp, err := h(ctx, req)
		if err == nil {
			s.sent.Inc()
		}
		g.ended(s, err, time.Since(start))
		logCall(ctx, log, info.FullMethod, start, err)
		return resp, err
	}
}

// observeStream is observeUnary for streams, counting every message
// received and sent.
func observeStream(g *grpcMetrics, log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		s := g.series(info.FullMethod, callType(info.IsClientStream, info.IsServerStream))
		start := time.Now()
		s.started.Inc()
		err := h(srv, &countedStream{ServerStream: ss, s: s})
		g.ended(s, err, time.Since(start))
		logCall(ss.Context(), log, info.FullMethod, start, err)
		return err
	}
}

// countedStream counts the messages of a stream.
type countedStream struct {
	grpc.ServerStream
	s *callSeries
}

func (c *countedStream) SendMsg(m any) error {
	err := c.ServerStream.SendMsg(m)
	if err == nil {
		c.s.sent.Inc()
	}
	return err
}

func (c *countedStream) RecvMsg(m any) error {
	err := c.ServerStream.RecvMsg(m)
	if err == nil {
		c.s.received.Inc()
	}
	return err
}
