package server

import (
	"context"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Classify judges one SMTP reply without a bounce message, through the
// same engine, domain memory and explanations as Parse. The reply's facts
// are read by dsn.ReplyRecipient; the errors are Parse's (an empty reply
// is EMPTY_MESSAGE, an oversized one MESSAGE_TOO_LARGE).
func (s *Service) Classify(ctx context.Context, req *pb.ClassifyRequest) (*pb.ClassifyResponse, error) {
	resp, _, err := s.classifyEncoded(ctx, req, false)
	if err != nil {
		return nil, err
	}
	return &pb.ClassifyResponse{Result: resp}, nil
}

// classifyEncoded is Classify's result and its wire form; with wire set,
// only the wire form when it can (see judge).
func (s *Service) classifyEncoded(ctx context.Context, req *pb.ClassifyRequest, wire bool) (*pb.ParseResponse, *wireForm, error) {
	auds := ToAudiences(req.GetAudiences())
	echoed := len(req.GetRecipient()) + len(req.GetRemoteHost()) + len(req.GetCommand()) +
		len(req.GetSendingIp()) + len(req.GetSource()) + len(req.GetLanguage())
	return s.judge(ctx, len(req.GetReply()), echoed, req.GetSource(), req.GetLanguage(), auds, wire,
		func(check func(*bounce.Result) error) (*bounce.Result, error) {
			return s.cfg.Engine.Classify(ctx, bounce.ClassifyRequest{
				Reply: dsn.Reply{
					Text:       req.GetReply(),
					Recipient:  req.GetRecipient(),
					RemoteHost: req.GetRemoteHost(),
					Command:    req.GetCommand(),
					Deferred:   req.GetDeferred(),
				},
				SendingIP: req.GetSendingIp(),
				Audience:  auds[0],
				Language:  req.GetLanguage(),
				Source:    req.GetSource(),
				SkipCache: req.GetSkipCache(),
				Check:     check,
			})
		})
}
