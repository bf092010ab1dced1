package dsn

import (
	"strings"

	"golang.org/x/net/idna"
)

// normalizeAddress cleans an address as bounces write it: "rfc822;"
// prefixes, angle brackets, quotes, comments, "mailto:", trailing dots and
// punctuation. The domain is lower-cased and IDNA A-labels are turned into
// Unicode (RFC 5890). It returns "" when no addr-spec is left.
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
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	s = strings.Trim(s, `"'`+"`")
	s = strings.TrimRight(s, ".,;:>]) \t")
	s = strings.TrimLeft(s, "<[( \t")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return ""
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if strings.ContainsAny(domain, " \t<>@,;") {
		return ""
	}
	// QUIRK: a quoted local part "\"john doe\"@example.com" keeps its quotes only when needed.
	if strings.HasPrefix(local, `"`) && strings.HasSuffix(local, `"`) && !strings.ContainsAny(local[1:len(local)-1], ` "(),:;<>@[\]`) {
		local = local[1 : len(local)-1]
	}
	if strings.ContainsAny(local, " \t") && !strings.HasPrefix(local, `"`) {
		// "User Name user@example.com": keep the last word.
		if i := strings.LastIndexAny(local, " \t"); i >= 0 {
			local = local[i+1:]
		}
	}
	if local == "" {
		return ""
	}
	if strings.Contains(domain, "xn--") {
		if u, err := idna.ToUnicode(domain); err == nil {
			domain = u
		}
	}
	return local + "@" + domain
}
