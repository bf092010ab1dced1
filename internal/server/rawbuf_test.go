package server

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// poisoned switches poisoning on for the test (rawbuf.go) and returns the
// count of buffers given back so far.
func poisoned(t *testing.T) func() int64 {
	t.Helper()
	poison.on.Store(true)
	start := poison.returned.Load()
	t.Cleanup(func() { poison.on.Store(false) })
	return func() int64 { return poison.returned.Load() - start }
}

// encodeRequest is m's wire form, split into pieces of at most piece
// bytes as gRPC hands over a message read from several frames.
func encodeRequest(t *testing.T, m interface{ MarshalVT() ([]byte, error) }, piece int) mem.BufferSlice {
	t.Helper()
	b, err := m.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	var out mem.BufferSlice
	for len(b) > 0 {
		n := min(piece, len(b))
		out = append(out, mem.SliceBuffer(bytes.Clone(b[:n])))
		b = b[n:]
	}
	return out
}

// TestRawLentAndReturned: the codec decodes a request's raw message into a
// buffer of the pool, whole or in pieces, for both request types; the
// other fields are those the plain unmarshaller gives; a request without
// a raw message holds no buffer (and a stream message without a request
// has none, as before); a returned buffer is reused, so a busy caller
// allocates far less than the message's size.
func TestRawLentAndReturned(t *testing.T) {
	codec := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	raw := []byte(strings.Repeat("x", 5000))
	req := &pb.ParseRequest{Raw: raw, Source: "s", Language: "fr", SkipCache: true}
	for _, piece := range []int{1 << 20, 1000} {
		got := new(pb.ParseRequest)
		if err := codec.Unmarshal(encodeRequest(t, req, piece), got); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, req) {
			t.Fatalf("pieces of %d: decoded %v, want %v", piece, got, req)
		}
		if c := cap(got.Raw); c != 8192 {
			t.Errorf("pieces of %d: raw decoded into a buffer of %d bytes, want the pool's 8192", piece, c)
		}
		in := new(pb.ParseStreamRequest)
		if err := codec.Unmarshal(encodeRequest(t, &pb.ParseStreamRequest{Request: req}, piece), in); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(in.GetRequest(), req) || cap(in.GetRequest().GetRaw()) != 8192 {
			t.Fatalf("pieces of %d: stream request decoded %v (raw capacity %d)", piece, in, cap(in.GetRequest().GetRaw()))
		}
	}

	for _, tc := range []struct {
		name string
		msg  interface{ MarshalVT() ([]byte, error) }
		into func() vtMessage
		want func(vtMessage) bool
	}{
		{"no request", &pb.ParseStreamRequest{}, func() vtMessage { return new(pb.ParseStreamRequest) },
			func(m vtMessage) bool { return m.(*pb.ParseStreamRequest).Request == nil }},
		{"request without raw", &pb.ParseStreamRequest{Request: &pb.ParseRequest{Source: "s"}}, func() vtMessage { return new(pb.ParseStreamRequest) },
			func(m vtMessage) bool {
				r := m.(*pb.ParseStreamRequest).Request
				return r != nil && r.Source == "s" && r.Raw == nil
			}},
		{"unary without raw", &pb.ParseRequest{Source: "s"}, func() vtMessage { return new(pb.ParseRequest) },
			func(m vtMessage) bool { r := m.(*pb.ParseRequest); return r.Source == "s" && r.Raw == nil }},
	} {
		m := tc.into()
		if err := codec.Unmarshal(encodeRequest(t, tc.msg, 1<<20), m); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !tc.want(m) {
			t.Errorf("%s: decoded %v", tc.name, m)
		}
	}

	returned := poisoned(t)
	got := new(pb.ParseRequest)
	if err := codec.Unmarshal(encodeRequest(t, req, 1<<20), got); err != nil {
		t.Fatal(err)
	}
	kept := got.Raw
	returnRaw(got)
	if got.Raw != nil || returned() != 1 {
		t.Fatalf("after returnRaw: Raw %d bytes, %d buffers returned", len(got.Raw), returned())
	}
	if bytes.Contains(kept, []byte("x")) {
		t.Error("a returned buffer still holds the message: poisoning, which TestRawBufferReuse relies on, did not happen")
	}

	// Reuse: decoding and returning 200 messages of 5 KB allocates well
	// under one message's size each (the request itself, the returned
	// slice's header: about 100 bytes; under the race detector, which
	// makes sync.Pool drop a quarter of what it is given, about 2 KB).
	// Without the reuse it is at least the 5,000 bytes of the message.
	data := encodeRequest(t, req, 1<<20)
	const n = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		m := new(pb.ParseRequest)
		if err := codec.Unmarshal(data, m); err != nil {
			t.Fatal(err)
		}
		returnRaw(m)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 3500 {
		t.Errorf("decoding a 5,000-byte message allocates %d bytes with buffers given back; want under 3,500", per)
	}
}

// TestRawBufferReuse runs TestConcurrentAnswers (the corpus over four
// pipelined streams and two unary callers at once, every answer compared
// with the in-process service's) while every raw buffer given back is
// overwritten with 0xFF, and so is the memory of every Result the server
// releases (bounce.Engine.Release, dsn.PoisonReset): an answer, or
// anything kept, that still read the message's bytes after its buffer
// went back, or a result's after it was released, would differ.
func TestRawBufferReuse(t *testing.T) {
	returned := poisoned(t)
	released := dsn.PoisonReset(true)
	t.Cleanup(func() { dsn.PoisonReset(false) })
	sent := concurrentAnswers(t)
	if r := returned(); r < int64(sent) {
		t.Errorf("%d buffers given back for %d messages, each sent twice: the reuse is not exercised", r, sent)
	}
	if r := released(); r < int64(sent)/2 {
		t.Errorf("%d results released for %d messages, each sent twice: the reuse is not exercised", r, sent)
	}
}

// TestHeldRequest: a request that arrived in one buffer is decoded with
// its raw message a view of that buffer, for both request types, and the
// buffer stays out of the pool, after gRPC has let go of it, until the
// handler releases it; then it goes back (poisoned here). A request whose
// raw message is not first, or not alone, is decoded all the same.
func TestHeldRequest(t *testing.T) {
	codec := passCodec{encoding.GetCodecV2(grpcproto.Name)}
	raw := []byte(strings.Repeat("y", 3000))
	req := &pb.ParseRequest{Raw: raw, Source: "s", Language: "fr", Audiences: []pb.Audience{pb.Audience_AUDIENCE_ADMIN}, SkipCache: true}
	returned := poisoned(t)
	for _, stream := range []bool{false, true} {
		var msg interface{ MarshalVT() ([]byte, error) } = req
		if stream {
			msg = &pb.ParseStreamRequest{Request: req}
		}
		enc := encodeRequest(t, msg, 1<<20)
		data := mem.BufferSlice{mem.Copy(enc[0].ReadOnlyData(), recvPool)} // as gRPC reads it
		h, _ := heldFor(stream)
		if err := codec.Unmarshal(data, h); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(h.req, req) {
			t.Fatalf("stream %v: decoded %v, want %v", stream, h.req, req)
		}
		if !sameMemory(h.req.Raw, data[0].ReadOnlyData()) {
			t.Errorf("stream %v: raw decoded into its own memory, want a view of the receive buffer", stream)
		}
		view := h.req.Raw
		before := returned()
		data.Free() // gRPC lets go after Unmarshal
		if returned() != before || !bytes.Equal(view, raw) {
			t.Fatalf("stream %v: the receive buffer went back while the request held it", stream)
		}
		h.release()
		if returned() != before+1 || h.req.Raw != nil {
			t.Fatalf("stream %v: after release, %d buffers went back, Raw %d bytes", stream, returned()-before, len(h.req.Raw))
		}
		if bytes.Contains(view, []byte("y")) {
			t.Errorf("stream %v: the released buffer was not poisoned", stream)
		}
	}

	// Raw after the other fields, or twice: decoded, raw in a lent buffer
	// or in place, the same message either way.
	other, _ := (&pb.ParseRequest{Source: "s", Language: "de"}).MarshalVT()
	rawField, _ := (&pb.ParseRequest{Raw: raw}).MarshalVT()
	for name, b := range map[string][]byte{
		"raw last":  append(bytes.Clone(other), rawField...),
		"raw twice": append(append(bytes.Clone(rawField), other...), rawField...),
	} {
		h, want := heldFor(false)
		if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, h); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := proto.Unmarshal(b, want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(h.req, want) {
			t.Errorf("%s: decoded %v, want %v", name, h.req, want)
		}
		h.release()
	}
}

// sameMemory reports whether a lies within b's memory.
func sameMemory(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return pa >= pb0 && pa+uintptr(len(a)) <= pb0+uintptr(len(b))
}
