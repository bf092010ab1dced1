package explain

import (
	"fmt"
	"strings"

	"github.com/bounced/bounced/internal/classify"
)

// domainWords are one language's words for a domain assessment: fmt
// formats, one clause a line, joined in this order.
type domainWords struct {
	none      string // %s domain
	summary   string // %s domain, %d bounces, %d distinct senders
	between   string // %s first seen, %s last seen (YYYY-MM-DD)
	mostly    string // %s reason, %.0f share, %s side, %.0f share
	dead      string // %d dead-domain bounces, %d bounces
	misconf   string // %d relay denials, %d distinct senders
	sides     map[classify.Side]string
	anyDomain string // for an assessment without a domain name
}

var domainWordsByLang = map[string]*domainWords{
	"en": {
		none:    "%s: no history",
		summary: "%s: %d bounces from %d distinct senders",
		between: " between %s and %s",
		mostly:  "; mostly %s (%.0f%%), %s side (%.0f%%)",
		dead:    "; looks dead: %d of %d bounces say the domain does not exist or accepts no mail",
		misconf: "; looks misconfigured: its MX denied relaying %d times to %d distinct senders, " +
			"so it does not accept mail for the domain",
		sides: map[classify.Side]string{
			classify.SideSender:    "sender",
			classify.SideRecipient: "recipient",
			classify.SideNetwork:   "network",
			classify.SideUnknown:   "unknown",
		},
		anyDomain: "domain",
	},
	"fr": {
		none:    "%s : aucun historique",
		summary: "%s : %d rejets venant de %d expéditeurs distincts",
		between: " entre le %s et le %s",
		mostly:  " ; surtout %s (%.0f %%), côté %s (%.0f %%)",
		dead:    " ; semble mort : %d rejets sur %d disent que le domaine n'existe pas ou n'accepte aucun courrier",
		misconf: " ; semble mal configuré : son MX a refusé de relayer %d fois pour %d expéditeurs distincts, " +
			"il n'accepte donc pas le courrier du domaine",
		sides: map[classify.Side]string{
			classify.SideSender:    "expéditeur",
			classify.SideRecipient: "destinataire",
			classify.SideNetwork:   "réseau",
			classify.SideUnknown:   "inconnu",
		},
		anyDomain: "domaine",
	},
}

// Domain puts a domain assessment (classify.AssessDomain) into one line
// for people, with the numbers behind it, in the language of the BCP 47
// tag lang (English when none fits). Reason names stay the vocabulary's.
func Domain(a classify.DomainAssessment, lang string) string {
	w := domainWordsByLang[pickLang(lang).tag]
	if w == nil {
		w = domainWordsByLang["en"]
	}
	name := a.Domain
	if name == "" {
		name = w.anyDomain
	}
	if a.Total <= 0 {
		return fmt.Sprintf(w.none, name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, w.summary, name, a.Total, a.DistinctSenders)
	if !a.FirstSeen.IsZero() {
		fmt.Fprintf(&b, w.between, a.FirstSeen.Format("2006-01-02"), a.LastSeen.Format("2006-01-02"))
	}
	side := w.sides[a.DominantSide]
	if side == "" {
		side = string(a.DominantSide)
	}
	fmt.Fprintf(&b, w.mostly, a.DominantReason, 100*a.DominantShare, side, 100*a.DominantSideShare)
	if a.LooksDead {
		fmt.Fprintf(&b, w.dead, a.DeadCount, a.Total)
	}
	if a.LooksMisconfigured {
		fmt.Fprintf(&b, w.misconf, a.RelayDenials, a.DistinctSenders)
	}
	return b.String()
}
