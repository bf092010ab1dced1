package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dnscheck"
)

type fakeDNSStats struct{ s dnscheck.Stats }

func (f fakeDNSStats) Stats() dnscheck.Stats { return f.s }

func TestDNSMetrics(t *testing.T) {
	m := NewMetrics(nil)
	var s dnscheck.Stats
	s.Queries[dnscheck.KindMX][dnscheck.ResultNXDomain] = 3
	s.MemoryHits = 7
	m.SetDNS(fakeDNSStats{s})
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`bounced_dns_queries_total{kind="mx",result="nxdomain"} 3`, `bounced_dns_cache_hits_total{cache="memory"} 7`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
		}
	}
}
