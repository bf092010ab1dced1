package redistest_test

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/redistest"
)

// ping sends PING over the server's unix socket and reports the answer.
func ping(t *testing.T, socket string) error {
	t.Helper()
	c, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "+PONG\r\n" {
		t.Fatalf("PING answered %q, want +PONG", line)
	}
	return err
}

func TestStartKillRestart(t *testing.T) {
	s := redistest.StartLocal(t)
	if got := s.URL(); got != "unix://"+s.Socket() || !strings.HasSuffix(got, "/redis.sock") {
		t.Errorf("URL() = %q, want unix://<dir>/redis.sock", got)
	}
	if err := ping(t, s.Socket()); err != nil {
		t.Fatalf("PING after Start: %v", err)
	}
	s.Kill()
	if err := ping(t, s.Socket()); err == nil {
		t.Fatalf("PING after Kill succeeded, want an error")
	}
	s.Restart()
	if err := ping(t, s.Socket()); err != nil {
		t.Fatalf("PING after Restart: %v", err)
	}
	s.Restart() // while running
	if err := ping(t, s.Socket()); err != nil {
		t.Fatalf("PING after a second Restart: %v", err)
	}
}

func TestStart(t *testing.T) {
	s := redistest.Start(t)
	if s.External() != (os.Getenv(redistest.EnvURL) != "") {
		t.Errorf("External() = %v with %s=%q", s.External(), redistest.EnvURL, os.Getenv(redistest.EnvURL))
	}
	if !s.External() {
		if err := ping(t, s.Socket()); err != nil {
			t.Fatalf("PING after Start: %v", err)
		}
	}
	// Key prefixes are unique per server, even within one test.
	p1, p2 := s.KeyPrefix(), redistest.StartLocal(t).KeyPrefix()
	if p1 == p2 || !strings.HasPrefix(p1, "test-teststart-") {
		t.Errorf("KeyPrefix() = %q and %q, want distinct, starting test-teststart-", p1, p2)
	}
	for _, r := range p1 {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			t.Errorf("KeyPrefix() = %q has %q, want only [a-z0-9-]", p1, r)
		}
	}
}

// TestStartShortSocketPath puts t.TempDir() past the unix socket path
// limit.
func TestStartShortSocketPath(t *testing.T) {
	long := t.TempDir() + "/" + strings.Repeat("d", 90)
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	t.Run("long", func(t *testing.T) {
		s := redistest.StartLocal(t)
		if n := len(s.Socket()); n > 100 {
			t.Errorf("socket path %q is %d bytes, want at most 100", s.Socket(), n)
		}
		if err := ping(t, s.Socket()); err != nil {
			t.Fatalf("PING: %v", err)
		}
	})
}
