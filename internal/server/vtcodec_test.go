package server

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

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

// TestRequestKinds: the tables looked up by type are those built from
// each request's descriptor, and a stream request whose inner request
// holds a string that is not UTF-8 is refused through them.
func TestRequestKinds(t *testing.T) {
	for _, m := range []vtMessage{new(pb.ParseStreamRequest), new(pb.ParseRequest), new(pb.ClassifyRequest)} {
		if got, want := requestKinds(m), kindsOf(m.ProtoReflect().Descriptor()); got != want || got.md.FullName() != m.ProtoReflect().Descriptor().FullName() {
			t.Errorf("%T: table of %s, want %s", m, got.md.FullName(), want.md.FullName())
		}
	}
	c := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	b, _ := proto.Marshal(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte("x\xff"), Language: "fr"}})
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, new(pb.ParseStreamRequest)); err != nil {
		t.Fatalf("valid stream request: %v", err)
	}
	b = protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, protowire.AppendBytes(protowire.AppendTag(nil, 4, protowire.BytesType), []byte("caf\xe9")))
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, new(pb.ParseStreamRequest)); !errors.Is(err, errWireUTF8) {
		t.Errorf("stream request with a Latin-1 source: %v, want errWireUTF8", err)
	}
}

// BenchmarkUnmarshalRequest is passCodec's decoding of the corpus as
// ParseStream requests, each in one buffer (as gRPC hands a message read
// in one frame).
func BenchmarkUnmarshalRequest(b *testing.B) {
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var reqs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := proto.Marshal(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: raw, Source: f, Language: "en"}})
		reqs = append(reqs, m)
	}
	c := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(reqs[i%len(reqs)])}, new(pb.ParseStreamRequest)); err != nil {
			b.Fatal(err)
		}
	}
}

// codecMatchesProto checks that passCodec decodes b, as a ParseRequest
// and as a ParseStreamRequest, to what proto.Unmarshal makes of it, and
// fails where it fails.
func codecMatchesProto(t *testing.T, name string, b []byte) {
	t.Helper()
	c := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	for _, dt := range decodeTargets {
		into, got, want := dt.make()
		gotErr := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, into)
		wantErr := proto.Unmarshal(b, want)
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("%s as %s %T: codec error %v, proto.Unmarshal error %v", name, dt.name, want, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !sameRequest(got(), want) {
			t.Errorf("%s as %s %T: codec decoded %v, proto.Unmarshal %v", name, dt.name, want, got(), want)
		}
	}
}

// decodeTargets are the ways passCodec decodes a request: into the
// message itself, as a test or another caller does, and through
// heldRequest, as the Parse and ParseStream handlers do. make returns
// what to decode into, the message decoded, and an empty message of the
// same type for proto.Unmarshal.
var decodeTargets = []struct {
	name string
	make func() (into any, got func() proto.Message, want proto.Message)
}{
	{"a", func() (any, func() proto.Message, proto.Message) {
		m := new(pb.ParseRequest)
		return m, func() proto.Message { return m }, new(pb.ParseRequest)
	}},
	{"a", func() (any, func() proto.Message, proto.Message) {
		m := new(pb.ParseStreamRequest)
		return m, func() proto.Message { return m }, new(pb.ParseStreamRequest)
	}},
	{"a held", func() (any, func() proto.Message, proto.Message) {
		h, want := heldFor(false)
		return h, func() proto.Message { return h.message() }, want
	}},
	{"a held", func() (any, func() proto.Message, proto.Message) {
		h, want := heldFor(true)
		return h, func() proto.Message { return h.message() }, want
	}},
}

// heldFor is an empty heldRequest as the ParseStream (stream) or Parse
// handler makes it, and an empty message of the type it decodes.
func heldFor(stream bool) (*heldRequest, proto.Message) {
	if stream {
		return &heldRequest{stream: new(pb.ParseStreamRequest)}, new(pb.ParseStreamRequest)
	}
	return &heldRequest{req: new(pb.ParseRequest)}, new(pb.ParseRequest)
}

// TestCodecMatchesProto: passCodec decodes a request wherever its raw
// message is, however often, and a message that ends too soon, as
// proto.Unmarshal does, as a ParseRequest and as a ParseStreamRequest's
// request.
func TestCodecMatchesProto(t *testing.T) {
	big := bytes.Repeat([]byte("raw message line\r\n"), 200)
	raw := func(v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), v)
	}
	str := func(num protowire.Number, v string) []byte {
		return protowire.AppendString(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	inner := map[string][]byte{
		"raw first":          join(raw(big), str(4, "s.eml")),
		"raw last":           join(str(4, "s.eml"), str(3, "fr"), raw(big)),
		"raw twice, longer":  join(raw(big[:1500]), str(3, "en"), raw(big)),
		"raw twice, shorter": join(raw(big), raw([]byte("short"))),
		"small raw":          join(raw([]byte("From: a\r\n\r\nb")), str(4, "s")),
		"empty raw":          raw(nil),
		"no raw":             str(4, "s.eml"),
		"empty":              nil,
		"truncated":          join(raw(big), str(4, "s.eml"))[:len(big)+2],
		"length past end":    protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.BytesType), uint64(len(big)+10)),
	}
	for name, in := range inner {
		codecMatchesProto(t, name, in)
		codecMatchesProto(t, "stream, "+name, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), in))
		codecMatchesProto(t, "stream, twice, "+name, join(
			protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), in),
			protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), str(3, "de"))))
	}
}

// FuzzCodecUnmarshal: what passCodec decodes from any bytes, as a
// ParseRequest and as a ParseStreamRequest, is what proto.Unmarshal
// decodes, and what proto.Unmarshal refuses the codec refuses. (The
// generated unmarshaller also refuses a known field with another wire
// type, which proto.Unmarshal keeps as an unknown field: seed 242296f4.)
func FuzzCodecUnmarshal(f *testing.F) {
	req, _ := proto.Marshal(&pb.ParseRequest{Raw: bytes.Repeat([]byte("x"), 2000), Source: "s", Language: "fr",
		Audiences: []pb.Audience{pb.Audience_AUDIENCE_ADMIN}, SkipCache: true})
	f.Add(req)
	stream, _ := proto.Marshal(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied)}})
	f.Add(stream)
	f.Add([]byte{0x0a, 0x05, 0x0a, 0x03, 'a', 'b'})
	c := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, dt := range decodeTargets {
			into, got, std := dt.make()
			gotErr := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, into)
			stdErr := proto.Unmarshal(b, std)
			if stdErr != nil && gotErr == nil {
				t.Fatalf("%s %T: codec decoded %v, proto.Unmarshal refuses it: %v", dt.name, std, got(), stdErr)
			}
			if gotErr == nil && !sameRequest(got(), std) {
				t.Fatalf("%s %T: codec decoded %v, proto.Unmarshal %v", dt.name, std, got(), std)
			}
		}
	})
}

// sameRequest is proto.Equal, except that unknown fields compare by
// number, type and value: proto.Unmarshal writes an unknown field's tag
// again in its shortest form, where the generated unmarshaller keeps the
// bytes as sent (seed b25cb030: field 7 with a two-byte tag). Nothing
// reads unknown fields but the stand-ins (toolarge.go), which parse them.
func sameRequest(a, b proto.Message) bool {
	if proto.Equal(a, b) {
		return true
	}
	ua, ub := unknownFields(a), unknownFields(b)
	if ua == nil || ub == nil || !slices.EqualFunc(ua, ub, func(x, y unknownField) bool {
		return x.num == y.num && x.typ == y.typ && bytes.Equal(x.val, y.val)
	}) {
		return false
	}
	a, b = proto.Clone(a), proto.Clone(b)
	clearUnknown(a.ProtoReflect())
	clearUnknown(b.ProtoReflect())
	return proto.Equal(a, b)
}

type unknownField struct {
	num protowire.Number
	typ protowire.Type
	val []byte
}

// unknownFields lists m's unknown fields and those of the messages in
// it, in order; nil when they cannot be parsed.
func unknownFields(m proto.Message) []unknownField {
	out := []unknownField{}
	var walk func(r protoreflect.Message) bool
	walk = func(r protoreflect.Message) bool {
		for u := []byte(r.GetUnknown()); len(u) > 0; {
			num, typ, n := protowire.ConsumeTag(u)
			if n < 0 {
				return false
			}
			v := protowire.ConsumeFieldValue(num, typ, u[n:])
			if v < 0 {
				return false
			}
			out = append(out, unknownField{num, typ, u[n : n+v]})
			u = u[n+v:]
		}
		ok := true
		r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() {
				ok = walk(v.Message())
			}
			return ok
		})
		return ok
	}
	if !walk(m.ProtoReflect()) {
		return nil
	}
	return out
}

func clearUnknown(r protoreflect.Message) {
	r.SetUnknown(nil)
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() {
			clearUnknown(v.Message())
		}
		return true
	})
}
