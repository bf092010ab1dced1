package bounce

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/dsn"
)

// Limits of the DNS evidence of one message.
const (
	// DefaultDNSBudget bounds all DNS lookups of one message together.
	DefaultDNSBudget = time.Second
	// MaxDNSDomains is the most recipient domains looked up per message,
	// and MaxDNSPairs the most (domain, refusing host) pairs matched; the
	// other recipients get no DNS evidence.
	MaxDNSDomains = 16
	MaxDNSPairs   = 32
)

// dnsFacts looks up, once per message and concurrently, the MX set of every
// failed or delayed recipient's domain (with the refusing host matched
// against it) and, when some refusal looks like a block
// (classify.BlocklistRelevant without DNS), the sending IP on every
// configured blocklist, within the DNS budget. It returns the facts per recipient index; nil when no
// resolver is configured. A failed lookup is named in the facts, never an
// error.
func (e *Engine) dnsFacts(ctx context.Context, rep *dsn.Report) []*classify.DNSFacts {
	r := e.cfg.DNS
	if r == nil || (rep.Kind != dsn.KindBounce && rep.Kind != dsn.KindDelay) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.DNSBudget)
	defer cancel()

	type pair struct{ domain, host string }
	type relay struct {
		mx  dnscheck.MX
		d   dnscheck.Decision
		err error
	}
	pairs := map[pair]*relay{}
	domains := map[string]bool{}
	hostOf := make([]dnscheck.Host, len(rep.Recipients))
	for i := range rep.Recipients {
		rc := &rep.Recipients[i]
		if rc.Action != dsn.ActionFailed && rc.Action != dsn.ActionDelayed {
			continue
		}
		d := strings.ToLower(rc.Domain())
		if d == "" || (!domains[d] && len(domains) >= MaxDNSDomains) {
			continue
		}
		hostOf[i] = refusingHost(rep, rc)
		p := pair{d, hostOf[i].String()}
		if _, seen := pairs[p]; !seen && len(pairs) >= MaxDNSPairs {
			continue
		}
		domains[d] = true
		pairs[p] = nil
	}
	ip, _ := netip.ParseAddr(rep.SendingIP)
	zones := e.cfg.DNSBL
	if !dnscheck.IsPublic(ip) || !blockLike(rep) {
		zones = nil
	}

	// The lookups run at once, one per distinct (domain, refusing host).
	keys := make([]pair, 0, len(pairs))
	for p := range pairs {
		keys = append(keys, p)
	}
	results := make([]relay, len(keys))
	lookup := func(k int, p pair) {
		var h dnscheck.Host
		for i := range rep.Recipients {
			if hostOf[i].String() == p.host {
				h = hostOf[i]
				break
			}
		}
		// The resolver keeps no view of the names (its cache keys are
		// strings of its own, dnscheck's query): the Result's memory may
		// be reused once released (TestParseKeepsNoViewOfRaw counts the
		// queries).
		mx, d, err := r.Relay(ctx, p.domain, h)
		results[k] = relay{mx, d, err}
	}
	var wg sync.WaitGroup
	for k, p := range keys {
		if len(keys) == 1 && len(zones) == 0 {
			lookup(k, p) // the common case needs no goroutine
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lookup(k, p)
		}()
	}
	var listings []dnscheck.Listing
	if len(zones) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listings = r.DNSBLs(ctx, ip, zones)
		}()
	}
	wg.Wait()
	for k, p := range keys {
		pairs[p] = &results[k]
	}

	var bl classify.DNSFacts
	if len(zones) > 0 {
		bl.SendingIP = ip.String()
		for _, l := range listings {
			bl.Lookups = append(bl.Lookups, "DNSBL "+ip.String()+" "+l.Zone)
			switch {
			case l.Err != nil:
				bl.Failed = append(bl.Failed, "DNSBL "+l.Zone+" for "+ip.String()+": "+l.Err.Error())
			case l.Listed:
				codes := make([]string, len(l.Codes))
				for i, c := range l.Codes {
					codes[i] = c.String()
				}
				bl.Listings = append(bl.Listings, classify.Listing{Zone: l.Zone, Codes: codes, Reason: l.Reason})
				bl.Checked = append(bl.Checked, l.Zone)
			default:
				bl.Checked = append(bl.Checked, l.Zone)
			}
		}
	}

	out := make([]*classify.DNSFacts, len(rep.Recipients))
	for i := range rep.Recipients {
		d := strings.ToLower(rep.Recipients[i].Domain())
		rl := pairs[pair{d, hostOf[i].String()}]
		if rl == nil {
			continue
		}
		f := bl // the blocklist facts are the message's, shared by all
		f.Listings, f.Checked = clone(bl.Listings), clone(bl.Checked)
		f.Lookups = append(append([]string{"MX " + rl.mx.Domain}, rl.d.AddrLookups...), bl.Lookups...)
		f.Failed = clone(bl.Failed)
		f.Domain = rl.mx.Domain
		f.MX = rl.mx.String()
		f.MXHosts = rl.mx.HostNames()
		f.NXDomain, f.NullMX, f.NoMailHost = rl.mx.NXDomain, rl.mx.Null, rl.mx.NoMailHost
		if rl.mx.Err != nil {
			f.Failed = append(f.Failed, "MX "+rl.mx.Domain+": "+rl.mx.Err.Error())
		} else if rl.err != nil {
			f.Failed = append(f.Failed, "addresses for "+rl.mx.Domain+": "+rl.err.Error())
		}
		switch rl.d.Side {
		case dnscheck.SideRecipient:
			f.Relay = classify.RelayAmongMX
		case dnscheck.SideSender:
			f.Relay = classify.RelayNotAmong
		}
		f.RelayEvidence = rl.d.Evidence
		out[i] = &f
	}
	return out
}

// blockLike reports whether a failed recipient's verdict without DNS (of
// the first MaxDNSDomains recipients) is one a blocklist listing could
// explain: public lists have query quotas,
// so they are not asked about every bounce.
func blockLike(rep *dsn.Report) bool {
	for i := 0; i < len(rep.Recipients) && i < MaxDNSDomains; i++ {
		rc := &rep.Recipients[i]
		if (rc.Action == dsn.ActionFailed || rc.Action == dsn.ActionDelayed) && classify.BlocklistRelevant(classify.Classify(rep, rc, nil)) {
			return true
		}
	}
	return false
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// refusingHost is the host that refused rc, by name and address, as dsn
// read it.
func refusingHost(rep *dsn.Report, rc *dsn.Recipient) dnscheck.Host {
	var h dnscheck.Host
	name, ip := dsn.RefusingHost(rep, rc)
	h.Name = name
	h.IP, _ = netip.ParseAddr(ip)
	return h
}

// CheckDomain looks at a domain's MX set now (within the DNS budget, from
// the resolver's TTL-bound cache when it holds the answer), for
// GetDomainVerdict's check_dns. ok is false when no resolver is configured.
func (e *Engine) CheckDomain(ctx context.Context, domain string) (facts *classify.DNSFacts, ok bool) {
	if e.cfg.DNS == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.DNSBudget)
	defer cancel()
	mx, _, _ := e.cfg.DNS.Relay(ctx, domain, dnscheck.Host{})
	f := &classify.DNSFacts{Domain: mx.Domain, MX: mx.String(), MXHosts: mx.HostNames(),
		NXDomain: mx.NXDomain, NullMX: mx.Null, NoMailHost: mx.NoMailHost, Lookups: []string{"MX " + mx.Domain}}
	if mx.Err != nil {
		f.Failed = []string{"MX " + mx.Domain + ": " + mx.Err.Error()}
	}
	return f, true
}
