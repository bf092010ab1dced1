package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestShutdownAnswersStreams shuts the server down under two open
// streams, one busy and one idle, as serve does on SIGTERM (Draining
// closed, then GracefulStop): every message sent before the signal gets
// its answer, both streams end with UNAVAILABLE and SHUTTING_DOWN, and
// GracefulStop returns once the work in flight is done rather than when
// the clients hang up or a timeout runs out.
func TestShutdownAnswersStreams(t *testing.T) {
	drain := make(chan struct{})
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	srv, _ := NewGRPCServer(Config{Engine: engine, MaxMessageBytes: testMaxBytes, Draining: drain})
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := pb.NewBounceServiceClient(conn)
	ctx := context.Background()

	idle, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := idle.Recv(); err != nil {
		t.Fatalf("idle stream: %v", err)
	}

	busy, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var signalled atomic.Bool
	var sentBefore atomic.Int64
	go func() {
		after := 0
		for i := 0; after < 20; i++ {
			err := busy.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: fmt.Sprint(i)}})
			if err != nil {
				return
			}
			if signalled.Load() {
				after++ // this client goes on a little, then pauses without closing
			} else {
				sentBefore.Store(int64(i + 1))
			}
			time.Sleep(time.Millisecond)
		}
	}()

	var answered int64
	var stopped chan struct{}
	var endErr error
	for {
		r, err := busy.Recv()
		if err != nil {
			endErr = err
			break
		}
		if want := fmt.Sprint(answered); r.GetResponse().GetSource() != want || r.GetResponse().GetError() != nil {
			t.Fatalf("answer %d: source %q error %v, want source %q and no error", answered, r.GetResponse().GetSource(), r.GetResponse().GetError(), want)
		}
		answered++
		if answered == 30 && stopped == nil {
			signalled.Store(true)
			close(drain)
			stopped = make(chan struct{})
			go func() { srv.GracefulStop(); close(stopped) }()
		}
	}
	if status.Code(endErr) != codes.Unavailable || errorReason(endErr) != reasonShuttingDown {
		t.Errorf("busy stream ended with %v (reason %q), want UNAVAILABLE %s", endErr, errorReason(endErr), reasonShuttingDown)
	}
	if answered < sentBefore.Load() {
		t.Errorf("%d messages answered, %d sent before the signal", answered, sentBefore.Load())
	}
	if _, err := idle.Recv(); status.Code(err) != codes.Unavailable || errorReason(err) != reasonShuttingDown {
		t.Errorf("idle stream ended with %v, want UNAVAILABLE %s", err, reasonShuttingDown)
	}
	select {
	case <-stopped:
	case <-time.After(DrainMax):
		t.Fatalf("GracefulStop still waiting %v after the signal", DrainMax)
	}
}

// TestStreamPanic: a panic while a stream's message is handled (here in
// the conversion) ends that stream with INTERNAL and is logged with the
// stack where it happened, and the server goes on answering.
func TestStreamPanic(t *testing.T) {
	var logged bytes.Buffer
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	cfg := Config{Engine: engine, MaxMessageBytes: testMaxBytes, Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logged}, nil))}
	cfg.convert = func(res *bounce.Result, a []explain.Audience, lang string) *pb.ParseResponse {
		if res.Source == "panic" {
			panic("convert in a stream")
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"first", "panic"} {
		if err := s.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: src}}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := s.Recv(); err != nil || r.GetResponse().GetSource() != "first" {
		t.Fatalf("first answer = %v, %v", r, err)
	}
	if _, err := s.Recv(); status.Code(err) != codes.Internal {
		t.Fatalf("stream after a panic = %v, want INTERNAL", err)
	}
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Errorf("Parse after a stream's panic = %v", err)
	}
	out := logged.String()
	if !strings.Contains(out, "convert in a stream") || !strings.Contains(out, "TestStreamPanic") {
		t.Errorf("log lacks the panic or the stack where it happened:\n%s", out)
	}
}

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestServeStreamDrainMax: a client that never pauses is cut off DrainMax
// after the signal, but the message being handled then still gets its
// answer before the stream ends, even when the next message is slow to
// come, and nothing is handled after it.
func TestServeStreamDrainMax(t *testing.T) {
	if testing.Short() {
		t.Skip("waits DrainMax")
	}
	draining := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	var handled, answeredAfterEnd atomic.Int64
	var ended atomic.Bool
	start := time.Now()
	recv := func() (int, error) {
		if time.Since(start) > DrainMax-100*time.Millisecond {
			<-release // the client pauses after the cut-off
			return 0, io.EOF
		}
		return 0, nil // a message always waiting before
	}
	handle := func(int) error {
		if handled.Add(1) == 1 {
			close(draining)
		}
		time.Sleep(200 * time.Millisecond) // busy when DrainMax ends
		if ended.Load() {
			answeredAfterEnd.Add(1)
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- serveStream(context.Background(), draining, recv, handle) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(DrainMax + 2*time.Second):
		t.Fatalf("serveStream still running %v after the signal", DrainMax+2*time.Second)
	}
	ended.Store(true)
	if took := time.Since(start); took < DrainMax || took > DrainMax+time.Second {
		t.Errorf("stream ended after %v, want about DrainMax (%v)", took, DrainMax)
	}
	if status.Code(err) != codes.Unavailable || errorReason(err) != reasonShuttingDown {
		t.Errorf("serveStream = %v, want UNAVAILABLE %s", err, reasonShuttingDown)
	}
	n := handled.Load()
	time.Sleep(300 * time.Millisecond)
	if handled.Load() != n || answeredAfterEnd.Load() != 0 {
		t.Errorf("handled %d then %d, %d answers after the end: want no work once serveStream returned", n, handled.Load(), answeredAfterEnd.Load())
	}
}
