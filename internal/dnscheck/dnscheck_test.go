package dnscheck

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/redis/go-redis/v9"

	"github.com/bounced/bounced/internal/dnstest"
	"github.com/bounced/bounced/internal/redistest"
)

// testZone holds one name per case of the package doc. Names under
// .example and addresses from RFC 5737 / RFC 3849 documentation ranges.
const testZone = `
$TTL 300
example.                 3600 IN SOA ns.example. admin.example. 1 3600 600 86400 60
; MX match / mismatch: two MX hosts with addresses
recipient.example.       IN MX 10 mx1.recipient.example.
recipient.example.       IN MX 20 mx2.hosting.example.
mx1.recipient.example.   IN A 192.0.2.25
mx2.hosting.example.     IN A 198.51.100.25
mx2.hosting.example.     IN AAAA 2001:db8::25
host25.hosting.example.  IN A 198.51.100.25
smtp2.isp.example.       IN A 203.0.113.2
; A fallback (RFC 5321 5.1): no MX, an address
implicit.example.        IN A 192.0.2.80
implicit.example.        IN TXT "no mx here"
; null MX (RFC 7505)
nullmx.example.          IN MX 0 .
; exists, no MX and no address
nomail.example.          IN TXT "v=spf1 -all"
; a CNAME to an MX owner
alias.example.           IN CNAME recipient.example.
; an internationalised domain, asked as its A-label (exämple.example)
xn--exmple-cua.example.  IN MX 10 mx.xn--exmple-cua.example.
; TTL expiry
short.example.       10  IN MX 10 mx.short.example.
; DNSBL (RFC 5782): 192.0.2.10 and 2001:db8::10 listed, 192.0.2.11 not
10.2.0.192.bl.example.   IN A 127.0.0.2
10.2.0.192.bl.example.   IN TXT "Listed for spam, see https://bl.example/lookup?ip=192.0.2.10"
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example. IN A 127.0.0.4
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example. IN TXT "IPv6 listing"
12.2.0.192.bl.example.   IN A 127.255.255.254
13.2.0.192.bl.example.   IN A 203.0.113.1
`

func start(t testing.TB, modes map[string]dnstest.Mode) *dnstest.Server {
	return dnstest.Start(t, dnstest.Zone{Records: testZone, Modes: modes})
}

func newResolver(t testing.TB, srv *dnstest.Server, cfg Config) *Resolver {
	t.Helper()
	cfg.Server = srv.Addr
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMX(t *testing.T) {
	srv := start(t, map[string]dnstest.Mode{
		"servfail.example": dnstest.ServFail,
		"silent.example":   dnstest.Silent,
		"big.example":      dnstest.Truncate,
	})
	r := newResolver(t, srv, Config{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	tests := []struct {
		domain string
		want   string // MX.String()
		err    error
	}{
		{"recipient.example", "MX recipient.example = mx1.recipient.example., mx2.hosting.example.", nil},
		{"Recipient.Example.", "MX recipient.example = mx1.recipient.example., mx2.hosting.example.", nil},
		{"alias.example", "MX alias.example = mx1.recipient.example., mx2.hosting.example.", nil},                            // CNAME chased by the server
		{"implicit.example", "MX implicit.example: none, its own address 192.0.2.80 is the implicit MX (RFC 5321 5.1)", nil}, // RFC 5321 5.1
		{"nullmx.example", "MX nullmx.example = 0 . (null MX, RFC 7505: the domain accepts no mail)", nil},                   // RFC 7505
		{"nomail.example", "MX nomail.example: none, and no address record either (no mail host)", nil},
		{"gone.example", "MX gone.example: NXDOMAIN (the domain does not exist)", nil},
		{"servfail.example", "", ErrServFail},
		{"silent.example", "", ErrTimeout},
		{"exämple.example", "MX xn--exmple-cua.example = mx.xn--exmple-cua.example.", nil}, // RFC 5891
		{"bad name.example", "", ErrBadName},
		{strings.Repeat("a.", 130) + "example", "", ErrBadName},
	}
	for _, tt := range tests {
		got := r.MX(ctx, tt.domain)
		if tt.err != nil {
			if !errors.Is(got.Err, tt.err) {
				t.Errorf("MX(%q).Err = %v, want %v", tt.domain, got.Err, tt.err)
			}
			if got.Known() {
				t.Errorf("MX(%q).Known() = true after a failure", tt.domain)
			}
			continue
		}
		if got.Err != nil || got.String() != tt.want {
			t.Errorf("MX(%q) = %q (err %v), want %q", tt.domain, got.String(), got.Err, tt.want)
		}
	}
	if got := r.MX(ctx, "nullmx.example"); !got.Null || len(got.Hosts) != 0 {
		t.Errorf("null MX: %+v", got)
	}
	if got := r.MX(ctx, "gone.example"); !got.NXDomain {
		t.Errorf("gone.example: NXDomain not set: %+v", got)
	}
}

func TestTruncatedFallsBackToTCP(t *testing.T) {
	srv := start(t, map[string]dnstest.Mode{"recipient.example": dnstest.Truncate})
	r := newResolver(t, srv, Config{})
	got := r.MX(context.Background(), "recipient.example")
	if got.Err != nil || len(got.Hosts) != 2 {
		t.Fatalf("MX over TCP = %v", got)
	}
	if u, tc := srv.QueriesNet("recipient.example", dns.TypeMX, "udp"), srv.QueriesNet("recipient.example", dns.TypeMX, "tcp"); u != 1 || tc != 1 {
		t.Errorf("queries udp=%d tcp=%d, want 1 and 1", u, tc)
	}
}

func TestAddrs(t *testing.T) {
	srv := start(t, nil)
	r := newResolver(t, srv, Config{})
	got := r.Addrs(context.Background(), "mx2.hosting.example")
	want := []netip.Addr{netip.MustParseAddr("198.51.100.25"), netip.MustParseAddr("2001:db8::25")}
	if got.Err != nil || !slices.Equal(got.Addrs, want) {
		t.Errorf("Addrs = %v (err %v), want %v", got.Addrs, got.Err, want)
	}
	if got := r.Addrs(context.Background(), "none.example"); !got.NXDomain || len(got.Addrs) != 0 {
		t.Errorf("Addrs(none.example) = %+v, want NXDOMAIN", got)
	}
}

func TestRelay(t *testing.T) {
	srv := start(t, map[string]dnstest.Mode{"servfail.example": dnstest.ServFail})
	r := newResolver(t, srv, Config{})
	ip := netip.MustParseAddr
	tests := []struct {
		name   string
		domain string
		host   Host
		side   Side
		by     string
		ev     string // substring of the evidence
	}{
		{"MX match by name", "recipient.example", Host{Name: "MX1.recipient.example."}, SideRecipient, "name",
			"MX recipient.example = mx1.recipient.example., mx2.hosting.example.; refusing host mx1.recipient.example is mx1.recipient.example."},
		{"MX mismatch", "recipient.example", Host{Name: "smtp.isp.example"}, SideSender, "",
			"MX recipient.example = mx1.recipient.example., mx2.hosting.example.; refusing host smtp.isp.example is not among them"},
		{"MX match by address only", "recipient.example", Host{IP: ip("198.51.100.25")}, SideRecipient, "address",
			"refusing host [198.51.100.25] is mx2.hosting.example. (198.51.100.25)"},
		{"MX match by IPv6 address, other name", "recipient.example", Host{Name: "out.hosting.example", IP: ip("2001:db8::25")}, SideRecipient, "address",
			"is mx2.hosting.example. (2001:db8::25)"},
		// Exchange-style: only the host's own name, which resolves to an MX host's address.
		{"MX match by the host's own address", "recipient.example", Host{Name: "host25.hosting.example"}, SideRecipient, "address",
			"refusing host host25.hosting.example resolves to 198.51.100.25, the address of mx2.hosting.example."},
		{"name only, resolves elsewhere", "recipient.example", Host{Name: "smtp2.isp.example"}, SideSender, "", "is not among them"},
		{"address not among MX", "recipient.example", Host{Name: "smtp.isp.example", IP: ip("203.0.113.9")}, SideSender, "",
			"refusing host smtp.isp.example [203.0.113.9] is not among them"},
		{"implicit MX by address", "implicit.example", Host{IP: ip("192.0.2.80")}, SideRecipient, "address",
			"is the implicit MX (RFC 5321 5.1); refusing host [192.0.2.80] is that address"},
		{"implicit MX mismatch", "implicit.example", Host{Name: "mx1.recipient.example"}, SideSender, "",
			"refusing host mx1.recipient.example is not it"},
		{"null MX decides nothing", "nullmx.example", Host{Name: "smtp.isp.example"}, SideUnknown, "", "null MX"},
		{"NXDOMAIN decides nothing", "gone.example", Host{Name: "smtp.isp.example"}, SideUnknown, "", "NXDOMAIN"},
		{"SERVFAIL decides nothing", "servfail.example", Host{Name: "smtp.isp.example"}, SideUnknown, "", "lookup failed"},
		{"unknown host", "recipient.example", Host{}, SideUnknown, "", "not known"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d, _ := r.Relay(context.Background(), tt.domain, tt.host)
			if d.Side != tt.side || d.By != tt.by || !strings.Contains(d.Evidence, tt.ev) {
				t.Errorf("Relay(%q, %v) = %v by %q %q, want %v by %q containing %q", tt.domain, tt.host, d.Side, d.By, d.Evidence, tt.side, tt.by, tt.ev)
			}
		})
	}
}

func TestDNSBL(t *testing.T) {
	srv := start(t, map[string]dnstest.Mode{"11.2.0.192.slow.example": dnstest.Silent})
	r := newResolver(t, srv, Config{Timeout: 150 * time.Millisecond})
	ctx := context.Background()
	ip := netip.MustParseAddr
	tests := []struct {
		name   string
		ip     string
		zone   string
		listed bool
		codes  string
		reason string
		err    error
	}{
		{"hit with TXT", "192.0.2.10", "bl.example", true, "127.0.0.2", "Listed for spam, see https://bl.example/lookup?ip=192.0.2.10", nil},
		{"mapped IPv4 asked as IPv4", "::ffff:192.0.2.10", "BL.example.", true, "127.0.0.2", "Listed for spam", nil},
		{"miss", "192.0.2.11", "bl.example", false, "", "", nil},
		{"IPv6 hit (nibbles)", "2001:db8::10", "bl.example", true, "127.0.0.4", "IPv6 listing", nil},
		{"IPv6 miss", "2001:db8::11", "bl.example", false, "", "", nil},
		{"list error code", "192.0.2.12", "bl.example", false, "", "", ErrListRefused},
		{"answer outside 127/8", "192.0.2.13", "bl.example", false, "", "", ErrBadListing},
		{"private address not asked", "10.1.2.3", "bl.example", false, "", "", ErrNotPublic},
		{"timeout", "192.0.2.11", "slow.example", false, "", "", ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := r.DNSBL(ctx, ip(tt.ip), tt.zone)
			if !errors.Is(l.Err, tt.err) || (tt.err == nil && l.Err != nil) {
				t.Fatalf("DNSBL(%s, %s).Err = %v, want %v", tt.ip, tt.zone, l.Err, tt.err)
			}
			if l.Listed != tt.listed || joinAddrs(l.Codes) != tt.codes || !strings.Contains(l.Reason, tt.reason) {
				t.Errorf("DNSBL(%s, %s) = %s, want listed=%v codes %q reason %q", tt.ip, tt.zone, l, tt.listed, tt.codes, tt.reason)
			}
		})
	}
	if n := srv.Queries("10.1.2.3.bl.example", dns.TypeA); n != 0 {
		t.Errorf("a private address was asked %d times", n)
	}
	if n := srv.Queries("11.2.0.192.bl.example", dns.TypeTXT); n != 0 {
		t.Errorf("TXT asked %d times for an address that is not listed", n)
	}
	ls := r.DNSBLs(ctx, ip("192.0.2.10"), []string{"bl.example", "other.example"})
	if len(ls) != 2 || !ls[0].Listed || ls[1].Listed || ls[1].Err != nil {
		t.Errorf("DNSBLs = %v", ls)
	}
	if got := ls[0].String(); got != "192.0.2.10 is listed on bl.example (127.0.0.2): Listed for spam, see https://bl.example/lookup?ip=192.0.2.10" {
		t.Errorf("Listing.String() = %q", got)
	}
}

func TestReverseName(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.10", "10.2.0.192.zen.example."}, // RFC 5782 2.1
		{"::ffff:192.0.2.10", "10.2.0.192.zen.example."},
		{"2001:db8:1:2:3:4:567:89ab", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.example."}, // RFC 5782 2.4
	}
	for _, tt := range tests {
		if got := ReverseName(netip.MustParseAddr(tt.ip), "zen.example."); got != tt.want {
			t.Errorf("ReverseName(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

// TestCacheTTL: an answer is asked once per TTL (the record's 10 s here,
// with a clock the test moves), and asked again after it expires.
func TestCacheTTL(t *testing.T) {
	srv := start(t, nil)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	r := newResolver(t, srv, Config{Now: clock, MinTTL: time.Second})
	ctx := context.Background()
	for range 3 {
		r.MX(ctx, "short.example")
	}
	if n := srv.Queries("short.example", dns.TypeMX); n != 1 {
		t.Fatalf("3 lookups within the TTL sent %d queries, want 1", n)
	}
	advance(9 * time.Second)
	r.MX(ctx, "short.example")
	if n := srv.Queries("short.example", dns.TypeMX); n != 1 {
		t.Fatalf("a lookup 9 s into a 10 s TTL sent a query (%d)", n)
	}
	advance(2 * time.Second)
	r.MX(ctx, "short.example")
	if n := srv.Queries("short.example", dns.TypeMX); n != 2 {
		t.Fatalf("a lookup after the TTL sent %d queries in all, want 2", n)
	}
	// A negative answer lives min(SOA TTL, MINIMUM) = 60 s (RFC 2308 5).
	r.MX(ctx, "gone.example")
	advance(59 * time.Second)
	r.MX(ctx, "gone.example")
	if n := srv.Queries("gone.example", dns.TypeMX); n != 1 {
		t.Fatalf("NXDOMAIN asked %d times within its negative TTL, want 1", n)
	}
	advance(2 * time.Second)
	r.MX(ctx, "gone.example")
	if n := srv.Queries("gone.example", dns.TypeMX); n != 2 {
		t.Fatalf("NXDOMAIN asked %d times after its negative TTL, want 2", n)
	}
	st := r.Stats()
	if st.Count(KindMX, ResultOK) != 2 || st.Count(KindMX, ResultNXDomain) != 2 || st.MemoryHits != 4 {
		t.Errorf("stats: ok=%d nxdomain=%d memory hits=%d, want 2, 2, 4", st.Count(KindMX, ResultOK), st.Count(KindMX, ResultNXDomain), st.MemoryHits)
	}
}

// TestFailureCached: a timeout is remembered for FailureTTL, so a dead
// resolver costs one timeout per name.
func TestFailureCached(t *testing.T) {
	srv := start(t, map[string]dnstest.Mode{"silent.example": dnstest.Silent})
	r := newResolver(t, srv, Config{Timeout: 100 * time.Millisecond})
	for range 3 {
		if m := r.MX(context.Background(), "silent.example"); !errors.Is(m.Err, ErrTimeout) {
			t.Fatalf("Err = %v, want a timeout", m.Err)
		}
	}
	if n := srv.Queries("silent.example", dns.TypeMX); n != 1 {
		t.Errorf("a silent name was asked %d times, want 1", n)
	}
	if got := r.Stats().Count(KindMX, ResultTimeout); got != 1 {
		t.Errorf("timeouts counted %d, want 1", got)
	}
}

// TestInFlightDedup: many callers asking the same question while it is in
// flight cause one query at the server.
func TestInFlightDedup(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: testZone, Delay: 100 * time.Millisecond})
	var lookups atomic.Int64
	r := newResolver(t, srv, Config{OnLookup: func(Lookup) { lookups.Add(1) }})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m := r.MX(context.Background(), "recipient.example"); len(m.Hosts) != 2 {
				t.Errorf("MX = %v", m)
			}
		}()
	}
	wg.Wait()
	if n := srv.Queries("recipient.example", dns.TypeMX); n != 1 {
		t.Errorf("20 concurrent lookups sent %d queries, want 1", n)
	}
	if st := r.Stats(); st.Coalesced+st.MemoryHits != 19 || lookups.Load() != 20 {
		t.Errorf("coalesced %d + memory hits %d, want 19; OnLookup called %d times, want 20", st.Coalesced, st.MemoryHits, lookups.Load())
	}
}

// TestCallerCancel: a caller whose context ends stops waiting; the lookup
// goes on for the others.
func TestCallerCancel(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: testZone, Delay: 200 * time.Millisecond})
	r := newResolver(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if m := r.MX(ctx, "recipient.example"); !errors.Is(m.Err, ErrTimeout) {
		t.Fatalf("Err = %v, want a timeout", m.Err)
	}
	if m := r.MX(context.Background(), "recipient.example"); len(m.Hosts) != 2 {
		t.Fatalf("second caller: %v", m)
	}
	if n := srv.Queries("recipient.example", dns.TypeMX); n != 1 {
		t.Errorf("%d queries, want 1", n)
	}
}

// TestSharedCache: a second resolver (another replica) sharing a Redis
// cache answers without asking the server.
func TestSharedCache(t *testing.T) {
	srv := start(t, nil)
	rs := redistest.Start(t)
	opt, err := redis.ParseURL(rs.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	shared := &RedisCache{Client: client, Prefix: rs.KeyPrefix() + "dns:"}
	a := newResolver(t, srv, Config{Shared: shared})
	b := newResolver(t, srv, Config{Shared: shared})
	ctx := context.Background()
	if m := a.MX(ctx, "recipient.example"); len(m.Hosts) != 2 {
		t.Fatalf("replica a: %v", m)
	}
	if m := b.MX(ctx, "recipient.example"); len(m.Hosts) != 2 || m.Hosts[0].Host != "mx1.recipient.example." {
		t.Fatalf("replica b: %v", m)
	}
	if m := b.MX(ctx, "gone.example"); !m.NXDomain {
		t.Fatalf("replica b: %v", m)
	}
	if m := a.MX(ctx, "gone.example"); !m.NXDomain {
		t.Fatalf("replica a, shared NXDOMAIN: %v", m)
	}
	if n := srv.Queries("recipient.example", dns.TypeMX) + srv.Queries("gone.example", dns.TypeMX); n != 2 {
		t.Errorf("two replicas sent %d queries, want 2", n)
	}
	if a.Stats().SharedHits != 1 || b.Stats().SharedHits != 1 {
		t.Errorf("shared hits a=%d b=%d, want 1 each", a.Stats().SharedHits, b.Stats().SharedHits)
	}
	// A Redis outage is counted and the server is asked instead.
	rs.Kill()
	c := newResolver(t, srv, Config{Shared: shared, SharedTimeout: 50 * time.Millisecond})
	if m := c.MX(ctx, "recipient.example"); len(m.Hosts) != 2 {
		t.Fatalf("with Redis down: %v", m)
	}
	if c.Stats().SharedErrors == 0 {
		t.Error("shared cache errors not counted")
	}
}

func TestNewErrors(t *testing.T) {
	for _, cfg := range []Config{{}, {Server: "127.0.0.1"}, {Server: "127.0.0.1:53", Timeout: -1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
	if _, err := New(Config{}); !errors.Is(err, ErrDisabled) {
		t.Errorf("New(no server) = %v, want ErrDisabled", err)
	}
}

func TestLRUBound(t *testing.T) {
	c := newLRU(2)
	exp := time.Now().Add(time.Hour)
	for _, k := range []string{"a", "b", "c"} {
		c.put(k, &answer{expires: exp})
	}
	if _, ok := c.get("a", time.Now()); ok {
		t.Error("the oldest entry survived past the bound")
	}
	if c.ll.Len() != 2 || len(c.items) != 2 {
		t.Errorf("%d entries, want 2", c.ll.Len())
	}
}

func TestCapUTF8(t *testing.T) {
	got := capUTF8("a\xffb\x01é"+strings.Repeat("é", 10), 8)
	if !strings.HasPrefix(got, "a\uFFFDb é") || len(got) > 8 || !utf8Valid(got) {
		t.Errorf("capUTF8 = %q", got)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "!") == s }
