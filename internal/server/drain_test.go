package server

import (
	"context"
	"fmt"
	"net"
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
