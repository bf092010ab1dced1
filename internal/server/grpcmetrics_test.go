package server

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// TestGRPCMetrics: the gRPC families count calls by type, service, method
// and code, every message of a stream both ways, and have the zero series
// of every method and code before any call.
func TestGRPCMetrics(t *testing.T) {
	s := startOpsServer(t, nil)
	svc := pb.BounceService_ServiceDesc.ServiceName
	before := scrape(t, s.opsURL)
	for _, c := range []struct {
		name   string
		labels map[string]string
	}{
		{"grpc_server_handled_total", map[string]string{"grpc_method": "GetDomainVerdict", "grpc_code": "DataLoss", "grpc_type": "unary", "grpc_service": svc}},
		{"grpc_server_started_total", map[string]string{"grpc_method": "ParseStream", "grpc_type": "bidi_stream"}},
		{"grpc_server_msg_sent_total", map[string]string{"grpc_method": "Check", "grpc_service": "grpc.health.v1.Health"}},
		{"grpc_server_handling_seconds", map[string]string{"grpc_method": "Parse", "grpc_type": "unary"}},
	} {
		if got := sample(before, c.name, c.labels); got != 0 {
			t.Errorf("before any call: %s%v = %v, want a zero series", c.name, c.labels, got)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := s.client.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := st.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.CloseSend()
	if _, err := st.Recv(); err == nil {
		t.Fatal("stream goes on after CloseSend")
	}
	if _, err := s.client.Parse(ctx, &pb.ParseRequest{}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("empty Parse = %v, want INVALID_ARGUMENT", err)
	}
	if _, err := s.client.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatal(err)
	}

	after := scrape(t, s.opsURL)
	stream := map[string]string{"grpc_method": "ParseStream", "grpc_type": "bidi_stream", "grpc_service": svc}
	parse := map[string]string{"grpc_method": "Parse", "grpc_type": "unary", "grpc_service": svc}
	with := func(l map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range l {
			out[a] = b
		}
		return out
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"grpc_server_started_total", stream, 1},
		{"grpc_server_msg_received_total", stream, 3},
		{"grpc_server_msg_sent_total", stream, 3},
		{"grpc_server_handled_total", with(stream, "grpc_code", "OK"), 1},
		{"grpc_server_handling_seconds", stream, 1},
		{"grpc_server_started_total", parse, 2},
		{"grpc_server_msg_received_total", parse, 2},
		{"grpc_server_msg_sent_total", parse, 1}, // the refused call sent no message
		{"grpc_server_handled_total", with(parse, "grpc_code", "OK"), 1},
		{"grpc_server_handled_total", with(parse, "grpc_code", "InvalidArgument"), 1},
		{"grpc_server_handling_seconds", parse, 2},
	} {
		if got := sample(after, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// TestSplitMethod reads gRPC's full method names.
func TestSplitMethod(t *testing.T) {
	for in, want := range map[string][2]string{
		"/bounced.v1.BounceService/Parse": {"bounced.v1.BounceService", "Parse"},
		"/grpc.health.v1.Health/Check":    {"grpc.health.v1.Health", "Check"},
		"nonsense":                        {"unknown", "unknown"},
	} {
		if s, m := splitMethod(in); s != want[0] || m != want[1] {
			t.Errorf("splitMethod(%q) = %q, %q; want %q", in, s, m, want)
		}
	}
}
