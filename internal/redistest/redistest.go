// Package redistest starts throwaway Redis servers for tests: one
// redis-server (Start), a Redis Cluster (StartCluster) and a primary with
// a replica and three Sentinels (StartSentinel).
//
// Start runs redis-server with no TCP port, a unix socket in a temporary
// directory, no persistence (--save "" --appendonly no), and stops it when
// the test ends. Kill and Restart let a test take the server away and bring
// it back on the same socket, to test outages.
//
// When the environment variable BOUNCED_TEST_REDIS_URL is set (a redis:// or
// unix:// URL), Start uses that server instead and starts nothing. Tests then
// share it, so they must keep to the key prefix KeyPrefix gives them, which
// is unique per Server; the keys under it are deleted when the test ends.
// Kill and Restart cannot act on such a server and skip the test.
//
// A missing redis-server binary fails the test, so that a machine without
// Redis cannot pass the suite by skipping: install the Debian package
// redis-server (or set BOUNCED_TEST_REDIS_URL).
//
// StartCluster and StartSentinel always start their own processes, on
// free loopback TCP ports, each node in its own temporary directory; they
// need redis-server, and StartCluster also redis-cli (Debian package
// redis-tools). Their waits are bounded by ClusterTimeout.
//
// Limits: the wait for a started server to answer PING is StartTimeout.
// Unix socket paths are limited to about 100 bytes; when t.TempDir() is
// longer, the socket goes into a directory directly under os.TempDir() or,
// if that is still too long, /tmp.
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the environment variable with the URL of an external server.
const EnvURL = "BOUNCED_TEST_REDIS_URL"

// StartTimeout bounds the wait for a started redis-server to answer PING.
const StartTimeout = 10 * time.Second

// maxSocketPath keeps socket paths under the sun_path limit (108 bytes on
// Linux, 104 on the BSDs) with room to spare.
const maxSocketPath = 100

// Server is a redis-server for one test.
type Server struct {
	t        testing.TB
	url      string
	prefix   string
	external bool

	// Local servers only.
	bin    string
	dir    string
	socket string
	mu     sync.Mutex
	cmd    *exec.Cmd
	out    *lockedWriter // redis-server's log of the current run
	exited chan struct{} // closed when cmd has been waited for
}

// Start starts a redis-server for t, or uses the one named by
// BOUNCED_TEST_REDIS_URL, and stops or cleans it up when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, prefix: uniquePrefix(t)}
	if u := os.Getenv(EnvURL); u != "" {
		s.url, s.external = u, true
		s.ping(5 * time.Second)
		t.Cleanup(s.deleteKeys)
		return s
	}
	return startLocal(t, s)
}

// StartLocal starts a redis-server for t even when BOUNCED_TEST_REDIS_URL is
// set, for tests that must Kill and Restart it.
func StartLocal(t testing.TB) *Server {
	t.Helper()
	return startLocal(t, &Server{t: t, prefix: uniquePrefix(t)})
}

func startLocal(t testing.TB, s *Server) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: redis-server not found in PATH (%v): install the Debian package redis-server (apt-get install redis-server), or set %s to the URL of a server to use", err, EnvURL)
	}
	s.bin = bin
	s.dir = t.TempDir()
	s.socket = filepath.Join(s.dir, "redis.sock")
	if len(s.socket) > maxSocketPath {
		s.dir, s.socket = shortDir(t)
	}
	s.url = "unix://" + s.socket
	t.Cleanup(s.stop)
	s.start()
	return s
}

// shortDir makes a temporary directory whose socket path fits in
// maxSocketPath, under os.TempDir() or else /tmp, removed when t ends.
func shortDir(t testing.TB) (dir, socket string) {
	t.Helper()
	for _, base := range []string{os.TempDir(), "/tmp"} {
		// MkdirTemp adds up to 20 characters to the pattern.
		if len(filepath.Join(base, "redis12345678901234567890", "redis.sock")) > maxSocketPath {
			continue
		}
		dir, err := os.MkdirTemp(base, "redis")
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir, filepath.Join(dir, "redis.sock")
	}
	t.Fatalf("redistest: no temporary directory gives a unix socket path under %d bytes; set TMPDIR to a shorter one", maxSocketPath)
	return "", ""
}

// URL returns the server's URL: unix:///path/to/redis.sock for a local
// server, or BOUNCED_TEST_REDIS_URL.
func (s *Server) URL() string { return s.url }

// Socket returns the unix socket path of a local server, "" for an
// external one.
func (s *Server) Socket() string { return s.socket }

// KeyPrefix returns a key prefix unique to this Server, made of lower-case
// letters, digits and '-'. Tests keep their keys under it so that they can
// share an external server.
func (s *Server) KeyPrefix() string { return s.prefix }

// External reports whether the server comes from BOUNCED_TEST_REDIS_URL.
func (s *Server) External() bool { return s.external }

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// until it has exited. The socket file stays behind, as after a crash.
func (s *Server) Kill() {
	s.t.Helper()
	if s.external {
		s.t.Skipf("redistest: cannot kill the server at %s; unset it to run this test", EnvURL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kill()
}

// Restart starts the server again on the same socket, killing it first if
// it still runs, and waits until it answers PING. Its data is gone.
func (s *Server) Restart() {
	s.t.Helper()
	if s.external {
		s.t.Skipf("redistest: cannot restart the server at %s; unset it to run this test", EnvURL)
	}
	s.mu.Lock()
	s.kill()
	s.mu.Unlock()
	s.start()
}

// start runs redis-server and waits until it answers.
func (s *Server) start() {
	s.t.Helper()
	s.mu.Lock()
	// Redis unlinks a stale socket itself; removing it here as well keeps a
	// client from reaching a dead socket file between the two runs.
	os.Remove(s.socket)
	cmd := exec.Command(s.bin,
		"--port", "0", // no TCP listener
		"--unixsocket", s.socket,
		"--unixsocketperm", "700",
		"--save", "", // no RDB snapshots
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no",
		"--logfile", "", // log to stdout, kept for failure messages
		"--loglevel", "warning",
	)
	out := &lockedWriter{}
	cmd.Stdout = out
	cmd.Stderr = out
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		s.t.Fatalf("redistest: start %s: %v", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	s.cmd, s.out, s.exited = cmd, out, exited
	s.mu.Unlock()
	s.ping(StartTimeout)
}

// kill stops the current run, if any. s.mu must be held.
func (s *Server) kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kill()
}

// ping waits until the server answers PING, for at most wait.
func (s *Server) ping(wait time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(wait)
	var err error
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if err = s.pingOnce(); err == nil {
			return
		}
		if s.exitedEarly() || time.Now().After(deadline) {
			break
		}
		time.Sleep(delay)
	}
	s.t.Fatalf("redistest: redis at %s does not answer PING after %v: %v%s", s.url, wait, err, s.log())
}

func (s *Server) pingOnce() error {
	if s.external {
		c, err := s.client()
		if err != nil {
			return err
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err()
	}
	conn, err := net.DialTimeout("unix", s.socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

func (s *Server) exitedEarly() bool {
	if s.external {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

func (s *Server) log() string {
	if s.external {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return ""
	}
	return "\nredis-server output:\n" + s.out.String()
}

// client returns a go-redis client for the external server.
func (s *Server) client() (*redis.Client, error) {
	opt, err := redis.ParseURL(s.url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvURL, err)
	}
	return redis.NewClient(opt), nil
}

// deleteKeys removes this Server's keys from an external server.
func (s *Server) deleteKeys() {
	c, err := s.client()
	if err != nil {
		s.t.Errorf("redistest: %v", err)
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, s.prefix+":*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		s.t.Errorf("redistest: clean up keys %s:*: %v", s.prefix, err)
		return
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := c.Unlink(ctx, keys[:n]...).Err(); err != nil {
			s.t.Errorf("redistest: clean up keys %s:*: %v", s.prefix, err)
			return
		}
		keys = keys[n:]
	}
}

// uniquePrefix derives a key prefix from the test name and random bytes.
func uniquePrefix(t testing.TB) string {
	var b strings.Builder
	b.WriteString("test-")
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:]) // never fails
	b.WriteByte('-')
	b.WriteString(hex.EncodeToString(rnd[:]))
	return b.String()
}

// lockedWriter lets the test read the log while redis-server writes it.
type lockedWriter struct {
	mu sync.Mutex
	w  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
