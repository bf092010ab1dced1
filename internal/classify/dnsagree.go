package classify

// Agreement is whether the domain memory and a DNS look at a domain tell
// the same story.
type Agreement int

const (
	AgreementUnknown Agreement = iota // no DNS answer, or no memory to compare
	Agree                             // both say the domain can, or both say it cannot, receive mail
	Disagree                          // one says it cannot receive mail, the other that it can
)

func (a Agreement) String() string {
	switch a {
	case Agree:
		return "agree"
	case Disagree:
		return "disagree"
	}
	return "unknown"
}

// CompareDNS compares what the memory concludes about a domain (looksDead:
// enough of its bounces said the domain does not exist or accepts no
// mail) with what DNS says now, and says why. A failed lookup or an empty
// memory compare to nothing. It is pure.
func CompareDNS(haveMemory, looksDead bool, d *DNSFacts) (Agreement, string) {
	switch {
	case d == nil || len(d.Failed) > 0 && !d.DeadDomain() && len(d.MXHosts) == 0:
		return AgreementUnknown, "DNS did not answer"
	case !haveMemory:
		return AgreementUnknown, "no bounces remembered for the domain"
	case looksDead && d.DeadDomain():
		return Agree, "the bounces and DNS both say the domain cannot receive mail (" + d.MX + ")"
	case looksDead:
		return Disagree, "the bounces say the domain cannot receive mail, but DNS now publishes a mail host (" + d.MX + "): it may have been fixed since"
	case d.DeadDomain():
		return Disagree, "DNS says the domain cannot receive mail (" + d.MX + "), which the remembered bounces do not show yet"
	}
	return Agree, "the domain has a mail host in DNS (" + d.MX + ") and the bounces do not say it is dead"
}
