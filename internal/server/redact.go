package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/netip"
)

// MaskAddr shortens a network address for info-level logs: an IPv4
// address keeps its /24 ("192.0.2.x"), an IPv6 address its /48, and the
// port goes. Anything else is hashed.
func MaskAddr(addr string) string {
	if addr == "" {
		return ""
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "h:" + shortHash(host)
	}
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		return netip.AddrFrom4([4]byte{b[0], b[1], b[2], 0}).String() + "/24"
	}
	p, _ := ip.Prefix(48)
	return p.String()
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
