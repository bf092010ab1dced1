package server

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// BenchmarkServerCPU is the corpus, one message at a time, through each
// layer on the same engine (no domain cache), reporting the process's CPU
// time per message (cpu-ns/op, user and system, GC included, as
// internal/bounce's BenchmarkEngineCPU) besides the wall time, which a
// shared machine makes noisy:
//
//	path=engine   bounce.Engine.Parse alone
//	path=service  what the gRPC server runs per Parse call between the
//	              codec and the engine (parseWire, as parseHandler calls
//	              it): admission, conversion, caps, encoding, metrics,
//	              and the codec's marshalling of the answer
//	path=unary    Parse through NewGRPCServer on TCP loopback
//	path=stream   ParseStream on one stream, a message after the answer
//
// unary and stream count the client's CPU too (same process); compare
// with benchstat -col /path. The server's own CPU per message, alone, is
// cmd/loadgen's figure against the real binary.
func BenchmarkServerCPU(b *testing.B) {
	msgs := serverCorpus(b)
	newEngine := func() *bounce.Engine { return bounce.New(bounce.Config{}) }
	b.Run("path=engine", func(b *testing.B) {
		e := newEngine()
		ctx := context.Background()
		cpuLoop(b, func(i int) error {
			res, err := e.Parse(ctx, bounce.Request{Raw: msgs[i%len(msgs)]})
			e.Release(res) // as the handlers do once the answer is written
			return err
		})
	})
	b.Run("path=service", func(b *testing.B) {
		svc := NewService(Config{Engine: newEngine(), MaxMessageBytes: dsn.DefaultMaxMessageBytes})
		ctx := context.Background()
		codec := passCodec{encoding.GetCodecV2(grpcproto.Name)}
		cpuLoop(b, func(i int) error {
			m, err := svc.parseWire(ctx, &pb.ParseRequest{Raw: msgs[i%len(msgs)]})
			if err != nil {
				return err
			}
			// What gRPC then does with the answer: marshal, write, free.
			data, err := codec.Marshal(m)
			data.Free()
			return err
		})
	})
	dial := func(b *testing.B) pb.BounceServiceClient {
		srv, _ := NewGRPCServer(Config{Engine: newEngine(), MaxMessageBytes: dsn.DefaultMaxMessageBytes})
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.Serve(lis) }()
		b.Cleanup(srv.Stop)
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		return pb.NewBounceServiceClient(conn)
	}
	b.Run("path=unary", func(b *testing.B) {
		c := dial(b)
		ctx := context.Background()
		cpuLoop(b, func(i int) error {
			_, err := c.Parse(ctx, &pb.ParseRequest{Raw: msgs[i%len(msgs)]})
			return err
		})
	})
	b.Run("path=stream", func(b *testing.B) {
		c := dial(b)
		s, err := c.ParseStream(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		cpuLoop(b, func(i int) error {
			if err := s.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: msgs[i%len(msgs)]}}); err != nil {
				return err
			}
			_, err := s.Recv()
			return err
		})
		_ = s.CloseSend()
	})
}

// cpuLoop runs call for each i of the benchmark loop and reports the
// process's CPU time per call, and its voluntary context switches per
// call (vcsw/op: a thread of the process went to sleep, in the Go
// scheduler, the network poller or a timer): the hand-overs between
// goroutines and threads a message costs, which other work on the
// machine changes less than the CPU time.
func cpuLoop(b *testing.B, call func(i int) error) {
	b.ReportAllocs()
	start := processUsage()
	for i := 0; b.Loop(); i++ {
		if err := call(i); err != nil {
			b.Fatal(err)
		}
	}
	end := processUsage()
	b.ReportMetric(float64(end.cpu-start.cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(end.vcsw-start.vcsw)/float64(b.N), "vcsw/op")
}

type usage struct {
	cpu  time.Duration // user and system time
	vcsw int64         // voluntary context switches
}

// processUsage is the process's resource usage so far.
func processUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	return usage{time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nvcsw}
}

// serverCorpus is the labelled corpus the engine's benchmarks use.
func serverCorpus(b *testing.B) [][]byte {
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var msgs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	if len(msgs) == 0 {
		b.Fatal("no corpus")
	}
	return msgs
}

// BenchmarkObserveParse is the metrics of one parsed message (size,
// latency, kind, each recipient's verdict, cache result).
func BenchmarkObserveParse(b *testing.B) {
	m := NewMetrics(MetricsConfig{})
	res, err := bounce.New(bounce.Config{}).Parse(context.Background(), bounce.Request{Raw: []byte(relayDenied)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.observeParse(len(relayDenied), time.Millisecond, res, nil)
	}
}
