package dnstest

import (
	"testing"

	"github.com/miekg/dns"
)

func ask(t *testing.T, s *Server, netw, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: netw}
	r, _, err := c.Exchange(m, s.Addr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", dns.TypeToString[qtype], name, netw, err)
	}
	return r
}

func TestModes(t *testing.T) {
	s := Start(t, Zone{Origin: "example.", Records: `
$TTL 60
@        IN SOA ns admin 1 3600 600 86400 30
a.b      IN A 192.0.2.1
alias    IN CNAME a.b
`, Modes: map[string]Mode{"fail.example": ServFail, "gone.example": NXDomain, "big.example": Truncate}})
	tests := []struct {
		name   string
		qtype  uint16
		netw   string
		rcode  int
		answer int
		tc     bool
	}{
		{"a.b.example", dns.TypeA, "udp", dns.RcodeSuccess, 1, false},
		{"A.B.EXAMPLE", dns.TypeA, "tcp", dns.RcodeSuccess, 1, false},
		{"alias.example", dns.TypeA, "udp", dns.RcodeSuccess, 2, false}, // CNAME then A
		{"a.b.example", dns.TypeMX, "udp", dns.RcodeSuccess, 0, false},  // NODATA
		{"b.example", dns.TypeA, "udp", dns.RcodeSuccess, 0, false},     // empty non-terminal (RFC 8020)
		{"none.example", dns.TypeA, "udp", dns.RcodeNameError, 0, false},
		{"fail.example", dns.TypeA, "udp", dns.RcodeServerFailure, 0, false},
		{"gone.example", dns.TypeA, "udp", dns.RcodeNameError, 0, false},
		{"big.example", dns.TypeA, "udp", dns.RcodeSuccess, 0, true},
	}
	for _, tt := range tests {
		r := ask(t, s, tt.netw, tt.name, tt.qtype)
		if r.Rcode != tt.rcode || len(r.Answer) != tt.answer || r.Truncated != tt.tc {
			t.Errorf("%s %s/%s: rcode %s, %d answers, tc=%v; want %s, %d, %v", dns.TypeToString[tt.qtype], tt.name, tt.netw,
				dns.RcodeToString[r.Rcode], len(r.Answer), r.Truncated, dns.RcodeToString[tt.rcode], tt.answer, tt.tc)
		}
	}
	if r := ask(t, s, "udp", "none.example", dns.TypeA); len(r.Ns) != 1 {
		t.Errorf("NXDOMAIN without the SOA in authority (RFC 2308 3): %v", r.Ns)
	}
	if n, u := s.Queries("a.b.example", dns.TypeA), s.QueriesNet("a.b.example", dns.TypeA, "tcp"); n != 2 || u != 1 {
		t.Errorf("queries a.b.example A = %d (tcp %d), want 2 (1)", n, u)
	}
	s.SetMode("a.b.example", NXDomain)
	if r := ask(t, s, "udp", "a.b.example", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("after SetMode: rcode %s", dns.RcodeToString[r.Rcode])
	}
	s.Reset()
	if s.Total() != 0 {
		t.Errorf("Total after Reset = %d", s.Total())
	}
}

func TestBadZone(t *testing.T) {
	if _, err := Listen(Zone{Records: "bad.example. IN MX notanumber"}); err == nil {
		t.Error("Listen with a bad zone: nil error")
	}
}
