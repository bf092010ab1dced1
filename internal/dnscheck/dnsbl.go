package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Errors of a DNSBL lookup.
var (
	// ErrNotPublic: the address is private, loopback, link-local,
	// multicast or unspecified; no list publishes those.
	ErrNotPublic = errors.New("dnscheck: not a public address")
	// ErrListRefused: the list answered with one of its error codes
	// (127.255.255.0/24, Spamhaus: "query via public/open resolver",
	// "excessive number of queries") instead of a listing.
	ErrListRefused = errors.New("dnscheck: the list refused the query")
	// ErrBadListing: the answer is outside 127.0.0.0/8 (RFC 5782 2.1),
	// typically a resolver that rewrites NXDOMAIN; it is no listing.
	ErrBadListing = errors.New("dnscheck: DNSBL answer outside 127.0.0.0/8")
)

// MaxReasonBytes caps the TXT reason kept from a listing.
const MaxReasonBytes = 512

// Listing is what one DNSBL zone says about an address.
type Listing struct {
	Zone string     // lower case, no final dot
	IP   netip.Addr // the address asked
	// Listed is set when the zone answered with an address in 127.0.0.0/8
	// other than its error codes (RFC 5782 2.1).
	Listed bool
	// Codes are the A answers (127.0.0.2 ...), each list's own meaning.
	Codes []netip.Addr
	// Reason is the TXT record of the listing (RFC 5782 2.1), joined and
	// capped at MaxReasonBytes; empty when there is none.
	Reason string
	// Err is the failure of the lookup, nil when the zone answered
	// (listed or not).
	Err error
}

// String is the listing as an administrator reads it.
func (l Listing) String() string {
	switch {
	case l.Err != nil:
		return l.IP.String() + " on " + l.Zone + ": lookup failed (" + l.Err.Error() + ")"
	case !l.Listed:
		return l.IP.String() + " is not listed on " + l.Zone
	}
	s := l.IP.String() + " is listed on " + l.Zone + " (" + joinAddrs(l.Codes) + ")"
	if l.Reason != "" {
		s += ": " + l.Reason
	}
	return s
}

// ReverseName returns the name to ask zone about ip (RFC 5782 2.1, 2.4):
// IPv4 octets reversed ("10.2.0.192.zen.example." for 192.0.2.10), IPv6
// nibbles reversed. An IPv4-mapped IPv6 address is asked as IPv4.
func ReverseName(ip netip.Addr, zone string) string {
	ip = ip.Unmap()
	var b strings.Builder
	if ip.Is4() {
		a := ip.As4()
		fmt.Fprintf(&b, "%d.%d.%d.%d.", a[3], a[2], a[1], a[0])
	} else {
		a := ip.As16()
		const hex = "0123456789abcdef"
		for i := len(a) - 1; i >= 0; i-- {
			b.WriteByte(hex[a[i]&0xf])
			b.WriteByte('.')
			b.WriteByte(hex[a[i]>>4])
			b.WriteByte('.')
		}
	}
	b.WriteString(strings.TrimSuffix(strings.ToLower(zone), "."))
	b.WriteByte('.')
	return b.String()
}

// IsPublic reports whether ip may be on a public blocklist: not private,
// loopback, link-local, multicast or unspecified.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() && !ip.IsInterfaceLocalMulticast()
}

// DNSBL looks ip up in zone: the A record of the reversed name, and when
// listed, its TXT reason.
func (r *Resolver) DNSBL(ctx context.Context, ip netip.Addr, zone string) Listing {
	ip = ip.Unmap()
	out := Listing{Zone: strings.TrimSuffix(strings.ToLower(strings.TrimSpace(zone)), "."), IP: ip}
	if !IsPublic(ip) {
		out.Err = fmt.Errorf("%w: %s", ErrNotPublic, ip)
		return out
	}
	name, err := fqdn(ReverseName(ip, out.Zone))
	if err != nil || out.Zone == "" {
		out.Err = fmt.Errorf("%w: DNSBL zone %q", ErrBadName, clip(zone))
		return out
	}
	a := r.query(ctx, KindDNSBL, name, dns.TypeA)
	switch a.result {
	case ResultNXDomain, ResultNoData:
		return out
	case ResultOK:
	default:
		out.Err = a.err
		return out
	}
	var refused []string
	for _, rr := range a.records(dns.TypeA) {
		code, ok := netip.AddrFromSlice(rr.(*dns.A).A.To4())
		if !ok {
			continue
		}
		b := code.As4()
		switch {
		case b[0] != 127:
			out.Err = fmt.Errorf("%w: %s", ErrBadListing, code)
			return out
		case b[1] == 255 && b[2] == 255:
			refused = append(refused, code.String())
		default:
			out.Codes = append(out.Codes, code)
		}
	}
	if len(out.Codes) == 0 {
		if len(refused) > 0 {
			out.Err = fmt.Errorf("%w: %s answered %s", ErrListRefused, out.Zone, strings.Join(refused, ", "))
		}
		return out
	}
	out.Listed = true
	t := r.query(ctx, KindDNSBLTXT, name, dns.TypeTXT)
	var parts []string
	for _, rr := range t.records(dns.TypeTXT) {
		parts = append(parts, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	out.Reason = capUTF8(strings.Join(parts, "; "), MaxReasonBytes)
	return out
}

// DNSBLs looks ip up in every zone at once; the listings are in zone order.
func (r *Resolver) DNSBLs(ctx context.Context, ip netip.Addr, zones []string) []Listing {
	out := make([]Listing, len(zones))
	var wg sync.WaitGroup
	for i, z := range zones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = r.DNSBL(ctx, ip, z)
		}()
	}
	wg.Wait()
	return out
}

// capUTF8 returns s as valid UTF-8, without control characters, at most n
// bytes long (TXT strings are arbitrary octets, RFC 1035 3.3.14).
func capUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && (s[i]&0xC0) == 0x80 {
		i--
	}
	return s[:i]
}
