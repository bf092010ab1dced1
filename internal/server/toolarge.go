package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/peer"
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

// The guard also admits every request message into the in-flight budget
// (limits.go) when its length prefix arrives, before grpc-go reads it:
// grpc-go buffers a message whole before any handler runs, so a handler's
// admission would bound only the messages being parsed, not those read
// and waiting, across any number of connections and streams. Without room
// within AdmissionWait, the guard replaces the message by a stand-in
// (h2guard.BusyField) that the handlers answer like admitBytes refuses a
// message: RESOURCE_EXHAUSTED, SERVER_BUSY; a stream goes on. The
// handlers do not admit what the guard admitted (guardAdmitted); a server
// given other credentials (grpc.Creds) admits in the handlers as before.
//
// An admitted message must also arrive in time: within StallGrace plus
// its size at StallMinRate from the moment the server waits for it
// (h2guard's stall deadlines, DefaultStallGrace). Past that the guard
// gives its room back and resets its call both ways: the handler's
// context ends (an RST_STREAM CANCEL in the client's name), the client
// gets RST_STREAM ENHANCE_YOUR_CALM (RESOURCE_EXHAUSTED in gRPC clients),
// and the connection goes on.

// guardCreds is the server's transport credentials (plaintext when nil),
// each connection wrapped in the guard after the handshake, admitting
// messages into l's budget.
func guardCreds(cfg Config, l *limiter) grpc.ServerOption {
	creds := cfg.Creds
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	limit := uint32(min(transportLimit(cfg.MaxMessageBytes), 1<<32-1))
	grace, rate := cfg.StallGrace, cfg.StallMinRate
	if grace == 0 {
		grace = DefaultStallGrace
	}
	if rate == 0 {
		rate = DefaultStallMinRate
	}
	adm := &h2guard.Admission{Budget: l.bytes, Size: l.maxBytes, Wait: l.wait,
		Grace: max(grace, 0), MinRate: max(rate, 0), Stalled: func(uint32) { l.stalled.Add(1) }}
	return grpc.Creds(h2guard.AdmittingCredentials(creds, limit, adm))
}

// guardAdmitted reports whether the call's request came through a guard
// that admitted it into the in-flight budget already.
func guardAdmitted(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	return ok && h2guard.Admits(p.AuthInfo)
}

// standIn is the answer to a request the guard replaced by a stand-in,
// nil for any other request.
func (s *Service) standIn(req any) error {
	m, ok := req.(proto.Message)
	if !ok {
		return nil
	}
	u := m.ProtoReflect().GetUnknown()
	if len(u) == 0 {
		return nil
	}
	if n, ok := h2guard.Announced(u); ok {
		return s.refuseSubstituted(int(min(n, 1<<32-1)))
	}
	if _, ok := h2guard.Busy(u); ok {
		s.limits.refusedBytes.Add(1)
		return s.limits.busyBytes()
	}
	return nil
}

// refuseSubstituted is the answer to a substitute for a message of size
// bytes, counted as a refused message.
func (s *Service) refuseSubstituted(size int) error {
	s.cfg.Metrics.refused(size, dsn.ErrTooLarge)
	return tooLarge(size, s.cfg.MaxMessageBytes)
}

// tooLargeUnary answers a stand-in on any unary method, and calls the
// interceptor next for any other request (directly, not as one more
// level of the chain, which costs an allocation a call).
func (s *Service) tooLargeUnary(next grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := s.standIn(req); err != nil {
			return nil, err
		}
		return next(ctx, req, info, h)
	}
}

// tooLargeStream ends a stream that receives a stand-in with the
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
	return r.s.standIn(m)
}
