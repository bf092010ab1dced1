package server

import (
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// reasonByName maps a vocabulary name ("norelaying") to its enum value,
// derived from the enum names (REASON_NO_RELAYING) so the two cannot drift.
var reasonByName = func() map[string]pb.Reason {
	m := map[string]pb.Reason{}
	for v, name := range pb.Reason_name {
		n := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, "REASON_"), "_", ""))
		m[n] = pb.Reason(v)
	}
	return m
}()

// ReasonName returns the vocabulary name of an enum value.
func ReasonName(r pb.Reason) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(r.String(), "REASON_"), "_", ""))
}

func toReason(r classify.Reason) pb.Reason {
	if v, ok := reasonByName[string(r)]; ok {
		return v
	}
	return pb.Reason_REASON_UNDEFINED
}

func toSide(s classify.Side) pb.Side {
	switch s {
	case classify.SideSender:
		return pb.Side_SIDE_SENDER
	case classify.SideRecipient:
		return pb.Side_SIDE_RECIPIENT
	case classify.SideNetwork:
		return pb.Side_SIDE_NETWORK
	case classify.SideUnknown:
		return pb.Side_SIDE_UNKNOWN
	}
	return pb.Side_SIDE_UNSPECIFIED
}

func sideOf(name string) pb.Side { return toSide(classify.Side(name)) }

var kinds = map[dsn.Kind]pb.Kind{
	dsn.KindBounce:    pb.Kind_KIND_BOUNCE,
	dsn.KindDelay:     pb.Kind_KIND_DELAY,
	dsn.KindDelivery:  pb.Kind_KIND_DELIVERY_REPORT,
	dsn.KindAutoReply: pb.Kind_KIND_AUTO_REPLY,
	dsn.KindFeedback:  pb.Kind_KIND_FEEDBACK_REPORT,
	dsn.KindNotBounce: pb.Kind_KIND_NOT_A_BOUNCE,
}

var actions = map[dsn.Action]pb.Action{
	dsn.ActionFailed:    pb.Action_ACTION_FAILED,
	dsn.ActionDelayed:   pb.Action_ACTION_DELAYED,
	dsn.ActionDelivered: pb.Action_ACTION_DELIVERED,
	dsn.ActionRelayed:   pb.Action_ACTION_RELAYED,
	dsn.ActionExpanded:  pb.Action_ACTION_EXPANDED,
}

var cacheStatuses = map[bounce.CacheStatus]pb.CacheStatus{
	bounce.CacheDisabled:    pb.CacheStatus_CACHE_STATUS_DISABLED,
	bounce.CacheHit:         pb.CacheStatus_CACHE_STATUS_HIT,
	bounce.CacheMiss:        pb.CacheStatus_CACHE_STATUS_MISS,
	bounce.CacheSkipped:     pb.CacheStatus_CACHE_STATUS_SKIPPED,
	bounce.CacheUnavailable: pb.CacheStatus_CACHE_STATUS_UNAVAILABLE,
}

// ToAudience converts the wire audience; unspecified is MARKETER.
func ToAudience(a pb.Audience) explain.Audience {
	switch a {
	case pb.Audience_AUDIENCE_END_USER:
		return explain.EndUser
	case pb.Audience_AUDIENCE_ADMIN:
		return explain.Admin
	}
	return explain.Marketer
}

func fromAudience(a explain.Audience) pb.Audience {
	switch a {
	case explain.EndUser:
		return pb.Audience_AUDIENCE_END_USER
	case explain.Admin:
		return pb.Audience_AUDIENCE_ADMIN
	}
	return pb.Audience_AUDIENCE_MARKETER
}

// ToProto converts a pipeline result to its wire form.
func ToProto(res *bounce.Result) *pb.ParseResponse {
	rep := res.Report
	out := &pb.ParseResponse{
		Source:          res.Source,
		Kind:            kinds[rep.Kind],
		ReportingMta:    rep.ReportingMTA,
		ReceivedFromMta: rep.ReceivedFromMTA,
		ArrivalDate:     rep.ArrivalDate,
		DecodedBy:       rep.DecodedBy,
		CacheStatus:     cacheStatuses[res.CacheStatus],
		Warnings:        rep.Warnings,
		Original:        originalProto(rep.Original),
	}
	if rep.Feedback != nil {
		out.FeedbackType = rep.Feedback.Type
	}
	for _, r := range res.Recipients {
		out.Recipients = append(out.Recipients, recipientProto(r))
	}
	return out
}

func originalProto(o dsn.Original) *pb.OriginalMessage {
	if !o.Found {
		return nil
	}
	m := &pb.OriginalMessage{
		MessageId:   o.MessageID,
		From:        o.From,
		To:          o.To,
		Subject:     o.Subject,
		Date:        o.Date,
		ReturnPath:  o.ReturnPath,
		ListId:      o.ListID,
		IsAutoReply: o.IsAutoReply(),
	}
	for _, h := range o.Headers {
		m.Headers = append(m.Headers, &pb.Header{Name: h.Name, Value: h.Value})
	}
	return m
}

func recipientProto(r bounce.Recipient) *pb.Recipient {
	f := r.Facts
	v := r.Verdict
	out := &pb.Recipient{
		Recipient:         f.Recipient,
		OriginalRecipient: f.OriginalRecipient,
		Action:            actions[f.Action],
		Status:            statusOf(f, v),
		ReplyCode:         int32(f.ReplyCode),
		Command:           f.Command,
		DiagnosticCode:    f.Diagnostic,
		DiagnosticType:    f.DiagnosticType,
		RemoteMta:         f.RemoteMTA,
		RemoteDomain:      f.Domain(),
		Reason:            toReason(v.Reason),
		Side:              toSide(v.Side),
		HardBounce:        v.Hard,
		Confidence:        float32(v.Confidence),
		LastAttemptDate:   f.LastAttemptDate,
		WillRetryUntil:    f.WillRetryUntil,
		Explanation:       explanationProto(r.Explanation),
	}
	for _, e := range v.Evidence {
		out.Evidence = append(out.Evidence, &pb.Evidence{Signal: e.Signal.String(), Value: e.Value, Rule: e.RuleID, Weight: float32(e.Weight)})
	}
	if r.History != nil {
		out.Domain = SummaryProto(*r.History)
	}
	return out
}

// statusOf is the status on the wire: the code the verdict was decided on
// (classify's one policy between the Status field and the server's code),
// else the report's Status field.
func statusOf(f *dsn.Recipient, v classify.Verdict) string {
	if !v.Status.IsZero() {
		return v.Status.String()
	}
	return f.Status.String()
}

func explanationProto(e explain.Explanation) *pb.Explanation {
	if e.Headline == "" {
		return nil
	}
	return &pb.Explanation{
		Audience:     fromAudience(e.Audience),
		Language:     e.Language,
		Headline:     e.Headline,
		WhatHappened: e.WhatHappened,
		WhoseSide:    e.WhoseSide,
		Steps:        e.Steps,
	}
}

// SummaryProto converts a domain summary to its wire form.
func SummaryProto(s domaincache.Summary) *pb.DomainSummary {
	out := &pb.DomainSummary{
		Domain:          s.Domain,
		Total:           s.Total,
		Reasons:         s.Reasons,
		Sides:           s.Sides,
		LastReason:      toReason(classify.Reason(s.LastReason)),
		LastSide:        sideOf(s.LastSide),
		LastStatus:      s.LastStatus,
		DistinctSenders: s.DistinctSenders,
	}
	if !s.FirstSeen.IsZero() {
		out.FirstSeen = timestamppb.New(s.FirstSeen)
	}
	if !s.LastSeen.IsZero() {
		out.LastSeen = timestamppb.New(s.LastSeen)
	}
	if s.LastReason == "" {
		out.LastReason = pb.Reason_REASON_UNSPECIFIED
	}
	return out
}

// VerdictProto converts a domain assessment to its wire form; the
// assessment's words are explain.Domain's in language lang.
func VerdictProto(s domaincache.Summary, a classify.DomainAssessment, lang string) *pb.DomainVerdict {
	v := &pb.DomainVerdict{
		Summary:            SummaryProto(s),
		DominantShare:      a.DominantShare,
		LooksDead:          a.LooksDead,
		LooksMisconfigured: a.LooksMisconfigured,
		Assessment:         explain.Domain(a, lang),
		DominantSide:       toSide(a.DominantSide),
	}
	if a.DominantReason != "" {
		v.DominantReason = toReason(a.DominantReason)
	}
	return v
}
