package server

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/dnstest"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// startDNSServer is startServer with an engine that looks DNS up at srv.
func startDNSServer(t *testing.T, store domaincache.Store, srv *dnstest.Server) pb.BounceServiceClient {
	t.Helper()
	r, err := dnscheck.New(dnscheck.Config{Server: srv.Addr, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}, Store: store, DNS: r})
	gs, _ := NewGRPCServer(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes})
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewBounceServiceClient(conn)
}

// TestDNSOnTheWire: a Parse with DNS carries the evidence on the
// recipient; GetDomainVerdict with check_dns returns the MX hosts and
// whether DNS agrees with the memory.
func TestDNSOnTheWire(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: `
$TTL 300
broken.example.    IN MX 10 mx.broken.example.
mx.broken.example. IN A 192.0.2.7
gone.example.      IN MX 0 .
`})
	c := startDNSServer(t, domaincache.NewMemory(0, 0), srv)
	ctx := context.Background()
	resp, err := c.Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.GetRecipients()[0]
	d := r.GetDns()
	if r.GetSide() != pb.Side_SIDE_RECIPIENT || d.GetRelayMatch() != pb.RelayMatch_RELAY_MATCH_AMONG_MX ||
		len(d.GetMxHosts()) != 1 || d.GetMxHosts()[0] != "mx.broken.example." || !strings.Contains(d.GetRelayEvidence(), "MX broken.example = mx.broken.example.") {
		t.Errorf("recipient: side %s, dns %v", r.GetSide(), d)
	}

	v, err := c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "broken.example", CheckDns: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetVerdict().GetDns(); len(got.GetMxHosts()) != 1 || got.GetAgreement() != pb.DnsAgreement_DNS_AGREEMENT_AGREE || got.GetAgreementReason() == "" {
		t.Errorf("check_dns broken.example = %v", got)
	}
	v, err = c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "gone.example", CheckDns: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetVerdict().GetDns(); !got.GetNullMx() || got.GetAgreement() != pb.DnsAgreement_DNS_AGREEMENT_UNSPECIFIED {
		t.Errorf("check_dns gone.example (never seen) = %v, want null MX, not compared", got)
	}
	v, err = c.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: "broken.example"})
	if err != nil || v.GetVerdict().GetDns() != nil {
		t.Errorf("without check_dns: dns = %v (err %v), want unset", v.GetVerdict().GetDns(), err)
	}
}
