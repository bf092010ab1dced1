package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Classify judges one SMTP reply without a bounce message, through the
// same engine, domain memory and explanations as Parse. The reply's facts
// are read by dsn.ReplyRecipient; the errors are Parse's (an empty reply
// is EMPTY_MESSAGE, an oversized one MESSAGE_TOO_LARGE).
func (s *Service) Classify(ctx context.Context, req *pb.ClassifyRequest) (*pb.ClassifyResponse, error) {
	auds := ToAudiences(req.GetAudiences())
	var resp *pb.ParseResponse
	start := time.Now()
	res, err := s.cfg.Engine.Classify(ctx, bounce.ClassifyRequest{
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
		// As Parse: a result that cannot be sent is never remembered.
		Check: func(res *bounce.Result) error {
			resp = s.cfg.convert(res, auds, req.GetLanguage())
			if _, err := proto.Marshal(resp); err != nil {
				return fmt.Errorf("%w: %v", ErrUnencodable, err)
			}
			return nil
		},
	})
	s.cfg.Metrics.observeParse(len(req.GetReply()), time.Since(start), res, err)
	if err != nil {
		if errors.Is(err, ErrUnencodable) {
			s.cfg.Logger.ErrorContext(ctx, "result cannot be encoded", "source", text(req.GetSource()), "err", err)
		}
		return nil, toStatus(err)
	}
	if res.CacheErr != nil {
		s.cfg.Logger.Warn("domain cache unavailable", "err", res.CacheErr)
	}
	resp.CacheStatus = cacheStatuses[res.CacheStatus]
	return &pb.ClassifyResponse{Result: resp}, nil
}
