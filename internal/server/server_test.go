package server

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

const testMaxBytes = 64 << 10

// relayDenied is a Postfix bounce for a relay denial at the recipient's MX.
const relayDenied = `From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)
To: news@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XX"

--XX
Content-Type: text/plain

This is the mail system at host mail.sender.example.

<alice@broken.example>: host mx.broken.example[192.0.2.7] said: 554 5.7.1
    <alice@broken.example>: Relay access denied (in reply to RCPT TO command)

--XX
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.example

Final-Recipient: rfc822; alice@broken.example
Action: failed
Status: 5.7.1
Remote-MTA: dns; mx.broken.example
Diagnostic-Code: smtp; 554 5.7.1 <alice@broken.example>: Relay access denied

--XX
Content-Type: text/rfc822-headers

Message-ID: <campaign-7@sender.example>
From: News <news@sender.example>
To: alice@broken.example
Subject: November news

--XX--
`

// startServer runs the real grpc.Server with the production options on a
// bufconn listener and returns a client.
func startServer(t *testing.T, store domaincache.Store) pb.BounceServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes, MaxRecipients: 5}, Store: store})
	srv, _ := NewGRPCServer(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(8<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewBounceServiceClient(conn)
}

func TestParse(t *testing.T) {
	c := startServer(t, domaincache.NewMemory(100, time.Hour))
	ctx := context.Background()
	resp, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied), Source: "t1", Audiences: []pb.Audience{pb.Audience_AUDIENCE_ADMIN, pb.Audience_AUDIENCE_END_USER, pb.Audience_AUDIENCE_ADMIN}})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if resp.GetSource() != "t1" || resp.GetKind() != pb.Kind_KIND_BOUNCE || resp.GetDecodedBy() == "" {
		t.Errorf("source %q kind %v decoded_by %q", resp.GetSource(), resp.GetKind(), resp.GetDecodedBy())
	}
	if got := resp.GetOriginal().GetMessageId(); got != "<campaign-7@sender.example>" {
		t.Errorf("original message id = %q", got)
	}
	if resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_MISS {
		t.Errorf("first cache status = %v, want MISS", resp.GetCacheStatus())
	}
	if len(resp.GetRecipients()) != 1 {
		t.Fatalf("recipients = %d, want 1", len(resp.GetRecipients()))
	}
	r := resp.GetRecipients()[0]
	if r.GetRecipient() != "alice@broken.example" || r.GetStatus() != "5.7.1" || r.GetReplyCode() != 554 ||
		r.GetAction() != pb.Action_ACTION_FAILED || r.GetReason() != pb.Reason_REASON_NO_RELAYING || r.GetHardBounce() {
		t.Errorf("recipient = %v", r)
	}
	if r.GetRemoteDomain() != "broken.example" {
		t.Errorf("remote domain %q", r.GetRemoteDomain())
	}
	// Two audiences asked (the repeated ADMIN dropped): two explanations in
	// the request's order, each with its own words.
	ex := r.GetExplanations()
	if len(ex) != 2 || ex[0].GetAudience() != pb.Audience_AUDIENCE_ADMIN || ex[1].GetAudience() != pb.Audience_AUDIENCE_END_USER ||
		len(ex[0].GetSteps()) == 0 || ex[0].GetHeadline() == "" || ex[1].GetHeadline() == "" ||
		ex[0].GetWhatHappened()+strings.Join(ex[0].GetSteps(), "") == ex[1].GetWhatHappened()+strings.Join(ex[1].GetSteps(), "") {
		t.Errorf("explanations = %v, want ADMIN then END_USER, different texts", ex)
	}
	if r.GetStatusMeaning() == "" || !strings.Contains(r.GetStatusMeaning(), "permanent") {
		t.Errorf("status_meaning = %q, want the registered meaning of 5.7.1", r.GetStatusMeaning())
	}
	if r.GetStatusField() != "5.7.1" || r.GetStage() != pb.Stage_STAGE_RCPT {
		t.Errorf("status_field %q stage %v, want 5.7.1 and RCPT", r.GetStatusField(), r.GetStage())
	}
	for _, e := range r.GetEvidence() {
		if e.GetSignal() == pb.Signal_SIGNAL_UNSPECIFIED || e.GetRuleId() == "" {
			t.Errorf("evidence %v: want a signal and a rule_id", e)
		}
	}
	// The second bounce of the same domain sees the first in its history.
	resp, err = c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_HIT || resp.GetRecipients()[0].GetDomain().GetTotal() != 1 {
		t.Errorf("second parse: cache %v domain %v", resp.GetCacheStatus(), resp.GetRecipients()[0].GetDomain())
	}
	v, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "Broken.Example."})
	if err != nil {
		t.Fatal(err)
	}
	if v.GetVerdict().GetSummary().GetTotal() != 2 || v.GetVerdict().GetDominantReason() != pb.Reason_REASON_NO_RELAYING {
		t.Errorf("domain verdict = %v", v.GetVerdict())
	}
	// The maps are keyed by the enum value names, so a recipient's reason
	// indexes them directly.
	sum := v.GetVerdict().GetSummary()
	if sum.GetReasons()[r.GetReason().String()] != 2 || sum.GetSides()[r.GetSide().String()] != 2 {
		t.Errorf("summary maps %v %v, want 2 under %v and %v", sum.GetReasons(), sum.GetSides(), r.GetReason(), r.GetSide())
	}
	// skip_cache neither reads nor writes.
	resp, err = c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied), SkipCache: true})
	if err != nil || resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_SKIPPED {
		t.Errorf("skip_cache: %v %v", err, resp.GetCacheStatus())
	}
}

func TestParseErrors(t *testing.T) {
	c := startServer(t, nil)
	ctx := context.Background()
	cases := []struct {
		name   string
		raw    []byte
		code   codes.Code
		reason string // ErrorInfo reason
	}{
		{"empty", nil, codes.InvalidArgument, "EMPTY_MESSAGE"},
		{"not a message", []byte("\x00\x01\x02"), codes.InvalidArgument, "NOT_A_MESSAGE"},
		{"over the size limit", []byte("Subject: x\n\n" + strings.Repeat("a", testMaxBytes)), codes.ResourceExhausted, "MESSAGE_TOO_LARGE"},
		{"over the size limit and framing room", []byte(strings.Repeat("a", testMaxBytes+grpcOverhead+1)), codes.ResourceExhausted, "MESSAGE_TOO_LARGE"},
		{"over the gRPC receive limit", []byte(strings.Repeat("a", transportLimit(testMaxBytes)+1)), codes.ResourceExhausted, "MESSAGE_TOO_LARGE"},
		{"too many recipients", []byte(manyRecipients(6)), codes.ResourceExhausted, "TOO_MANY_RECIPIENTS"},
	}
	for _, tc := range cases {
		_, err := c.Parse(ctx, &pb.ParseRequest{Raw: tc.raw})
		if status.Code(err) != tc.code {
			t.Errorf("%s: code = %v (%v), want %v", tc.name, status.Code(err), err, tc.code)
		}
		reason := ""
		for _, d := range status.Convert(err).Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
				reason = info.GetReason()
			}
		}
		if reason != tc.reason {
			t.Errorf("%s: ErrorInfo reason = %q, want %q", tc.name, reason, tc.reason)
		}
	}
	if _, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "no spaces allowed"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad domain: %v", err)
	}
	if _, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "example.com"}); status.Code(err) != codes.Unavailable {
		t.Errorf("no cache: %v", err)
	}
}

func manyRecipients(n int) string {
	var sb strings.Builder
	sb.WriteString("From: MAILER-DAEMON@mx.example.org\nContent-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n")
	for i := 0; i < n; i++ {
		sb.WriteString("\nFinal-Recipient: rfc822; u" + string(rune('a'+i)) + "@example.net\nAction: failed\nStatus: 5.1.1\n")
	}
	sb.WriteString("--b--\n")
	return sb.String()
}

func TestParseStream(t *testing.T) {
	c := startServer(t, nil)
	stream, err := c.ParseStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inputs := []*pb.ParseRequest{
		{Raw: []byte(relayDenied), Source: "one"},
		{Raw: []byte("\x00garbage"), Source: "bad"},
		{Raw: []byte(relayDenied), Source: "three"},
	}
	go func() {
		for _, in := range inputs {
			if err := stream.Send(&pb.ParseStreamRequest{Request: in}); err != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	var got []*pb.ParseResponse
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		got = append(got, r.GetResponse())
	}
	if len(got) != len(inputs) {
		t.Fatalf("got %d responses, want %d", len(got), len(inputs))
	}
	for i, r := range got {
		if r.GetSource() != inputs[i].GetSource() {
			t.Errorf("response %d source %q, want %q", i, r.GetSource(), inputs[i].GetSource())
		}
	}
	if e := got[1].GetError(); codes.Code(e.GetCode()) != codes.InvalidArgument || e.GetMessage() == "" || errorInfoReason(e.GetDetails()) != "NOT_A_MESSAGE" || len(got[1].GetRecipients()) != 0 {
		t.Errorf("bad message: error %v, want INVALID_ARGUMENT with reason NOT_A_MESSAGE", e)
	}
	if got[0].GetError() != nil || got[2].GetError() != nil || len(got[2].GetRecipients()) != 1 {
		t.Errorf("good messages: %v / %v", got[0].GetError(), got[2].GetError())
	}
}

func TestHealth(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	srv, hs := NewGRPCServer(Config{Engine: bounce.New(bounce.Config{}), MaxMessageBytes: testMaxBytes})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	h := healthpb.NewHealthClient(conn)
	r, err := h.Check(context.Background(), &healthpb.HealthCheckRequest{Service: pb.BounceService_ServiceDesc.ServiceName})
	if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v", r, err)
	}
	hs.Shutdown()
	r, err = h.Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("after shutdown health = %v, %v", r, err)
	}
}

// TestCorpusThroughServer sends every corpus message through Parse: each
// yields a response and nothing crashes.
func TestCorpusThroughServer(t *testing.T) {
	c := startServer(t, nil)
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	if len(files) < 300 {
		t.Fatalf("corpus: %d files", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) > testMaxBytes {
			continue
		}
		if _, err := c.Parse(context.Background(), &pb.ParseRequest{Raw: raw, Source: f}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// errorInfoReason returns the reason of the bounced.dev ErrorInfo among
// a google.rpc.Status's details.
func errorInfoReason(details []*anypb.Any) string {
	for _, a := range details {
		var info errdetails.ErrorInfo
		if a.UnmarshalTo(&info) == nil && info.GetDomain() == errorDomain {
			return info.GetReason()
		}
	}
	return ""
}

// TestNormalizeDomainALabels: GetDomainVerdict takes a domain in either
// form and looks it up in A-labels, the form recipients are reported and
// the cache is keyed in (issue 10).
func TestNormalizeDomainALabels(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Bücher.Example", "xn--bcher-kva.example"},
		{"user@xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"example.org.", "example.org"},
	} {
		if got, err := normalizeDomain(c.in); err != nil || got != c.want {
			t.Errorf("normalizeDomain(%q) = %q, %v, want %q", c.in, got, err, c.want)
		}
	}
}

// TestGetDomainVerdictLongName: a name longer than DNS allows (253
// octets, RFC 1035 2.3.4) is INVALID_ARGUMENT with a short message, not a
// store look-up whose answer repeats megabytes; a name at the limit is
// answered.
func TestGetDomainVerdictLongName(t *testing.T) {
	svc := NewService(Config{Store: domaincache.NewMemory(10, time.Hour)})
	ctx := context.Background()
	for _, d := range []string{strings.Repeat("a", 5<<20) + ".example", strings.Repeat("a.", 127) + "example", strings.Repeat("a", 5<<20) + " x.example"} {
		_, err := svc.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: d})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("GetDomainVerdict(%d-byte name) = %v, want INVALID_ARGUMENT", len(d), status.Code(err))
		}
		if n := len(status.Convert(err).Message()); n > 1024 {
			t.Errorf("GetDomainVerdict(%d-byte name): error message of %d bytes", len(d), n)
		}
	}
	atLimit := strings.Repeat("a.", 120) + "example.org" // 251 octets
	if _, err := svc.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: atLimit}); err != nil {
		t.Errorf("GetDomainVerdict(%d-byte name) = %v", len(atLimit), err)
	}
}

// TestMaxStreamsPerConn: one connection has at most MaxStreamsPerConn
// calls open; the client waits for room for the next one, which it gets
// as soon as one of them ends.
func TestMaxStreamsPerConn(t *testing.T) {
	c := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := make([]pb.BounceService_ParseStreamClient, MaxStreamsPerConn)
	for i := range streams {
		s, err := c.ParseStream(ctx)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if err := s.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}}); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if _, err := s.Recv(); err != nil { // open on the server too
			t.Fatalf("stream %d: %v", i, err)
		}
		streams[i] = s
	}
	wctx, wcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer wcancel()
	if _, err := c.Parse(wctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("call %d on the connection: %v, want it to wait (DeadlineExceeded)", MaxStreamsPerConn+1, err)
	}
	if err := streams[0].CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := streams[0].Recv(); err != io.EOF {
		t.Fatalf("closing stream: %v", err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	if _, err := c.Parse(rctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatalf("call after a stream ended: %v", err)
	}
}
