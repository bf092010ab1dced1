package server

import (
	"sync/atomic"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// A request's raw message is decoded into a buffer lent from recvPool
// (lendRaw, called by passCodec.Unmarshal) instead of a fresh allocation
// of its size, and the buffer goes back once the answer is on its way
// (returnRaw, called by the gRPC handlers of Parse and ParseStream). A
// busy stream thus reuses the same few buffers instead of allocating,
// clearing and collecting 4-5 KB a message.
//
// Giving the buffer back is safe only because nothing keeps a reference
// to the message's bytes once the answer is written: the answer's wire
// form is a copy, the domain stores copy what they keep (domaincache:
// TestMemoryOwnsItsStrings, TestReadCacheOwnsItsNames,
// TestBatcherOwnsItsStrings), DNS lookups ask for names the resolver
// builds itself (dnscheck.fqdn) and every goroutine of a Parse ends
// before it returns (bounce: TestParseKeepsNoViewOfRaw). What does refer
// to it is the Result and a ParseResponse converted from it: the unary
// handler gives the buffer back only when it answers with the wire form
// (an encodedMessage), which gRPC sends as it is; a stream sends each
// answer before it takes the next message. TestRawBufferReuse poisons
// every buffer given back and checks the answers and the domain memory.

// lendRaw gives m, a request about to be decoded from n bytes, a buffer
// of at least n bytes for its raw message (the generated unmarshaller
// appends into Raw[:0]). Requests too large for the pool's tiers are left
// to the unmarshaller's own allocation.
func lendRaw(m any, n int) {
	var req *pb.ParseRequest
	switch m := m.(type) {
	case *pb.ParseRequest:
		req = m
	case *pb.ParseStreamRequest:
		if m.Request != nil {
			req = m.Request
		} else {
			req = new(pb.ParseRequest)
			m.Request = req
		}
	default:
		return
	}
	if req.Raw != nil || tier(n) < 0 {
		return
	}
	req.Raw = (*recvPool.Get(n))[:0]
}

// lentUnused undoes lendRaw for a request, decoded from data, that
// turned out to carry no raw message: the buffer goes back and a
// ParseStreamRequest without a request field has none again, as the
// plain unmarshaller leaves it.
func lentUnused(m any, data mem.BufferSlice) {
	switch m := m.(type) {
	case *pb.ParseRequest:
		if len(m.Raw) == 0 {
			returnRaw(m)
		}
	case *pb.ParseStreamRequest:
		req := m.Request
		if req == nil || len(req.Raw) != 0 {
			return
		}
		returnRaw(req)
		if req.SizeVT() == 0 && !hasRequestField(data.Materialize()) {
			m.Request = nil
		}
	}
}

// hasRequestField reports whether the ParseStreamRequest encoded in b has
// its request field (number 1), if only an empty one.
func hasRequestField(b []byte) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		if num == 1 {
			return true
		}
		b = b[n:]
		if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
			return false
		}
		b = b[n:]
	}
	return false
}

// returnRaw gives req's raw buffer back to recvPool and clears Raw. Call
// it only for a request decoded by passCodec, once nothing refers to the
// message's bytes (see above).
func returnRaw(req *pb.ParseRequest) {
	if req == nil || req.Raw == nil {
		return
	}
	b := req.Raw[:cap(req.Raw)]
	req.Raw = nil
	if poison.on.Load() {
		for i := range b {
			b[i] = 0xFF
		}
		poison.returned.Add(1)
	}
	recvPool.Put(&b)
}

// poison, switched on by tests, overwrites every returned buffer (a view
// of a message's bytes kept beyond its answer then reads 0xFF bytes) and
// counts them.
var poison struct {
	on       atomic.Bool
	returned atomic.Int64
}
