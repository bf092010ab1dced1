// Package dnstest runs a small authoritative-looking DNS server on a random
// loopback port for tests, with github.com/miekg/dns.
//
// The server listens on 127.0.0.1 on one port for both UDP and TCP (RFC 1035
// 4.2, RFC 7766: a resolver retries over TCP when a UDP answer has the TC
// bit set). Its data is a zone in RFC 1035 master-file text; every name
// answers from that data unless a Mode says otherwise:
//
//   - Answer: the records of the name and type (RFC 1035 4.3.2, with CNAME
//     chasing inside the data); a name with no records of any type is
//     NXDOMAIN (RFC 8020), a name with records of other types is NODATA.
//     Negative answers carry the zone's SOA, if any, in the authority section
//     (RFC 2308 3).
//   - NXDomain, ServFail: that response code whatever the data says.
//   - Silent: no answer at all, so the client times out.
//   - Truncate: over UDP an empty answer with the TC bit, over TCP the full
//     answer (RFC 7766 5: the client must retry over TCP).
//
// The server counts the queries it receives per (name, type, transport), so
// tests can prove caching and in-flight de-duplication. It never touches an
// address other than 127.0.0.1.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Mode is how the server answers a name.
type Mode int

const (
	Answer   Mode = iota // from the zone data
	NXDomain             // RCODE 3 (RFC 1035 4.1.1)
	ServFail             // RCODE 2
	Silent               // never answer: the client times out
	Truncate             // UDP: TC bit and no records; TCP: the real answer
)

func (m Mode) String() string {
	switch m {
	case Answer:
		return "answer"
	case NXDomain:
		return "nxdomain"
	case ServFail:
		return "servfail"
	case Silent:
		return "silent"
	case Truncate:
		return "truncate"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Zone is the data a Server answers from.
type Zone struct {
	// Records is RFC 1035 master-file text ($ORIGIN and $TTL allowed;
	// relative names are relative to Origin when set).
	Records string
	// Origin is the default origin of Records ("." when empty).
	Origin string
	// Modes overrides the answer for names (fully qualified or not, any
	// case); the name's subdomains are not affected.
	Modes map[string]Mode
	// Delay is how long the server waits before every answer, so that
	// concurrent lookups overlap (in-flight de-duplication tests).
	Delay time.Duration
}

// Server is a running test DNS server.
type Server struct {
	// Addr is "127.0.0.1:PORT", the same port for UDP and TCP.
	Addr string

	udp, tcp *dns.Server

	mu      sync.Mutex
	records map[rrKey][]dns.RR
	names   map[string]bool // names that own any record
	soa     []dns.RR
	modes   map[string]Mode
	delay   time.Duration
	queries map[QueryKey]int
}

type rrKey struct {
	name  string
	qtype uint16
}

// QueryKey identifies counted queries.
type QueryKey struct {
	Name string // lower case, fully qualified
	Type uint16 // dns.TypeMX ...
	Net  string // "udp" or "tcp"
}

// Start parses z and starts the server; it stops when the test ends. A zone
// that does not parse fails the test.
func Start(t testing.TB, z Zone) *Server {
	t.Helper()
	s, err := Listen(z)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Listen is Start without a testing.TB (benchmarks with their own life
// cycle, examples); the caller must Close the server.
func Listen(z Zone) (*Server, error) {
	s := &Server{queries: map[QueryKey]int{}}
	if err := s.load(z); err != nil {
		return nil, err
	}
	pc, ln, err := listenPair()
	if err != nil {
		return nil, err
	}
	s.Addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(s.serve)
	var started sync.WaitGroup
	started.Add(2)
	s.udp = &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: started.Done}
	s.tcp = &dns.Server{Listener: ln, Handler: h, NotifyStartedFunc: started.Done,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second}
	go func() { _ = s.udp.ActivateAndServe() }()
	go func() { _ = s.tcp.ActivateAndServe() }()
	started.Wait()
	return s, nil
}

// listenPair binds UDP and TCP on the same random loopback port, retrying
// when the TCP side of the port is taken.
func listenPair() (net.PacketConn, net.Listener, error) {
	var last error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, fmt.Errorf("dnstest: listen udp: %w", err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		last = err
		pc.Close()
	}
	return nil, nil, fmt.Errorf("dnstest: no port free for both udp and tcp: %w", last)
}

// Close stops the server.
func (s *Server) Close() {
	_ = s.udp.Shutdown()
	_ = s.tcp.Shutdown()
}

func (s *Server) load(z Zone) error {
	s.records = map[rrKey][]dns.RR{}
	s.names = map[string]bool{}
	s.modes = map[string]Mode{}
	s.delay = z.Delay
	origin := z.Origin
	if origin == "" {
		origin = "."
	}
	zp := dns.NewZoneParser(strings.NewReader(z.Records), dns.Fqdn(origin), "dnstest")
	zp.SetDefaultTTL(300)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		s.records[rrKey{name, h.Rrtype}] = append(s.records[rrKey{name, h.Rrtype}], rr)
		s.names[name] = true
		// Every ancestor of an owner name exists (RFC 8020: an empty
		// non-terminal is NODATA, not NXDOMAIN).
		for i, end := dns.NextLabel(name, 0); !end; i, end = dns.NextLabel(name, i) {
			s.names[name[i:]] = true
		}
		if h.Rrtype == dns.TypeSOA {
			s.soa = append(s.soa, rr)
		}
	}
	if err := zp.Err(); err != nil {
		return fmt.Errorf("dnstest: zone: %w", err)
	}
	for n, m := range z.Modes {
		s.modes[strings.ToLower(dns.Fqdn(n))] = m
	}
	return nil
}

// SetMode changes how name is answered from now on.
func (s *Server) SetMode(name string, m Mode) {
	s.mu.Lock()
	s.modes[strings.ToLower(dns.Fqdn(name))] = m
	s.mu.Unlock()
}

// Queries returns how many queries for name and qtype arrived, over UDP
// and TCP together.
func (s *Server) Queries(name string, qtype uint16) int {
	name = strings.ToLower(dns.Fqdn(name))
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[QueryKey{name, qtype, "udp"}] + s.queries[QueryKey{name, qtype, "tcp"}]
}

// QueriesNet returns how many queries for name and qtype arrived over net
// ("udp" or "tcp").
func (s *Server) QueriesNet(name string, qtype uint16, net string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[QueryKey{strings.ToLower(dns.Fqdn(name)), qtype, net}]
}

// Counts returns a copy of the query counts per (name, type, transport).
func (s *Server) Counts() map[QueryKey]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[QueryKey]int, len(s.queries))
	for k, v := range s.queries {
		out[k] = v
	}
	return out
}

// Total returns how many queries arrived in all.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.queries {
		n += c
	}
	return n
}

// Reset forgets the query counts.
func (s *Server) Reset() {
	s.mu.Lock()
	clear(s.queries)
	s.mu.Unlock()
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	tr := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		tr = "tcp"
	}
	s.mu.Lock()
	s.queries[QueryKey{name, q.Qtype, tr}]++
	mode := s.modes[name]
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}

	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	switch mode {
	case Silent:
		return
	case NXDomain:
		m.Rcode = dns.RcodeNameError
		m.Ns = s.soa
	case ServFail:
		m.Rcode = dns.RcodeServerFailure
	case Truncate:
		if tr == "udp" {
			m.Truncated = true
			break
		}
		s.answer(m, name, q.Qtype)
	default:
		s.answer(m, name, q.Qtype)
	}
	_ = w.WriteMsg(m)
}

// answer fills m from the zone data, following CNAMEs inside it.
func (s *Server) answer(m *dns.Msg, name string, qtype uint16) {
	for range 8 {
		if rrs := s.records[rrKey{name, qtype}]; len(rrs) > 0 {
			m.Answer = append(m.Answer, rrs...)
			return
		}
		c := s.records[rrKey{name, dns.TypeCNAME}]
		if len(c) == 0 || qtype == dns.TypeCNAME {
			break
		}
		m.Answer = append(m.Answer, c[0])
		name = strings.ToLower(c[0].(*dns.CNAME).Target)
	}
	if !s.names[name] {
		m.Rcode = dns.RcodeNameError
	}
	m.Ns = s.soa
}
