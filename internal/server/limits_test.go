package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// errorReasonOf returns the ErrorInfo reason of a google.rpc.Status.
func errorReasonOf(st *spb.Status) string {
	return errorReason(status.FromProto(st).Err())
}

// errorReason returns the ErrorInfo reason of a status error, "" when none.
func errorReason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			return info.GetReason()
		}
	}
	return ""
}

// TestStreamTooLargeGoesOn: in a ParseStream, a message over the size
// limit, also one over the old transport limit, gets a per-message
// MESSAGE_TOO_LARGE answer and the next message is answered as usual.
func TestStreamTooLargeGoesOn(t *testing.T) {
	c := startServer(t, nil)
	stream, err := c.ParseStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inputs := []*pb.ParseRequest{
		{Raw: []byte(relayDenied), Source: "one"},
		{Raw: []byte("Subject: x\n\n" + strings.Repeat("a", testMaxBytes)), Source: "over-limit"},
		{Raw: []byte(strings.Repeat("a", testMaxBytes+grpcOverhead+1)), Source: "over-framing"},
		{Raw: []byte(relayDenied), Source: "four"},
	}
	go func() {
		for _, in := range inputs {
			if err := stream.Send(&pb.ParseStreamRequest{Request: in}); err != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	var got []*pb.ParseResponse
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv after %d responses: %v", len(got), err)
		}
		got = append(got, r.GetResponse())
	}
	if len(got) != len(inputs) {
		t.Fatalf("got %d responses, want %d", len(got), len(inputs))
	}
	for _, i := range []int{1, 2} {
		if e := got[i].GetError(); !strings.Contains(e.GetMessage(), "limit") || errorReasonOf(e) != "MESSAGE_TOO_LARGE" {
			t.Errorf("%s: error %v, want MESSAGE_TOO_LARGE", inputs[i].GetSource(), e)
		}
	}
	if got[3].GetError() != nil || len(got[3].GetRecipients()) != 1 {
		t.Errorf("message after the refused ones: error %q, %d recipients", got[3].GetError(), len(got[3].GetRecipients()))
	}
}

// TestAdmission: with the in-flight budget taken, a call waits
// AdmissionWait, then gets RESOURCE_EXHAUSTED with SERVER_BUSY; once the
// budget is back it succeeds. The same for the stream slots.
func TestAdmission(t *testing.T) {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	cfg := Config{Engine: engine, MaxMessageBytes: testMaxBytes, MaxInflightBytes: 1 << 20, MaxStreams: 1, AdmissionWait: 50 * time.Millisecond}
	svc := NewService(cfg)
	c := dialService(t, svc, cfg)
	ctx := context.Background()

	svc.limits.bytes.Acquire(ctx, 1<<20) // all of it, as a large message would
	start := time.Now()
	_, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)})
	if status.Code(err) != codes.ResourceExhausted || errorReason(err) != reasonInflight {
		t.Errorf("Parse with the budget taken = %v (reason %q), want RESOURCE_EXHAUSTED %s", err, errorReason(err), reasonInflight)
	}
	if took := time.Since(start); took < cfg.AdmissionWait {
		t.Errorf("refused after %v, want a wait of %v first", took, cfg.AdmissionWait)
	}
	// A call that waits gets in when the budget comes back in time.
	go func() { time.Sleep(10 * time.Millisecond); svc.limits.bytes.Release(1 << 20) }()
	svc.limits.wait = time.Second
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Errorf("Parse once the budget is back = %v", err)
	}

	first, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Recv(); err != nil {
		t.Fatalf("first stream: %v", err)
	}
	second, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = second.Recv()
	if status.Code(err) != codes.ResourceExhausted || errorReason(err) != reasonStreams {
		t.Errorf("second stream over MaxStreams = %v (reason %q), want RESOURCE_EXHAUSTED %s", err, errorReason(err), reasonStreams)
	}
	first.CloseSend()
	if _, err := first.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("first stream end = %v, want EOF", err)
	}
}

// dialService serves svc with the production options on bufconn.
func dialService(t *testing.T, svc *Service, cfg Config) pb.BounceServiceClient {
	t.Helper()
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(transportLimit(cfg.MaxMessageBytes)))
	pb.RegisterBounceServiceServer(srv, svc)
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewBounceServiceClient(conn)
}

// TestLimitsServerWide: the gRPC server and the HTTP gateway built from
// one Config count against one in-flight budget, so that serving both does
// not double the memory the limit was sized for.
func TestLimitsServerWide(t *testing.T) {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	cfg := Config{Engine: engine, MaxMessageBytes: testMaxBytes, MaxInflightBytes: 1 << 20, AdmissionWait: 20 * time.Millisecond}
	cfg.Limits = NewLimits(cfg)
	srv, _ := NewGRPCServer(cfg)
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := pb.NewBounceServiceClient(conn)
	hs := httptest.NewServer(NewHTTPHandler(cfg))
	t.Cleanup(hs.Close)

	ctx := context.Background()
	// The whole budget taken, as one large message over either transport would.
	release, err := cfg.Limits.l.admitBytes(ctx, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); status.Code(err) != codes.ResourceExhausted || errorReason(err) != reasonInflight {
		t.Errorf("gRPC Parse with the budget taken = %v, want RESOURCE_EXHAUSTED %s", err, reasonInflight)
	}
	r := do(t, nil, http.MethodPost, hs.URL+"/v1/parse", MIMERFC822, strings.NewReader(relayDenied))
	if r.code != http.StatusTooManyRequests || r.reason() != reasonInflight {
		t.Errorf("HTTP parse with the budget taken = %d %s, want 429 %s", r.code, r.raw, reasonInflight)
	}
	release()
	r = do(t, nil, http.MethodPost, hs.URL+"/v1/parse", MIMERFC822, strings.NewReader(relayDenied))
	if r.code != http.StatusOK {
		t.Errorf("HTTP parse once the budget is back = %d %s", r.code, r.raw)
	}
}

// TestPanicKeepsSlots: a panic while a message holds one of the engine's
// work slots (here in the conversion the server checks results with) is
// INTERNAL for that call, and gives the slot back: the calls after it are
// answered, not left waiting for a slot that never comes back.
func TestPanicKeepsSlots(t *testing.T) {
	engine := bounce.New(bounce.Config{MaxParallel: 1, Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	cfg := Config{Engine: engine, MaxMessageBytes: testMaxBytes}
	cfg.convert = func(res *bounce.Result, a []explain.Audience, lang string) *pb.ParseResponse {
		if res.Source == "panic" {
			panic("convert")
		}
		return ToProto(res, a, lang)
	}
	srv, _ := NewGRPCServer(cfg)
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := pb.NewBounceServiceClient(conn)
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied), Source: "panic"})
		cancel()
		if status.Code(err) != codes.Internal {
			t.Fatalf("Parse that panics = %v, want INTERNAL", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Errorf("Parse after a panic = %v, want an answer", err)
	}
}
