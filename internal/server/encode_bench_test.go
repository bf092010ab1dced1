package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// BenchmarkEncodeResponse encodes the corpus's responses (marketer, in
// English), without and with a domain's history (the summary's maps),
// through encodeWire (the generated marshaller and the UTF-8 pass: what
// the server sends) and, for comparison, through proto.Marshal.
func BenchmarkEncodeResponse(b *testing.B) {
	for _, withHistory := range []bool{false, true} {
		cfg := bounce.Config{}
		if withHistory {
			cfg.Store = domaincache.NewMemory(100000, time.Hour)
		}
		engine := bounce.New(cfg)
		files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
		var resps []*pb.ParseResponse
		for round := 0; round < 2; round++ {
			resps = resps[:0]
			for _, f := range files {
				raw, _ := os.ReadFile(f)
				if res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw}); err == nil {
					resps = append(resps, ToProto(res, []explain.Audience{explain.Marketer}, "en"))
				}
			}
		}
		name := map[bool]string{false: "history=no", true: "history=yes"}[withHistory]
		b.Run(name+"/codec=generated", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := encodeWire(resps[i%len(resps)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/codec=proto", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := proto.Marshal(resps[i%len(resps)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnswer is the wire form of the corpus's results (marketer, in
// English), the step between the engine and gRPC: written straight from
// the result (encodeResult, what the gRPC handlers send) and, for
// comparison, built as ToProto's response, capped and encoded (what
// Service.Parse, the JSON gateway's path, still does).
func BenchmarkAnswer(b *testing.B) {
	engine := bounce.New(bounce.Config{})
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var results []*bounce.Result
	var sizes []int
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw}); err == nil {
			results, sizes = append(results, res), append(sizes, len(raw))
		}
	}
	auds := []explain.Audience{explain.Marketer}
	codec := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	b.Run("via=writer", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			enc, ok := encodeResult(results[i%len(results)], auds, "en", sizes[i%len(results)])
			if !ok {
				b.Fatal("over the budget")
			}
			// What gRPC then does with it: marshal (a copy into a pooled
			// buffer), write, free.
			data, err := codec.Marshal(enc.message(false))
			if err != nil {
				b.Fatal(err)
			}
			data.Free()
		}
	})
	b.Run("via=ToProto", func(b *testing.B) {
		svc := NewService(Config{Engine: engine})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, _, err := svc.answer(results[i%len(results)], auds, "en", sizes[i%len(results)], false); err != nil {
				b.Fatal(err)
			}
		}
	})
}
