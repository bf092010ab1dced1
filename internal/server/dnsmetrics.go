package server

import (
	"fmt"
	"io"

	"github.com/bounced/bounced/internal/dnscheck"
)

// dnsStats is what Metrics reads of a dnscheck.Resolver.
type dnsStats interface {
	Stats() dnscheck.Stats
}

// SetDNS adds the DNS evidence counters (issue 11).
func (m *Metrics) SetDNS(r dnsStats) { m.dns = r }

// writeDNS writes the DNS counters: queries sent by kind and result,
// answers served from a cache, callers that waited on a query in flight.
func (m *Metrics) writeDNS(w io.Writer) {
	if m.dns == nil {
		return
	}
	s := m.dns.Stats()
	fmt.Fprintf(w, "# HELP bounced_dns_queries_total DNS queries sent to the resolver, by kind and result.\n# TYPE bounced_dns_queries_total counter\n")
	for k := range s.Queries {
		for r := range s.Queries[k] {
			fmt.Fprintf(w, "bounced_dns_queries_total{kind=%q,result=%q} %d\n", dnscheck.Kind(k).String(), dnscheck.Result(r).String(), s.Queries[k][r])
		}
	}
	fmt.Fprintf(w, "# HELP bounced_dns_cache_hits_total DNS answers served from a cache, by cache.\n# TYPE bounced_dns_cache_hits_total counter\n")
	fmt.Fprintf(w, "bounced_dns_cache_hits_total{cache=\"memory\"} %d\nbounced_dns_cache_hits_total{cache=\"shared\"} %d\n", s.MemoryHits, s.SharedHits)
	fmt.Fprintf(w, "# HELP bounced_dns_coalesced_total DNS lookups that waited for the same query already in flight.\n# TYPE bounced_dns_coalesced_total counter\nbounced_dns_coalesced_total %d\n", s.Coalesced)
	fmt.Fprintf(w, "# HELP bounced_dns_shared_errors_total Failed calls to the shared DNS cache.\n# TYPE bounced_dns_shared_errors_total counter\nbounced_dns_shared_errors_total %d\n", s.SharedErrors)
}
