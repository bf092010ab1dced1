package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/smtpcode"
	"github.com/bounced/bounced/internal/worstcase"
)

// wantWire is what the server sent before encodeResult: ToProto, then
// capResponse, proto.Marshal'ed deterministically (map keys in order).
func wantWire(t *testing.T, res *bounce.Result, auds []explain.Audience, lang string, inLen int) (*pb.ParseResponse, []byte) {
	t.Helper()
	resp := ToProto(res, auds, lang)
	if cut, omitted := capResponse(resp, inLen); cut {
		resp.Truncated, resp.OmittedRecipients = true, uint32(omitted)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(resp)
	if err != nil {
		t.Fatalf("proto.Marshal of ToProto's response: %v", err)
	}
	return resp, b
}

// checkWriter compares encodeResult's bytes for res with wantWire's, and
// checks that they decode (proto.Unmarshal refuses a string that is not
// UTF-8). It reports whether encodeResult wrote the response itself
// (false: over MaxResponseBytes, made through capResponse instead).
func checkWriter(t *testing.T, name string, res *bounce.Result, auds []explain.Audience, lang string, inLen int) bool {
	t.Helper()
	enc, ok := encodeResult(res, auds, lang, inLen)
	defer enc.release() // the next message writes in the same buffer, as it would once gRPC has sent this one
	want, wantBytes := wantWire(t, res, auds, lang, inLen)
	if !ok {
		if len(wantBytes) <= MaxResponseBytes && want.GetOmittedRecipients() == 0 && !want.GetTruncated() {
			t.Errorf("%s: encodeResult gave up on a response of %d bytes that needs no sharing", name, len(wantBytes))
		}
		return false
	}
	got := enc.response()
	if !bytes.Equal(got, wantBytes) {
		back := new(pb.ParseResponse)
		err := proto.Unmarshal(got, back)
		t.Errorf("%s (%v, %q, input %d bytes): %d bytes written, proto.Marshal %d; equal after decoding: %v (%v)",
			name, auds, lang, inLen, len(got), len(wantBytes), err == nil && proto.Equal(back, want), err)
		return true
	}
	if err := proto.Unmarshal(got, new(pb.ParseResponse)); err != nil {
		t.Errorf("%s: written response does not decode: %v", name, err)
	}
	var framed pb.ParseStreamResponse
	if err := proto.Unmarshal(enc.streamResponse(), &framed); err != nil || !proto.Equal(framed.GetResponse(), want) {
		t.Errorf("%s: stream framing decodes to a different message (%v)", name, err)
	}
	return true
}

// emlFiles are every .eml under testdata: the labelled corpus and the
// sample sets.
func emlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../../testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".eml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 100 {
		t.Fatalf("%d .eml files under testdata (%v)", len(files), err)
	}
	return files
}

// TestWriterMatchesToProto: for every corpus and sample message, in both
// languages and for several audience lists, the bytes encodeResult writes
// are those proto.Marshal makes of ToProto's response after capResponse.
// The engine remembers domains (an in-process store), so that later
// messages carry a domain history (DomainSummary and its maps).
func TestWriterMatchesToProto(t *testing.T) {
	engine := bounce.New(bounce.Config{Store: domaincache.NewMemory(10000, 0)})
	audienceLists := [][]explain.Audience{
		{explain.Marketer},
		{explain.Admin, explain.EndUser},
		{explain.EndUser, explain.Marketer, explain.Admin},
		nil, // no explanations
	}
	written, histories := 0, 0
	for _, f := range emlFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "fr"} {
			for _, auds := range audienceLists {
				aud := explain.Marketer
				if len(auds) > 0 {
					aud = auds[0]
				}
				res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw, Source: f, Audience: aud, Language: lang})
				if err != nil {
					continue
				}
				for _, r := range res.Recipients {
					if r.History != nil {
						histories++
					}
				}
				if checkWriter(t, f, res, auds, lang, len(raw)+len(f)+len(lang)) {
					written++
				}
			}
		}
	}
	if written < 1000 || histories == 0 {
		t.Errorf("%d responses written, %d recipients with a history: the comparison covers too little", written, histories)
	}
}

// TestWriterWorstCases: the issue 9 worst cases (caps_test.go) give the
// bytes capResponse's response gives, cut strings and truncated marker
// included; the one whose recipients must share the budget is left to
// capResponse, and answer's wire form for it is that response.
func TestWriterWorstCases(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 MiB messages")
	}
	engine := bounce.New(bounce.Config{})
	svc := NewService(Config{Engine: engine, MaxMessageBytes: dsn.DefaultMaxMessageBytes})
	auds := []explain.Audience{explain.Marketer, explain.Admin}
	for _, tc := range []struct {
		name    string
		raw     []byte
		written bool // by encodeResult, not shared by capResponse
	}{
		{"diagnostic-5MB", worstcase.LongDiag(worstcase.LongDiagnostic), true},
		{"1000-recipients-20KB-diagnostics", worstcase.WideDiags(worstcase.WideRecipients, worstcase.WideDiagnosticSize), false},
		{"1000-recipients", worstcase.Recipients(worstcase.WideRecipients), true},
		{"html-24MiB-windows-1252-base64", worstcase.HTML(worstcase.HTMLBytes), true},
		{"plain-1MiB", worstcase.PlainText(1 << 20), true},
	} {
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: tc.raw, Audience: auds[0]})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := checkWriter(t, tc.name, res, auds, "en", len(tc.raw)); got != tc.written {
			t.Errorf("%s: written by encodeResult = %v, want %v", tc.name, got, tc.written)
		}
		res, _ = engine.Parse(context.Background(), bounce.Request{Raw: tc.raw, Audience: auds[0]})
		resp, enc, err := svc.answer(res, auds, "en", len(tc.raw), true)
		if err != nil {
			t.Fatalf("%s: answer: %v", tc.name, err)
		}
		if (resp == nil) != tc.written {
			t.Errorf("%s: answer built a response = %v, want %v", tc.name, resp != nil, !tc.written)
		}
		back := new(pb.ParseResponse)
		if err := proto.Unmarshal(enc.response(), back); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		res, _ = engine.Parse(context.Background(), bounce.Request{Raw: tc.raw, Audience: auds[0]})
		if want, _ := wantWire(t, res, auds, "en", len(tc.raw)); !proto.Equal(back, want) {
			t.Errorf("%s: answer's wire form differs from capResponse's response", tc.name)
		}
		if len(enc.response()) > MaxResponseBytes {
			t.Errorf("%s: %d bytes, over MaxResponseBytes", tc.name, len(enc.response()))
		}
	}
}

// fullResult is a result with every field the writer writes set, DNS
// evidence and a domain history included, and strings that are not UTF-8
// in each kind of place.
func fullResult(bad string) *bounce.Result {
	rep := &dsn.Report{
		Kind:            dsn.KindBounce,
		DecodedBy:       "rfc3464" + bad,
		ReportingMTA:    "mx.example.org" + bad,
		ReceivedFromMTA: "relay" + bad,
		ArrivalDate:     "Tue, 3 Mar 2026 10:00:00 +0100",
		Warnings:        []string{"w1" + bad, "", "w3"},
		Feedback:        &dsn.Feedback{Type: "abuse" + bad},
		Original: dsn.Original{
			Found: true, MessageID: "<m" + bad + "@x>", From: "a@x" + bad, To: "b@y", Subject: "s" + bad,
			Date: "1 Jan 2026 00:00:00 GMT", ReturnPath: "r@x", ListID: "l" + bad,
			Headers: []dsn.Header{{Name: "X-A" + bad, Value: "v" + bad}, {}, {Name: "Subject", Value: ""}},
		},
	}
	facts := &dsn.Recipient{
		Recipient: "u" + bad + "@example.com", FinalRecipient: "other@example.net", OriginalRecipient: "o" + bad + "@x",
		Action: dsn.ActionDelayed, Status: smtpcode.Status{Class: 4, Subject: 7, Detail: 1},
		ServerStatus: smtpcode.Status{Class: 5, Subject: 12, Detail: 123}, ReplyCode: -7, Command: "RCPT" + bad,
		Stage: dsn.Stage(3), DiagnosticType: "smtp" + bad, Diagnostic: "550 no" + bad, DiagnosticTruncated: true,
		RemoteMTA: "mx" + bad, LastAttemptDate: "Wed, 4 Mar 2026 11:12:13 -0500 (EST)", WillRetryUntil: "not a date" + bad,
	}
	v := classify.Verdict{
		Reason: "norelaying", Side: classify.SideNetwork, Hard: true, Confidence: float64(math.Copysign(0, -1)),
		Status: smtpcode.Status{Class: 5, Subject: 7, Detail: 1}, OriginalIsAutoReply: true,
		Evidence: []classify.Evidence{{Signal: 2, Value: "v" + bad, RuleID: "r1", Source: "RFC" + bad, Weight: 0.5}, {}},
		DNS: &classify.DNSFacts{
			Domain: "example.net" + bad, MX: "MX example.net = mx1.", MXHosts: []string{"mx1." + bad, ""},
			NXDomain: true, NullMX: true, NoMailHost: true, Relay: classify.RelayNotAmong, RelayEvidence: "re" + bad,
			SendingIP: "192.0.2.1", Listings: []classify.Listing{{Zone: "z" + bad, Codes: []string{"127.0.0.2", "x" + bad}, Reason: "r"}, {}},
			Checked: []string{"zen"}, Lookups: []string{"MX example.net"}, Failed: []string{"A x: timeout" + bad},
		},
	}
	hist := &domaincache.Summary{
		Domain: "example.net" + bad, Total: 1 << 40, Hard: -3,
		Reasons:   map[string]int64{"norelaying": 2, "no-such-reason": 3, "another-unknown": math.MaxInt64, "userunknown": 0},
		Sides:     map[string]int64{"recipient": 1, "sideways": 4},
		FirstSeen: time.Unix(0, 0).UTC(), LastSeen: time.Date(2026, 3, 4, 5, 6, 7, 8000000, time.UTC),
		LastReason: "whatever", LastSide: "sender", LastStatus: "5.7.1" + bad, DistinctSenders: 9,
	}
	ex := explain.Explanation{Audience: explain.Admin, Language: "en", Headline: "h" + bad, WhatHappened: "w", WhoseSide: "", Steps: []string{"a" + bad, "", "c"}}
	return &bounce.Result{
		Source: "src" + bad, Report: rep, CacheStatus: bounce.CacheHit,
		Recipients: []bounce.Recipient{
			{Facts: facts, Verdict: v, Explanation: ex, History: hist},
			{Facts: &dsn.Recipient{}, Verdict: classify.Verdict{}},
		},
	}
}

// TestWriterAllFields: a result with every field set, strings that are
// not UTF-8 among them (each becomes U+FFFD, as ToProto's text makes it),
// a negative reply code, a -0 confidence, dates read and unread, a domain
// history whose stored names share an enum name, and DNS evidence, is
// written as proto.Marshal writes ToProto's response; cut to the field
// cap, and marked truncated, when the input is large.
func TestWriterAllFields(t *testing.T) {
	auds := []explain.Audience{explain.Admin, explain.Marketer, explain.EndUser}
	for _, bad := range []string{"", "\xff", "caf\xe9 \xc3"} {
		for _, inLen := range []int{100, MaxResponseFieldBytes + 1} {
			checkWriter(t, fmt.Sprintf("all fields, %q", bad), fullResult(bad), auds, "fr", inLen)
		}
		enc, _ := encodeResult(fullResult(bad), auds, "fr", 100)
		resp := new(pb.ParseResponse)
		if err := proto.Unmarshal(enc.response(), resp); err != nil {
			t.Fatalf("%q: %v", bad, err)
		}
		if bad != "" && !strings.Contains(resp.GetSource(), "\uFFFD") {
			t.Errorf("source %q, want the invalid bytes as U+FFFD", resp.GetSource())
		}
	}
	// Long strings everywhere: each is cut to the field cap at a UTF-8
	// boundary, and the response is marked.
	long := strings.Repeat("é", MaxResponseFieldBytes) // twice the cap, in bytes
	res := fullResult(long)
	checkWriter(t, "long strings", res, auds, "en", 5<<20)
	enc, ok := encodeResult(fullResult(long), auds, "en", 5<<20)
	if !ok {
		t.Fatal("encodeResult gave up on a response under the budget")
	}
	resp := new(pb.ParseResponse)
	if err := proto.Unmarshal(enc.response(), resp); err != nil {
		t.Fatal(err)
	}
	if !resp.GetTruncated() || len(resp.GetSource()) > MaxResponseFieldBytes || !utf8.ValidString(resp.GetSource()) {
		t.Errorf("truncated = %v, source of %d bytes: want marked, cut to %d", resp.GetTruncated(), len(resp.GetSource()), MaxResponseFieldBytes)
	}
	// The same strings from a small message are not cut: capResponse
	// does not walk a small message's response.
	checkWriter(t, "long strings, small message", fullResult(long), auds, "en", 100)
	enc, _ = encodeResult(fullResult(long), auds, "en", 100)
	if err := proto.Unmarshal(enc.response(), resp); err != nil {
		t.Fatal(err)
	}
	if resp.GetTruncated() || len(resp.GetSource()) != len("src"+long) {
		t.Errorf("small message: truncated = %v, source of %d bytes; want neither cut", resp.GetTruncated(), len(resp.GetSource()))
	}
}

// TestWriterGrows: an answer larger than the writer's first buffer, and
// one after it from the pooled writer, are written whole.
func TestWriterGrows(t *testing.T) {
	for _, n := range []int{1, writerBuf - 20, writerBuf, 3 * writerBuf, maxPooledWriter + 1, 10} {
		res := fullResult("")
		res.Source = strings.Repeat("s", n)
		checkWriter(t, fmt.Sprintf("source of %d bytes", n), res, []explain.Audience{explain.Marketer}, "en", 100)
	}
}

// TestDescribe: the remembered sentences are Describe's, inside the table
// and around its edges.
func TestDescribe(t *testing.T) {
	for _, class := range []int{0, 1, 2, 3, 4, 5, 6} {
		for _, sub := range []int{-1, 0, 1, 7, 8, 999, 1000} {
			for _, det := range []int{-1, 0, 1, 31, 32, 999, 1000} {
				s := smtpcode.Status{Class: class, Subject: sub, Detail: det}
				if got, want := describe(s), s.Describe(); got != want {
					t.Errorf("describe(%v) = %q, want %q", s, got, want)
				}
			}
		}
	}
}

// refusingStore reads like an empty memory and fails every write: the
// engine checks a result as a cache MISS, then the write after the check
// fails and the status becomes UNAVAILABLE.
type refusingStore struct{ domaincache.Store }

func (refusingStore) Record(context.Context, []domaincache.Observation) error {
	return errors.New("refusingStore: write refused")
}

// TestWireRestatus: when the domain memory write after the check fails,
// the answer sent (the wire form, unary and streamed, for a small message
// and for one whose strings are cut) says UNAVAILABLE, as the in-process
// Parse does, and is otherwise the same.
func TestWireRestatus(t *testing.T) {
	store := refusingStore{domaincache.NewMemory(100, 0)}
	c := startServer(t, store)
	svc := NewService(Config{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes, MaxRecipients: 5}, Store: store}), Store: store, MaxMessageBytes: testMaxBytes})
	ctx := context.Background()
	stream, err := c.ParseStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseSend()
	for _, req := range []*pb.ParseRequest{
		{Raw: []byte(relayDenied), Source: "small"},
		{Raw: []byte(relayDenied), Source: strings.Repeat("s", MaxResponseFieldBytes+10)},
	} {
		want, err := svc.Parse(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if want.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_UNAVAILABLE {
			t.Fatalf("in-process Parse: cache status %v, want UNAVAILABLE", want.GetCacheStatus())
		}
		got, err := c.Parse(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("unary:\n got %v\nwant %v", got, want)
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
	}
}

// FuzzWriter: for arbitrary bytes through the engine (small and large
// inputs, so with and without the field cap), encodeResult writes what
// proto.Marshal makes of ToProto's response after capResponse.
func FuzzWriter(f *testing.F) {
	f.Add([]byte(Latin1Bounce), uint16(0))
	f.Add([]byte(relayDenied), uint16(1))
	f.Add(bytes.ReplaceAll([]byte(relayDenied), []byte("alice"), []byte("al\xffice")), uint16(MaxResponseFieldBytes))
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 1 << 20}})
	auds := []explain.Audience{explain.Admin, explain.EndUser}
	f.Fuzz(func(t *testing.T, raw []byte, extra uint16) {
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw, Audience: auds[0], Source: string(raw[:min(len(raw), 8)])})
		if err != nil {
			return
		}
		// extra stands for the request's other strings: above the field
		// cap, every string is cut as capResponse cuts it.
		checkWriter(t, "fuzz", res, auds, "en", len(raw)+int(extra)*2)
	})
}

// TestClassifyWire: Classify over gRPC, answered with the wire form
// framed as a stream's answer, decodes to what the in-process Classify
// returns, for a short reply and for one whose echoed strings are cut;
// the framing holds because both wrappers carry their response as field 1.
func TestClassifyWire(t *testing.T) {
	for _, m := range []proto.Message{&pb.ClassifyResponse{}, &pb.ParseStreamResponse{}} {
		fields := m.ProtoReflect().Descriptor().Fields()
		if fields.Len() != 1 || fields.Get(0).Number() != 1 || fields.Get(0).Message().FullName() != "bounced.v1.ParseResponse" {
			t.Fatalf("%s is not ParseResponse as field 1: streamResponse's framing does not fit it", m.ProtoReflect().Descriptor().FullName())
		}
	}
	store := domaincache.NewMemory(100, 0)
	c := startServer(t, store)
	svc := NewService(Config{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes, MaxRecipients: 5}, Store: store}), Store: store, MaxMessageBytes: testMaxBytes})
	ctx := context.Background()
	big := strings.Repeat("h", MaxResponseFieldBytes+50)
	for _, req := range []*pb.ClassifyRequest{
		{Reply: "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown", Recipient: "bob@example.net", SkipCache: true,
			Audiences: []pb.Audience{pb.Audience_AUDIENCE_ADMIN, pb.Audience_AUDIENCE_END_USER}, Language: "fr"},
		{Reply: "421 4.7.0 try again later", RemoteHost: big, Command: "RCPT", Source: big, SkipCache: true},
	} {
		want, err := svc.Classify(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Classify(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("Classify over gRPC:\n got %v\nwant %v", got, want)
		}
		if len(req.GetSource()) > MaxResponseFieldBytes && !got.GetResult().GetTruncated() {
			t.Errorf("Classify with a %d-byte source: not marked truncated", len(req.GetSource()))
		}
	}
}
