package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// BenchmarkParseTransport is one Parse of the same bounce over loopback
// TCP: gRPC, HTTP with the raw message as the body, and HTTP/JSON with
// base64. No domain cache, so the difference is the transport. Compare
// the sub-benchmarks with benchstat (-col /transport).
func BenchmarkParseTransport(b *testing.B) {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}})
	cfg := Config{Engine: engine, MaxMessageBytes: testMaxBytes, Metrics: NewMetrics(MetricsConfig{})}
	srv, _ := NewGRPCServer(cfg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	api := httptest.NewServer(NewHTTPHandler(cfg))
	defer api.Close()
	raw := []byte(relayDenied)
	jsonBody := []byte(fmt.Sprintf(`{"raw": %q}`, base64.StdEncoding.EncodeToString(raw)))

	b.Run("transport=grpc", func(b *testing.B) {
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		c := pb.NewBounceServiceClient(conn)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: raw}); err != nil {
				b.Fatal(err)
			}
		}
	})
	post := func(b *testing.B, ctype string, body []byte) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Post(api.URL+"/v1/parse", ctype, bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("transport=http-raw", func(b *testing.B) { post(b, MIMERFC822, raw) })
	b.Run("transport=http-json", func(b *testing.B) { post(b, "application/json", jsonBody) })
}
