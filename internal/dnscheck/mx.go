package dnscheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// MX is what DNS says about where a domain's mail goes (RFC 5321 5.1).
type MX struct {
	// Domain is the domain asked, lower case, without the final dot.
	Domain string
	// Hosts are the MX targets by preference (ties by name), fully
	// qualified with the final dot, as dig prints them. Empty for a null
	// MX, NXDOMAIN, a failure, or an implicit MX.
	Hosts []MXHost
	// Implicit is set when the domain has no MX records but has address
	// records: the domain itself is the mail host (RFC 5321 5.1); Addrs
	// holds its addresses.
	Implicit bool
	Addrs    []netip.Addr
	// NoMailHost is set when the domain exists but has neither MX nor
	// address records: no mail can be delivered to it.
	NoMailHost bool
	// Null is set for a null MX (RFC 7505 3: a single "0 ." record): the
	// domain declares that it accepts no mail.
	Null bool
	// NXDomain is set when the domain does not exist (RCODE 3).
	NXDomain bool
	// Err is the failure of a lookup (wrapping ErrTimeout, ErrServFail,
	// ErrRefused, ErrNetwork or ErrBadName), nil when DNS answered.
	Err error
}

// MXHost is one MX record's target.
type MXHost struct {
	Host       string
	Preference uint16
}

// Known reports whether DNS answered for the domain (no failure).
func (m MX) Known() bool { return m.Err == nil }

// HostNames returns the MX targets, fully qualified.
func (m MX) HostNames() []string {
	out := make([]string, len(m.Hosts))
	for i, h := range m.Hosts {
		out[i] = h.Host
	}
	return out
}

// String is the MX set as an administrator reads it: "MX example.com =
// mx1.example.net., mx2.example.net.".
func (m MX) String() string {
	switch {
	case m.Err != nil:
		return "MX " + m.Domain + ": lookup failed (" + m.Err.Error() + ")"
	case m.NXDomain:
		return "MX " + m.Domain + ": NXDOMAIN (the domain does not exist)"
	case m.Null:
		return "MX " + m.Domain + " = 0 . (null MX, RFC 7505: the domain accepts no mail)"
	case m.Implicit:
		return "MX " + m.Domain + ": none, its own address " + joinAddrs(m.Addrs) + " is the implicit MX (RFC 5321 5.1)"
	case m.NoMailHost:
		return "MX " + m.Domain + ": none, and no address record either (no mail host)"
	}
	return "MX " + m.Domain + " = " + strings.Join(m.HostNames(), ", ")
}

// MX looks up the mail exchangers of domain. With no MX records it looks up
// the domain's A and AAAA records (the implicit MX of RFC 5321 5.1).
func (r *Resolver) MX(ctx context.Context, domain string) MX {
	name, err := fqdn(domain)
	if err != nil {
		return MX{Domain: strings.ToLower(domain), Err: err}
	}
	out := MX{Domain: strings.TrimSuffix(name, ".")}
	a := r.query(ctx, KindMX, name, dns.TypeMX)
	switch a.result {
	case ResultNXDomain:
		out.NXDomain = true
		return out
	case ResultOK:
		null := false
		for _, rr := range a.records(dns.TypeMX) {
			mx := rr.(*dns.MX)
			t := strings.ToLower(mx.Mx)
			if t == "." {
				null = true
				continue
			}
			out.Hosts = append(out.Hosts, MXHost{Host: t, Preference: mx.Preference})
		}
		// QUIRK: RFC 7505 3 forbids other MX records beside a null MX;
		// when there are, the real hosts are used and the null one is
		// ignored, as senders do.
		if null && len(out.Hosts) == 0 {
			out.Null = true
			return out
		}
		slices.SortFunc(out.Hosts, func(x, y MXHost) int {
			return cmp.Or(cmp.Compare(x.Preference, y.Preference), strings.Compare(x.Host, y.Host))
		})
		out.Hosts = slices.Compact(out.Hosts)
		return out
	case ResultNoData:
		addrs := r.Addrs(ctx, name)
		switch {
		case addrs.Err != nil && len(addrs.Addrs) == 0:
			out.Err = addrs.Err
		case len(addrs.Addrs) > 0:
			out.Implicit, out.Addrs = true, addrs.Addrs
		default:
			out.NoMailHost = true
		}
		return out
	}
	out.Err = a.err
	return out
}

// Addrs are a host's addresses.
type Addrs struct {
	Host     string
	Addrs    []netip.Addr // A then AAAA, each in answer order
	NXDomain bool
	// Err is the failure of the A or AAAA lookup, nil when both answered.
	Err error
}

// Addrs looks up the A and AAAA records of host, both at once.
func (r *Resolver) Addrs(ctx context.Context, host string) Addrs {
	name, err := fqdn(host)
	if err != nil {
		return Addrs{Host: host, Err: err}
	}
	var a4, a6 *answer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a6 = r.query(ctx, KindAAAA, name, dns.TypeAAAA)
	}()
	a4 = r.query(ctx, KindA, name, dns.TypeA)
	wg.Wait()
	out := Addrs{Host: name}
	for _, rr := range a4.records(dns.TypeA) {
		if ip, ok := netip.AddrFromSlice(rr.(*dns.A).A.To4()); ok {
			out.Addrs = append(out.Addrs, ip)
		}
	}
	for _, rr := range a6.records(dns.TypeAAAA) {
		if ip, ok := netip.AddrFromSlice(rr.(*dns.AAAA).AAAA.To16()); ok {
			out.Addrs = append(out.Addrs, ip)
		}
	}
	out.NXDomain = a4.result == ResultNXDomain && a6.result != ResultOK
	out.Err = errors.Join(a4.err, a6.err)
	return out
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// Host is a host that refused a message: its name, its address, or both,
// as the bounce gives them.
type Host struct {
	Name string
	IP   netip.Addr
}

func (h Host) String() string {
	switch {
	case h.Name != "" && h.IP.IsValid():
		return strings.TrimSuffix(strings.ToLower(h.Name), ".") + " [" + h.IP.String() + "]"
	case h.Name != "":
		return strings.TrimSuffix(strings.ToLower(h.Name), ".")
	case h.IP.IsValid():
		return "[" + h.IP.String() + "]"
	}
	return "(unknown host)"
}

// Side is whose relay a refusing host is.
type Side int

const (
	SideUnknown   Side = iota // DNS cannot tell (failure, null MX, no host)
	SideRecipient             // one of the recipient domain's MX hosts
	SideSender                // not among them: the sender's relay
)

func (s Side) String() string {
	switch s {
	case SideRecipient:
		return "RECIPIENT"
	case SideSender:
		return "SENDER"
	}
	return "UNKNOWN"
}

// Decision is whether a refusing host is one of a domain's MX hosts, and
// the sentence that says which records decided it.
type Decision struct {
	Side Side
	// By is how the host was matched: "name" or "address", "" when not.
	By string
	// Evidence names the records: "MX example.com = mx1.example.net.,
	// mx2.example.net.; refusing host smtp.isp.example is not among them".
	Evidence string
	// AddrLookups names the hosts whose A/AAAA records Relay looked up to
	// decide ("A/AAAA mx1.example.net"); empty when the name decided.
	AddrLookups []string
}

// RelaySide decides whose relay a host that refused to relay for domain is,
// from the domain's MX set: one of the MX hosts (by name, or by address
// when addrs holds the MX hosts' addresses, keyed by fully qualified
// host name) means the recipient's own MX refused (RECIPIENT); not among
// them means the sender's relay or smarthost refused (SENDER). A null MX,
// NXDOMAIN, a failed lookup or an unknown host decide nothing. It does no
// I/O.
func RelaySide(h Host, mx MX, addrs map[string][]netip.Addr) Decision {
	name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h.Name)), ".")
	set := mx.String()
	switch {
	case name == "" && !h.IP.IsValid():
		return Decision{Evidence: set + "; the refusing host is not known"}
	case !mx.Known(), mx.NXDomain, mx.Null, mx.NoMailHost:
		return Decision{Evidence: set}
	}
	who := "refusing host " + h.String()
	if mx.Implicit {
		for _, a := range mx.Addrs {
			if h.IP.IsValid() && a == h.IP.Unmap() {
				return Decision{Side: SideRecipient, By: "address", Evidence: set + "; " + who + " is that address"}
			}
		}
		if name != "" && name == mx.Domain {
			return Decision{Side: SideRecipient, By: "name", Evidence: set + "; " + who + " is the domain itself"}
		}
		for _, a := range addrs[name+"."] {
			if slices.Contains(mx.Addrs, a) {
				return Decision{Side: SideRecipient, By: "address", Evidence: set + "; " + who + " resolves to " + a.String()}
			}
		}
		return Decision{Side: SideSender, Evidence: set + "; " + who + " is not it"}
	}
	for _, m := range mx.Hosts {
		if name != "" && strings.TrimSuffix(m.Host, ".") == name {
			return Decision{Side: SideRecipient, By: "name", Evidence: set + "; " + who + " is " + m.Host}
		}
	}
	if h.IP.IsValid() {
		ip := h.IP.Unmap()
		for _, m := range mx.Hosts {
			if slices.Contains(addrs[m.Host], ip) {
				return Decision{Side: SideRecipient, By: "address", Evidence: fmt.Sprintf("%s; %s is %s (%s)", set, who, m.Host, ip)}
			}
		}
	} else if name != "" {
		for _, ip := range addrs[name+"."] {
			for _, m := range mx.Hosts {
				if slices.Contains(addrs[m.Host], ip) {
					return Decision{Side: SideRecipient, By: "address", Evidence: fmt.Sprintf("%s; %s resolves to %s, the address of %s", set, who, ip, m.Host)}
				}
			}
		}
	}
	return Decision{Side: SideSender, Evidence: set + "; " + who + " is not among them"}
}

// Relay looks up domain's MX set and decides whose relay h is (RelaySide).
// When the host's name is not among the MX hosts and its address is
// known, the MX hosts' addresses (at most MaxMXHosts) are looked up too, so
// a host named by its own name rather than the MX record still matches.
// The lookups that failed are in the returned MX and the error (nil when
// none failed).
func (r *Resolver) Relay(ctx context.Context, domain string, h Host) (MX, Decision, error) {
	mx := r.MX(ctx, domain)
	if mx.Err != nil {
		return mx, RelaySide(h, mx, nil), mx.Err
	}
	d := RelaySide(h, mx, nil)
	if d.By != "" || d.Side != SideSender {
		return mx, d, nil
	}
	// Not among them by name: compare addresses. The MX hosts' addresses
	// when there are MX hosts; the refusing host's own addresses when the
	// bounce gives only its name (it may name itself differently from
	// the MX record, e.g. by its PTR).
	var names []string
	if len(mx.Hosts) > 0 {
		for _, m := range mx.Hosts[:min(len(mx.Hosts), MaxMXHosts)] {
			names = append(names, m.Host)
		}
	}
	if !h.IP.IsValid() && h.Name != "" {
		names = append(names, h.Name)
	}
	addrs := make(map[string][]netip.Addr, len(names))
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := r.Addrs(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			addrs[a.Host] = a.Addrs
			if a.Err != nil && !a.NXDomain {
				errs = append(errs, a.Err)
			}
		}()
	}
	wg.Wait()
	d = RelaySide(h, mx, addrs)
	for _, n := range names {
		d.AddrLookups = append(d.AddrLookups, "A/AAAA "+strings.TrimSuffix(strings.ToLower(n), "."))
	}
	return mx, d, errors.Join(errs...)
}
