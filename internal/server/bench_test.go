package server

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// BenchmarkEngine and BenchmarkService compare the engine alone with the
// service's Parse (conversion, the encode check before the memory write)
// on the same message, without transport: the adapter's own cost.
func BenchmarkEngine(b *testing.B) {
	e := bounce.New(bounce.Config{})
	ctx := context.Background()
	raw := []byte(relayDenied)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Parse(ctx, bounce.Request{Raw: raw}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkService(b *testing.B) {
	svc := NewService(Config{Engine: bounce.New(bounce.Config{}), MaxMessageBytes: testMaxBytes})
	ctx := context.Background()
	req := &pb.ParseRequest{Raw: []byte(relayDenied)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Parse(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerParse is the corpus through the real gRPC server on TCP
// loopback, unary and streamed, without a cache; with -cpuprofile it shows
// what the server adds to the engine per message (the client's share is
// in the same process: focus the profile on the server's functions).
func BenchmarkServerParse(b *testing.B) {
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var msgs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	engine := bounce.New(bounce.Config{})
	srv, _ := NewGRPCServer(Config{Engine: engine, MaxMessageBytes: dsn.DefaultMaxMessageBytes})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	c := pb.NewBounceServiceClient(conn)
	b.Run("unary", func(b *testing.B) {
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb_ *testing.PB) {
			for pb_.Next() {
				i := next.Add(1)
				if _, err := c.Parse(context.Background(), &pb.ParseRequest{Raw: msgs[int(i)%len(msgs)]}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("stream", func(b *testing.B) {
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb_ *testing.PB) {
			s, err := c.ParseStream(context.Background())
			if err != nil {
				b.Error(err)
				return
			}
			for pb_.Next() {
				i := next.Add(1)
				if err := s.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: msgs[int(i)%len(msgs)]}}); err != nil {
					b.Error(err)
					return
				}
				if _, err := s.Recv(); err != nil {
					b.Error(err)
					return
				}
			}
			s.CloseSend()
		})
	})
}
