package server

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dnscheck"
)

type fixedDNSStats struct{ s dnscheck.Stats }

func (f fixedDNSStats) Stats() dnscheck.Stats { return f.s }

// The resolver's counters reach the Prometheus scrape with the kind and
// result names of dnscheck.
func TestDNSMetrics(t *testing.T) {
	m := NewMetrics(MetricsConfig{})
	var s dnscheck.Stats
	s.Queries[dnscheck.KindMX][dnscheck.ResultNXDomain] = 3
	s.MemoryHits = 7
	s.Coalesced = 2
	m.SetDNSStats(DNSStatsOf(fixedDNSStats{s}))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`bounced_dns_queries_total{kind="mx",result="nxdomain"} 3`,
		`bounced_dns_cache_hits_total{cache="memory"} 7`,
		`bounced_dns_cache_hits_total{cache="shared"} 0`,
		`bounced_dns_coalesced_total 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
