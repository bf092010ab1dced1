package dsn

import (
	"strings"

	"golang.org/x/net/idna"
)

// normalizeAddress cleans an address as bounces write it: "rfc822;"
// prefixes, angle brackets, quotes, comments, "mailto:", trailing dots and
// punctuation, and source routes ("@relay.example:user@example.org", RFC
// 5321 section 4.1.1.3 and Appendix C: the route is to be ignored). The
// domain is lower-cased and an internationalised domain is written in
// A-labels (RFC 5890 section 2.3.2.1: "xn--bcher-kva.example"), the form a
// sender's list holds and DNS uses; DomainUnicode gives the U-label form.
// A quoted local part keeps its quotes only when it is not a dot-atom (RFC
// 5321 section 4.1.2: "neko..nyaan"@example.org). It returns "" when no
// addr-spec is left.
func normalizeAddress(s string) string {
	s = strings.TrimSpace(s)
	if t, rest, ok := strings.Cut(s, ";"); ok && !strings.Contains(t, "@") {
		s = strings.TrimSpace(rest) // "rfc822; a@b", "utf-8; a@b"
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		} else {
			s = s[i+1:]
		}
	}
	// Drop comments: "a@b (Mailbox full)".
	if i := strings.IndexByte(s, '('); i > 0 && !strings.Contains(s[:i], `"`) {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 7 && s[0]|0x20 == 'm' && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	s = stripSourceRoute(s)
	s = setAddrTrimRight.trimRight(s)
	s = setAddrTrimLeft.trimLeft(s)
	for len(s) > 1 && (s[0] == '\'' || s[0] == '`' || s[0] == '"' && s[len(s)-1] == '"') {
		// 'a@b', "a@b": quotes around the whole address.
		s = setAddrQuotes.trim(s)
	}
	s = setAddrTail.trimRight(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return ""
	}
	local, domain := s[:at], toLower(s[at+1:])
	if setDomainBad.containsAny(domain) {
		return ""
	}
	if strings.HasPrefix(local, `"`) && strings.HasSuffix(local, `"`) && len(local) > 1 {
		if inner := local[1 : len(local)-1]; dotAtom(inner) {
			local = inner
		}
	} else if setSpaceTab.containsAny(local) {
		// "User Name user@example.com": keep the last word.
		local = local[setSpaceTab.lastIndexAny(local)+1:]
	}
	if strings.HasPrefix(local, `"`) != strings.HasSuffix(local, `"`) || len(local) == 1 {
		local = strings.Trim(local, `"`) // a stray quote
	}
	if local == "" {
		return ""
	}
	domain = aLabels(domain)
	if local == s[:at] && domain == s[at+1:] {
		return s // already normal: no copy
	}
	return local + "@" + domain
}

// stripSourceRoute drops an RFC 5321 source route from a path:
// "@a.example,@b.example:user@c.example" gives "user@c.example".
//
//	Path = "<" [ A-d-l ":" ] Mailbox ">"   ; RFC 5321 section 4.1.2
//	A-d-l = At-domain *( "," At-domain )
func stripSourceRoute(s string) string {
	if len(s) < 2 || s[0] != '@' {
		return s
	}
	i := strings.IndexByte(s, ':')
	if i < 0 || strings.IndexByte(s[i+1:], '@') < 0 {
		return s
	}
	for hop := range strings.SplitSeq(s[:i], ",") {
		hop = strings.TrimSpace(hop)
		if len(hop) < 2 || hop[0] != '@' || !validHostChars(toLower(hop[1:])) {
			return s
		}
	}
	return s[i+1:]
}

// aLabels writes a lower-case domain in A-labels (RFC 5890): a U-label
// domain ("bücher.example") becomes "xn--bcher-kva.example". A domain that
// does not convert is kept as written.
func aLabels(domain string) string {
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return domain
	}
	if a, err := idna.ToASCII(domain); err == nil && a != "" {
		return a
	}
	return domain
}

// DomainUnicode returns the recipient's domain in U-labels (RFC 5890),
// for display: "xn--bcher-kva.example" gives "bücher.example".
func (r Recipient) DomainUnicode() string {
	d := r.Domain()
	if !strings.Contains(d, "xn--") {
		return d
	}
	if u, err := idna.ToUnicode(d); err == nil {
		return u
	}
	return d
}

// dotAtom reports whether s is a dot-atom (RFC 5322 section 3.2.3): atext
// runs separated by single dots. Bytes above 0x7f count as atext (RFC
// 6532 section 3.2).
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			setAtomSpecials[c] {
			continue
		}
		return false
	}
	return true
}

// verpRecipient decodes the first VERP address among the bounce's own
// recipient headers: the local part ends in "+user=domain" or
// "-user=domain" (qmail and most ESPs: "bounces+alice=example.com@esp",
// "bounce-alice=example.com@esp"). Sender-rewriting schemes that put an
// address of the sender there (SRS "SRS0=...", BATV "prvs=...") are not
// VERP and are skipped.
func verpRecipient(values ...string) string {
	for _, v := range values {
		if strings.IndexByte(v, '=') < 0 {
			continue // VERP needs "user=domain"; normalizeAddress adds no '='
		}
		for a := range strings.SplitSeq(v, ",") {
			if r := verpDecode(normalizeAddress(a)); r != "" {
				return r
			}
		}
	}
	return ""
}

// verpDecode returns the recipient encoded in one VERP address, or "".
func verpDecode(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 {
		return ""
	}
	local := a[:at]
	l := toLower(local)
	for _, p := range []string{"srs0=", "srs1=", "prvs=", "msprvs1=", "btv1=", "batv="} {
		if strings.HasPrefix(l, p) {
			return ""
		}
	}
	eq := strings.LastIndexByte(local, '=')
	if eq < 0 {
		return ""
	}
	domain := toLower(local[eq+1:])
	if !strings.Contains(domain, ".") || !validHostChars(domain) || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return ""
	}
	head := local[:eq]
	// The user starts after the first '+' (the qmail and Postfix extension
	// delimiter), else after the first '-'.
	i := strings.IndexByte(head, '+')
	if i < 0 {
		i = strings.IndexByte(head, '-')
	}
	if i < 0 || i == len(head)-1 {
		return ""
	}
	user := head[i+1:]
	if strings.ContainsAny(user, "=@ ") {
		return ""
	}
	return normalizeAddress(user + "@" + domain)
}
