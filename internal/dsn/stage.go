package dsn

import (
	"hash/maphash"
	"math/bits"
	"net/netip"
	"strings"
	"sync/atomic"

	"golang.org/x/net/publicsuffix"

	"github.com/bounced/bounced/internal/phrase"
)

// Stage is the step of the SMTP dialogue (RFC 5321 section 3) or of local
// delivery at which a recipient failed. It is read once, here, from the
// command a reply answered, the transcript and the MTA's wording.
type Stage int

// The stages in the order a delivery goes through them.
const (
	StageUnknown   Stage = iota
	StageConnect         // the greeting or the connection itself (RFC 5321 3.1)
	StageHelo            // EHLO or HELO (RFC 5321 4.1.1.1)
	StageStartTLS        // STARTTLS (RFC 3207)
	StageAuth            // AUTH (RFC 4954)
	StageMail            // MAIL FROM (RFC 5321 4.1.1.2)
	StageRcpt            // RCPT TO (RFC 5321 4.1.1.3)
	StageData            // the DATA command itself (RFC 5321 4.1.1.4)
	StageEndOfData       // the reply after the final "." of the message
	StageDelivery        // after the message was accepted: local delivery, mailbox
)

var stageNames = [...]string{"", "CONNECT", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "END_OF_DATA", "DELIVERY"}

// String returns the stage's name in upper case, "" for StageUnknown.
func (s Stage) String() string {
	if s >= 0 && int(s) < len(stageNames) {
		return stageNames[s]
	}
	return ""
}

// stageOfCommand maps the Command field's values to stages.
var stageOfCommand = map[string]Stage{
	"CONN":     StageConnect,
	"EHLO":     StageHelo,
	"HELO":     StageHelo,
	"STARTTLS": StageStartTLS,
	"AUTH":     StageAuth,
	"MAIL":     StageMail,
	"RCPT":     StageRcpt,
	"DATA":     StageData,
}

// stagePhrases name a stage more precisely than the command does; first
// match wins. Lower case. A weak phrase counts only when no command is
// known.
var stagePhrases = []struct {
	phrase string
	stage  Stage
	weak   bool
}{
	// Postfix smtp(8): "(in reply to end of DATA command)"; Exim: "after end of data".
	{phrase: "in reply to end of data", stage: StageEndOfData},
	{phrase: "after end of data", stage: StageEndOfData},
	// Postfix smtp(8), lost connections and timeouts.
	{phrase: "while sending end of data", stage: StageEndOfData},
	{phrase: "while receiving the initial server greeting", stage: StageConnect},
	{phrase: "while performing the ehlo handshake", stage: StageHelo},
	{phrase: "while performing the helo handshake", stage: StageHelo},
	{phrase: "while sending mail from", stage: StageMail},
	{phrase: "while sending rcpt to", stage: StageRcpt},
	{phrase: "while sending data command", stage: StageData},
	{phrase: "cannot start tls", stage: StageStartTLS},
	// Exim: "SMTP error from remote mail server after RCPT TO:<a@b>".
	{phrase: "remote mail server after rcpt to", stage: StageRcpt},
	{phrase: "remote mail server after mail from", stage: StageMail},
	{phrase: "after initial connection", stage: StageConnect},
	{phrase: "connected but greeting failed", stage: StageConnect}, // qmail
	{phrase: "refused to talk to me", stage: StageConnect},         // Postfix: 554 greeting
	{phrase: "but my name was rejected", stage: StageHelo},         // Postfix: HELO rejected
	{phrase: "in reply to starttls", stage: StageStartTLS},
	{phrase: "in reply to auth", stage: StageAuth},
	// Connection failures: the dialogue never began (RFC 5321 3.1).
	{phrase: "connection refused", stage: StageConnect, weak: true},
	{phrase: "no route to host", stage: StageConnect, weak: true},
}

// deliveryPhrases say that the message was accepted and failed in local
// delivery (RFC 3464 section 2.3.6 "x-unix" diagnostics, Postfix local(8)).
var deliveryPhrases = []string{
	"delivery to mailbox",
	"mail for user",
	"cannot update mailbox",
	"maildir",
	"mailbox is full",
	"quota exceeded",
}

// stageSet finds stagePhrases (ids 0..len-1) then deliveryPhrases in a
// diagnostic in one pass, ignoring case, without lower-casing it.
var stageSet = func() *phrase.Matcher {
	list := make([]string, 0, len(stagePhrases)+len(deliveryPhrases))
	for _, p := range stagePhrases {
		list = append(list, p.phrase)
	}
	list = append(list, deliveryPhrases...)
	m, err := phrase.CompileFold(list)
	if err != nil {
		panic(err)
	}
	return m
}()

// setStage fills rc.Stage from its command, diagnostic type and text. The
// stage phrases of a diagnostic memo scanned whole (maxDiagBytes or less)
// are taken from it.
func setStage(rc *Recipient, memo *diagMemo) {
	if rc.Stage != StageUnknown {
		return
	}
	hits, ok := stageBits(0), false
	if len(rc.Diagnostic) <= maxDiagBytes {
		hits, ok = memo.stages(rc.Diagnostic)
	}
	if !ok {
		var h phrase.Hits
		scanFold(stageSet, rc.Diagnostic[:min(len(rc.Diagnostic), maxDiagBytes)], &h)
		// stageSet's ids are the bits of stageBits.
		hits = stageBits(hitBits(&h, 0) & (1<<(len(stagePhrases)+len(deliveryPhrases)) - 1))
	}
	// The stage phrases found, in the table's order.
	for b := uint64(hits) & (1<<len(stagePhrases) - 1); b != 0; b &= b - 1 {
		p := &stagePhrases[bits.TrailingZeros64(b)]
		if p.weak && rc.Command != "" {
			continue
		}
		if p.stage == StageEndOfData && rc.Command != "" && rc.Command != "DATA" {
			break
		}
		rc.Stage = p.stage
		return
	}
	setStageFallback(rc, hits)
}

// setStageFallback sets rc's stage when no stage phrase named it: from
// the SMTP command, the diagnostic type of a local delivery, or a
// delivery phrase of a diagnostic without an SMTP reply.
func setStageFallback(rc *Recipient, hits stageBits) {
	if s, ok := stageOfCommand[strings.ToUpper(rc.Command)]; ok {
		rc.Stage = s
		return
	}
	if strings.HasPrefix(rc.DiagnosticType, "x-unix") || strings.HasPrefix(rc.DiagnosticType, "x-local") {
		rc.Stage = StageDelivery
		return
	}
	if rc.DiagnosticType != "smtp" && rc.ReplyCode == 0 {
		for id := range deliveryPhrases {
			if hits&(1<<(len(stagePhrases)+id)) != 0 {
				rc.Stage = StageDelivery
				return
			}
		}
	}
}

// RegisteredDomain returns the registrable domain ("eTLD+1", by the public
// suffix list) of a host or domain name, lower case, or "" for IP literals
// and empty names; a name the list cannot split is returned as is. It is
// the project's one helper for "the same organisation's domain".
func RegisteredDomain(name string) string {
	name = strings.Trim(toLower(strings.TrimSpace(name)), ". []<>\"")
	if name == "" || IsIP(name) {
		return ""
	}
	slot := &registeredCache[maphash.String(registeredSeed, name)%uint64(len(registeredCache))]
	if e := slot.Load(); e != nil && e.name == name {
		return e.domain
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		d = name
	}
	// A copy, so that the cache holds no message's text.
	e := &registeredEntry{name: strings.Clone(name)}
	if strings.HasSuffix(name, d) {
		e.domain = e.name[len(e.name)-len(d):] // as EffectiveTLDPlusOne answers
	} else {
		e.domain = strings.Clone(d)
	}
	slot.Store(e)
	return d
}

// registeredCache remembers recent answers of RegisteredDomain, one per
// slot by the name's hash: the same hosts and domains recur from message
// to message, and the public suffix lookup costs a search and an
// allocation (x/net's PublicSuffix first tries netip.ParseAddr, whose
// error allocates). Its size is fixed; a colliding name replaces the entry.
var (
	registeredCache [4096]atomic.Pointer[registeredEntry]
	registeredSeed  = maphash.MakeSeed()
)

type registeredEntry struct{ name, domain string }

// IsIP reports whether s is an IP address, possibly as an address literal
// ("[192.0.2.1]", "IPv6:2001:db8::1").
func IsIP(s string) bool {
	s = strings.Trim(s, "[]")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "ipv6:"), "IPv6:")
	if !maybeIP(s) {
		return false // a host name: no need for ParseAddr, whose error allocates
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// maybeIP reports whether s holds only what an IP address can: digits,
// hex letters, dots and colons, up to a zone ("%eth0").
func maybeIP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i] | 0x20; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c == '.', c == ':':
		case s[i] == '%':
			return i > 0
		default:
			return false
		}
	}
	return s != ""
}

// RemoteHost returns the host name in RemoteMTA, lower case, without its
// type, address literal or comment: "dns; mx.example.jp. (198.51.100.225)"
// gives "mx.example.jp".
// Parse (finishRecipient) keeps the answer beside the RemoteMTA it was read
// from, so the callers that ask for every recipient (classify, RefusingHost,
// DNS checks) do not read it again; a RemoteMTA changed since is read anew.
func (r Recipient) RemoteHost() string {
	if r.hostOf == r.RemoteMTA && r.hostOf != "" {
		return r.host
	}
	return hostOfRemoteMTA(r.RemoteMTA)
}

// keepRemoteHost stores RemoteHost's answer for the current RemoteMTA.
func (r *Recipient) keepRemoteHost(h string) { r.hostOf, r.host = r.RemoteMTA, h }

// hostOfRemoteMTA reads a host name out of a Remote-MTA value such as
// "mx.example.jp. (198.51.100.225, the server for the domain example.jp.)",
// "[192.0.2.1]" or "dns; mx.example.com".
//
// The value is cut before it is lower-cased: no rune lower-cases to or from
// the ASCII bytes the cuts look for, and a host already in lower case (the
// usual one) is then returned without a copy.
func hostOfRemoteMTA(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = strings.TrimSpace(v[i+1:])
	}
	if i := setHostTypeEnd.indexAny(v); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, '['); i > 0 {
		v = v[:i]
	}
	return strings.Trim(toLower(v), ".[]")
}
