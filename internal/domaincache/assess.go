package domaincache

import (
	"context"
	"fmt"
	"strings"
)

// Thresholds of Assess. A domain is only judged once there is enough
// history; below these numbers neither flag is set.
const (
	// DeadMinObservations is the fewest dead-domain bounces (reasons
	// hostunknown and notaccept) before a domain can look dead: one
	// NXDOMAIN may be a transient DNS failure.
	DeadMinObservations = 3
	// DeadMinShare is the share of all bounces of a domain that must say
	// the domain does not exist or accepts no mail.
	DeadMinShare = 0.5

	// MisconfiguredMinRelayDenials is the fewest relay denials
	// (reason "norelaying") before a domain can look misconfigured.
	MisconfiguredMinRelayDenials = 5
	// MisconfiguredMinSenders is the fewest distinct senders refused. One
	// sender refused many times is more likely that sender's own relay
	// (sender side); many senders refused alike point at the domain's MX,
	// which does not believe it is the destination (DESIGN.md, "Relaying
	// denied", recipient side).
	MisconfiguredMinSenders = 5
	// MisconfiguredMinShare is the share of all bounces of the domain that
	// must be relay denials.
	MisconfiguredMinShare = 0.5
)

// Reason names Assess looks for, from the classifier's vocabulary
// (testdata/bounces/REASONS.md).
const (
	reasonNoRelaying = "norelaying"
)

// deadReasons say the domain itself cannot receive mail: it does not exist
// or has no usable MX (hostunknown), or it refuses all mail, e.g. a null MX
// of RFC 7505 (notaccept).
var deadReasons = []string{"hostunknown", "notaccept"}

// Assessment is Assess's reading of a Summary, with the numbers behind it.
type Assessment struct {
	DominantReason, DominantSide string  // most frequent; ties go to the name first in sort order
	DominantShare                float64 // share of Total with DominantReason, 0..1
	DominantSideShare            float64 // share of Total with DominantSide, 0..1
	LooksDead                    bool    // the domain does not exist or accepts no mail
	LooksMisconfigured           bool    // its MX refuses to relay for many distinct senders
	DeadCount                    int64   // bounces with a dead-domain reason
	RelayDenials                 int64   // bounces with reason norelaying
	Text                         string  // one line for people, with the numbers
}

// Assess reads a domain's history: the dominant reason and side, and
// whether the domain looks dead or its MX misconfigured, by the thresholds
// above. It is pure. A Summary with no observations gives the zero
// Assessment with a Text saying so.
func Assess(s Summary) Assessment {
	var a Assessment
	name := s.Domain
	if name == "" {
		name = "domain"
	}
	if s.Total <= 0 {
		a.Text = name + ": no history"
		return a
	}
	var n int64
	a.DominantReason, n = dominant(s.Reasons)
	a.DominantShare = share(n, s.Total)
	a.DominantSide, n = dominant(s.Sides)
	a.DominantSideShare = share(n, s.Total)
	for _, r := range deadReasons {
		a.DeadCount += s.Reasons[r]
	}
	a.RelayDenials = s.Reasons[reasonNoRelaying]

	a.LooksDead = a.DeadCount >= DeadMinObservations &&
		share(a.DeadCount, s.Total) >= DeadMinShare
	a.LooksMisconfigured = a.RelayDenials >= MisconfiguredMinRelayDenials &&
		s.DistinctSenders >= MisconfiguredMinSenders &&
		share(a.RelayDenials, s.Total) >= MisconfiguredMinShare

	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bounces from %d distinct senders", name, s.Total, s.DistinctSenders)
	if !s.FirstSeen.IsZero() {
		fmt.Fprintf(&b, " between %s and %s", s.FirstSeen.Format("2006-01-02"), s.LastSeen.Format("2006-01-02"))
	}
	fmt.Fprintf(&b, "; mostly %s (%.0f%%), %s side (%.0f%%)",
		a.DominantReason, 100*a.DominantShare, a.DominantSide, 100*a.DominantSideShare)
	if a.LooksDead {
		fmt.Fprintf(&b, "; looks dead: %d of %d bounces say the domain does not exist or accepts no mail", a.DeadCount, s.Total)
	}
	if a.LooksMisconfigured {
		fmt.Fprintf(&b, "; looks misconfigured: its MX denied relaying %d times to %d distinct senders, so it does not accept mail for the domain", a.RelayDenials, s.DistinctSenders)
	}
	a.Text = b.String()
	return a
}

// dominant returns the key with the largest count; ties go to the smaller
// key, so the answer does not depend on map order.
func dominant(m map[string]int64) (string, int64) {
	var best string
	var n int64
	for k, v := range m {
		if v > n || (v == n && v > 0 && k < best) {
			best, n = k, v
		}
	}
	return best, n
}

func share(n, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// DomainVerdict is what GetDomainVerdict reports for one domain.
type DomainVerdict struct {
	Found      bool // false: no history; Summary holds only the Domain
	Summary    Summary
	Assessment Assessment
}

// GetDomainVerdict reads one domain's history from s and assesses it.
func GetDomainVerdict(ctx context.Context, s Store, domain string) (DomainVerdict, error) {
	m, err := s.Get(ctx, []string{domain})
	if err != nil {
		return DomainVerdict{}, err
	}
	sum, ok := m[domain]
	if !ok {
		norm, _ := NormalizeDomain(domain)
		sum = Summary{Domain: norm}
	}
	return DomainVerdict{Found: ok, Summary: sum, Assessment: Assess(sum)}, nil
}
