package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/h2guard"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

// guardedServer is NewGRPCServer on loopback TCP, plaintext or TLS, with
// a client of default options except a send limit large enough for the
// oversized messages.
type guardedServer struct {
	client pb.BounceServiceClient
	conn   *grpc.ClientConn
	addr   string
	max    int
}

func startGuarded(t testing.TB, maxBytes int, useTLS bool) *guardedServer {
	t.Helper()
	cfg := Config{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: maxBytes}}), MaxMessageBytes: maxBytes}
	clientCreds := insecure.NewCredentials()
	if useTLS {
		ca := certtest.NewCA(t, "test CA")
		leaf := ca.Issue(t, certtest.Options{CN: "bounced"})
		cfg.Creds = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12})
		clientCreds = credentials.NewTLS(&tls.Config{RootCAs: ca.Pool()})
	}
	srv, _ := NewGRPCServer(cfg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(clientCreds),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(1<<30)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &guardedServer{client: pb.NewBounceServiceClient(conn), conn: conn, addr: lis.Addr().String(), max: maxBytes}
}

// wantTooLarge checks err is the answer to a message of size bytes over
// the limit: RESOURCE_EXHAUSTED, MESSAGE_TOO_LARGE, the size named.
func wantTooLarge(t testing.TB, what string, err error, size, limit int) {
	t.Helper()
	if status.Code(err) != codes.ResourceExhausted || errorReason(err) != "MESSAGE_TOO_LARGE" {
		t.Errorf("%s: %v (reason %q), want RESOURCE_EXHAUSTED MESSAGE_TOO_LARGE", what, err, errorReason(err))
		return
	}
	if want := tooLarge(size, limit).Error(); err.Error() != want {
		t.Errorf("%s: %q, want %q", what, err.Error(), want)
	}
}

// oversized is a request of n raw bytes.
func oversized(n int, source string) *pb.ParseRequest {
	return &pb.ParseRequest{Raw: []byte(strings.Repeat("x", n)), Source: source}
}

// Unary Parse of messages far over the receive limit (2 x limit + 64 KiB)
// gets MESSAGE_TOO_LARGE with the message's size, over plaintext and TLS,
// and the connection serves the next call.
func TestOversizedUnary(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			s := startGuarded(t, testMaxBytes, useTLS)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for _, times := range []int{3, 10} {
				req := oversized(times*testMaxBytes, "big")
				_, err := s.client.Parse(ctx, req)
				wantTooLarge(t, fmt.Sprintf("%dx the limit", times), err, proto.Size(req), testMaxBytes)
			}
			// The same answer on Classify, which has no size check of its own.
			_, err := s.client.Classify(ctx, &pb.ClassifyRequest{Reply: strings.Repeat("d", 4*testMaxBytes)})
			if status.Code(err) != codes.ResourceExhausted || errorReason(err) != "MESSAGE_TOO_LARGE" {
				t.Errorf("oversized Classify: %v", err)
			}
			if _, err := s.client.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
				t.Errorf("Parse after the oversized ones: %v", err)
			}
		})
	}
}

// In a ParseStream, a message 10x the limit gets its own MESSAGE_TOO_LARGE
// answer and the stream goes on, over plaintext and TLS.
func TestOversizedStreamGoesOn(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			s := startGuarded(t, testMaxBytes, useTLS)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			big := oversized(10*testMaxBytes, "big")
			// The last one is within the limit but spans DATA frames.
			near := relayDenied + strings.Repeat("epilogue\n", (testMaxBytes-len(relayDenied))/9-100)
			got := streamAll(t, ctx, s.client, []*pb.ParseRequest{{Raw: []byte(relayDenied), Source: "one"}, big,
				{Raw: []byte(relayDenied), Source: "three"}, {Raw: []byte(near), Source: "four"}})
			if len(got) != 4 {
				t.Fatalf("%d answers, want 4", len(got))
			}
			for _, i := range []int{0, 2, 3} {
				if got[i].GetError() != nil || len(got[i].GetRecipients()) != 1 {
					t.Errorf("answer %d: error %v, %d recipients; want a verdict", i, got[i].GetError(), len(got[i].GetRecipients()))
				}
			}
			wantTooLarge(t, "answer 2", status.FromProto(got[1].GetError()).Err(), proto.Size(&pb.ParseStreamRequest{Request: big}), testMaxBytes)
		})
	}
}

// streamAll sends reqs on one ParseStream and returns the answers.
func streamAll(t testing.TB, ctx context.Context, c pb.BounceServiceClient, reqs []*pb.ParseRequest) []*pb.ParseResponse {
	t.Helper()
	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for _, r := range reqs {
			if stream.Send(&pb.ParseStreamRequest{Request: r}) != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	var got []*pb.ParseResponse
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Errorf("Recv after %d answers: %v", len(got), err)
			return got
		}
		got = append(got, r.GetResponse())
	}
}

// Many oversized messages on one connection, in sequence and at once on
// several streams: the dropped bytes (about 60 times the connection's
// initial 64 KiB window) must be given back with WINDOW_UPDATE, or the
// client stalls and the deadline ends the test.
func TestOversizedManyOnOneConnection(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) { oversizedMany(t, useTLS) })
	}
}

func oversizedMany(t *testing.T, useTLS bool) {
	s := startGuarded(t, testMaxBytes, useTLS)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range 10 {
		req := oversized(5*testMaxBytes+i, "seq")
		_, err := s.client.Parse(ctx, req)
		wantTooLarge(t, fmt.Sprintf("call %d", i), err, proto.Size(req), testMaxBytes)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var reqs []*pb.ParseRequest
			for i := range 4 {
				reqs = append(reqs, oversized(4*testMaxBytes+w*10+i, "big"), &pb.ParseRequest{Raw: []byte(relayDenied), Source: "good"})
			}
			got := streamAll(t, ctx, s.client, reqs)
			if len(got) != len(reqs) {
				t.Errorf("stream %d: %d answers, want %d", w, len(got), len(reqs))
				return
			}
			for i, r := range got {
				if i%2 == 0 {
					wantTooLarge(t, fmt.Sprintf("stream %d answer %d", w, i), status.FromProto(r.GetError()).Err(), proto.Size(&pb.ParseStreamRequest{Request: reqs[i]}), testMaxBytes)
				} else if r.GetError() != nil {
					t.Errorf("stream %d answer %d: %v", w, i, r.GetError())
				}
			}
		})
		wg.Go(func() {
			req := oversized(3*testMaxBytes+w, "unary")
			_, err := s.client.Parse(ctx, req)
			wantTooLarge(t, fmt.Sprintf("unary %d", w), err, proto.Size(req), testMaxBytes)
		})
	}
	wg.Wait()
}

// A client that forges the marker gets only the answer to a message too
// large, with the size it forged; a request without it is served.
func TestForgedMarker(t *testing.T) {
	s := startGuarded(t, testMaxBytes, false)
	req := &pb.ParseRequest{Raw: []byte(relayDenied)}
	forged := protowire.AppendTag(nil, h2guard.MarkerField, protowire.VarintType)
	req.ProtoReflect().SetUnknown(protowire.AppendVarint(forged, 12345))
	_, err := s.client.Parse(context.Background(), req)
	wantTooLarge(t, "forged marker", err, 12345, testMaxBytes)
	// Another unknown field is ignored, as protobuf says.
	req.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 1000, protowire.VarintType), 1))
	if _, err := s.client.Parse(context.Background(), req); err != nil {
		t.Errorf("unknown field 1000: %v", err)
	}
}

// A stream other than ParseStream (reflection here) that receives an
// oversized message ends with MESSAGE_TOO_LARGE, as a unary call does.
func TestOversizedOtherStream(t *testing.T) {
	s := startGuarded(t, testMaxBytes, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := rpb.NewServerReflectionClient(s.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	req := &rpb.ServerReflectionRequest{Host: strings.Repeat("h", 3*testMaxBytes), MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}
	if err := st.Send(req); err != nil {
		t.Fatal(err)
	}
	_, err = st.Recv()
	wantTooLarge(t, "reflection", err, proto.Size(req), testMaxBytes)
}
