package server

import (
	"context"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/worstcase"
)

// TestWorstCaseResponses sends the issue 9 worst cases, unary and
// streamed, from a client with gRPC's default options (4 MiB receive
// limit) to a server with the default limits: every one gets its answer,
// within MaxResponseBytes, with no string over MaxResponseFieldBytes.
func TestWorstCaseResponses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 MiB messages")
	}
	engine := bounce.New(bounce.Config{Store: domaincache.NewMemory(1000, 0)})
	srv, _ := NewGRPCServer(Config{Engine: engine, Store: domaincache.NewMemory(10, 0), MaxMessageBytes: dsn.DefaultMaxMessageBytes})
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials())) // nothing else: the defaults
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := pb.NewBounceServiceClient(conn)
	ctx := context.Background()
	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name      string
		raw       []byte
		truncated bool
	}{
		{"diagnostic-5MB", worstcase.LongDiag(worstcase.LongDiagnostic), false},
		{"1000-recipients-20KB-diagnostics", worstcase.WideDiags(worstcase.WideRecipients, worstcase.WideDiagnosticSize), true},
		{"1000-recipients", worstcase.Recipients(worstcase.WideRecipients), false},
		{"html-24MiB-windows-1252-base64", worstcase.HTML(worstcase.HTMLBytes), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(how string, resp *pb.ParseResponse) {
				t.Helper()
				if resp.GetError() != nil || len(resp.GetRecipients()) == 0 {
					t.Fatalf("%s: error %v, %d recipients", how, resp.GetError(), len(resp.GetRecipients()))
				}
				if resp.GetTruncated() != tc.truncated {
					t.Errorf("%s: truncated = %v, want %v", how, resp.GetTruncated(), tc.truncated)
				}
				if resp.GetOmittedRecipients() != 0 {
					t.Errorf("%s: %d recipients left out, want none (shortened instead)", how, resp.GetOmittedRecipients())
				}
				if n := proto.Size(resp); n > MaxResponseBytes {
					t.Errorf("%s: response of %d bytes, want at most %d", how, n, MaxResponseBytes)
				}
				for _, rc := range resp.GetRecipients() {
					if rc.GetDiagnosticTruncated() != (tc.name != "1000-recipients" && tc.name != "html-24MiB-windows-1252-base64") {
						t.Fatalf("%s: diagnostic_truncated = %v for %d diagnostic bytes", how, rc.GetDiagnosticTruncated(), len(rc.GetDiagnosticCode()))
					}
					if len(rc.GetDiagnosticCode()) > MaxResponseFieldBytes {
						t.Fatalf("%s: diagnostic of %d bytes, want at most %d", how, len(rc.GetDiagnosticCode()), MaxResponseFieldBytes)
					}
				}
				t.Logf("%s: %d-byte message, %d-byte response, %d recipients", how, len(tc.raw), proto.Size(resp), len(resp.GetRecipients()))
			}
			resp, err := c.Parse(ctx, &pb.ParseRequest{Raw: tc.raw})
			if err != nil {
				t.Fatalf("unary: %v", err)
			}
			check("unary", resp)
			if err := stream.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: tc.raw}}); err != nil {
				t.Fatal(err)
			}
			r, err := stream.Recv()
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			check("stream", r.GetResponse())
		})
	}
	stream.CloseSend()
}

// TestCapStrings cuts strings at a UTF-8 boundary, in nested messages and
// lists, and leaves short ones alone.
func TestCapStrings(t *testing.T) {
	long := strings.Repeat("é", 10) // 20 bytes
	resp := &pb.ParseResponse{
		Source:     "short",
		Warnings:   []string{long, "ok"},
		Recipients: []*pb.Recipient{{DiagnosticCode: long}},
		Original:   &pb.OriginalMessage{Subject: long},
	}
	if !capStrings(resp.ProtoReflect(), 7) {
		t.Fatal("capStrings reported nothing cut")
	}
	if resp.Source != "short" || resp.Warnings[1] != "ok" {
		t.Errorf("short strings changed: %q %q", resp.Source, resp.Warnings[1])
	}
	for _, s := range []string{resp.Warnings[0], resp.Recipients[0].DiagnosticCode, resp.Original.Subject} {
		if s != "ééé" {
			t.Errorf("cut string = %q, want %q (6 bytes, no split character)", s, "ééé")
		}
	}
}

// TestCapResponseOmits: a response whose recipients do not fit even
// shortened keeps the longest prefix that does, and says how many it
// left out.
func TestCapResponseOmits(t *testing.T) {
	resp := &pb.ParseResponse{}
	const n = 20000 // twenty times the default recipient limit
	long := strings.Repeat("x", 400)
	for range n {
		resp.Recipients = append(resp.Recipients, &pb.Recipient{Recipient: "user@example.com", DiagnosticCode: long, StatusMeaning: long})
	}
	cut, omitted := capResponse(resp, 1<<20)
	if !cut || omitted == 0 || len(resp.GetRecipients())+omitted != n {
		t.Fatalf("capResponse = %v, %d omitted, %d kept; want a cut and kept + omitted = %d", cut, omitted, len(resp.GetRecipients()), n)
	}
	if size := proto.Size(resp); size > MaxResponseBytes {
		t.Errorf("response of %d bytes after capResponse, want at most %d", size, MaxResponseBytes)
	}
	if rc := resp.GetRecipients()[0]; len(rc.GetDiagnosticCode()) >= len(long) {
		t.Errorf("kept recipients' strings not shortened first: %d bytes", len(rc.GetDiagnosticCode()))
	}
}

// TestEncodedOnce: what the server sends from the wire form parse made
// (unary and stream) decodes to the message parse built, cache status
// included.
func TestEncodedOnce(t *testing.T) {
	store := domaincache.NewMemory(100, 0)
	c := startServer(t, store)
	svc := NewService(Config{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes, MaxRecipients: 5}, Store: store}), Store: store, MaxMessageBytes: testMaxBytes})
	ctx := context.Background()
	req := &pb.ParseRequest{Raw: []byte(relayDenied), Source: "s", SkipCache: true}
	want, err := svc.Parse(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Parse(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want) {
		t.Errorf("unary:\n got %v\nwant %v", got, want)
	}
	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.ParseStreamRequest{Request: req}); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(r.GetResponse(), want) {
		t.Errorf("stream:\n got %v\nwant %v", r.GetResponse(), want)
	}
	stream.CloseSend()
}

// TestEchoedFieldsCapped: the request fields a response echoes (source,
// and Classify's recipient, remote host and command) are held to the
// response budgets too, however small the message or reply beside them.
func TestEchoedFieldsCapped(t *testing.T) {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 1 << 20}})
	svc := NewService(Config{Engine: engine, MaxMessageBytes: 1 << 20})
	ctx := context.Background()
	big := strings.Repeat("b", 5<<20)
	check := func(what string, resp *pb.ParseResponse) {
		t.Helper()
		if n := proto.Size(resp); n > MaxResponseBytes {
			t.Errorf("%s: response of %d bytes, over MaxResponseBytes", what, n)
		}
		if n := len(resp.GetSource()); n > MaxResponseFieldBytes {
			t.Errorf("%s: source of %d bytes echoed, over MaxResponseFieldBytes", what, n)
		}
	}
	resp, err := svc.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied), Source: big})
	if err != nil {
		t.Fatal(err)
	}
	check("Parse", resp)
	if !resp.GetTruncated() {
		t.Error("Parse with a cut source not marked truncated")
	}
	cr, err := svc.Classify(ctx, &pb.ClassifyRequest{Reply: "550 5.1.1 user unknown", Recipient: "a@" + big + ".example",
		RemoteHost: big, Command: big, Source: big})
	if err != nil {
		t.Fatal(err)
	}
	check("Classify", cr.GetResult())
	check("ErrorResponse", ErrorResponse(big, dsn.ErrEmpty))
}

// TestCapResponseLeavesResult: capping ToProto's response cuts its lists
// of strings (warnings, explanation steps, DNS names) without cutting the
// result's own, which ToProto's response shares when they are valid
// UTF-8, and the cut response is the one the writer writes.
func TestCapResponseLeavesResult(t *testing.T) {
	long := strings.Repeat("w", MaxResponseFieldBytes+100)
	res := fullResult(long)
	auds := []explain.Audience{explain.Admin}
	resp := ToProto(res, auds, "en")
	if cut, _ := capResponse(resp, 1<<20); !cut {
		t.Fatal("nothing cut")
	}
	if got := resp.GetWarnings()[0]; len(got) > MaxResponseFieldBytes {
		t.Errorf("response warning of %d bytes, want it cut", len(got))
	}
	for what, s := range map[string]string{
		"report warning":   res.Report.Warnings[0],
		"explanation step": res.Recipients[0].Explanation.Steps[0],
		"DNS MX host":      res.Recipients[0].Verdict.DNS.MXHosts[0],
	} {
		if s != "w1"+long && s != "a"+long && s != "mx1."+long {
			t.Errorf("%s of the result changed to %d bytes", what, len(s))
		}
	}
	checkWriter(t, "after capResponse", res, auds, "en", 1<<20)
}
