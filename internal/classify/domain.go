package classify

import "time"

// Thresholds of AssessDomain. A domain is only judged once there is enough
// history; below these numbers neither flag is set.
const (
	// DeadMinObservations is the fewest dead-domain bounces (reasons
	// hostunknown and notaccept) before a domain can look dead: one
	// NXDOMAIN may be a transient DNS failure.
	DeadMinObservations = 3
	// DeadMinShare is the share of all bounces of a domain that must say
	// the domain does not exist or accepts no mail.
	DeadMinShare = 0.5

	// MisconfiguredMinRelayDenials is the fewest relay denials (reason
	// norelaying) before a domain can look misconfigured.
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

// deadReasons say the domain itself cannot receive mail: it does not exist
// or has no usable MX (hostunknown), or it refuses all mail, e.g. a null MX
// of RFC 7505 (notaccept).
var deadReasons = [...]Reason{HostUnknown, NotAccept}

// DomainAssessment is AssessDomain's reading of a domain's history, with
// the numbers behind it; explain.Domain puts it into words.
type DomainAssessment struct {
	Domain              string
	Total               int64 // bounces remembered
	DistinctSenders     int64
	FirstSeen, LastSeen time.Time

	DominantReason    Reason  // most frequent; ties go to the name first in sort order
	DominantSide      Side    // most frequent side; ties as above
	DominantShare     float64 // share of Total with DominantReason, 0..1
	DominantSideShare float64 // share of Total with DominantSide, 0..1

	LooksDead          bool  // the domain does not exist or accepts no mail
	LooksMisconfigured bool  // its MX refuses to relay for many distinct senders
	DeadCount          int64 // bounces with a dead-domain reason
	RelayDenials       int64 // bounces with reason norelaying
}

// AssessDomain reads a domain's history: the dominant reason and side, and
// whether the domain looks dead or its MX misconfigured, by the thresholds
// above. It is pure. A History with no observations gives an assessment
// with only Domain set.
func AssessDomain(h History) DomainAssessment {
	a := DomainAssessment{Domain: h.Domain}
	if h.Total <= 0 {
		return a
	}
	a.Total, a.DistinctSenders = h.Total, h.DistinctSenders
	a.FirstSeen, a.LastSeen = h.FirstSeen, h.LastSeen
	r, n := dominant(h.Reasons)
	a.DominantReason, a.DominantShare = Reason(r), share(n, h.Total)
	s, n := dominant(h.Sides)
	a.DominantSide, a.DominantSideShare = Side(s), share(n, h.Total)
	for _, r := range deadReasons {
		a.DeadCount += h.Reasons[string(r)]
	}
	a.RelayDenials = h.Reasons[string(NoRelaying)]
	a.LooksDead = a.DeadCount >= DeadMinObservations && share(a.DeadCount, h.Total) >= DeadMinShare
	a.LooksMisconfigured = a.RelayDenials >= MisconfiguredMinRelayDenials &&
		h.DistinctSenders >= MisconfiguredMinSenders &&
		share(a.RelayDenials, h.Total) >= MisconfiguredMinShare
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
