package server

import (
	"context"
	"encoding/binary"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// A ParseResponse is encoded once. parse encodes it before the domain
// memory write, to check that it can be sent (nothing unencodable is
// remembered); those bytes are what gRPC sends, instead of encoding the
// message a second time. The codec below passes an encodedMessage
// through and leaves every other message to the standard proto codec.

// encodedMessage is a message already in its wire form, in parts.
type encodedMessage struct{ parts [][]byte }

// passCodec is the proto codec, except that it sends an encodedMessage as
// it is.
type passCodec struct{ encoding.CodecV2 }

func (c passCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*encodedMessage); ok {
		out := make(mem.BufferSlice, len(m.parts))
		for i, p := range m.parts {
			out[i] = mem.SliceBuffer(p)
		}
		return out, nil
	}
	return c.CodecV2.Marshal(v)
}

// serverCodec is the codec option of NewGRPCServer.
func serverCodec() grpc.ServerOption {
	return grpc.ForceServerCodecV2(passCodec{encoding.GetCodecV2(proto.Name)})
}

// encodedSlot receives, through the context of one call, the wire form
// parse made of its response.
type encodedSlot struct {
	resp *pb.ParseResponse
	b    []byte
}

type encodedSlotKey struct{}

// keepEncoded hands the wire form of resp to the call's slot, if any.
func keepEncoded(ctx context.Context, resp *pb.ParseResponse, b []byte) {
	if s, ok := ctx.Value(encodedSlotKey{}).(*encodedSlot); ok {
		s.resp, s.b = resp, b
	}
}

// sendEncodedUnary is the outermost unary interceptor: the interceptors
// inside it see the message, gRPC gets its wire form.
func sendEncodedUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if info.FullMethod != pb.BounceService_Parse_FullMethodName {
		return h(ctx, req)
	}
	var slot encodedSlot
	resp, err := h(context.WithValue(ctx, encodedSlotKey{}, &slot), req)
	if err == nil && slot.b != nil && resp == slot.resp {
		return &encodedMessage{parts: [][]byte{slot.b}}, nil
	}
	return resp, err
}

// streamResponse is the wire form of ParseStreamResponse{Response: resp}
// from resp's: field 1, length-delimited (protobuf encoding), without
// copying resp.
func streamResponse(resp []byte) *encodedMessage {
	hdr := make([]byte, 0, 1+binary.MaxVarintLen64)
	hdr = append(hdr, 1<<3|2)
	hdr = binary.AppendUvarint(hdr, uint64(len(resp)))
	return &encodedMessage{parts: [][]byte{hdr, resp}}
}
