package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// A ParseResponse is encoded once. parse encodes it before the domain
// memory write, to check that it can be sent (nothing unencodable is
// remembered): for the gRPC handlers straight from the engine's result
// (encodeResult, wirewriter.go), for the others from the response
// (encodeWire). Those bytes are what gRPC sends, instead of encoding the
// message a second time. The codec below passes an encodedMessage
// through and leaves every other message to the generated or standard
// proto codec.
//
// The encoding is made with room in front (wireForm), where a stream
// writes the framing of ParseStreamResponse{Response: ...}. The gRPC
// handlers' wire form is written in a pooled writer's buffer
// (encodeResult), which it keeps until gRPC marshals the answer
// (encodedMessage, passCodec.Marshal): the bytes are then copied into a
// buffer of recvPool (bufpool.go: not cleared, at most twice their size),
// which gRPC gives back to the pool once it has written them to the
// connection, and the writer goes back to its pool. No buffer is
// allocated and cleared per answer, and an answer queued behind a slow
// reader holds a buffer of its size, not a writer's.

// wireHeadroom is the room in front of an encoded response: a field tag
// and a length.
const wireHeadroom = 1 + binary.MaxVarintLen64

// wireForm is an encoded ParseResponse after wireHeadroom bytes of room.
// A nil *wireForm is none.
type wireForm struct {
	b []byte
	// w, when set, is the pooled writer whose buffer holds b: the form is
	// w.form, and w goes back to the pool when the form is marshalled
	// (message, passCodec.Marshal) or dropped (release). Nothing may read
	// the form after either.
	w *wireWriter
}

// encodeWire encodes resp with room in front, through the generated
// marshaller (bounced_vtproto.pb.go: the same bytes as proto.Marshal, a
// test checks it, without the reflection-driven walk).
func encodeWire(resp *pb.ParseResponse) (*wireForm, error) {
	n := resp.SizeVT()
	b := make([]byte, wireHeadroom+n)
	if _, err := resp.MarshalToSizedBufferVT(b[wireHeadroom:]); err != nil {
		return nil, err
	}
	if err := checkWireUTF8(b[wireHeadroom:], parseResponseKinds()); err != nil {
		return nil, err
	}
	return &wireForm{b: b}, nil
}

// response is the encoded ParseResponse.
func (f *wireForm) response() []byte { return f.b[wireHeadroom:] }

// streamResponse is the wire form of ParseStreamResponse{Response: resp}:
// field 1, length-delimited (protobuf encoding), written in the room in
// front of the response.
func (f *wireForm) streamResponse() []byte {
	body := f.response()
	var hdr [wireHeadroom]byte
	h := binary.AppendUvarint(append(hdr[:0], 1<<3|2), uint64(len(body)))
	start := wireHeadroom - len(h)
	copy(f.b[start:], h)
	return f.b[start:]
}

// message is the message gRPC sends for the form: the response itself,
// or framed as field 1 (streamResponse) when framed is set. It takes the
// form's buffer over: the form is not read again.
func (f *wireForm) message(framed bool) *encodedMessage {
	b := f.response()
	if framed {
		b = f.streamResponse()
	}
	m := &encodedMessage{b: b, w: f.w}
	f.w = nil
	return m
}

// release gives the form's buffer back to the pool when it is not sent
// (a nil form, or one not pooled, is left as it is).
func (f *wireForm) release() {
	if f == nil || f.w == nil {
		return
	}
	w := f.w
	f.b, f.w = nil, nil
	putWriter(w)
}

// encodedMessage is a message already in its wire form. When w is set,
// b is in w's buffer, which passCodec.Marshal copies out and gives back
// (once, the first time the message is marshalled).
type encodedMessage struct {
	b []byte
	w *wireWriter
}

// errResent is a pooled encodedMessage marshalled a second time (its
// writer may be in use again): gRPC marshals a message once.
var errResent = errors.New("server: encoded message marshalled twice")

// passCodec is the proto codec, except that it sends an encodedMessage as
// it is, and uses the generated marshaller and unmarshaller of bounced's
// own messages (vtMessage) instead of the reflection-driven ones. The
// generated unmarshaller keeps unknown fields, as proto.Unmarshal does:
// the oversized-message stand-in (toolarge.go) is one.
type passCodec struct{ encoding.CodecV2 }

// vtMessage is a message with generated encoding methods
// (protoc-gen-go-vtproto, features marshal+unmarshal+size).
type vtMessage interface {
	SizeVT() int
	MarshalToSizedBufferVT([]byte) (int, error)
	UnmarshalVT([]byte) error
	ProtoReflect() protoreflect.Message
}

func (c passCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case *encodedMessage:
		if m.w != nil {
			// Copied into a pooled buffer, which gRPC gives back once it
			// has written it; the writer goes back at once.
			buf := mem.Copy(m.b, recvPool)
			putWriter(m.w)
			m.w, m.b = nil, nil
			return mem.BufferSlice{buf}, nil
		}
		if m.b == nil {
			return nil, errResent
		}
		return mem.BufferSlice{mem.SliceBuffer(m.b)}, nil
	case vtMessage:
		b := make([]byte, m.SizeVT())
		if _, err := m.MarshalToSizedBufferVT(b); err != nil {
			return nil, err
		}
		if err := checkWireUTF8(b, kindsOf(m.ProtoReflect().Descriptor())); err != nil {
			return nil, err
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	return c.CodecV2.Marshal(v)
}

func (c passCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if h, ok := v.(*heldRequest); ok {
		return h.decode(data) // rawbuf.go
	}
	m, ok := v.(vtMessage)
	if !ok {
		return c.CodecV2.Unmarshal(data, v)
	}
	return lentUnmarshal(data, m)
}

// lentUnmarshal decodes m from data with its raw message, if it is a
// request, in a buffer lent from recvPool (rawbuf.go). One buffer (the
// common case: a message in one read) is read in place; the unmarshaller
// copies what it keeps, so the buffers can go back to gRPC's pool
// afterwards. Strings are checked as proto.Unmarshal checks them: a
// request with a string that is not UTF-8 is refused, as before.
func lentUnmarshal(data mem.BufferSlice, m vtMessage) error {
	lendRaw(m, data.Len())
	var err error
	if len(data) == 1 {
		err = unmarshalVT(data[0].ReadOnlyData(), m)
	} else {
		buf := data.MaterializeToBuffer(recvPool)
		err = unmarshalVT(buf.ReadOnlyData(), m)
		buf.Free()
	}
	lentUnused(m, data)
	return err
}

func unmarshalVT(b []byte, m vtMessage) error {
	if err := checkWireUTF8(b, requestKinds(m)); err != nil {
		return err
	}
	return m.UnmarshalVT(b)
}

// serverCodec is the codec option of NewGRPCServer.
func serverCodec() grpc.ServerOption {
	return grpc.ForceServerCodecV2(passCodec{encoding.GetCodecV2(proto.Name)})
}

// serviceDesc is BounceService as the generated code describes it, with
// Parse's and Classify's handlers replaced by parseHandler and
// classifyHandler.
func (s *Service) serviceDesc() *grpc.ServiceDesc {
	desc := pb.BounceService_ServiceDesc
	desc.Methods = slices.Clone(desc.Methods)
	for i := range desc.Methods {
		switch desc.Methods[i].MethodName {
		case "Parse":
			desc.Methods[i].Handler = s.parseHandler
		case "Classify":
			desc.Methods[i].Handler = s.classifyHandler
		}
	}
	s.parseInfo = &grpc.UnaryServerInfo{Server: s, FullMethod: pb.BounceService_Parse_FullMethodName}
	s.parseWireFunc = s.parseWire
	s.classifyInfo = &grpc.UnaryServerInfo{Server: s, FullMethod: pb.BounceService_Classify_FullMethodName}
	s.classifyWireFunc = s.classifyWire
	return &desc
}

// parseHandler is the gRPC handler of Parse: the generated handler's
// work, except that the answer the interceptors pass on is the wire form
// parse made for the check before the domain memory write, which
// passCodec sends as it is.
func (s *Service) parseHandler(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	h := &heldRequest{req: new(pb.ParseRequest)}
	if err := dec(h); err != nil {
		return nil, err
	}
	in := h.req
	var out any
	var err error
	if interceptor == nil {
		out, err = s.parseWire(ctx, in)
	} else {
		out, err = interceptor(ctx, in, s.parseInfo, s.parseWireFunc)
	}
	if _, ok := out.(*encodedMessage); ok && err == nil {
		// The wire form is a copy: the raw message's buffer goes back
		// (rawbuf.go). A ParseResponse or an error status may hold views
		// of it until gRPC has sent them; their buffer is left to the
		// collector.
		h.release()
	}
	return out, err
}

// classifyHandler is parseHandler for Classify.
func (s *Service) classifyHandler(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(pb.ClassifyRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return s.classifyWire(ctx, in)
	}
	return interceptor(ctx, in, s.classifyInfo, s.classifyWireFunc)
}

// classifyWire is Classify answering the wire form of its
// ClassifyResponse, or the response itself when it has none. A
// ClassifyResponse is its result as field 1, as a ParseStreamResponse is
// its response: the same framing (streamResponse).
func (s *Service) classifyWire(ctx context.Context, req any) (any, error) {
	resp, enc, err := s.classifyEncoded(ctx, req.(*pb.ClassifyRequest), true)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return &pb.ClassifyResponse{Result: resp}, nil
	}
	return enc.message(true), nil
}

// parseWire is Parse answering the response's wire form (an
// encodedMessage), or the response itself when it has none.
func (s *Service) parseWire(ctx context.Context, req any) (any, error) {
	resp, enc, err := s.parseEncoded(ctx, req.(*pb.ParseRequest), true)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return resp, nil
	}
	return enc.message(false), nil
}

// answerer is judge's check of a result (bounce.Request.Check): answer,
// keeping what it made. Pooled, with the check bound once, so that a
// message allocates neither the callback nor the variables it sets.
type answerer struct {
	s     *Service
	auds  []explain.Audience
	lang  string
	inLen int
	wire  bool

	resp *pb.ParseResponse
	enc  *wireForm
	sent bounce.CacheStatus // the cache status resp and enc hold

	check func(*bounce.Result) error // a.run
}

var answerers = sync.Pool{New: func() any {
	a := new(answerer)
	a.check = a.run
	return a
}}

// answerer returns a check for answer's arguments; release it after use.
func (s *Service) answerer(auds []explain.Audience, lang string, inLen int, wire bool) *answerer {
	a := answerers.Get().(*answerer)
	a.s, a.auds, a.lang, a.inLen, a.wire = s, auds, lang, inLen, wire
	return a
}

func (a *answerer) run(res *bounce.Result) error {
	var err error
	a.sent = res.CacheStatus
	a.enc.release() // a check made twice: the first form is not sent
	a.resp, a.enc, err = a.s.answer(res, a.auds, a.lang, a.inLen, a.wire)
	return err
}

// release gives a back to the pool, holding nothing of the call.
func (a *answerer) release() {
	a.s, a.auds, a.lang, a.resp, a.enc = nil, nil, "", nil, nil
	answerers.Put(a)
}

// answer turns a result into its wire form, before the domain memory
// write (judge): converted, capped to fit a default client (inLen is the
// size of the message and of the request's strings the response may
// repeat) and encoded. With wire set, for the gRPC handlers that send only
// the wire form, it is written straight from the result (encodeResult)
// and the response is nil, unless a test's convert stands in or the
// response must share its budget among the recipients.
func (s *Service) answer(res *bounce.Result, auds []explain.Audience, lang string, inLen int, wire bool) (*pb.ParseResponse, *wireForm, error) {
	if wire && s.cfg.convert == nil {
		if enc, ok := encodeResult(res, auds, lang, inLen); ok {
			return nil, enc, nil
		}
	}
	resp := s.convertCapped(res, auds, lang, inLen)
	enc, err := encodeWire(resp)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnencodable, err)
	}
	return resp, enc, nil
}

// convertCapped is res converted (cfg.convert, ToProto when nil) and
// capped (capResponse), marked when anything was cut.
func (s *Service) convertCapped(res *bounce.Result, auds []explain.Audience, lang string, inLen int) *pb.ParseResponse {
	convert := s.cfg.convert
	if convert == nil {
		convert = ToProto
	}
	resp := convert(res, auds, lang)
	if cut, omitted := capResponse(resp, inLen); cut {
		resp.Truncated, resp.OmittedRecipients = true, uint32(omitted)
	}
	return resp
}

// restatus is answer's response and wire form again for the cache status
// res has now (the domain memory write after the check failed). A
// response is changed in place; the wire form is made again, and is nil
// when it cannot be (the response is then encoded when sent).
func (s *Service) restatus(res *bounce.Result, resp *pb.ParseResponse, auds []explain.Audience, lang string, inLen int) (*pb.ParseResponse, *wireForm) {
	if resp == nil {
		if enc, ok := encodeResult(res, auds, lang, inLen); ok {
			return nil, enc
		}
		resp = s.convertCapped(res, auds, lang, inLen)
	}
	resp.CacheStatus = cacheStatuses[res.CacheStatus]
	enc, err := encodeWire(resp)
	if err != nil {
		return resp, nil
	}
	return resp, enc
}
