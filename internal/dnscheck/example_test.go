package dnscheck_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/dnstest"
)

// A relay denial from smtp.isp.example for bob@recipient.example: the
// recipient domain's MX set does not hold the refusing host, so the
// sender's own relay refused.
func ExampleResolver_Relay() {
	srv, err := dnstest.Listen(dnstest.Zone{Records: `
recipient.example. 300 IN MX 10 mx1.recipient.example.
recipient.example. 300 IN MX 20 mx2.recipient.example.
`})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	r, err := dnscheck.New(dnscheck.Config{Server: srv.Addr})
	if err != nil {
		panic(err)
	}
	_, d, _ := r.Relay(context.Background(), "recipient.example", dnscheck.Host{Name: "smtp.isp.example"})
	fmt.Println(d.Side)
	fmt.Println(d.Evidence)
	// Output:
	// SENDER
	// MX recipient.example = mx1.recipient.example., mx2.recipient.example.; refusing host smtp.isp.example is not among them
}

func ExampleReverseName() {
	fmt.Println(dnscheck.ReverseName(netip.MustParseAddr("192.0.2.10"), "zen.spamhaus.org"))
	// Output: 10.2.0.192.zen.spamhaus.org.
}
