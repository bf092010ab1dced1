package server

import (
	"testing"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// vocabulary lists the names of classify's one reason table.
func vocabulary() []string {
	var out []string
	for _, r := range classify.Reasons {
		out = append(out, string(r.Reason))
	}
	return out
}

// TestReasonByName: the enum's names are found in classify's table.
func TestReasonByName(t *testing.T) {
	for v, n := range pb.Reason_name {
		if v == 0 {
			continue
		}
		if info, ok := classify.ReasonByName(vocabularyName(n)); !ok || pb.Reason(v) != toReason(info.Reason) {
			t.Errorf("classify.ReasonByName(%q) = %v, %v; want the row of %s", vocabularyName(n), info, ok, n)
		}
	}
}

// TestEnumOrders: dsn.Stage and classify.Signal follow the wire enums'
// order, value for value, so the conversion by value is right.
func TestEnumOrders(t *testing.T) {
	stages := []struct {
		d dsn.Stage
		w pb.Stage
	}{
		{dsn.StageUnknown, pb.Stage_STAGE_UNSPECIFIED}, {dsn.StageConnect, pb.Stage_STAGE_CONNECT},
		{dsn.StageHelo, pb.Stage_STAGE_HELO}, {dsn.StageStartTLS, pb.Stage_STAGE_STARTTLS},
		{dsn.StageAuth, pb.Stage_STAGE_AUTH}, {dsn.StageMail, pb.Stage_STAGE_MAIL},
		{dsn.StageRcpt, pb.Stage_STAGE_RCPT}, {dsn.StageData, pb.Stage_STAGE_DATA},
		{dsn.StageEndOfData, pb.Stage_STAGE_END_OF_DATA}, {dsn.StageDelivery, pb.Stage_STAGE_DELIVERY},
	}
	for _, s := range stages {
		if got := stageOf(&dsn.Recipient{Stage: s.d}); got != s.w {
			t.Errorf("stage %v = %v, want %v", s.d, got, s.w)
		}
		if s.d != dsn.StageUnknown && "STAGE_"+s.d.String() != s.w.String() {
			t.Errorf("dsn.Stage %q does not name %v", s.d.String(), s.w)
		}
	}
	if len(stages) != len(pb.Stage_name) {
		t.Errorf("%d stages checked, the wire has %d", len(stages), len(pb.Stage_name))
	}
	signals := []struct {
		c classify.Signal
		w pb.Signal
	}{
		{classify.SignalUnknown, pb.Signal_SIGNAL_UNSPECIFIED}, {classify.SignalStatus, pb.Signal_SIGNAL_STATUS},
		{classify.SignalReplyCode, pb.Signal_SIGNAL_REPLY_CODE}, {classify.SignalPhrase, pb.Signal_SIGNAL_PHRASE},
		{classify.SignalFormat, pb.Signal_SIGNAL_FORMAT}, {classify.SignalStage, pb.Signal_SIGNAL_STAGE},
		{classify.SignalAction, pb.Signal_SIGNAL_ACTION}, {classify.SignalDomainHistory, pb.Signal_SIGNAL_DOMAIN_HISTORY},
		{classify.SignalHost, pb.Signal_SIGNAL_HOST}, {classify.SignalOriginal, pb.Signal_SIGNAL_ORIGINAL},
		{classify.SignalDNS, pb.Signal_SIGNAL_DNS}, {classify.SignalDNSBL, pb.Signal_SIGNAL_DNSBL},
		{classify.SignalHostHistory, pb.Signal_SIGNAL_HOST_HISTORY},
	}
	for _, s := range signals {
		if got := toSignal(s.c); got != s.w {
			t.Errorf("signal %v = %v, want %v", s.c, got, s.w)
		}
		if s.c != classify.SignalUnknown && "SIGNAL_"+upper(s.c.String()) != s.w.String() {
			t.Errorf("classify.Signal %q does not name %v", s.c.String(), s.w)
		}
	}
	if len(signals) != len(pb.Signal_name) {
		t.Errorf("%d signals checked, the wire has %d", len(signals), len(pb.Signal_name))
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
