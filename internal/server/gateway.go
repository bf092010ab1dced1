package server

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// openAPI is the OpenAPI (Swagger 2.0) document protoc-gen-openapiv2
// generates from the proto (internal/gen/openapi); make generate copies it
// here and a test keeps the two equal.
//
//go:embed openapi.json
var openAPI []byte

// MIMERFC822 is the content type of a raw message body (RFC 2046 section 5.2.1).
const MIMERFC822 = "message/rfc822"

// jsonOverhead is room for the JSON around a base64 message.
const jsonOverhead = 64 << 10

// NewHTTPHandler serves the HTTP/JSON API (grpc-gateway) from the same
// service as gRPC, in process (no loopback gRPC hop):
//
//	POST /v1/parse            body: the message (Content-Type: message/rfc822),
//	                          or a ParseRequest as JSON with raw in base64
//	POST /v1/classify         a ClassifyRequest as JSON (one SMTP reply)
//	GET  /v1/domains/{domain} GetDomainVerdict
//	GET  /openapi.json        the OpenAPI document
//
// JSON uses the proto field names, as the CLI does. Errors are a
// google.rpc.Status in JSON with the same ErrorInfo reasons as gRPC; a
// message over the size limit is 413, other input limits 422. Bodies are
// read through a limit (the message limit, or its base64 size for JSON),
// never buffered beyond it. cfg.Auth, when set, checks the bearer token.
func NewHTTPHandler(cfg Config) http.Handler {
	svc := NewService(cfg)
	max := cfg.MaxMessageBytes
	if max <= 0 {
		max = dsn.DefaultMaxMessageBytes
	}
	h := &gateway{svc: svc, maxRaw: int64(max), maxJSON: int64(4*((max+2)/3) + jsonOverhead)}
	jsonpb := &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}
	h.mux = runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, boundedJSON{jsonpb}),
		runtime.WithErrorHandler(h.httpError),
	)
	// RegisterBounceServiceHandlerServer only fails for a nil server.
	_ = pb.RegisterBounceServiceHandlerServer(context.Background(), h.mux, svc)

	m := svc.cfg.Metrics
	mux := http.NewServeMux()
	mux.Handle("GET /openapi.json", m.instrumentHTTP("openapi", http.HandlerFunc(serveOpenAPI)))
	mux.Handle("POST /v1/parse", m.instrumentHTTP("parse", http.HandlerFunc(h.parse)))
	mux.Handle("POST /v1/classify", m.instrumentHTTP("classify", h.limited(h.mux)))
	mux.Handle("GET /v1/domains/{domain}", m.instrumentHTTP("domains", h.limited(h.mux)))
	mux.Handle("/", m.instrumentHTTP("other", h.limited(h.mux)))
	var out http.Handler = mux
	if cfg.Auth != nil {
		out = cfg.Auth.HTTP(out)
	}
	return logHTTP(svc, recoverHTTP(svc, out))
}

type gateway struct {
	svc             *Service
	mux             *runtime.ServeMux
	maxRaw, maxJSON int64
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(openAPI)))
	_, _ = w.Write(openAPI)
}

// boundedJSON is the gateway's JSON marshaler with a decoder that reads
// the (already limited) body in chunks, then unmarshals it once: a body
// refused at the limit costs about the limit, where encoding/json's
// growing buffer would cost several times that.
type boundedJSON struct{ *runtime.JSONPb }

func (j boundedJSON) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		b, err := readBody(r, -1)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return io.EOF // no body: an empty request, as the gateway expects
		}
		return j.Unmarshal(b, v)
	})
}

// bodyState records that a request body crossed its limit, for httpError.
type bodyState struct{ tooLarge bool }

type bodyStateKey struct{}

// limitedBody marks the request's state when the MaxBytesReader refuses.
type limitedBody struct {
	io.ReadCloser
	st *bodyState
}

func (b limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.st.tooLarge = true
	}
	return n, err
}

// otherBodyLimit bounds the bodies of the routes other than /v1/parse
// (a Classify request is a reply of at most dsn.MaxReplyBytes and a few
// fields).
const otherBodyLimit = 1 << 20

// limited reads the request body through otherBodyLimit; crossing it is
// MESSAGE_TOO_LARGE (413), as for Parse.
func (g *gateway) limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &bodyState{}
		r = r.WithContext(context.WithValue(r.Context(), bodyStateKey{}, st))
		r.Body = limitedBody{http.MaxBytesReader(w, r.Body, otherBodyLimit), st}
		next.ServeHTTP(w, r)
	})
}

// parse serves POST /v1/parse: a raw message body, or JSON for the gateway.
func (g *gateway) parse(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	raw := ct == MIMERFC822
	limit := g.maxJSON
	if raw {
		limit = g.maxRaw
	}
	st := &bodyState{}
	r = r.WithContext(context.WithValue(r.Context(), bodyStateKey{}, st))
	if r.ContentLength > limit {
		// Refuse before reading a byte; net/http closes the connection
		// rather than drain a body this large.
		st.tooLarge = true
		_, outbound := runtime.MarshalerForRequest(g.mux, r)
		g.httpError(r.Context(), g.mux, outbound, w, r, tooLarge(0, int(g.maxRaw)))
		return
	}
	// Room in the in-flight budget is taken before the body is read (its
	// length, or the limit when it has none), so that bodies waiting for
	// room do not pile up in memory; Parse then takes no more.
	n := r.ContentLength
	if n < 0 {
		n = limit
	}
	release, err := g.svc.limits.admitBytes(r.Context(), int(n))
	if err != nil {
		_, outbound := runtime.MarshalerForRequest(g.mux, r)
		g.httpError(r.Context(), g.mux, outbound, w, r, err)
		return
	}
	defer release()
	r = r.WithContext(context.WithValue(r.Context(), admittedKey{}, true))
	r.Body = limitedBody{http.MaxBytesReader(w, r.Body, limit), st}
	if !raw {
		g.mux.ServeHTTP(w, r)
		return
	}
	_, outbound := runtime.MarshalerForRequest(g.mux, r)
	req := &pb.ParseRequest{}
	if err := runtime.PopulateQueryParameters(req, r.URL.Query(), utilities.NewDoubleArray([][]string{{"raw"}})); err != nil {
		g.httpError(r.Context(), g.mux, outbound, w, r, status.Errorf(codes.InvalidArgument, "query: %v", err))
		return
	}
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		g.httpError(r.Context(), g.mux, outbound, w, r, status.Errorf(codes.InvalidArgument, "body: %v", err))
		return
	}
	req.Raw = body
	resp, err := g.svc.Parse(r.Context(), req)
	if err != nil {
		g.httpError(r.Context(), g.mux, outbound, w, r, err)
		return
	}
	runtime.ForwardResponseMessage(r.Context(), g.mux, outbound, w, r, resp, g.mux.GetForwardResponseOptions()...)
}

// admittedKey marks a context whose call already has its room in the
// in-flight budget (an HTTP body admitted before it was read), or a
// ParseStream call whose connection's guard admits each message.
type admittedKey struct{}

// readBody reads a request body already bounded by a MaxBytesReader. With
// a known length it reads into one buffer of that size; without one it
// reads chunks (8 KiB, doubling up to 1 MiB) and joins them at the end, so
// a body refused at the limit has cost about the limit, not the doubling
// of a growing buffer.
func readBody(r io.Reader, length int64) ([]byte, error) {
	if length >= 0 {
		b := make([]byte, length)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	var chunks [][]byte
	for size := 8 << 10; ; size = min(2*size, 1<<20) {
		c := make([]byte, size)
		n, err := io.ReadFull(r, c)
		chunks = append(chunks, c[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	return bytes.Join(chunks, nil), nil
}

// httpError writes a google.rpc.Status, with HTTP codes chosen for
// bounced's input errors: 413 for MESSAGE_TOO_LARGE (a body over the limit
// included), 422 for the other input limits; the rest as grpc-gateway maps
// them (INVALID_ARGUMENT 400, UNAUTHENTICATED 401, UNAVAILABLE 503, ...).
func (g *gateway) httpError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if st, ok := r.Context().Value(bodyStateKey{}).(*bodyState); ok && st.tooLarge {
		err = tooLarge(0, int(g.maxRaw))
	}
	code := 0
	switch statusReason(err) {
	case "MESSAGE_TOO_LARGE":
		code = http.StatusRequestEntityTooLarge
	case "MIME_TOO_DEEP", "TOO_MANY_PARTS", "TOO_MANY_RECIPIENTS":
		code = http.StatusUnprocessableEntity
	}
	if code != 0 {
		err = &runtime.HTTPStatusError{HTTPStatus: code, Err: err}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// statusReason is the reason of the status's bounced.dev ErrorInfo, or "".
func statusReason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetDomain() == errorDomain {
			return ei.GetReason()
		}
	}
	return ""
}

// logHTTP logs each request at debug level with its status and
// duration, and server faults (5xx) at error level, as logCall does for
// gRPC; never the body, the query or the client's address.
func logHTTP(svc *Service, next http.Handler) http.Handler {
	log := svc.cfg.Logger
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.code >= 500 {
			level = slog.LevelError
		}
		if log.Enabled(r.Context(), level) {
			log.Log(r.Context(), level, "http call", "method", r.Method, "path", logPath(r.URL.Path), "code", sw.code, "duration", time.Since(start).String())
		}
	})
}

// logPath is the path without what the client put in it (a domain, or
// an address GetDomainVerdict accepts).
func logPath(p string) string {
	if strings.HasPrefix(p, "/v1/domains/") {
		return "/v1/domains/{domain}"
	}
	return p
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (MaxBytesReader
// closes it after a body over the limit).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverHTTP turns a panic into a 500 and an error log line.
func recoverHTTP(svc *Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				svc.cfg.Logger.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, `{"code":13,"message":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// instrumentHTTP counts and times the requests of one route.
func (m *Metrics) instrumentHTTP(route string, h http.Handler) http.Handler {
	l := prometheus.Labels{"route": route}
	return promhttp.InstrumentHandlerDuration(m.httpDuration.MustCurryWith(l),
		promhttp.InstrumentHandlerCounter(m.httpRequests.MustCurryWith(l), h))
}
