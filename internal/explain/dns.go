package explain

import (
	"strings"

	"github.com/bounced/bounced/internal/classify"
)

// dnsWords are the sentences that tell the DNS evidence of a verdict
// (issue 11), per language. %s-free on purpose: the facts are appended.
type dnsWords struct {
	checked    string // before the records that decided: "DNS check: "
	listed     string // "Your server " IP " is listed on " zones
	listedOn   string
	delist     string // ": remove the cause, then request delisting."
	listSays   string // " The list says: "
	notListed1 string // "The refusal names a blocklist, but " IP
	notListed2 string // " is not listed (any more) on " zones
	notListed3 string // ": it was probably delisted since; ..."
	failed     string // "DNS lookups that failed, so nothing was concluded from them: "
}

var dnsText = map[string]*dnsWords{
	"en": {
		checked:    "DNS check: ",
		listed:     "Your server ",
		listedOn:   " is listed on ",
		delist:     ": remove the cause (an infected machine, an open relay, a form that sends to anyone, a bad list), then request delisting on the list's website.",
		listSays:   " The list says: ",
		notListed1: "The refusal names a blocklist, but ",
		notListed2: " is not listed (any more) on ",
		notListed3: ": it was probably delisted since. Send again; if the refusal comes back, ask the receiving server's administrator which list they use.",
		failed:     "DNS lookups that failed, so nothing was concluded from them: ",
	},
	"fr": {
		checked:    "Vérification DNS : ",
		listed:     "Votre serveur ",
		listedOn:   " est inscrit sur la liste de blocage ",
		delist:     " : supprimez la cause (machine infectée, relais ouvert, formulaire qui envoie à n'importe qui, liste d'adresses douteuse), puis demandez le retrait sur le site de la liste.",
		listSays:   " La liste indique : ",
		notListed1: "Le refus cite une liste de blocage, mais ",
		notListed2: " n'est pas (ou plus) inscrit sur ",
		notListed3: " : il en a sans doute été retiré depuis. Renvoyez le message ; si le refus revient, demandez à l'administrateur du serveur destinataire quelle liste il utilise.",
		failed:     "Requêtes DNS en échec, dont rien n'a été conclu : ",
	},
}

// addDNS tells the DNS evidence of v: the records that decided whose side
// a relay denial is on or that the domain cannot receive mail (in what
// happened), the sending IP's listings as the first step, a list named by
// the refusal that no longer lists the IP, and, for administrators, the
// lookups that failed.
func addDNS(e *Explanation, v classify.Verdict, l *lang) {
	d := v.DNS
	if d == nil {
		return
	}
	w := dnsText[l.tag]
	if w == nil {
		w = dnsText["en"]
	}
	var what []string
	switch {
	case d.DeadDomain() && v.Reason == classify.HostUnknown:
		what = append(what, w.checked+d.MX+".")
	case v.Reason == classify.NoRelaying && d.Relay != classify.RelayUnknown && d.RelayEvidence != "" && e.Audience != EndUser:
		// The records are for whoever relays them to an administrator;
		// the end user's text already says whose side acts.
		what = append(what, w.checked+d.RelayEvidence+".")
	}
	var steps []string
	if len(d.Listings) > 0 {
		zones := make([]string, len(d.Listings))
		for i, li := range d.Listings {
			zones[i] = li.Zone
		}
		s := w.listed + d.SendingIP + w.listedOn + strings.Join(zones, ", ") + w.delist
		if e.Audience == Admin && d.Listings[0].Reason != "" {
			s += w.listSays + d.Listings[0].Reason
		}
		steps = append(steps, s)
	} else if d.SendingIP != "" && len(d.Checked) > 0 && d.NamedList != "" {
		steps = append(steps, w.notListed1+d.SendingIP+w.notListed2+strings.Join(d.Checked, ", ")+w.notListed3)
	}
	if e.Audience == Admin && len(d.Failed) > 0 {
		what = append(what, w.failed+strings.Join(d.Failed, "; ")+".")
	}
	if len(what) > 0 {
		e.WhatHappened = strings.TrimSpace(e.WhatHappened + " " + strings.Join(what, " "))
	}
	if len(steps) > 0 {
		e.Steps = append(steps, e.Steps...)
	}
}
