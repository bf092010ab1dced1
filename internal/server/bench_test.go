package server

import (
	"context"
	"testing"

	"github.com/bounced/bounced/internal/bounce"
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
