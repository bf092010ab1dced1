package server

import (
	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/smtpcode"
)

// The mappings from the domain packages' facts and verdicts to the wire.
// dsn.Stage and classify.Signal are int enums in the wire enums' order
// (TestEnumOrders checks it), so they convert by value.

// statuses returns the code the verdict was decided on (classify's one
// policy; dsn's Status when the verdict has none), the DSN Status field as
// written (zero when dsn took Status from the text instead) and the code
// of the server's reply text.
func statuses(f *dsn.Recipient, v classify.Verdict) (decided, field, server smtpcode.Status) {
	decided = v.Status
	if decided.IsZero() {
		decided = f.Status
	}
	if !f.StatusFromText {
		field = f.Status
	}
	return decided, field, f.ServerStatus
}

func stageOf(f *dsn.Recipient) pb.Stage {
	if _, ok := pb.Stage_name[int32(f.Stage)]; ok {
		return pb.Stage(f.Stage)
	}
	return pb.Stage_STAGE_UNSPECIFIED
}

func originalIsAutoReply(_ *dsn.Report, v classify.Verdict) bool { return v.OriginalIsAutoReply }

func toSignal(s classify.Signal) pb.Signal {
	if _, ok := pb.Signal_name[int32(s)]; ok {
		return pb.Signal(s)
	}
	return pb.Signal_SIGNAL_UNSPECIFIED
}

// fillEvidence writes e's wire form into out, a zero message.
func fillEvidence(out *pb.Evidence, e classify.Evidence) {
	out.Signal = toSignal(e.Signal)
	out.Value = text(e.Value)
	out.RuleId = text(e.RuleID)
	out.Source = text(e.Source)
	out.Weight = float32(e.Weight)
}

// VerdictProto converts a domain's history, its assessment
// (classify.AssessDomain) and its words (explain.Domain, in lang) to the wire.
func VerdictProto(s domaincache.Summary, lang string) *pb.DomainVerdict {
	a := classify.AssessDomain(s.History())
	v := &pb.DomainVerdict{
		Summary:            SummaryProto(s),
		DominantShare:      a.DominantShare,
		LooksDead:          a.LooksDead,
		LooksMisconfigured: a.LooksMisconfigured,
		Assessment:         text(explain.Domain(a, lang)),
	}
	if a.DominantReason != "" {
		v.DominantReason = toReason(a.DominantReason)
	}
	if a.DominantSide != "" {
		v.DominantSide = toSide(a.DominantSide)
	}
	return v
}
