package server

import (
	"context"
	"encoding/binary"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	gproto "google.golang.org/protobuf/proto"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// A ParseResponse is encoded once. parse encodes it before the domain
// memory write, to check that it can be sent (nothing unencodable is
// remembered); those bytes are what gRPC sends, instead of encoding the
// message a second time. The codec below passes an encodedMessage
// through and leaves every other message to the standard proto codec.
//
// The encoding is made with room in front (wireForm), where a stream
// writes the framing of ParseStreamResponse{Response: ...}: one buffer
// per answer, unary or streamed, nothing copied.

// wireHeadroom is the room in front of an encoded response: a field tag
// and a length.
const wireHeadroom = 1 + binary.MaxVarintLen64

// wireForm is an encoded ParseResponse after wireHeadroom bytes of room.
type wireForm []byte

// encodeWire encodes resp with room in front.
func encodeWire(resp *pb.ParseResponse) (wireForm, error) {
	n := gproto.Size(resp)
	b := make([]byte, wireHeadroom, wireHeadroom+n)
	b, err := gproto.MarshalOptions{UseCachedSize: true}.MarshalAppend(b, resp)
	if err != nil {
		return nil, err
	}
	return wireForm(b), nil
}

// response is the encoded ParseResponse.
func (w wireForm) response() []byte { return w[wireHeadroom:] }

// streamResponse is the wire form of ParseStreamResponse{Response: resp}:
// field 1, length-delimited (protobuf encoding), written in the room in
// front of the response.
func (w wireForm) streamResponse() []byte {
	body := w.response()
	var hdr [wireHeadroom]byte
	h := binary.AppendUvarint(append(hdr[:0], 1<<3|2), uint64(len(body)))
	start := wireHeadroom - len(h)
	copy(w[start:], h)
	return w[start:]
}

// encodedMessage is a message already in its wire form.
type encodedMessage struct{ b []byte }

// passCodec is the proto codec, except that it sends an encodedMessage as
// it is.
type passCodec struct{ encoding.CodecV2 }

func (c passCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*encodedMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(m.b)}, nil
	}
	return c.CodecV2.Marshal(v)
}

// serverCodec is the codec option of NewGRPCServer.
func serverCodec() grpc.ServerOption {
	return grpc.ForceServerCodecV2(passCodec{encoding.GetCodecV2(proto.Name)})
}

// serviceDesc is BounceService as the generated code describes it, with
// Parse's handler replaced by parseHandler.
func (s *Service) serviceDesc() *grpc.ServiceDesc {
	desc := pb.BounceService_ServiceDesc
	desc.Methods = slices.Clone(desc.Methods)
	for i := range desc.Methods {
		if desc.Methods[i].MethodName == "Parse" {
			desc.Methods[i].Handler = s.parseHandler
		}
	}
	s.parseInfo = &grpc.UnaryServerInfo{Server: s, FullMethod: pb.BounceService_Parse_FullMethodName}
	s.parseWireFunc = s.parseWire
	return &desc
}

// parseHandler is the gRPC handler of Parse: the generated handler's
// work, except that the answer the interceptors pass on is the wire form
// parse made for the check before the domain memory write, which
// passCodec sends as it is.
func (s *Service) parseHandler(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(pb.ParseRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return s.parseWire(ctx, in)
	}
	return interceptor(ctx, in, s.parseInfo, s.parseWireFunc)
}

// parseWire is Parse answering the response's wire form (an
// encodedMessage), or the response itself when it has none.
func (s *Service) parseWire(ctx context.Context, req any) (any, error) {
	resp, enc, err := s.parseEncoded(ctx, req.(*pb.ParseRequest))
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return resp, nil
	}
	return &encodedMessage{enc.response()}, nil
}
