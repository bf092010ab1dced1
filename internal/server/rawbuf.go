package server

import (
	"slices"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// A request's raw message is, when it arrived in one piece, a view of
// gRPC's receive buffer, which the codec keeps a reference to
// (heldRequest); otherwise it is decoded into a buffer lent from recvPool
// (lendRaw) instead of a fresh allocation of its size. Either goes back
// once the answer is on its way (heldRequest.release, called by the gRPC
// handlers of Parse and ParseStream). A busy stream thus neither copies
// nor allocates, clears and collects 4-5 KB a message.
//
// Giving the buffer back is safe only because nothing keeps a reference
// to the message's bytes once the answer is written: the answer's wire
// form is a copy, the domain stores copy what they keep (domaincache:
// TestMemoryOwnsItsStrings, TestReadCacheOwnsItsNames,
// TestBatcherOwnsItsStrings), DNS lookups ask for names the resolver
// builds itself (dnscheck.fqdn) and every goroutine of a Parse ends
// before it returns (bounce: TestParseKeepsNoViewOfRaw, which also checks
// that Parse does not write into Raw: here it is gRPC's read-only
// buffer). What does refer to it is the Result and a ParseResponse
// converted from it: the unary handler gives the buffer back only when it
// answers with the wire form (an encodedMessage), which gRPC sends as it
// is; a stream sends each answer before it takes the next message.
// TestRawBufferReuse poisons every buffer that goes back to the pool and
// checks the answers.

// heldRequest is what the Parse and ParseStream handlers decode a request
// into (passCodec.Unmarshal): the request, and what its raw message is
// held in.
type heldRequest struct {
	req    *pb.ParseRequest       // the request (Parse), or the stream message's
	stream *pb.ParseStreamRequest // the stream message; nil for Parse
	held   mem.Buffer             // the receive buffer Raw is a view of, or nil
}

// message is the protobuf message h decodes.
func (h *heldRequest) message() vtMessage {
	if h.stream != nil {
		return h.stream
	}
	return h.req
}

// ProtoReflect makes h a proto.Message for a codec other than passCodec
// (a Service registered on a plain grpc.Server): it decodes the message
// as usual, raw copied, and release has nothing to give back.
func (h *heldRequest) ProtoReflect() protoreflect.Message { return h.message().ProtoReflect() }

// decode is passCodec.Unmarshal for h: as unmarshalVT decodes
// h.message(), but with the raw message left in place when data is one
// buffer and holds it once, and in a lent buffer otherwise.
func (h *heldRequest) decode(data mem.BufferSlice) error {
	m := h.message()
	if len(data) == 1 {
		b := data[0].ReadOnlyData()
		if err := checkWireUTF8(b, requestKinds(m)); err != nil {
			return err
		}
		if done, err := h.decodeInPlace(b); done {
			if err == nil {
				data[0].Ref() // released by release (grpc: "the codec ... can call Ref")
				h.held = data[0]
			}
			return err
		}
	}
	err := lentUnmarshal(data, m)
	if h.stream != nil {
		h.req = h.stream.Request
	}
	return err
}

// decodeInPlace decodes b, when its raw message is in one field (and, for
// a stream message, b is one request field), into h with Raw a view of b;
// done is false, with h untouched, for any other layout, which the caller
// decodes the usual way. b's strings are already checked.
func (h *heldRequest) decodeInPlace(b []byte) (done bool, err error) {
	p := b
	if h.stream != nil {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num != 1 || typ != protowire.BytesType {
			return false, nil
		}
		v, m := protowire.ConsumeBytes(b[n:])
		if m < 0 || n+m != len(b) {
			return false, nil
		}
		p = v
	}
	at, start, end := -1, 0, 0 // the raw field: tag at at, value p[start:end]
	for i := 0; i < len(p); {
		num, typ, n := protowire.ConsumeTag(p[i:])
		if n < 0 {
			return false, nil
		}
		if num == 1 {
			v, m := protowire.ConsumeBytes(p[i+n:])
			if typ != protowire.BytesType || at >= 0 || m < 0 {
				return false, nil
			}
			at, end = i, i+n+m
			start = end - len(v)
			i = end
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, p[i+n:])
		if m < 0 {
			return false, nil
		}
		i += n + m
	}
	if at < 0 {
		return false, nil
	}
	rest := p[end:] // clients write raw first: the other fields follow it
	if at > 0 {
		rest = slices.Concat(p[:at], p[end:])
	}
	if h.stream != nil {
		h.req = new(pb.ParseRequest)
		h.stream.Request = h.req
	}
	if err := h.req.UnmarshalVT(rest); err != nil {
		return true, err
	}
	h.req.Raw = p[start:end:end]
	return true, nil
}

// release gives back what holds the raw message, once nothing refers to
// its bytes (see above), and clears Raw.
func (h *heldRequest) release() {
	if h.held != nil {
		h.req.Raw = nil
		h.held.Free()
		h.held = nil
		return
	}
	returnRaw(h.req)
}

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
	recvPool.Put(&b)
}
