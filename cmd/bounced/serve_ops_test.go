package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/bounced/bounced/internal/bounce"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
)

func TestWarnPlaintext(t *testing.T) {
	cases := []struct {
		name      string
		addr      net.Addr
		tls, warn bool
	}{
		{"loopback v4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50051}, false, false},
		{"loopback v6", &net.TCPAddr{IP: net.IPv6loopback, Port: 50051}, false, false},
		{"all interfaces", &net.TCPAddr{IP: net.IPv4zero, Port: 50051}, false, true},
		{"documentation address", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 50051}, false, true},
		{"all interfaces with TLS", &net.TCPAddr{IP: net.IPv4zero, Port: 50051}, true, false},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		warnPlaintext(slog.New(slog.NewJSONHandler(&buf, nil)), "gRPC", c.addr, c.tls, true)
		got := strings.Contains(buf.String(), `"level":"WARN"`) && strings.Contains(buf.String(), "WITHOUT TLS")
		if got != c.warn {
			t.Errorf("%s: warned=%v, want %v: %s", c.name, got, c.warn, buf.String())
		}
		if strings.Contains(buf.String(), "192.0.2.10") {
			t.Errorf("%s: the warning names the address: %s", c.name, buf.String())
		}
	}
}

func TestOpsConfigCheck(t *testing.T) {
	bad := []opsConfig{
		{TLSCert: "c"},
		{TLSKey: "k"},
		{TLSClientCA: "ca"},
		{MaxConnectionAge: -1},
	}
	for _, c := range bad {
		if err := c.check(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if got := (opsConfig{AuthExempt: "none"}).exemptList(); len(got) != 0 {
		t.Errorf("none = %v", got)
	}
	if got := (opsConfig{AuthExempt: " "}).exemptList(); len(got) == 0 {
		t.Error("empty --auth-exempt exempts nothing, want the defaults")
	}
	if got := (opsConfig{AuthExempt: "/a/, /b"}).exemptList(); len(got) != 2 || got[1] != "/b" {
		t.Errorf("list = %q", got)
	}
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestMaxConnectionAge: with --max-connection-age the server ends each
// connection gracefully, the client reconnects (re-resolving DNS in
// production), and no call fails.
func TestMaxConnectionAge(t *testing.T) {
	oc := opsConfig{MaxConnectionAge: 100 * time.Millisecond}
	srv, _ := server.NewGRPCServer(server.Config{Engine: bounce.New(bounce.Config{}), MaxMessageBytes: 1 << 20}, oc.grpcOptions()...)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis := &countingListener{Listener: inner}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := pb.NewBounceServiceClient(conn)
	raw, err := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.Parse(ctx, &pb.ParseRequest{Raw: raw}, grpc.WaitForReady(true))
		cancel()
		if err != nil {
			t.Fatalf("Parse across connection ends: %v", err)
		}
	}
	if n := lis.n.Load(); n < 3 {
		t.Errorf("%d connections in a second with a 100ms maximum age, want several", n)
	}
}
