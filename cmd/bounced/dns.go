package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/domaincache"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// DNSConfig is the DNS evidence of issue 11, off unless Server is set.
type DNSConfig struct {
	// Server is the resolver asked, HOST:PORT (BOUNCED_DNS_SERVER), e.g.
	// 127.0.0.53:53. Empty: no DNS lookups.
	Server string
	// Timeout bounds each lookup (BOUNCED_DNS_TIMEOUT).
	Timeout time.Duration
	// DNSBL lists the blocklist zones the sending IP is looked up in,
	// comma-separated (BOUNCED_DNSBL), e.g. zen.spamhaus.org.
	DNSBL string
}

// bindDNS registers the DNS flags, shared by serve and parse.
func bindDNS(fs *flag.FlagSet, c *DNSConfig, env *envErrors) {
	fs.StringVar(&c.Server, "dns-server", envOr("DNS_SERVER", ""), "resolver HOST:PORT for MX and blocklist evidence (e.g. 127.0.0.53:53); empty = no DNS")
	fs.DurationVar(&c.Timeout, "dns-timeout", env.duration("DNS_TIMEOUT", dnscheck.DefaultTimeout), "bound on each DNS lookup")
	fs.StringVar(&c.DNSBL, "dnsbl", envOr("DNSBL", ""), "DNS blocklist zones for the sending IP, comma-separated (e.g. zen.spamhaus.org); needs --dns-server")
}

// zones returns the DNSBL zones, lower case, without empty entries.
func (c DNSConfig) zones() []string {
	var out []string
	for _, z := range strings.Split(c.DNSBL, ",") {
		if z = strings.Trim(strings.ToLower(strings.TrimSpace(z)), "."); z != "" {
			out = append(out, z)
		}
	}
	return out
}

// check validates the DNS settings.
func (c DNSConfig) check() error {
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("%w: --dns-timeout must be positive", errUsage)
	case c.Server == "" && len(c.zones()) > 0:
		return fmt.Errorf("%w: --dnsbl needs --dns-server", errUsage)
	case c.Server == "":
		return nil
	}
	if _, err := dnscheck.New(dnscheck.Config{Server: c.Server}); err != nil {
		return fmt.Errorf("%w: --dns-server: %v", errUsage, err)
	}
	for _, z := range c.zones() {
		if strings.ContainsAny(z, " /:@[]") || strings.IndexByte(z, '.') < 0 {
			return fmt.Errorf("%w: --dnsbl: %q is not a DNS zone", errUsage, z)
		}
	}
	return nil
}

// apply configures the engine's DNS evidence. With a Redis domain cache,
// DNS answers are shared there too (keys <prefix>:dns:{question}).
func (c DNSConfig) apply(cfg *bounce.Config, store domaincache.Store) (*dnscheck.Resolver, error) {
	if c.Server == "" {
		return nil, nil
	}
	rc := dnscheck.Config{Server: c.Server, Timeout: c.Timeout}
	if r, ok := store.(*domaincache.Redis); ok {
		rc.Shared = &dnscheck.RedisCache{Client: r.Client(), Prefix: r.KeyPrefix() + ":dns:"}
	}
	r, err := dnscheck.New(rc)
	if err != nil {
		return nil, fmt.Errorf("%w: --dns-server: %v", errUsage, err)
	}
	cfg.DNS, cfg.DNSBL = r, c.zones()
	// All lookups of a message run at once; MX then the MX hosts'
	// addresses is the longest chain.
	cfg.DNSBudget = 2 * c.Timeout
	return r, nil
}

// printDNS writes a recipient's DNS evidence in the text format: the
// records that decided, the listings, and the lookups that failed.
func printDNS(field func(indent, name, value string), d *pb.DnsEvidence) {
	if d == nil {
		return
	}
	if v := d.GetRelayEvidence(); v != "" {
		field("    ", "dns", v)
	} else {
		field("    ", "dns", d.GetMxRecords())
	}
	for _, l := range d.GetListings() {
		v := d.GetSendingIp() + " listed on " + l.GetZone() + " (" + strings.Join(l.GetCodes(), ", ") + ")"
		if l.GetReason() != "" {
			v += ": " + l.GetReason()
		}
		field("    ", "dnsbl", v)
	}
	if f := d.GetFailedLookups(); len(f) > 0 {
		field("    ", "dns failed", strings.Join(f, "; "))
	}
}
