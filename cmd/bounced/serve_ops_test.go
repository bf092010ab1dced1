package main

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"testing"
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
