package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// TestGeneratedEncodingMatchesProto: for every corpus response (three
// audiences, both languages) the generated marshaller's bytes have
// proto.Size's length and decode with proto.Unmarshal to a message equal
// to the original, so clients see what proto.Marshal would have sent.
func TestGeneratedEncodingMatchesProto(t *testing.T) {
	engine := bounce.New(bounce.Config{})
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw, Source: f})
		if err != nil {
			continue
		}
		lang := []string{"en", "fr"}[i%2]
		resp := ToProto(res, []explain.Audience{explain.Marketer, explain.Admin, explain.EndUser}, lang)
		w, err := encodeWire(resp)
		if err != nil {
			t.Fatalf("%s: encodeWire: %v", f, err)
		}
		if got, want := len(w.response()), proto.Size(resp); got != want {
			t.Errorf("%s: %d bytes, proto.Size %d", f, got, want)
		}
		back := new(pb.ParseResponse)
		if err := proto.Unmarshal(w.response(), back); err != nil {
			t.Fatalf("%s: proto.Unmarshal of the generated encoding: %v", f, err)
		}
		if !proto.Equal(back, resp) {
			t.Errorf("%s: generated encoding decodes to a different message", f)
		}
	}
}

// TestCodecRequests: the codec decodes a request as proto.Unmarshal does,
// unknown fields included (the oversized-message stand-in is one), and
// refuses, as proto.Unmarshal does, a string that is not UTF-8 or a
// truncated encoding; a raw message (bytes) may hold any octets.
func TestCodecRequests(t *testing.T) {
	c := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	req := &pb.ParseRequest{Raw: []byte("From: a\r\n\r\n\xff\xfe"), Source: "s.eml", Language: "fr"}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	b = protowire.AppendTag(b, 536870911, protowire.VarintType)
	b = protowire.AppendVarint(b, 123456789)
	// In one buffer and split in two (a message over two reads).
	for _, data := range []mem.BufferSlice{
		{mem.SliceBuffer(b)},
		{mem.SliceBuffer(b[:7]), mem.SliceBuffer(b[7:])},
	} {
		got := new(pb.ParseRequest)
		if err := c.Unmarshal(data, got); err != nil {
			t.Fatal(err)
		}
		want := new(pb.ParseRequest)
		if err := proto.Unmarshal(b, want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) || len(got.ProtoReflect().GetUnknown()) == 0 {
			t.Errorf("codec decoded %v, proto.Unmarshal %v", got, want)
		}
	}
	bad := protowire.AppendTag(nil, 4, protowire.BytesType) // source
	bad = protowire.AppendBytes(bad, []byte("caf\xe9.eml"))
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(bad)}, new(pb.ParseRequest)); !errors.Is(err, errWireUTF8) {
		t.Errorf("source in Latin-1: %v, want errWireUTF8", err)
	}
	if err := proto.Unmarshal(bad, new(pb.ParseRequest)); err == nil {
		t.Error("proto.Unmarshal accepts it: the codec should not be stricter than it")
	}
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b[:len(b)-3])}, new(pb.ParseRequest)); err == nil {
		t.Error("a truncated request decoded without error")
	}
}

// TestCheckWireUTF8: a string deep in a response (an explanation of a
// recipient) that is not UTF-8 is found and named; the same octets in a
// bytes field are not a fault.
func TestCheckWireUTF8(t *testing.T) {
	resp := &pb.ParseResponse{Recipients: []*pb.Recipient{
		{Recipient: "a@example.org"},
		{Recipient: "b@example.org", Explanations: []*pb.Explanation{{Headline: "ok", Steps: []string{"fine", "bad \xff"}}}},
	}}
	w, err := encodeWire(resp)
	if !errors.Is(err, errWireUTF8) || w != nil {
		t.Fatalf("encodeWire made a form (%v), err %v; want errWireUTF8", w != nil, err)
	}
	if _, err := proto.Marshal(resp); err == nil {
		t.Fatal("proto.Marshal accepts it: the check should not be stricter than it")
	}
	resp.Recipients[1].Explanations[0].Steps[1] = "bad"
	if _, err := encodeWire(resp); err != nil {
		t.Fatalf("valid response: %v", err)
	}
	req := &pb.ParseRequest{Raw: []byte{0xff, 0xfe, 0xc3}}
	b, _ := proto.Marshal(req)
	if err := checkWireUTF8(b, kindsOf(req.ProtoReflect().Descriptor())); err != nil {
		t.Errorf("bytes field: %v", err)
	}
}
