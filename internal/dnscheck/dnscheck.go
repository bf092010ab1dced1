// Package dnscheck gathers the DNS evidence an administrator would look up
// to settle a bounce: the recipient domain's mail exchangers, the addresses
// of a refusing host, and the sending IP's listings on DNS blocklists.
//
// It speaks DNS (RFC 1035) to one configured resolver with
// github.com/miekg/dns: UDP first, TCP when the answer is truncated (RFC
// 7766 5). Every lookup is bounded by a per-lookup timeout, de-duplicated
// while in flight (one query on the wire however many callers ask), and
// cached for the record's TTL: the smallest TTL of the answer, or for a
// negative answer the SOA's TTL and MINIMUM, whichever is smaller (RFC 2308
// 5), clamped to [MinTTL, MaxTTL]. Failures (SERVFAIL, timeouts) are cached
// for FailureTTL (RFC 2308 7 allows up to five minutes) so that a dead
// resolver costs one timeout per name, not one per message. The cache is
// in-process (a bounded LRU) and optionally shared through a SharedCache
// (Redis), so that replicas share answers.
//
// What is read:
//   - MX of a domain (RFC 5321 5.1): the hosts by preference; with no MX
//     the domain's own A/AAAA records are the implicit MX; a single
//     "0 ." record is a null MX (RFC 7505): the domain accepts no mail.
//     NXDOMAIN is reported as such; SERVFAIL and timeouts as failures.
//   - A and AAAA of a host, to match a refusing host known only by address
//     against the MX hosts' addresses.
//   - DNSBL (RFC 5782): the address reversed (octets for IPv4, nibbles for
//     IPv6) under each zone, an A answer in 127.0.0.0/8 meaning listed, and
//     the TXT record under the same name as the reason.
//
// Internationalised names are asked by their A-labels (RFC 5891,
// idna.Lookup). Deviations: names longer than 253 octets or not valid domain names are
// refused before any query (ErrBadName). Only one resolver is asked, once
// per lookup: there is no retry list (the resolver behind --dns-server
// does the recursion and retries).
//
// The package never fails its caller's work: every lookup returns its
// facts plus an error saying which lookup failed and how (ErrTimeout,
// ErrServFail, ...), and the caller decides what a failure means.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"
	"golang.org/x/sync/singleflight"
)

// Defaults of Config.
const (
	DefaultTimeout       = 500 * time.Millisecond
	DefaultCacheEntries  = 10000
	DefaultMinTTL        = 5 * time.Second
	DefaultMaxTTL        = time.Hour
	DefaultNegativeTTL   = 5 * time.Minute // a negative answer without SOA
	DefaultFailureTTL    = 30 * time.Second
	DefaultSharedTimeout = 50 * time.Millisecond
	// MaxNameLen is the longest name asked (RFC 1035 2.3.4: 255 octets on
	// the wire, 253 in text form).
	MaxNameLen = 253
	// MaxMXHosts bounds how many MX hosts have their addresses looked up
	// to match a refusing host given by address.
	MaxMXHosts = 8
	// udpSize is the EDNS0 buffer size offered (DNS flag day 2020).
	udpSize = 1232
)

// Errors of a lookup, wrapped with the name asked.
var (
	ErrBadName  = errors.New("dnscheck: not a valid domain name")
	ErrTimeout  = errors.New("dnscheck: timeout")
	ErrServFail = errors.New("dnscheck: server failure (SERVFAIL)")
	ErrRefused  = errors.New("dnscheck: query refused")
	ErrNetwork  = errors.New("dnscheck: network error")
	ErrDisabled = errors.New("dnscheck: no resolver configured")
)

// Config configures a Resolver.
type Config struct {
	// Server is the resolver's HOST:PORT (a port is required; IPv6 in
	// brackets).
	Server string
	// Timeout bounds each lookup, UDP and the TCP retry together (default
	// 500 ms).
	Timeout time.Duration
	// CacheEntries bounds the in-process cache (default 10000 answers).
	CacheEntries int
	// MinTTL and MaxTTL clamp how long an answer is kept (defaults 5 s and
	// 1 h). QUIRK: answers with a TTL of 0 are kept MinTTL, so that one
	// message never asks the same question twice.
	MinTTL, MaxTTL time.Duration
	// FailureTTL is how long a SERVFAIL or a timeout is remembered
	// (default 30 s; RFC 2308 7.1 allows up to 5 minutes).
	FailureTTL time.Duration
	// Shared, when set, is consulted after the in-process cache and
	// written after each answer from the network, so replicas share it.
	// Its failures are counted and otherwise ignored.
	Shared SharedCache
	// SharedTimeout bounds each Shared call (default 50 ms).
	SharedTimeout time.Duration
	// OnLookup, when set, is called after every lookup (for metrics).
	OnLookup func(Lookup)
	// Now returns the current time (tests set it); default time.Now.
	Now func() time.Time
}

// Lookup describes one finished lookup, for OnLookup.
type Lookup struct {
	Kind     Kind
	Result   Result
	Source   Source
	Duration time.Duration
}

// Kind is what a lookup was for.
type Kind int

const (
	KindMX Kind = iota
	KindA
	KindAAAA
	KindDNSBL    // the A record of a DNSBL name
	KindDNSBLTXT // the TXT reason of a listing
	numKinds
)

var kindNames = [numKinds]string{"mx", "a", "aaaa", "dnsbl", "dnsbl_txt"}

func (k Kind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Result is the outcome of one query.
type Result int

const (
	ResultOK       Result = iota // records of the type asked
	ResultNoData                 // the name exists, no records of that type
	ResultNXDomain               // the name does not exist (RCODE 3)
	ResultServFail               // RCODE 2
	ResultTimeout                // no answer within the timeout
	ResultError                  // any other failure (REFUSED, network)
	numResults
)

var resultNames = [numResults]string{"ok", "nodata", "nxdomain", "servfail", "timeout", "error"}

func (r Result) String() string {
	if r >= 0 && r < numResults {
		return resultNames[r]
	}
	return fmt.Sprintf("Result(%d)", int(r))
}

// Failed reports whether r is a failure of the lookup (as opposed to an
// answer, positive or negative).
func (r Result) Failed() bool { return r >= ResultServFail }

// Source is where an answer came from.
type Source int

const (
	SourceNetwork Source = iota
	SourceMemory
	SourceShared
)

func (s Source) String() string {
	switch s {
	case SourceNetwork:
		return "network"
	case SourceMemory:
		return "memory"
	case SourceShared:
		return "shared"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Stats are the Resolver's counters since it started.
type Stats struct {
	// Queries counts the queries sent to the resolver, by kind and result.
	Queries [numKinds][numResults]uint64
	// MemoryHits and SharedHits count answers served from a cache.
	MemoryHits, SharedHits uint64
	// SharedErrors counts failed calls to the shared cache.
	SharedErrors uint64
	// Coalesced counts callers that waited for a query already in flight.
	Coalesced uint64
}

// Count returns the number of queries of kind k with result r.
func (s Stats) Count(k Kind, r Result) uint64 {
	if k < 0 || k >= numKinds || r < 0 || r >= numResults {
		return 0
	}
	return s.Queries[k][r]
}

// Resolver looks names up. It is safe for concurrent use.
type Resolver struct {
	cfg    Config
	udp    *dns.Client
	tcp    *dns.Client
	cache  *lru
	flight singleflight.Group

	queries               [numKinds][numResults]atomic.Uint64
	memHits, sharedHits   atomic.Uint64
	sharedErrs, coalesced atomic.Uint64
}

// New returns a Resolver for cfg. A Server without a port, or a bad
// duration, is an error.
func New(cfg Config) (*Resolver, error) {
	if cfg.Server == "" {
		return nil, ErrDisabled
	}
	if _, port, err := net.SplitHostPort(cfg.Server); err != nil || port == "" {
		return nil, fmt.Errorf("dnscheck: server %q: want HOST:PORT", cfg.Server)
	}
	def := func(d *time.Duration, v time.Duration) error {
		switch {
		case *d < 0:
			return fmt.Errorf("dnscheck: negative duration %v", *d)
		case *d == 0:
			*d = v
		}
		return nil
	}
	for _, p := range []struct {
		d *time.Duration
		v time.Duration
	}{{&cfg.Timeout, DefaultTimeout}, {&cfg.MinTTL, DefaultMinTTL}, {&cfg.MaxTTL, DefaultMaxTTL},
		{&cfg.FailureTTL, DefaultFailureTTL}, {&cfg.SharedTimeout, DefaultSharedTimeout}} {
		if err := def(p.d, p.v); err != nil {
			return nil, err
		}
	}
	if cfg.MaxTTL < cfg.MinTTL {
		cfg.MaxTTL = cfg.MinTTL
	}
	if cfg.CacheEntries <= 0 {
		cfg.CacheEntries = DefaultCacheEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Resolver{
		cfg:   cfg,
		udp:   &dns.Client{Net: "udp", UDPSize: udpSize},
		tcp:   &dns.Client{Net: "tcp"},
		cache: newLRU(cfg.CacheEntries),
	}, nil
}

// Server returns the resolver's address.
func (r *Resolver) Server() string { return r.cfg.Server }

// Stats returns a snapshot of the counters.
func (r *Resolver) Stats() Stats {
	var s Stats
	for k := range numKinds {
		for res := range numResults {
			s.Queries[k][res] = r.queries[k][res].Load()
		}
	}
	s.MemoryHits = r.memHits.Load()
	s.SharedHits = r.sharedHits.Load()
	s.SharedErrors = r.sharedErrs.Load()
	s.Coalesced = r.coalesced.Load()
	return s
}

// answer is one cached outcome of a query.
type answer struct {
	result  Result
	msg     *dns.Msg // nil for failures
	err     error    // for failures
	expires time.Time
}

// records returns the answer's records of type t.
func (a *answer) records(t uint16) []dns.RR {
	if a.msg == nil {
		return nil
	}
	var out []dns.RR
	for _, rr := range a.msg.Answer {
		if rr.Header().Rrtype == t {
			out = append(out, rr)
		}
	}
	return out
}

// query returns the answer to (name, qtype), from a cache or the network.
// name must be fully qualified and lower case.
func (r *Resolver) query(ctx context.Context, kind Kind, name string, qtype uint16) *answer {
	start := r.cfg.Now()
	key := dns.TypeToString[qtype] + " " + name
	if a, ok := r.cache.get(key, start); ok {
		r.memHits.Add(1)
		r.observe(kind, a.result, SourceMemory, start)
		return a
	}
	led := false // set when this caller's function ran the flight
	ch := r.flight.DoChan(key, func() (any, error) {
		led = true
		// The flight outlives any one caller's cancellation: others may
		// be waiting on it. It is bounded by the lookup timeout.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.Timeout)
		defer cancel()
		if a, ok := r.cache.get(key, r.cfg.Now()); ok {
			return a, nil
		}
		if a := r.sharedGet(fctx, key); a != nil {
			r.cache.put(key, a)
			return sharedAnswer{a}, nil
		}
		a := r.exchange(fctx, name, qtype)
		r.queries[kind][a.result].Add(1)
		r.cache.put(key, a)
		if a.msg != nil {
			r.sharedSet(fctx, key, a)
		}
		return a, nil
	})
	select {
	case res := <-ch:
		if !led {
			r.coalesced.Add(1)
		}
		switch v := res.Val.(type) {
		case sharedAnswer:
			r.sharedHits.Add(1)
			r.observe(kind, v.result, SourceShared, start)
			return v.answer
		case *answer:
			r.observe(kind, v.result, SourceNetwork, start)
			return v
		}
		return &answer{result: ResultError, err: fmt.Errorf("%w: %s %s", ErrNetwork, dns.TypeToString[qtype], name)}
	case <-ctx.Done():
		return &answer{result: ResultTimeout, err: fmt.Errorf("%w: %s %s: %w", ErrTimeout, dns.TypeToString[qtype], name, ctx.Err())}
	}
}

type sharedAnswer struct{ *answer }

func (r *Resolver) observe(k Kind, res Result, src Source, start time.Time) {
	if r.cfg.OnLookup != nil {
		r.cfg.OnLookup(Lookup{Kind: k, Result: res, Source: src, Duration: r.cfg.Now().Sub(start)})
	}
}

// exchange asks the resolver over UDP, and over TCP when the UDP answer is
// truncated (RFC 7766 5).
func (r *Resolver) exchange(ctx context.Context, name string, qtype uint16) *answer {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(udpSize, false)
	resp, _, err := r.udp.ExchangeContext(ctx, m, r.cfg.Server)
	if err == nil && resp.Truncated {
		resp, _, err = r.tcp.ExchangeContext(ctx, m, r.cfg.Server)
	}
	what := dns.TypeToString[qtype] + " " + strings.TrimSuffix(name, ".")
	now := r.cfg.Now()
	fail := func(res Result, e error) *answer {
		return &answer{result: res, err: e, expires: now.Add(r.cfg.FailureTTL)}
	}
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return fail(ResultTimeout, fmt.Errorf("%w: %s after %v", ErrTimeout, what, r.cfg.Timeout))
		}
		return fail(ResultError, fmt.Errorf("%w: %s: %w", ErrNetwork, what, err))
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
		a := &answer{result: ResultNoData, msg: resp}
		if len(a.records(qtype)) > 0 {
			a.result = ResultOK
		}
		a.expires = now.Add(r.ttl(a))
		return a
	case dns.RcodeNameError:
		a := &answer{result: ResultNXDomain, msg: resp}
		a.expires = now.Add(r.ttl(a))
		return a
	case dns.RcodeServerFailure:
		return fail(ResultServFail, fmt.Errorf("%w: %s", ErrServFail, what))
	}
	return fail(ResultError, fmt.Errorf("%w: %s: %s", ErrRefused, what, dns.RcodeToString[resp.Rcode]))
}

// ttl is how long a is kept: the smallest TTL of the records answering
// the question, or for a negative answer min(SOA TTL, SOA MINIMUM) (RFC
// 2308 5), clamped to [MinTTL, MaxTTL].
func (r *Resolver) ttl(a *answer) time.Duration {
	var secs uint32
	found := false
	take := func(v uint32) {
		if !found || v < secs {
			secs, found = v, true
		}
	}
	if a.result == ResultOK {
		for _, rr := range a.msg.Answer {
			take(rr.Header().Ttl)
		}
	} else {
		for _, rr := range a.msg.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				take(min(soa.Hdr.Ttl, soa.Minttl))
			}
		}
	}
	d := DefaultNegativeTTL
	if found {
		d = time.Duration(secs) * time.Second
	}
	return min(max(d, r.cfg.MinTTL), r.cfg.MaxTTL)
}

// fqdn checks a name and returns it lower case and fully qualified.
func fqdn(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimSuffix(n, ".")
	if strings.IndexFunc(n, func(r rune) bool { return r >= 0x80 }) >= 0 {
		// Internationalised names are asked by their A-labels (RFC 5891).
		a, err := idna.Lookup.ToASCII(n)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %w", ErrBadName, clip(name), err)
		}
		n = a
	}
	if n == "" || len(n) > MaxNameLen {
		return "", fmt.Errorf("%w: %q", ErrBadName, clip(name))
	}
	if _, ok := dns.IsDomainName(n); !ok || strings.ContainsAny(n, " \t\\\"()@;[]") {
		return "", fmt.Errorf("%w: %q", ErrBadName, clip(name))
	}
	return n + ".", nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
