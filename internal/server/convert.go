package server

import (
	"math"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/smtpcode"
)

// reasonByName maps a vocabulary name ("norelaying") to its enum value,
// derived from the enum names (REASON_NO_RELAYING) so the two cannot drift.
var reasonByName = func() map[string]pb.Reason {
	m := map[string]pb.Reason{}
	for v, name := range pb.Reason_name {
		if v == int32(pb.Reason_REASON_UNSPECIFIED) {
			continue
		}
		m[vocabularyName(name)] = pb.Reason(v)
	}
	return m
}()

func vocabularyName(enumName string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(enumName, "REASON_"), "_", ""))
}

// ReasonName returns the vocabulary name of an enum value ("norelaying").
func ReasonName(r pb.Reason) string { return vocabularyName(r.String()) }

// toReason maps a vocabulary name to the enum; a name the enum lacks is
// REASON_UNDEFINED, the vocabulary's unknown.
func toReason(r classify.Reason) pb.Reason {
	if v, ok := reasonByName[string(r)]; ok {
		return v
	}
	return pb.Reason_REASON_UNDEFINED
}

// toSide maps a side; anything unknown is SIDE_UNKNOWN, never UNSPECIFIED.
func toSide(s classify.Side) pb.Side {
	switch s {
	case classify.SideSender:
		return pb.Side_SIDE_SENDER
	case classify.SideRecipient:
		return pb.Side_SIDE_RECIPIENT
	case classify.SideNetwork:
		return pb.Side_SIDE_NETWORK
	}
	return pb.Side_SIDE_UNKNOWN
}

var kinds = map[dsn.Kind]pb.Kind{
	dsn.KindBounce:    pb.Kind_KIND_BOUNCE,
	dsn.KindDelay:     pb.Kind_KIND_DELAY,
	dsn.KindDelivery:  pb.Kind_KIND_DELIVERY_REPORT,
	dsn.KindAutoReply: pb.Kind_KIND_AUTO_REPLY,
	dsn.KindFeedback:  pb.Kind_KIND_FEEDBACK_REPORT,
	dsn.KindNotBounce: pb.Kind_KIND_NOT_A_BOUNCE,
}

// toKind maps a kind; dsn.KindUnknown is KIND_NOT_A_BOUNCE (never UNSPECIFIED).
func toKind(k dsn.Kind) pb.Kind {
	if v, ok := kinds[k]; ok {
		return v
	}
	return pb.Kind_KIND_NOT_A_BOUNCE
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

// ToAudiences converts the requested audiences: in order, duplicates
// removed, UNSPECIFIED read as MARKETER; empty gives [Marketer]. The
// list is the caller's to read, not to change: for none or one audience,
// nearly every request, it is one shared among calls.
func ToAudiences(as []pb.Audience) []explain.Audience {
	switch len(as) {
	case 0:
		return oneAudience[explain.Marketer][:]
	case 1:
		if a := ToAudience(as[0]); int(a) < len(oneAudience) {
			return oneAudience[a][:]
		}
	}
	out := make([]explain.Audience, 0, max(len(as), 1))
	for _, a := range as {
		x := ToAudience(a)
		dup := false
		for _, o := range out {
			dup = dup || o == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		out = append(out, explain.Marketer)
	}
	return out
}

// oneAudience are the lists of one audience ToAudiences returns.
var oneAudience = [...][1]explain.Audience{
	explain.Marketer: {explain.Marketer},
	explain.EndUser:  {explain.EndUser},
	explain.Admin:    {explain.Admin},
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

// text returns s as valid UTF-8. dsn already decodes every string it
// returns; this is the last guarantee that a response always marshals
// (proto3 strings must be valid UTF-8): invalid bytes become U+FFFD.
func text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func texts(ss []string) []string {
	for i, s := range ss {
		if !utf8.ValidString(s) {
			out := make([]string, len(ss))
			copy(out, ss[:i])
			for j := i; j < len(ss); j++ {
				out[j] = text(ss[j])
			}
			return out
		}
	}
	return ss
}

// ToProto converts a pipeline result to its wire form. audiences are the
// explanations to write per recipient, in order (none for an empty list;
// ToAudiences gives the request's list); one equal to the engine's
// Request.Audience reuses the engine's text, the others are written here
// in language lang.
func ToProto(res *bounce.Result, audiences []explain.Audience, lang string) *pb.ParseResponse {
	rep := res.Report
	out := &pb.ParseResponse{
		Source:          text(res.Source),
		Kind:            toKind(rep.Kind),
		ReportingMta:    text(rep.ReportingMTA),
		ReceivedFromMta: text(rep.ReceivedFromMTA),
		ArrivalDate:     text(rep.ArrivalDate),
		ArrivalTime:     parseDate(rep.ArrivalDate),
		DecodedBy:       text(rep.DecodedBy),
		CacheStatus:     cacheStatuses[res.CacheStatus],
		Warnings:        texts(rep.Warnings),
		Original:        originalProto(rep.Original),
	}
	if rep.Feedback != nil {
		out.FeedbackType = text(rep.Feedback.Type)
	}
	if len(res.Recipients) > 0 {
		out.Recipients = make([]*pb.Recipient, len(res.Recipients))
		for i := range res.Recipients {
			out.Recipients[i] = recipientProto(rep, &res.Recipients[i], audiences, lang)
		}
	}
	return out
}

func originalProto(o dsn.Original) *pb.OriginalMessage {
	if !o.Found {
		return nil
	}
	m := &pb.OriginalMessage{
		MessageId:   text(o.MessageID),
		From:        text(o.From),
		To:          text(o.To),
		Subject:     text(o.Subject),
		Date:        text(o.Date),
		DateTime:    parseDate(o.Date),
		ReturnPath:  text(o.ReturnPath),
		ListId:      text(o.ListID),
		IsAutoReply: o.IsAutoReply(),
	}
	if n := len(o.Headers); n > 0 {
		// One allocation for all the headers, not one each.
		hs := make([]pb.Header, n)
		m.Headers = make([]*pb.Header, n)
		for i, h := range o.Headers {
			hs[i].Name, hs[i].Value = text(h.Name), text(h.Value)
			m.Headers[i] = &hs[i]
		}
	}
	return m
}

// statusString is "X.Y.Z", or "" for no status.
func statusString(s smtpcode.Status) string {
	if s.IsZero() {
		return ""
	}
	return s.String()
}

func recipientProto(rep *dsn.Report, r *bounce.Recipient, audiences []explain.Audience, lang string) *pb.Recipient {
	f := r.Facts
	v := r.Verdict
	decided, field, server := statuses(f, v)
	out := &pb.Recipient{
		Recipient:           text(f.Recipient),
		OriginalRecipient:   text(f.OriginalRecipient),
		FinalRecipient:      finalRecipient(f),
		Action:              actions[f.Action],
		Status:              statusString(decided),
		StatusField:         statusString(field),
		ServerStatus:        statusString(server),
		StatusMeaning:       describe(decided),
		Stage:               stageOf(f),
		ReplyCode:           int32(f.ReplyCode),
		Command:             text(f.Command),
		DiagnosticCode:      text(f.Diagnostic),
		DiagnosticTruncated: f.DiagnosticTruncated,
		DiagnosticType:      text(f.DiagnosticType),
		RemoteMta:           text(f.RemoteMTA),
		RemoteDomain:        text(f.Domain()),
		Reason:              toReason(v.Reason),
		Side:                toSide(v.Side),
		HardBounce:          v.Hard,
		Confidence:          float32(v.Confidence),
		LastAttemptDate:     text(f.LastAttemptDate),
		LastAttemptTime:     parseDate(f.LastAttemptDate),
		WillRetryUntil:      text(f.WillRetryUntil),
		WillRetryUntilTime:  parseDate(f.WillRetryUntil),
		OriginalIsAutoReply: originalIsAutoReply(rep, v),
		Dns:                 dnsEvidenceProto(v.DNS),
	}
	if n := len(v.Evidence); n > 0 {
		es := make([]pb.Evidence, n)
		out.Evidence = make([]*pb.Evidence, n)
		for i, e := range v.Evidence {
			fillEvidence(&es[i], e)
			out.Evidence[i] = &es[i]
		}
	}
	if len(audiences) > 0 {
		out.Explanations = make([]*pb.Explanation, 0, len(audiences))
	}
	for _, a := range audiences {
		ex := r.Explanation
		if ex.Audience != a || ex.Headline == "" {
			ex = explain.Explain(v, rep, f, a, lang)
		}
		if e := explanationProto(ex); e != nil {
			out.Explanations = append(out.Explanations, e)
		}
	}
	if r.History != nil {
		out.Domain = SummaryProto(*r.History)
	}
	return out
}

func explanationProto(e explain.Explanation) *pb.Explanation {
	if e.Headline == "" {
		return nil
	}
	return &pb.Explanation{
		Audience:     fromAudience(e.Audience),
		Language:     text(e.Language),
		Headline:     text(e.Headline),
		WhatHappened: text(e.WhatHappened),
		WhoseSide:    text(e.WhoseSide),
		Steps:        texts(e.Steps),
	}
}

// count converts a stored count to the wire's uint32, saturating.
func count(n int64) uint32 {
	switch {
	case n <= 0:
		return 0
	case n >= math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(n)
}

// addCount adds saturating.
func addCount(a uint32, n int64) uint32 {
	s := int64(a) + int64(count(n))
	return count(s)
}

// SummaryProto converts a domain summary to its wire form: the maps are
// keyed by the enum value names ("REASON_NO_RELAYING", "SIDE_RECIPIENT");
// stored names the enums lack count under REASON_UNDEFINED / SIDE_UNKNOWN.
func SummaryProto(s domaincache.Summary) *pb.DomainSummary {
	out := &pb.DomainSummary{
		Domain:          text(s.Domain),
		Total:           count(s.Total),
		HardBounces:     count(s.Hard),
		LastStatus:      text(s.LastStatus),
		DistinctSenders: count(s.DistinctSenders),
	}
	if len(s.Reasons) > 0 {
		out.Reasons = make(map[string]uint32, len(s.Reasons))
		for name, n := range s.Reasons {
			k := toReason(classify.Reason(name)).String()
			out.Reasons[k] = addCount(out.Reasons[k], n)
		}
	}
	if len(s.Sides) > 0 {
		out.Sides = make(map[string]uint32, len(s.Sides))
		for name, n := range s.Sides {
			k := toSide(classify.Side(name)).String()
			out.Sides[k] = addCount(out.Sides[k], n)
		}
	}
	if s.LastReason != "" {
		out.LastReason = toReason(classify.Reason(s.LastReason))
	}
	if s.LastSide != "" {
		out.LastSide = toSide(classify.Side(s.LastSide))
	}
	if !s.FirstSeen.IsZero() {
		out.FirstSeen = timestamppb.New(s.FirstSeen)
	}
	if !s.LastSeen.IsZero() {
		out.LastSeen = timestamppb.New(s.LastSeen)
	}
	return out
}

// finalRecipient is the failed mailbox when it is not the reported address.
func finalRecipient(f *dsn.Recipient) string {
	if f.FinalRecipient == "" || strings.EqualFold(f.FinalRecipient, f.Recipient) {
		return ""
	}
	return text(f.FinalRecipient)
}
