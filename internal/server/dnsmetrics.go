package server

import "github.com/bounced/bounced/internal/dnscheck"

// DNSStatsOf adapts a DNS evidence resolver's counters (issue 11) to
// SetDNSStats: queries by kind and result, answers served from the
// in-process and the shared cache, coalesced lookups, shared-cache errors.
func DNSStatsOf(r interface{ Stats() dnscheck.Stats }) func() DNSStats {
	return func() DNSStats {
		s := r.Stats()
		out := DNSStats{
			Queries:      make(map[DNSQuery]uint64),
			CacheHits:    map[string]uint64{"memory": s.MemoryHits, "shared": s.SharedHits},
			Coalesced:    s.Coalesced,
			SharedErrors: s.SharedErrors,
		}
		for k := range s.Queries {
			for res, n := range s.Queries[k] {
				if n > 0 {
					out.Queries[DNSQuery{Kind: dnscheck.Kind(k).String(), Result: dnscheck.Result(res).String()}] = n
				}
			}
		}
		return out
	}
}
