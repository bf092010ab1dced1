package bounce

import (
	"context"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
)

// DecodedByReply is the Report.DecodedBy of a Classify result.
const DecodedByReply = "smtp-reply"

// ClassifyRequest is one SMTP reply to judge without a bounce message:
// an MTA log line or a Classify call.
type ClassifyRequest struct {
	Reply dsn.Reply
	// SendingIP is the address the reply was given to (the sending MTA's
	// outbound IP), when known; it becomes the report's ReportingMTA.
	SendingIP string
	Audience  explain.Audience
	Language  string
	Source    string
	SkipCache bool
	// Check, when set, vets the result before the domain memory write,
	// as Request.Check does.
	Check func(*Result) error
}

// Classify judges one reply like a one-recipient bounce: the facts are
// read by dsn.ReplyRecipient, then the same domain memory, classify,
// explain and memory write as Parse. A deferral is a delay (soft); a
// permanent reply a bounce. The error wraps a dsn error (empty or
// oversized text).
func (e *Engine) Classify(ctx context.Context, req ClassifyRequest) (*Result, error) {
	rc, err := dsn.ReplyRecipient(req.Reply)
	if err != nil {
		return nil, err
	}
	rep := &dsn.Report{
		Kind:         dsn.KindBounce,
		DecodedBy:    DecodedByReply,
		ReportingMTA: req.SendingIP,
		Recipients:   []dsn.Recipient{rc},
	}
	if rc.Action == dsn.ActionDelayed {
		rep.Kind = dsn.KindDelay
	}
	return e.judge(ctx, Request{Audience: req.Audience, Language: req.Language, Source: req.Source, SkipCache: req.SkipCache, Check: req.Check}, rep, nil)
}
