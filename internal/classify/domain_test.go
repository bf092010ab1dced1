package classify

import (
	"testing"
	"time"
)

func TestAssessDomain(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                  string
		s                     History
		wantReason, wantSide  string
		wantShare             float64
		wantDead, wantMisconf bool
		wantText              string // a substring
	}{
		{
			// DESIGN.md "Relaying denied", recipient side: many senders get
			// the same answer from the domain's MX.
			name:       "relay denied to many distinct senders",
			s:          History{Domain: "migrated.example", Total: 40, DistinctSenders: 25, Reasons: map[string]int64{"norelaying": 36, "userunknown": 4}, Sides: map[string]int64{"recipient": 38, "unknown": 2}, FirstSeen: day, LastSeen: day.Add(48 * time.Hour)},
			wantReason: "norelaying", wantSide: "recipient", wantShare: 0.9,
			wantMisconf: true,
			wantText:    "looks misconfigured: its MX denied relaying 36 times to 25 distinct senders",
		},
		{
			// Sender side: one sender's own smarthost refuses, however often.
			name:       "relay denied to one sender",
			s:          History{Domain: "example.com", Total: 50, DistinctSenders: 1, Reasons: map[string]int64{"norelaying": 50}, Sides: map[string]int64{"sender": 50}},
			wantReason: "norelaying", wantSide: "sender", wantShare: 1,
			wantText: "mostly norelaying (100%), sender side (100%)",
		},
		{
			name:       "relay denied, too few to judge",
			s:          History{Domain: "example.com", Total: 4, DistinctSenders: 4, Reasons: map[string]int64{"norelaying": 4}, Sides: map[string]int64{"recipient": 4}},
			wantReason: "norelaying", wantSide: "recipient", wantShare: 1,
		},
		{
			name:       "relay denied, a minority of bounces",
			s:          History{Domain: "example.com", Total: 30, DistinctSenders: 20, Reasons: map[string]int64{"norelaying": 10, "mailboxfull": 20}, Sides: map[string]int64{"recipient": 30}},
			wantReason: "mailboxfull", wantSide: "recipient", wantShare: 2.0 / 3,
		},
		{
			// RFC 7505 null MX and NXDOMAIN together.
			name:       "hostunknown and notaccept dominant",
			s:          History{Domain: "gone.example", Total: 10, DistinctSenders: 3, Reasons: map[string]int64{"hostunknown": 5, "notaccept": 3, "expired": 2}, Sides: map[string]int64{"recipient": 8, "network": 2}},
			wantReason: "hostunknown", wantSide: "recipient", wantShare: 0.5,
			wantDead: true,
			wantText: "looks dead: 8 of 10 bounces",
		},
		{
			name:       "a single hostunknown is not enough",
			s:          History{Domain: "flaky-dns.example", Total: 2, Reasons: map[string]int64{"hostunknown": 2}, Sides: map[string]int64{"recipient": 2}},
			wantReason: "hostunknown", wantSide: "recipient", wantShare: 1,
		},
		{
			name:       "mixed",
			s:          History{Domain: "big.example", Total: 100, DistinctSenders: 80, Reasons: map[string]int64{"userunknown": 30, "mailboxfull": 25, "norelaying": 20, "hostunknown": 10, "ratelimited": 15}, Sides: map[string]int64{"recipient": 85, "sender": 15}},
			wantReason: "userunknown", wantSide: "recipient", wantShare: 0.3,
		},
		{
			name:       "ties go to the first name in sort order",
			s:          History{Domain: "tie.example", Total: 2, Reasons: map[string]int64{"userunknown": 1, "blocked": 1}, Sides: map[string]int64{"sender": 1, "recipient": 1}},
			wantReason: "blocked", wantSide: "recipient", wantShare: 0.5,
		},
		{
			name:     "no history",
			s:        History{Domain: "new.example"},
			wantText: "new.example: no history",
		},
	} {
		got := AssessDomain(tc.s)
		if string(got.DominantReason) != tc.wantReason || string(got.DominantSide) != tc.wantSide || !near(got.DominantShare, tc.wantShare) ||
			got.LooksDead != tc.wantDead || got.LooksMisconfigured != tc.wantMisconf {
			t.Errorf("%s: Assess = {%s %s %.3f dead=%v misconfigured=%v}, want {%s %s %.3f dead=%v misconfigured=%v}",
				tc.name, got.DominantReason, got.DominantSide, got.DominantShare, got.LooksDead, got.LooksMisconfigured,
				tc.wantReason, tc.wantSide, tc.wantShare, tc.wantDead, tc.wantMisconf)
		}
		if tc.wantText != "" && got.Total != tc.s.Total {
			t.Errorf("%s: AssessDomain.Total = %d, want %d", tc.name, got.Total, tc.s.Total)
		}
	}
}

// TestAssessThresholds crosses each threshold by one.
func TestAssessDomainThresholds(t *testing.T) {
	misconf := func(relay, senders, total int64) bool {
		return AssessDomain(History{Total: total, DistinctSenders: senders,
			Reasons: map[string]int64{"norelaying": relay, "userunknown": total - relay}}).LooksMisconfigured
	}
	const r, s = MisconfiguredMinRelayDenials, MisconfiguredMinSenders
	if !misconf(r, s, r) || misconf(r-1, s, r-1) || misconf(r, s-1, r) {
		t.Errorf("misconfigured at (relay, senders) = (%d,%d) (%d,%d) (%d,%d) = %v %v %v, want true false false",
			r, s, r-1, s, r, s-1, misconf(r, s, r), misconf(r-1, s, r-1), misconf(r, s-1, r))
	}
	// Share: exactly MisconfiguredMinShare passes, just below fails.
	total := int64(float64(100) / MisconfiguredMinShare)
	if !misconf(100, s, total) || misconf(100, s, total+1) {
		t.Errorf("misconfigured at share 100/%d = %v and 100/%d = %v, want true, false", total, misconf(100, s, total), total+1, misconf(100, s, total+1))
	}

	dead := func(n, total int64) bool {
		return AssessDomain(History{Total: total, Reasons: map[string]int64{"hostunknown": n, "mailboxfull": total - n}}).LooksDead
	}
	const d = DeadMinObservations
	if !dead(d, d) || dead(d-1, d-1) {
		t.Errorf("dead at %d, %d observations = %v, %v; want true, false", d, d-1, dead(d, d), dead(d-1, d-1))
	}
	total = int64(float64(10) / DeadMinShare)
	if !dead(10, total) || dead(10, total+1) {
		t.Errorf("dead at share 10/%d = %v and 10/%d = %v, want true, false", total, dead(10, total), total+1, dead(10, total+1))
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
