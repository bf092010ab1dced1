package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/h2guard"
)

// A request over the gRPC receive limit (transportLimit) never reaches
// gRPC whole: every connection passes through h2guard, which replaces such
// a message, as it arrives, by a substitute holding only its announced
// size (an unknown field, h2guard.MarkerField) and drops the rest without
// buffering it. The interceptors below and ParseStream answer a
// substitute with tooLarge, the same answer as for any message over the
// size limit, and a stream goes on with its next message. A client that
// forges the marker only gets that answer for its message. The marker
// reaches the handlers because the codec keeps unknown fields (as
// proto.Unmarshal does by default): a codec that discards them would hand
// them an empty request instead (TestForgedMarker fails then).
//
// Compressed messages: the server registers no gRPC compressor (gzip is
// not imported), so a compressed message is refused by gRPC itself
// (UNIMPLEMENTED); the guard judges the announced length either way.

// guardCreds is the server's transport credentials (plaintext when nil),
// each connection wrapped in the guard after the handshake.
func guardCreds(cfg Config) grpc.ServerOption {
	creds := cfg.Creds
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	return grpc.Creds(h2guard.Credentials(creds, uint32(min(transportLimit(cfg.MaxMessageBytes), 1<<32-1))))
}

// substituted returns the size announced by the message a request
// stands for, when the guard replaced it.
func substituted(req any) (int, bool) {
	m, ok := req.(proto.Message)
	if !ok {
		return 0, false
	}
	u := m.ProtoReflect().GetUnknown()
	if len(u) == 0 {
		return 0, false
	}
	n, ok := h2guard.Announced(u)
	return int(min(n, 1<<32-1)), ok
}

// refuseSubstituted is the answer to a substitute for a message of size
// bytes, counted as a refused message.
func (s *Service) refuseSubstituted(size int) error {
	s.cfg.Metrics.refused(size, dsn.ErrTooLarge)
	return tooLarge(size, s.cfg.MaxMessageBytes)
}

// tooLargeUnary answers a substitute on any unary method, and calls the
// interceptor next for any other request (directly, not as one more
// level of the chain, which costs an allocation a call).
func (s *Service) tooLargeUnary(next grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if n, ok := substituted(req); ok {
			return nil, s.refuseSubstituted(n)
		}
		return next(ctx, req, info, h)
	}
}

// tooLargeStream ends a stream that receives a substitute with the
// answer to it, except ParseStream, which answers it as one message and
// goes on; it calls the interceptor next.
func (s *Service) tooLargeStream(next grpc.StreamServerInterceptor) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if info.FullMethod != pb.BounceService_ParseStream_FullMethodName {
			ss = &refusingStream{ServerStream: ss, s: s}
		}
		return next(srv, ss, info, h)
	}
}

type refusingStream struct {
	grpc.ServerStream
	s *Service
}

func (r *refusingStream) RecvMsg(m any) error {
	if err := r.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if n, ok := substituted(m); ok {
		return r.s.refuseSubstituted(n)
	}
	return nil
}
