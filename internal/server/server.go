// Package server is the gRPC adapter of bounced: it converts between the
// wire types of bounced.v1 and the domain types, maps errors to status
// codes, and carries the interceptors, health checking and reflection.
// Only this package and cmd/bounced log.
//
// Under load it keeps each call bounded (limits.go, caps.go, drain.go,
// encoded.go): bytes of messages in flight and open streams are limited
// (RESOURCE_EXHAUSTED, SERVER_BUSY or TOO_MANY_STREAMS, after a short
// wait); every response fits a client's default 4 MiB (strings cut, the
// response marked truncated); a stream told to drain on shutdown answers
// what arrives and ends with UNAVAILABLE, SHUTTING_DOWN; and a response is
// encoded once, for the check before the cache write and for the wire.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/net/idna"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Flow-control windows of the server's receiving side (see NewGRPCServer).
const (
	streamWindow = 1 << 20
	connWindow   = 4 << 20
)

// MaxStreamsPerConn is the most calls one client connection has open at
// once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; a client queues the rest
// itself). The connection guard admits request bytes into the in-flight
// budget (toolarge.go); this bounds what each open call costs besides.
// 128 is what common HTTP/2 servers offer.
const MaxStreamsPerConn = 128

// streamWorkers is the number of gRPC's call workers: a client
// connection's open calls (MaxStreamsPerConn), or four per CPU when more.
// With four in all per CPU (8 on 2 CPUs), 16 unary callers (loadgen's
// default) ran half their calls on new goroutines, each growing its
// stack by copying for the parse (morestack 4.5 % of the server's CPU);
// with 32 or 128 workers unary calls cost about a tenth less CPU. An idle
// worker holds only its stack, which the garbage collector shrinks.
func streamWorkers() int { return max(MaxStreamsPerConn, 4*runtime.GOMAXPROCS(0)) }

// grpcOverhead is room for the protobuf framing around a raw message, so
// that a message of exactly the size limit still fits in a request.
const grpcOverhead = 64 << 10

// Config configures the service.
type Config struct {
	Engine *bounce.Engine
	// Store answers GetDomainVerdict; nil answers UNAVAILABLE.
	Store domaincache.Store
	// MaxMessageBytes is the largest raw message. A message over it gets
	// MESSAGE_TOO_LARGE, whatever its size, and a stream goes on (see
	// transportLimit and toolarge.go).
	MaxMessageBytes int
	// Creds is the gRPC server's transport security (TLS); nil is
	// plaintext. NewGRPCServer wraps it so that messages over the receive
	// limit are answered like any message over the size limit
	// (toolarge.go), and every other message is admitted into the
	// in-flight budget as it arrives; a grpc.Creds option given to
	// NewGRPCServer replaces it, without either. A handler's
	// peer.AuthInfo is then an h2guard.AuthInfo, which holds the TLS one
	// (Inner).
	Creds credentials.TransportCredentials
	// CacheTimeout bounds GetDomainVerdict's store read.
	CacheTimeout time.Duration
	// Logger receives one line per failed call and per panic; nil discards.
	Logger *slog.Logger
	// Metrics counts calls; nil counts into a private set.
	Metrics *Metrics
	// Auth, when set, requires a bearer token on every call it does not
	// exempt.
	Auth *Auth

	// convert turns a result into its wire form; nil is ToProto (and the
	// gRPC handlers write the wire form without it: wirewriter.go). Tests
	// set it to make a result that cannot be encoded; every call then
	// converts through it.
	convert func(*bounce.Result, []explain.Audience, string) *pb.ParseResponse
	// MaxInflightBytes bounds the bytes of the request messages held at
	// once, received and not answered (DefaultMaxInflightBytes when
	// zero); MaxStreams the ParseStream calls open at once
	// (DefaultMaxStreams when zero). Beyond them a call waits
	// up to AdmissionWait (DefaultAdmissionWait when zero), then gets
	// RESOURCE_EXHAUSTED with the reason SERVER_BUSY or TOO_MANY_STREAMS.
	MaxInflightBytes int64
	MaxStreams       int
	AdmissionWait    time.Duration
	// StallGrace and StallMinRate bound how long a gRPC request message
	// admitted into the budget may take to arrive: StallGrace plus its
	// size at StallMinRate bytes a second, from the moment the server
	// waits for it; then its call is reset and its room given back
	// (toolarge.go). Zero: DefaultStallGrace, DefaultStallMinRate;
	// negative: no bound (StallGrace) or none by size (StallMinRate).
	StallGrace   time.Duration
	StallMinRate int64
	// Limits, when set, is the budget the limits above are counted in;
	// give the same one (NewLimits) to NewGRPCServer and NewHTTPHandler so
	// that they are server-wide. Nil: each service has a budget of its own.
	Limits *Limits
	// Draining, when closed, tells open ParseStream calls that the server
	// shuts down: each answers what arrives, then ends with UNAVAILABLE
	// (SHUTTING_DOWN) once the client pauses (see serveStream). Close it
	// before GracefulStop, which then waits only for the work in flight.
	Draining <-chan struct{}
}

// Service implements bounced.v1.BounceService.
type Service struct {
	pb.UnimplementedBounceServiceServer
	cfg    Config
	limits *limiter
	// passEncoded: the server has passCodec, so streams may send the wire
	// form parse made (NewGRPCServer sets it).
	passEncoded bool
	// parseInfo and parseWireFunc are made once for parseHandler, the
	// classify ones for classifyHandler.
	parseInfo, classifyInfo         *grpc.UnaryServerInfo
	parseWireFunc, classifyWireFunc grpc.UnaryHandler
}

var _ pb.BounceServiceServer = (*Service)(nil)

// NewService returns the service.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.CacheTimeout <= 0 {
		cfg.CacheTimeout = bounce.DefaultCacheTimeout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(MetricsConfig{})
	}
	if cfg.Limits == nil {
		cfg.Limits = NewLimits(cfg)
	}
	cfg.Metrics.watchLimits(cfg.Limits.l)
	return &Service{cfg: cfg, limits: cfg.Limits.l}
}

// NewGRPCServer returns a grpc.Server with the service, health checking,
// reflection, the receive limit and the interceptors registered, and the
// health server so the caller can flip it on shutdown.
func NewGRPCServer(cfg Config, opts ...grpc.ServerOption) (*grpc.Server, *health.Server) {
	svc := NewService(cfg)
	svc.passEncoded = true // serverCodec below
	// Metrics and the call log outermost, so refused and failed calls are
	// counted and logged too; the token check; the panic guard next to the
	// handler.
	g := svc.cfg.Metrics.grpc
	unary := []grpc.UnaryServerInterceptor{observeUnary(g, svc.cfg.Logger)}
	stream := []grpc.StreamServerInterceptor{observeStream(g, svc.cfg.Logger)}
	if cfg.Auth != nil {
		unary = append(unary, cfg.Auth.UnaryInterceptor())
		stream = append(stream, cfg.Auth.StreamInterceptor())
	}
	unary = append(unary, svc.tooLargeUnary(recoverUnary(svc.cfg.Logger)))
	stream = append(stream, svc.tooLargeStream(recoverStream(svc.cfg.Logger)))
	opts = append([]grpc.ServerOption{
		guardCreds(cfg, svc.limits),
		grpc.MaxRecvMsgSize(transportLimit(cfg.MaxMessageBytes)),
		grpc.MaxConcurrentStreams(MaxStreamsPerConn),
		// Calls run on long-lived workers, whose stacks have grown to what
		// parsing needs, rather than on a new goroutine each, whose stack
		// is grown and copied again on every call (gRPC starts one when no
		// worker is free). streamWorkers: enough for the calls in flight.
		grpc.NumStreamWorkers(uint32(streamWorkers())),
		serverCodec(),
		experimental.BufferPool(recvPool), // bufpool.go
		// Fixed flow-control windows: with gRPC's dynamic ones (BDP
		// estimation) the server sends a PING with nearly every message
		// that arrives on an otherwise quiet connection and reads its ACK,
		// one write and one read more per message; the fixed windows are
		// also smaller than the 16 MiB the estimate may grow to, so less
		// unread data per connection. 1 MiB per call still carries a
		// 25 MiB message at full speed on a LAN.
		grpc.StaticStreamWindowSize(streamWindow),
		grpc.StaticConnWindowSize(connWindow),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}, opts...)
	s := grpc.NewServer(opts...)
	s.RegisterService(svc.serviceDesc(), svc)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus(pb.BounceService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	registerReflection(s)
	svc.cfg.Metrics.initGRPC(s)
	return s, hs
}

// Parse implements BounceService.Parse.
func (s *Service) Parse(ctx context.Context, req *pb.ParseRequest) (*pb.ParseResponse, error) {
	resp, err := s.parse(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Service) parse(ctx context.Context, req *pb.ParseRequest) (*pb.ParseResponse, error) {
	resp, _, err := s.parseEncoded(ctx, req, false)
	return resp, err
}

// parseEncoded is parse, also returning the response's wire form; with
// wire set, only the wire form when it can (see judge).
func (s *Service) parseEncoded(ctx context.Context, req *pb.ParseRequest, wire bool) (*pb.ParseResponse, *wireForm, error) {
	if len(req.GetRaw()) == 0 {
		s.cfg.Metrics.refused(0, dsn.ErrEmpty)
		return nil, nil, withReason(codes.InvalidArgument, "raw: empty message", dsn.ErrEmpty)
	}
	if s.cfg.MaxMessageBytes > 0 && len(req.GetRaw()) > s.cfg.MaxMessageBytes {
		s.cfg.Metrics.refused(len(req.GetRaw()), dsn.ErrTooLarge)
		return nil, nil, tooLarge(len(req.GetRaw()), s.cfg.MaxMessageBytes)
	}
	auds := ToAudiences(req.GetAudiences())
	echoed := len(req.GetSource()) + len(req.GetLanguage())
	return s.judge(ctx, len(req.GetRaw()), echoed, req.GetSource(), req.GetLanguage(), auds, wire,
		func(check func(*bounce.Result) error) (*bounce.Result, error) {
			return s.cfg.Engine.Parse(ctx, bounce.Request{
				Raw:       req.GetRaw(),
				Audience:  auds[0],
				Language:  req.GetLanguage(),
				Source:    req.GetSource(),
				SkipCache: req.GetSkipCache(),
				Check:     check,
			})
		})
}

// judge runs one engine call (Parse or Classify) of size input bytes under
// the in-flight limit, and turns its result into the wire form: converted,
// capped to fit a default client (echoed is the size of the request's
// other strings, which the response may repeat), and encoded before the
// domain memory write, so a result that cannot be sent is never
// remembered. It counts the
// call and logs what the operator must see. It returns the response and
// its wire form; with wire set, the response is nil when the wire form
// was written without it (answer).
func (s *Service) judge(ctx context.Context, size, echoed int, source, lang string, auds []explain.Audience, wire bool,
	run func(check func(*bounce.Result) error) (*bounce.Result, error)) (*pb.ParseResponse, *wireForm, error) {
	if ctx.Value(admittedKey{}) == nil && !guardAdmitted(ctx) {
		release, err := s.limits.admitBytes(ctx, size)
		if err != nil {
			return nil, nil, err
		}
		defer release()
	}
	a := s.answerer(auds, lang, size+echoed, wire)
	start := time.Now()
	res, err := run(a.check)
	resp, enc, sent := a.resp, a.enc, a.sent
	a.release()
	s.cfg.Metrics.observeParse(size, time.Since(start), res, err)
	if err != nil {
		enc.release()
		if errors.Is(err, ErrUnencodable) {
			s.cfg.Logger.ErrorContext(ctx, "result cannot be encoded", "source", text(source), "err", err)
		}
		return nil, nil, toStatus(err)
	}
	if res.CacheErr != nil {
		// Counted per message; the store reports an outage once when it
		// starts and once when it ends (domaincache.RedisConfig.OnHealth).
		s.cfg.Logger.Debug("domain cache unavailable", "err", res.CacheErr)
	}
	// The write after Check may have failed and changed the cache status.
	if res.CacheStatus != sent {
		enc.release()
		resp, enc = s.restatus(res, resp, auds, lang, size+echoed)
	}
	if resp == nil {
		// Only the wire form is sent, and it holds copies: the result's
		// memory serves the next message (bounce.Engine.Release). A
		// response refers to the result's strings until gRPC has encoded
		// it: its memory is left to the collector.
		s.cfg.Engine.Release(res)
	}
	return resp, enc, nil
}

// ErrUnencodable is wrapped when a result cannot be encoded for the wire
// (a string that is not valid UTF-8 got past the conversion). It is a
// server fault: INTERNAL, ErrorInfo reason UNENCODABLE_RESULT.
var ErrUnencodable = errors.New("server: result cannot be encoded")

// errorReasons name each input error for clients, as the reason of a
// google.rpc.ErrorInfo detail (domain "bounced.dev"), so that they can
// branch on it without reading the message.
var errorReasons = []struct {
	err    error
	reason string
}{
	{dsn.ErrTooLarge, "MESSAGE_TOO_LARGE"},
	{dsn.ErrTooDeep, "MIME_TOO_DEEP"},
	{dsn.ErrTooManyParts, "TOO_MANY_PARTS"},
	{dsn.ErrTooManyRecipients, "TOO_MANY_RECIPIENTS"},
	{dsn.ErrEmpty, "EMPTY_MESSAGE"},
	{dsn.ErrNotMessage, "NOT_A_MESSAGE"},
	{ErrUnencodable, "UNENCODABLE_RESULT"},
}

// errorDomain is the ErrorInfo domain of bounced's errors.
const errorDomain = "bounced.dev"

// toStatus maps pipeline errors to gRPC codes, with an ErrorInfo detail
// naming the input error.
func toStatus(err error) error {
	var code codes.Code
	switch {
	case bounce.IsLimit(err):
		code = codes.ResourceExhausted
	case errors.Is(err, ErrUnencodable):
		code = codes.Internal
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	default:
		code = codes.InvalidArgument
	}
	return withReason(code, err.Error(), err)
}

// withReason builds a status with an ErrorInfo for the first known input
// error err wraps.
func withReason(code codes.Code, msg string, err error) error {
	st := status.New(code, msg)
	for _, r := range errorReasons {
		if errors.Is(err, r.err) {
			if d, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: r.reason, Domain: errorDomain}); derr == nil {
				st = d
			}
			break
		}
	}
	return st.Err()
}

// ParseStream implements BounceService.ParseStream: one response per
// request, in order; a message that fails yields a response whose error is
// the google.rpc.Status Parse would have returned, and the stream goes on.
func (s *Service) ParseStream(stream pb.BounceService_ParseStreamServer) error {
	ctx := stream.Context()
	release, err := s.limits.admitStream(ctx)
	if err != nil {
		return err
	}
	defer release()
	if guardAdmitted(ctx) {
		// Found once for the stream, not per message (judge): the
		// connection's guard admits every message of every stream.
		ctx = context.WithValue(ctx, admittedKey{}, true)
	}
	recv := func() (*heldRequest, error) {
		h := &heldRequest{stream: new(pb.ParseStreamRequest)}
		if err := stream.RecvMsg(h); err != nil {
			return nil, err
		}
		return h, nil
	}
	return serveStream(ctx, s.cfg.Draining, recv, func(h *heldRequest) error {
		in := h.stream
		if err := s.standIn(in); err != nil { // over the receive limit, or no room (toolarge.go)
			return stream.Send(&pb.ParseStreamResponse{Response: ErrorResponse("", err)})
		}
		req := in.GetRequest()
		if req == nil {
			req = &pb.ParseRequest{}
		}
		// The answer is encoded when it is sent: after that nothing
		// refers to the raw message, whose buffer goes back (rawbuf.go).
		defer h.release()
		resp, enc, perr := s.parseEncoded(ctx, req, s.passEncoded)
		if perr != nil {
			resp, enc = ErrorResponse(req.GetSource(), perr), nil
		}
		if enc != nil && s.passEncoded {
			return stream.SendMsg(enc.message(true)) // encoded once, by parseEncoded
		}
		return stream.Send(&pb.ParseStreamResponse{Response: resp})
	})
}

// GetDomainVerdict implements BounceService.GetDomainVerdict.
func (s *Service) GetDomainVerdict(ctx context.Context, req *pb.GetDomainVerdictRequest) (*pb.GetDomainVerdictResponse, error) {
	d, err := normalizeDomain(req.GetDomain())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if s.cfg.Store == nil {
		return nil, status.Error(codes.Unavailable, "no domain cache configured")
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CacheTimeout)
	defer cancel()
	got, err := s.cfg.Store.Get(cctx, []string{d})
	if err != nil {
		s.cfg.Logger.Debug("domain cache unavailable", "err", err)
		return nil, status.Errorf(codes.Unavailable, "domain cache: %v", err)
	}
	sum, ok := got[d]
	if !ok {
		sum = domaincache.Summary{Domain: d}
	}
	v := VerdictProto(sum, req.GetLanguage())
	if req.GetCheckDns() {
		v.Dns = s.domainDNS(ctx, d, sum)
	}
	return &pb.GetDomainVerdictResponse{Verdict: v}, nil
}

// maxDomainLen is the longest domain name in text form, without the
// final dot (RFC 1035 2.3.4: 255 octets on the wire).
const maxDomainLen = 253

// clipName is the start of a name too long to repeat in an error.
func clipName(d string) string {
	if len(d) <= 64 {
		return d
	}
	return cutString(d, 64) + "..."
}

// normalizeDomain lower-cases a domain and writes it in IDNA A-labels
// (RFC 5890), the form dsn reports recipients in and the cache keys use.
func normalizeDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if i := strings.LastIndexByte(d, '@'); i >= 0 {
		d = d[i+1:]
	}
	if d == "" || strings.ContainsAny(d, " \t/:<>") || !strings.Contains(d, ".") {
		return "", fmt.Errorf("domain: %q is not a domain name", clipName(d))
	}
	if a, err := idna.ToASCII(d); err == nil && a != "" {
		d = a
	}
	if len(d) > maxDomainLen {
		return "", fmt.Errorf("domain: %q is longer than a domain name can be (%d octets)", clipName(d), maxDomainLen)
	}
	return d, nil
}

// logCall logs a call at debug level with its code and duration, and
// server faults (Internal, Unknown) at error level.
func logCall(ctx context.Context, log *slog.Logger, method string, start time.Time, err error) {
	code := status.Code(err)
	level := slog.LevelDebug
	if code == codes.Internal || code == codes.Unknown {
		level = slog.LevelError
	}
	if !log.Enabled(ctx, level) {
		return
	}
	log.Log(ctx, level, "call", "method", method, "code", code.String(), "duration", time.Since(start).String())
}

// recoverUnary turns a panic in a handler into INTERNAL and logs it, so one
// bad message never takes the server down.
func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return h(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				stack := debug.Stack()
				if p, ok := r.(*handlerPanic); ok { // raised again by serveStream
					r, stack = p.value, p.stack
				}
				log.Error("panic", "method", info.FullMethod, "panic", r, "stack", string(stack))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return h(srv, ss)
	}
}

// ErrorResponse is the response for a message that failed: its source and
// the google.rpc.Status Parse would have returned for err.
// An err that already is a gRPC status is kept as it is.
func ErrorResponse(source string, err error) *pb.ParseResponse {
	if _, ok := status.FromError(err); !ok {
		err = toStatus(err)
	}
	st := status.Convert(err).Proto()
	st.Message = text(st.GetMessage())
	return &pb.ParseResponse{Source: cutString(text(source), MaxResponseFieldBytes), Error: st}
}
