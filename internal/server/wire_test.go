package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Latin1Bounce is a German Exchange-style DSN whose DSN fields, diagnostic
// and returned headers hold raw ISO-8859-1 bytes (0xE4 "ä", 0xFC "ü") and
// declare no charset anywhere: the bounce of issue 8.
const Latin1Bounce = "From: postmaster@mail.sender.example\r\n" +
	"To: news@sender.example\r\n" +
	"Subject: Unzustellbar: Gr\xfc\xdfe\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain\r\n" +
	"\r\n" +
	"Die Nachricht konnte nicht zugestellt werden: Empf\xe4nger unbekannt.\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: message/delivery-status\r\n" +
	"\r\n" +
	"Reporting-MTA: dns; mail.sender.example\r\n" +
	"Arrival-Date: Mon, 23 Nov 2026 10:15:00 +0100\r\n" +
	"\r\n" +
	"Final-Recipient: rfc822; m\xfcller@empf\xe4nger.example\r\n" +
	"Action: failed\r\n" +
	"Status: 5.1.1\r\n" +
	"Remote-MTA: dns; mx.empf\xe4nger.example\r\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 <m\xfcller@empf\xe4nger.example>: Empf\xe4nger unbekannt\r\n" +
	"Last-Attempt-Date: Mon, 23 Nov 2026 10:15:02 +0100\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/rfc822-headers\r\n" +
	"\r\n" +
	"Message-ID: <gr\xfc\xdfe-1@sender.example>\r\n" +
	"From: J\xfcrgen <news@sender.example>\r\n" +
	"To: m\xfcller@empf\xe4nger.example\r\n" +
	"Subject: Sch\xf6ne Gr\xfc\xdfe\r\n" +
	"X-Campaign: M\xe4rz\r\n" +
	"\r\n" +
	"--b1--\r\n"

// checkValid fails unless every string of m is valid UTF-8 and m marshals
// with proto and protojson.
func checkValid(t *testing.T, what string, m proto.Message) {
	t.Helper()
	if _, err := proto.Marshal(m); err != nil {
		t.Errorf("%s: proto.Marshal: %v", what, err)
	}
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Errorf("%s: protojson.Marshal: %v", what, err)
	}
	if !utf8.Valid(b) {
		t.Errorf("%s: JSON is not valid UTF-8", what)
	}
}

// TestLatin1 sends the Latin-1 bounce through unary Parse and through a
// stream followed by a good message on the same stream: both answer, the
// results are valid UTF-8 and the verdict is the one the facts give.
func TestLatin1(t *testing.T) {
	store := domaincache.NewMemory(100, time.Hour)
	c := startServer(t, store)
	ctx := context.Background()
	resp, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(Latin1Bounce), Source: "latin1"})
	if err != nil {
		t.Fatalf("Parse(Latin-1 bounce): %v", err)
	}
	checkValid(t, "unary", resp)
	if len(resp.GetRecipients()) != 1 {
		t.Fatalf("recipients = %v, want one", resp.GetRecipients())
	}
	r := resp.GetRecipients()[0]
	if r.GetReason() != pb.Reason_REASON_USER_UNKNOWN || r.GetStatus() != "5.1.1" || r.GetReplyCode() != 550 {
		t.Errorf("recipient = %v, want userunknown 5.1.1 550", r)
	}
	// dsn decodes the undeclared 8-bit text (Windows-1252/Latin-1 fallback);
	// the recipient's domain is reported in A-labels (issue 10).
	if r.GetDiagnosticCode() != "550 5.1.1 <müller@empfänger.example>: Empfänger unbekannt" || r.GetRecipient() != "müller@xn--empfnger-3za.example" ||
		resp.GetOriginal().GetSubject() != "Schöne Grüße" {
		t.Errorf("recipient %q diagnostic %q subject %q, want the Latin-1 text decoded", r.GetRecipient(), r.GetDiagnosticCode(), resp.GetOriginal().GetSubject())
	}
	if resp.GetArrivalTime() == nil || r.GetLastAttemptTime() == nil || r.GetLastAttemptTime().AsTime().Sub(resp.GetArrivalTime().AsTime()) != 2*time.Second {
		t.Errorf("arrival %v last attempt %v, want both parsed, 2s apart", resp.GetArrivalTime(), r.GetLastAttemptTime())
	}
	// What the memory holds is what was answered.
	dom := r.GetRemoteDomain()
	got, err := store.Get(ctx, []string{dom})
	if err != nil || got[dom].Total != 1 {
		t.Errorf("memory for %q = %v (%v), want the one recipient", dom, got, err)
	}

	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []*pb.ParseRequest{{Raw: []byte(Latin1Bounce), Source: "latin1"}, {Raw: []byte(relayDenied), Source: "good"}} {
		if err := stream.Send(&pb.ParseStreamRequest{Request: in}); err != nil {
			t.Fatal(err)
		}
	}
	_ = stream.CloseSend()
	var out []*pb.ParseResponse
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stream broke: %v", err)
		}
		out = append(out, m.GetResponse())
	}
	if len(out) != 2 || out[0].GetSource() != "latin1" || out[0].GetError() != nil || len(out[0].GetRecipients()) != 1 ||
		out[1].GetSource() != "good" || out[1].GetError() != nil || len(out[1].GetRecipients()) != 1 {
		t.Fatalf("stream answers = %v, want latin1 then good, both parsed", out)
	}
	for _, m := range out {
		checkValid(t, "stream "+m.GetSource(), m)
	}
}

// badConvert makes a result that cannot be encoded: a raw 0xE4 in a string.
func badConvert(res *bounce.Result, a []explain.Audience, lang string) *pb.ParseResponse {
	r := ToProto(res, a, lang)
	if res.Source == "poison" {
		r.DecodedBy = "\xe4"
	}
	return r
}

// TestUnencodable: a result that still fails to marshal is a per-message
// error (INTERNAL, UNENCODABLE_RESULT), never a broken stream, never
// counted as a success and never written to the domain memory.
func TestUnencodable(t *testing.T) {
	store := domaincache.NewMemory(100, time.Hour)
	lis := bufconn.Listen(1 << 20)
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}, Store: store})
	m := NewMetrics(MetricsConfig{})
	srv, _ := NewGRPCServer(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes, Metrics: m, convert: badConvert})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := pb.NewBounceServiceClient(conn)
	ctx := context.Background()

	_, err = c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied), Source: "poison"})
	if status.Code(err) != codes.Internal || errorInfoReason(status.Convert(err).Proto().GetDetails()) != "UNENCODABLE_RESULT" {
		t.Errorf("unary: %v, want INTERNAL with reason UNENCODABLE_RESULT", err)
	}
	if got, _ := store.Get(ctx, []string{"broken.example"}); len(got) != 0 {
		t.Errorf("an unencodable result was remembered: %v", got)
	}

	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"poison", "good"} {
		if err := stream.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: src}}); err != nil {
			t.Fatal(err)
		}
	}
	_ = stream.CloseSend()
	var out []*pb.ParseResponse
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stream broke: %v", err)
		}
		out = append(out, r.GetResponse())
	}
	if len(out) != 2 || codes.Code(out[0].GetError().GetCode()) != codes.Internal || errorInfoReason(out[0].GetError().GetDetails()) != "UNENCODABLE_RESULT" ||
		out[1].GetError() != nil || len(out[1].GetRecipients()) != 1 {
		t.Fatalf("stream answers = %v, want an INTERNAL error then the good message", out)
	}
	if got, _ := store.Get(ctx, []string{"broken.example"}); got["broken.example"].Total != 1 {
		t.Errorf("memory = %v, want only the good message's recipient", got)
	}
	errs, verdicts := sumOf(m.parseErrors.WithLabelValues("UNENCODABLE_RESULT")), sumOf(m.verdicts)
	if errs != 2 || verdicts != 1 {
		t.Errorf("metrics: %v errors, %v verdicts; want 2 and 1", errs, verdicts)
	}
}

// TestReflectionComments: reflection serves the proto's comments (grpcurl
// describe shows them).
func TestReflectionComments(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	srv, _ := NewGRPCServer(Config{Engine: bounce.New(bounce.Config{}), MaxMessageBytes: testMaxBytes})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	st, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: "bounced.v1.BounceService"}}); err != nil {
		t.Fatal(err)
	}
	resp, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
		var fd descriptorpb.FileDescriptorProto
		if err := proto.Unmarshal(b, &fd); err != nil {
			t.Fatal(err)
		}
		for _, loc := range fd.GetSourceCodeInfo().GetLocation() {
			if strings.Contains(loc.GetLeadingComments(), "Parse reads one raw message") {
				found = true
			}
		}
	}
	if !found {
		t.Error("reflection's descriptors carry no comments")
	}
}

// TestEmbeddedDescriptorsCurrent: the commented descriptors reflection
// serves describe the same schema as the generated code (make generate
// rebuilds both).
func TestEmbeddedDescriptorsCurrent(t *testing.T) {
	files, err := commentedFiles()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := files.FindFileByPath(pb.File_bounced_v1_bounced_proto.Path())
	if err != nil {
		t.Fatal(err)
	}
	strip := func(d protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
		p := protodesc.ToFileDescriptorProto(d)
		p.SourceCodeInfo, p.Options = nil, nil
		return p
	}
	if !proto.Equal(strip(fd), strip(pb.File_bounced_v1_bounced_proto)) {
		t.Error("internal/server/bounced.binpb is stale: run make generate")
	}
}

// TestVocabularyMatchesEnum: every vocabulary reason has an enum value and
// every enum value but UNSPECIFIED is a vocabulary reason (DESIGN.md).
func TestVocabularyMatchesEnum(t *testing.T) {
	vocab := vocabulary()
	for _, name := range vocab {
		if e, ok := reasonByName[name]; !ok || ReasonName(e) != name {
			t.Errorf("reason %q has no Reason enum value", name)
		}
	}
	for v, n := range pb.Reason_name {
		if v == 0 {
			continue
		}
		found := false
		for _, name := range vocab {
			found = found || vocabularyName(n) == name
		}
		if !found {
			t.Errorf("enum %s is not in the vocabulary", n)
		}
	}
}

// TestCorpusMarshals: every corpus message's response marshals with proto
// and protojson and holds only valid UTF-8.
func TestCorpusMarshals(t *testing.T) {
	engine := bounce.New(bounce.Config{})
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw, Source: f})
		if err != nil {
			continue
		}
		checkValid(t, f, ToProto(res, []explain.Audience{explain.Marketer, explain.Admin}, "fr"))
	}
}

// FuzzConvert: arbitrary bytes through the engine and the conversion
// always give a response that proto and protojson can marshal.
func FuzzConvert(f *testing.F) {
	f.Add([]byte(Latin1Bounce))
	f.Add([]byte(relayDenied))
	f.Add(bytes.ReplaceAll([]byte(relayDenied), []byte("alice"), []byte("al\xffice")))
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 1 << 20}})
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw, Source: string(raw[:min(len(raw), 8)])})
		if err != nil {
			r := ErrorResponse(string(raw[:min(len(raw), 8)]), err)
			if _, err := proto.Marshal(r); err != nil {
				t.Fatalf("error response: %v", err)
			}
			return
		}
		resp := ToProto(res, []explain.Audience{explain.Admin, explain.EndUser}, "en")
		if _, err := proto.Marshal(resp); err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		if _, err := protojson.Marshal(resp); err != nil {
			t.Fatalf("protojson.Marshal: %v", err)
		}
	})
}

// TestStatusesAndAutoReply: the Status field and the server's own code
// are both on the wire, status is the one the verdict was decided on, and
// a refused auto-reply is flagged.
func TestStatusesAndAutoReply(t *testing.T) {
	c := startServer(t, nil)
	raw := "From: MAILER-DAEMON@mx.sender.example\nTo: help@platform.example\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.example\n\n" +
		"Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.0.0\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n" +
		"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ooo-1@client.example>\nFrom: client@client.example\n" +
		"To: bob@example.net\nSubject: Out of office\nAuto-Submitted: auto-replied\n\n--b--\n"
	resp, err := c.Parse(context.Background(), &pb.ParseRequest{Raw: []byte(raw)})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.GetRecipients()[0]
	if r.GetStatus() != "5.1.1" || r.GetStatusField() != "5.0.0" || r.GetServerStatus() != "5.1.1" || r.GetStage() != pb.Stage_STAGE_RCPT {
		t.Errorf("status %q field %q server %q stage %v, want 5.1.1, 5.0.0, 5.1.1, RCPT", r.GetStatus(), r.GetStatusField(), r.GetServerStatus(), r.GetStage())
	}
	if !strings.Contains(r.GetStatusMeaning(), "does not exist") {
		t.Errorf("status_meaning %q, want the meaning of 5.1.1", r.GetStatusMeaning())
	}
	if !r.GetOriginalIsAutoReply() || !resp.GetOriginal().GetIsAutoReply() {
		t.Errorf("original_is_auto_reply %v original.is_auto_reply %v, want both", r.GetOriginalIsAutoReply(), resp.GetOriginal().GetIsAutoReply())
	}
	sourced := false
	for _, e := range r.GetEvidence() {
		sourced = sourced || e.GetSource() != ""
	}
	if !sourced {
		t.Errorf("evidence %v: no rule cites a source", r.GetEvidence())
	}
}

// TestDomainVerdictLanguage: the assessment is written in the language
// asked for.
func TestDomainVerdictLanguage(t *testing.T) {
	c := startServer(t, domaincache.NewMemory(10, time.Hour))
	ctx := context.Background()
	if _, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)}); err != nil {
		t.Fatal(err)
	}
	en, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "broken.example"})
	if err != nil {
		t.Fatal(err)
	}
	fr, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "broken.example", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if en.GetVerdict().GetAssessment() == "" || en.GetVerdict().GetAssessment() == fr.GetVerdict().GetAssessment() {
		t.Errorf("assessment en %q fr %q, want two different texts", en.GetVerdict().GetAssessment(), fr.GetVerdict().GetAssessment())
	}
}
