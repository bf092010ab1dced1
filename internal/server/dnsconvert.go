package server

import (
	"context"

	"golang.org/x/net/idna"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

var relayMatches = map[classify.RelayMatch]pb.RelayMatch{
	classify.RelayAmongMX:  pb.RelayMatch_RELAY_MATCH_AMONG_MX,
	classify.RelayNotAmong: pb.RelayMatch_RELAY_MATCH_NOT_AMONG_MX,
}

var agreements = map[classify.Agreement]pb.DnsAgreement{
	classify.Agree:    pb.DnsAgreement_DNS_AGREEMENT_AGREE,
	classify.Disagree: pb.DnsAgreement_DNS_AGREEMENT_DISAGREE,
}

// dnsEvidenceProto is a verdict's DNS evidence on the wire; nil when none.
func dnsEvidenceProto(d *classify.DNSFacts) *pb.DnsEvidence {
	if d == nil {
		return nil
	}
	out := &pb.DnsEvidence{
		Domain:        text(d.Domain),
		MxRecords:     text(d.MX),
		MxHosts:       texts(d.MXHosts),
		Nxdomain:      d.NXDomain,
		NullMx:        d.NullMX,
		NoMailHost:    d.NoMailHost,
		RelayMatch:    relayMatches[d.Relay],
		RelayEvidence: text(d.RelayEvidence),
		SendingIp:     text(d.SendingIP),
		ListsChecked:  texts(d.Checked),
		Lookups:       texts(d.Lookups),
		FailedLookups: texts(d.Failed),
	}
	for _, l := range d.Listings {
		out.Listings = append(out.Listings, &pb.DnsblListing{Zone: text(l.Zone), Codes: texts(l.Codes), Reason: text(l.Reason)})
	}
	return out
}

// domainDNS looks domain up for GetDomainVerdict's check_dns and compares
// the answer with the remembered history; nil when the engine has no
// resolver.
func (s *Service) domainDNS(ctx context.Context, domain string, sum domaincache.Summary) *pb.DomainDnsCheck {
	if s.cfg.Engine == nil {
		return nil
	}
	// The memory keys domains in Unicode; DNS wants A-labels (RFC 5890).
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		ascii = domain
	}
	f, ok := s.cfg.Engine.CheckDomain(ctx, ascii)
	if !ok {
		return nil
	}
	a := classify.AssessDomain(sum.History())
	agree, why := classify.CompareDNS(sum.Total > 0, a.LooksDead, f)
	return &pb.DomainDnsCheck{
		MxHosts:         texts(f.MXHosts),
		MxRecords:       text(f.MX),
		Nxdomain:        f.NXDomain,
		NullMx:          f.NullMX,
		NoMailHost:      f.NoMailHost,
		FailedLookups:   texts(f.Failed),
		Agreement:       agreements[agree],
		AgreementReason: text(why),
	}
}
