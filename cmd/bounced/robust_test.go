package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/redistest"
)

// serveProc is a `bounced serve` process and the JSON lines it logged.
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs []map[string]any
	eof  chan struct{}
}

// startServe starts bounced serve with args on a free port and waits until
// it serves.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(buildBinary(t), append([]string{"serve", "--listen=127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "BOUNCED_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	p := &serveProc{cmd: cmd, eof: make(chan struct{})}
	served := make(chan string, 1)
	go func() {
		defer close(p.eof)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			p.mu.Lock()
			p.logs = append(p.logs, rec)
			p.mu.Unlock()
			if rec["msg"] == "bounced serving" {
				a, _ := rec["addr"].(string)
				served <- a
			}
		}
	}()
	select {
	case p.addr = <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("server did not report its address")
	}
	return p
}

// lines returns the log lines whose msg starts with prefix.
func (p *serveProc) lines(prefix string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, rec := range p.logs {
		if m, _ := rec["msg"].(string); strings.HasPrefix(m, prefix) {
			out = append(out, rec)
		}
	}
	return out
}

func (p *serveProc) client(t *testing.T) pb.BounceServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewBounceServiceClient(conn)
}

// TestServeRedisOutageLogsTwice kills Redis under a running server and
// starts it again: every Parse is answered, and the log has one line when
// the outage starts and one when it ends (with the calls that failed
// meanwhile), not one per message (issue 9).
func TestServeRedisOutageLogsTwice(t *testing.T) {
	srv := redistest.StartLocal(t)
	p := startServe(t, "--redis="+srv.URL())
	c := p.client(t)
	raw, err := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	parse := func() pb.CacheStatus {
		t.Helper()
		resp, err := c.Parse(ctx, &pb.ParseRequest{Raw: raw})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		return resp.GetCacheStatus()
	}
	if st := parse(); st == pb.CacheStatus_CACHE_STATUS_UNAVAILABLE {
		t.Fatalf("cache status before the outage = %v", st)
	}
	srv.Kill()
	unavailable := 0
	for range 50 {
		if parse() == pb.CacheStatus_CACHE_STATUS_UNAVAILABLE {
			unavailable++
		}
	}
	if unavailable == 0 {
		t.Fatal("no Parse saw the outage")
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for parse() == pb.CacheStatus_CACHE_STATUS_UNAVAILABLE {
		if time.Now().After(deadline) {
			t.Fatal("cache still unavailable 10s after the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the log lines arrive
	down, up := p.lines("domain cache down"), p.lines("domain cache up again")
	if len(down) != 1 || len(up) != 1 {
		t.Fatalf("%d down and %d up lines for one outage, want 1 and 1", len(down), len(up))
	}
	if n, _ := up[0]["failed_calls"].(float64); n < 1 {
		t.Errorf("up line %v, want the failed calls counted", up[0])
	}
	if n := len(p.lines("domain cache unavailable")); n != 0 {
		t.Errorf("%d per-message cache lines at info level, want none", n)
	}
}

// TestServeSIGTERMOpenStream: SIGTERM with a ParseStream open and idle.
// The stream is told to finish (UNAVAILABLE, SHUTTING_DOWN) after the
// message it sent was answered, and the server exits long before its
// shutdown timeout (issue 9: shutdown lasts as long as the work in
// flight).
func TestServeSIGTERMOpenStream(t *testing.T) {
	p := startServe(t, "--shutdown-timeout=30s")
	c := p.client(t)
	raw, err := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := c.ParseStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: raw, Source: "before"}}); err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResponse().GetSource() != "before" {
		t.Fatalf("answer before the signal: %v %v", r, err)
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if errors.Is(err, io.EOF) || status.Code(err) != codes.Unavailable {
		t.Fatalf("open stream after SIGTERM ended with %v, want UNAVAILABLE", err)
	}
	reason := ""
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason = info.GetReason()
		}
	}
	if reason != "SHUTTING_DOWN" {
		t.Errorf("stream end reason %q, want SHUTTING_DOWN", reason)
	}
	done := make(chan error, 1)
	go func() { <-p.eof; done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server still running 10s after SIGTERM with a 30s shutdown timeout")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
}

// TestServeShutdownOneDeadline: SIGTERM while an HTTP upload, an LMTP
// session and an SMTP session are all open and idle. Each would hold its
// server until the shutdown timeout; they are drained at once against one
// deadline, so the process exits about one timeout after the signal, not
// one per server in turn (three here).
func TestServeShutdownOneDeadline(t *testing.T) {
	const timeout = time.Second
	p := startServe(t, "--shutdown-timeout="+timeout.String(), "--http-listen=127.0.0.1:0",
		"--lmtp-listen=127.0.0.1:0", "--smtp-listen=127.0.0.1:0")
	addrOf := func(prefix, protocol string) string {
		for _, rec := range p.lines(prefix) {
			if pr, _ := rec["protocol"].(string); protocol == "" || pr == protocol {
				a, _ := rec["addr"].(string)
				return a
			}
		}
		t.Fatalf("no %q log line for %q", prefix, protocol)
		return ""
	}
	dial := func(addr string) net.Conn {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for _, proto := range []string{"lmtp", "smtp"} {
		c := dial(addrOf("ingest serving", proto))
		greeting := make([]byte, 512)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(greeting); err != nil || !strings.HasPrefix(string(greeting[:n]), "220") {
			t.Fatalf("%s greeting %q: %v", proto, greeting[:n], err)
		}
	}
	h := dial(addrOf("HTTP API serving", ""))
	if _, err := io.WriteString(h, "POST /v1/parse HTTP/1.1\r\nHost: x\r\nContent-Type: message/rfc822\r\nContent-Length: 100000\r\n\r\nFrom: a\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the request is in the handler, reading its body
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { <-p.eof; done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(10 * timeout):
		t.Fatal("server still running long after SIGTERM")
	}
	took := time.Since(start)
	t.Logf("stopped %v after SIGTERM", took.Round(time.Millisecond))
	if took > timeout+timeout*3/4 {
		t.Errorf("shutdown took %v with a %v timeout: the servers were drained one after the other", took.Round(time.Millisecond), timeout)
	}
	if took < timeout*3/4 {
		t.Errorf("shutdown took %v: the open sessions were not waited for", took.Round(time.Millisecond))
	}
}
