package dsn

import (
	"net/netip"
	"strings"
)

// Where a sending IP was read (Report.SendingIPFrom).
const (
	SendingIPFromDiagnostic      = "diagnostic"        // the remote server's reply names the client's address
	SendingIPFromOriginatingIP   = "x-originating-ip"  // X-Originating-IP of the returned original
	SendingIPFromReceived        = "received"          // the returned original's first external Received hop
	SendingIPFromReceivedFromMTA = "received-from-mta" // the DSN's Received-From-MTA field (RFC 3464 2.2.4)
)

// MaxReceived is how many Received fields of the returned original are
// kept: the hops nearest the sender's outgoing server.
const MaxReceived = 8

// addReceivedInto keeps a Received field of the original (RFC 5321 4.4).
// The value is copied into arena (unfoldInto) when it is not nil.
func (o *Original) addReceivedInto(arena *strArena, v []byte) {
	if len(o.Received) < MaxReceived {
		o.Received = append(o.Received, unfoldInto(arena, v))
	}
}

// sendingIP returns the address of the server that sent the message to the
// refusing host, and where it was read: the client address the remote
// server's reply names ("Client host [192.0.2.10] blocked using ...", the
// refusing host's own address excluded), else the returned original's
// X-Originating-IP, else its first Received header whose "from" address is
// public (private and loopback hops skipped, RFC 5321 4.4), else the DSN's
// Received-From-MTA. "" when none is public.
func sendingIP(rep *Report) (ip, from string) {
	// The first maxIPRecipients recipients' diagnostics, maxIPScanBytes of
	// each, are read: the address sits near the start of a reply, and a
	// report with many recipients costs no more than a few.
	for i := 0; i < len(rep.Recipients) && i < maxIPRecipients; i++ {
		rc := &rep.Recipients[i]
		var buf [8]netip.Addr // on the stack: the addresses do not outlive the loop
		cands := ipLiteralsInto(buf[:0], clipText(rc.Diagnostic), len(buf))
		if len(cands) == 0 {
			continue
		}
		_, remote := RefusingHost(rep, rc)
		for _, a := range cands {
			var text [64]byte
			if string(a.AppendTo(text[:0])) != remote && isPublic(a) { // a.String(), without the copy
				return a.String(), SendingIPFromDiagnostic
			}
		}
	}
	for _, h := range rep.Original.Headers {
		if len(h.Name) == len("X-Originating-IP") && strings.EqualFold(h.Name, "X-Originating-IP") {
			if as := ipLiterals(h.Value, 1); len(as) > 0 && isPublic(as[0]) {
				return as[0].String(), SendingIPFromOriginatingIP
			}
		}
	}
	for _, v := range rep.Original.Received {
		var buf [4]netip.Addr
		for _, a := range receivedFromInto(buf[:0], v) {
			if isPublic(a) {
				return a.String(), SendingIPFromReceived
			}
		}
	}
	for _, a := range ipLiterals(rep.ReceivedFromMTA, 2) {
		if isPublic(a) {
			return a.String(), SendingIPFromReceivedFromMTA
		}
	}
	return "", ""
}

// Limits of the address readers.
const (
	maxIPRecipients = 16   // recipients whose diagnostic is read for the sending IP
	maxIPScanBytes  = 4096 // bytes of a diagnostic or text read for addresses and hosts
)

// clipText returns the first maxIPScanBytes of s.
func clipText(s string) string {
	if len(s) > maxIPScanBytes {
		return s[:maxIPScanBytes]
	}
	return s
}

// receivedFrom returns the addresses of a Received field's "from" clause
// (RFC 5321 4.4: From-domain and TCP-info, "from host (name [192.0.2.1])"),
// up to its "by".
func receivedFrom(v string) []netip.Addr { return receivedFromInto(nil, v) }

// receivedFromInto is receivedFrom appending to out.
func receivedFromInto(out []netip.Addr, v string) []netip.Addr {
	i := indexLowerASCII(v, "from ")
	if i < 0 {
		return nil
	}
	v = v[i:]
	if j := indexLowerASCII(v, " by "); j >= 0 {
		v = v[:j]
	}
	return ipLiteralsInto(out, v, len(out)+4)
}

// indexLowerASCII is strings.Index(asciiLower(s), needle) for a lower-case
// needle, without the lower-case copy (indexFold, its candidates found at
// the needle's first letter).
func indexLowerASCII(s, needle string) int {
	k := 0
	for k < len(needle)-1 && (needle[k] < 'a' || needle[k] > 'z') {
		k++
	}
	return indexFold(s, needle, k)
}

// hasPrefixLowerASCII reports whether asciiLower(s) starts with needle.
func hasPrefixLowerASCII(s, needle string) bool {
	if len(s) < len(needle) {
		return false
	}
	for k := 0; k < len(needle); k++ {
		if lowerByte[s[k]] != needle[k] {
			return false
		}
	}
	return true
}

// RefusingHost returns the name and address of the host that refused rc,
// as far as the report says: the name is Recipient.RemoteHost (the
// Remote-MTA field, else the host the diagnostic names), the address is
// an address-literal Remote-MTA, else the one written beside that name in
// the diagnostic or the report's text ("host mx.example.com[192.0.2.1]
// said", Exim's "host mx.example.com [192.0.2.1]:").
func RefusingHost(rep *Report, rc *Recipient) (name, ip string) {
	name = rc.RemoteHost()
	if a, err := netip.ParseAddr(name); err == nil {
		return "", a.Unmap().String()
	}
	// QUIRK: a Remote-MTA of a hand-built Recipient (CompleteFacts, MTA
	// log lines) is not cleaned by the field reader; a name with bytes no
	// host name has is no name (FuzzReceived).
	if strings.IndexByte(name, '.') < 0 || strings.IndexFunc(name, func(r rune) bool { return r >= 0x80 || !isHostNameByte(byte(r)) }) >= 0 {
		name = ""
	}
	for _, text := range [...]string{rc.Diagnostic, rep.Text} {
		n, a := hostSaid(text, name)
		if name == "" {
			name = n
		}
		if a != "" && (n == name || n == "") {
			return name, a
		}
	}
	return name, ""
}

// hostSaid finds "host NAME[IP]" or "host NAME [IP]" in text, for the
// given name when it is not empty, and returns the name and address.
func hostSaid(text, want string) (name, ip string) {
	// The text is searched in any ASCII case without a lower-case copy;
	// only the name found and the bytes after it are lowered.
	t := clipText(text)
	for off := 0; off < len(t); {
		i := indexLowerASCII(t[off:], "host ")
		if i < 0 {
			return "", ""
		}
		start := off + i + len("host ")
		off = start
		j := start
		for j < len(t) {
			c := lowerByte[t[j]]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
				break
			}
			j++
		}
		n := asciiLower(strings.Trim(t[start:j], ".-"))
		if strings.IndexByte(n, '.') < 0 || (want != "" && n != want) {
			continue
		}
		rest := strings.TrimLeft(t[j:min(len(t), j+2)], " ")
		if strings.HasPrefix(rest, "[") {
			var w [48]byte
			var as [1]netip.Addr
			if as := ipLiteralsInto(as[:0], asciiLowerInto(w[:0], t[j:min(len(t), j+len(w))]), 1); len(as) > 0 {
				return n, as[0].String()
			}
		}
		// QUIRK: without an address beside it, "host NAME" may be the
		// reporting host ("This is the mail system at host
		// mail.sender.example."); only the name asked for is taken then.
		if want != "" {
			return n, ""
		}
	}
	return "", ""
}

// ipLiterals returns up to max IP addresses written in s: bracketed
// ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321 4.1.3) or bare dotted
// quads.
func ipLiterals(s string, max int) []netip.Addr { return ipLiteralsInto(nil, s, max) }

// ipLiteralsInto is ipLiterals appending to out, until out holds max.
func ipLiteralsInto(out []netip.Addr, s string, max int) []netip.Addr {
	for i := 0; i < len(s) && len(out) < max; i++ {
		c := s[i]
		if !ipStart[c] {
			continue // most bytes, on one look
		}
		switch {
		case c == '[':
			j := strings.IndexByte(s[i:min(len(s), i+64)], ']')
			if j < 0 {
				continue
			}
			lit := s[i+1 : i+j]
			if len(lit) > 5 && strings.EqualFold(lit[:5], "ipv6:") {
				lit = lit[5:]
			}
			if a, err := netip.ParseAddr(lit); err == nil {
				out = append(out, a.Unmap())
			}
			i += j
		case c >= '0' && c <= '9' && (i == 0 || !isWordByte(s[i-1])):
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			lit := strings.TrimRight(s[i:j], ".")
			if (j == len(s) || !isWordByte(s[j])) && strings.Count(lit, ".") == 3 {
				if a, err := netip.ParseAddr(lit); err == nil && a.Is4() {
					out = append(out, a)
				}
			}
			i = j
		}
	}
	return out
}

func isHostNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_'
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_'
}

// isPublic reports whether a could be a sending server's address on the
// Internet: not private, loopback, link-local, multicast or unspecified.
func isPublic(a netip.Addr) bool {
	return a.IsValid() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!a.IsLinkLocalMulticast() && !a.IsMulticast() && !a.IsUnspecified()
}

// ipStart marks the bytes an address literal or a dotted quad starts with.
var ipStart = func() (t [256]bool) {
	t['['] = true
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	return t
}()
