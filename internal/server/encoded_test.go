package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// TestWireForm: the wire form decodes to the response, alone (unary) and
// framed as a ParseStreamResponse, whatever the size of its length
// prefix.
func TestWireForm(t *testing.T) {
	for _, n := range []int{0, 10, 200, 20000, 3 << 20} {
		resp := &pb.ParseResponse{Source: strings.Repeat("s", n), Recipients: []*pb.Recipient{{Recipient: "u@example.com"}}}
		w, err := encodeWire(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got pb.ParseResponse
		if err := proto.Unmarshal(w.response(), &got); err != nil || !proto.Equal(&got, resp) {
			t.Errorf("source of %d bytes: response() decodes to a different message (%v)", n, err)
		}
		var framed pb.ParseStreamResponse
		if err := proto.Unmarshal(w.streamResponse(), &framed); err != nil || !proto.Equal(framed.GetResponse(), resp) {
			t.Errorf("source of %d bytes: streamResponse() decodes to a different message (%v)", n, err)
		}
		want, _ := proto.Marshal(&pb.ParseStreamResponse{Response: resp})
		if len(w.streamResponse()) != len(want) {
			t.Errorf("source of %d bytes: stream form %d bytes, proto.Marshal %d", n, len(w.streamResponse()), len(want))
		}
	}
}

// TestPooledWireForm: a gRPC handler's wire form is in a pooled writer's
// buffer until passCodec.Marshal copies it into a pooled buffer for gRPC
// and gives the writer back. The bytes gRPC holds stay as they are
// however many answers are written meanwhile (in the writer given back
// among others), until gRPC frees them; the message cannot be marshalled
// again (its writer may hold another answer by then).
func TestPooledWireForm(t *testing.T) {
	engine := bounce.New(bounce.Config{})
	var results []*bounce.Result
	for _, raw := range []string{relayDenied, strings.Replace(relayDenied, "5.7.1", "4.2.2", -1)} {
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: []byte(raw)})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	codec := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	for _, auds := range [][]explain.Audience{{explain.Marketer}, {explain.Admin, explain.EndUser, explain.Marketer}} {
		for _, framed := range []bool{false, true} {
			enc, ok := encodeResult(results[0], auds, "en", len(relayDenied))
			if !ok || enc.w == nil {
				t.Fatalf("encodeResult: ok %v, pooled %v", ok, ok && enc.w != nil)
			}
			want := append([]byte(nil), enc.response()...)
			if framed {
				want = append([]byte(nil), enc.streamResponse()...)
			}
			m := enc.message(framed)
			if enc.w != nil {
				t.Error("the form still owns its writer after message")
			}
			data, err := codec.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) > 1024 && cap(data[0].ReadOnlyData()) >= 2*len(want) {
				t.Errorf("answer of %d bytes sent from a buffer of %d", len(want), cap(data[0].ReadOnlyData()))
			}
			if m.w != nil || m.b != nil {
				t.Error("the message still holds the writer's bytes after Marshal")
			}
			for i := range 20 {
				other, _ := encodeResult(results[1], auds, "fr", len(relayDenied))
				if !bytes.Equal(data.Materialize(), want) {
					t.Fatalf("%d audiences, framed %v: the sent bytes changed after %d more answers", len(auds), framed, i+1)
				}
				other.release()
			}
			if _, err := codec.Marshal(m); !errors.Is(err, errResent) {
				t.Errorf("second Marshal: %v, want errResent", err)
			}
			data.Free()
		}
	}
}

// TestConcurrentAnswers: answers sent from pooled buffers over many
// streams, pipelined, and unary calls at once are those of the in-process
// service (whose answers are made without the pool), for the corpus.
func TestConcurrentAnswers(t *testing.T) { concurrentAnswers(t) }

// concurrentAnswers is TestConcurrentAnswers; it returns the number of
// corpus messages sent.
func concurrentAnswers(t *testing.T) int {
	c := startServer(t, nil)
	ref := NewService(Config{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes, MaxRecipients: 5}}),
		MaxMessageBytes: testMaxBytes})
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	type msg struct {
		req  *pb.ParseRequest
		want *pb.ParseResponse
	}
	var msgs []msg
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req := &pb.ParseRequest{Raw: raw, Source: f, Audiences: []pb.Audience{pb.Audience_AUDIENCE_ADMIN, pb.Audience_AUDIENCE_END_USER}}
		want, err := ref.Parse(context.Background(), req)
		if err != nil {
			want = ErrorResponse(f, err)
		}
		msgs = append(msgs, msg{req, want})
	}
	if len(msgs) < 300 {
		t.Fatalf("corpus: %d files", len(msgs))
	}
	const streams, callers, depth = 4, 2, 8
	var wg sync.WaitGroup
	errs := make(chan error, streams+callers)
	for g := range streams {
		wg.Go(func() {
			s, err := c.ParseStream(context.Background())
			if err != nil {
				errs <- err
				return
			}
			sent := make(chan int, depth)
			go func() {
				defer close(sent)
				for i := g; i < len(msgs); i += streams {
					if s.Send(&pb.ParseStreamRequest{Request: msgs[i].req}) != nil {
						return
					}
					sent <- i
				}
				_ = s.CloseSend()
			}()
			for i := range sent {
				got, err := s.Recv()
				if err != nil {
					errs <- err
					return
				}
				if !proto.Equal(got.GetResponse(), msgs[i].want) {
					errs <- fmt.Errorf("stream: %s: answer differs from the in-process one", msgs[i].req.GetSource())
					return
				}
			}
		})
	}
	for g := range callers {
		wg.Go(func() {
			for i := g; i < len(msgs); i += callers {
				got, err := c.Parse(context.Background(), msgs[i].req)
				if err != nil {
					if !proto.Equal(ErrorResponse(msgs[i].req.GetSource(), err), msgs[i].want) {
						errs <- fmt.Errorf("unary: %s: %v", msgs[i].req.GetSource(), err)
						return
					}
					continue
				}
				if !proto.Equal(got, msgs[i].want) {
					errs <- fmt.Errorf("unary: %s: answer differs from the in-process one", msgs[i].req.GetSource())
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return len(msgs)
}
