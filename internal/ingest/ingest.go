// Package ingest is the one step every ingest path shares (LMTP, SMTP,
// IMAP, batch): run a raw message through the engine (limits, dsn,
// classify, explain, domain memory) and hand its verdict to the sinks.
//
// A message the engine cannot read (over a limit, not a message at all)
// still yields a verdict: a ParseResponse whose error field says why, so
// that nothing an MTA hands over disappears without a trace and nothing
// is bounced back (a bounce about a bounce loops).
package ingest

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
	"github.com/bounced/bounced/internal/sink"
)

// ErrDeliver wraps a sink failure: the message must not be acknowledged.
var ErrDeliver = errors.New("ingest: verdict not delivered")

// Handler parses messages and delivers their verdicts.
type Handler struct {
	Engine *bounce.Engine
	Sink   sink.Sink
	// Audiences get one explanation each, in order (default marketer).
	Audiences []explain.Audience
	Language  string
}

// Handle parses raw and delivers the verdict. It returns the verdict and,
// when the sink failed, an error wrapping ErrDeliver; a message the engine
// could not read is not an error here (its verdict carries the error).
func (h *Handler) Handle(ctx context.Context, source string, raw []byte) (*pb.ParseResponse, error) {
	v := h.Verdict(ctx, source, raw)
	return v, h.Deliver(ctx, v)
}

// Verdict parses raw into its wire verdict without delivering it.
func (h *Handler) Verdict(ctx context.Context, source string, raw []byte) *pb.ParseResponse {
	auds := h.Audiences
	if len(auds) == 0 {
		auds = []explain.Audience{explain.Marketer}
	}
	var v *pb.ParseResponse
	res, err := h.Engine.Parse(ctx, bounce.Request{Raw: raw, Source: source, Audience: auds[0], Language: h.Language,
		// As the server does: a result that cannot be encoded is never remembered.
		Check: func(res *bounce.Result) error {
			v = server.ToProto(res, auds, h.Language)
			if _, err := proto.Marshal(v); err != nil {
				return fmt.Errorf("%w: %v", server.ErrUnencodable, err)
			}
			return nil
		}})
	if err != nil {
		return ErrorVerdict(source, err)
	}
	// The write after Check may have failed and changed the cache status.
	v.CacheStatus = server.CacheStatusProto(res.CacheStatus)
	return v
}

// Deliver hands a verdict to the sink. When ctx has ended it delivers
// nothing and fails: the verdict may be the engine's "context deadline
// exceeded" (no free slot in time), not the message's, and acknowledging
// it would lose the real one; the message is retried instead.
func (h *Handler) Deliver(ctx context.Context, v *pb.ParseResponse) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDeliver, v.GetSource(), err)
	}
	if h.Sink == nil {
		return nil
	}
	if err := h.Sink.Deliver(ctx, v); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDeliver, v.GetSource(), err)
	}
	return nil
}

// ErrorVerdict is the verdict of a message that could not be read: its
// error is the google.rpc.Status the API gives for it.
func ErrorVerdict(source string, err error) *pb.ParseResponse {
	return server.ErrorResponse(source, err)
}
