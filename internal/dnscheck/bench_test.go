package dnscheck

import (
	"context"
	"net/netip"
	"strconv"
	"testing"

	"github.com/bounced/bounced/internal/dnstest"
)

// BenchmarkMX measures one MX lookup against the loopback server: from the
// in-process cache, and uncached (a UDP round trip; each name asked is new,
// answered NXDOMAIN with the zone's SOA).
func BenchmarkMX(b *testing.B) {
	srv, err := dnstest.Listen(dnstest.Zone{Records: testZone})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		r, _ := New(Config{Server: srv.Addr})
		r.MX(ctx, "recipient.example")
		b.ReportAllocs()
		for b.Loop() {
			if m := r.MX(ctx, "recipient.example"); len(m.Hosts) != 2 {
				b.Fatal(m)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		r, _ := New(Config{Server: srv.Addr})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if m := r.MX(ctx, "n"+strconv.Itoa(i)+".example"); !m.NXDomain {
				b.Fatal(m)
			}
		}
	})
}

// BenchmarkDNSBL measures a DNSBL lookup of a listed address (A and TXT)
// from the cache.
func BenchmarkDNSBL(b *testing.B) {
	srv, err := dnstest.Listen(dnstest.Zone{Records: testZone})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	r, _ := New(Config{Server: srv.Addr})
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.10")
	b.ReportAllocs()
	for b.Loop() {
		if l := r.DNSBL(ctx, ip, "bl.example"); !l.Listed {
			b.Fatal(l)
		}
	}
}
