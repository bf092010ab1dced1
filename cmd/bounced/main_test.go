package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

const corpus = "../../testdata/bounces/maildir"

// built is the command, built once per test binary run (TestMain
// removes its directory).
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinary builds the command once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "bounced-cmd-test")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "bounced")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

type line struct {
	Source string `json:"source"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Kind       string `json:"kind"`
	Recipients []struct {
		Recipient string `json:"recipient"`
		Status    string `json:"status"`
		ReplyCode int    `json:"reply_code"`
		Reason    string `json:"reason"`
	} `json:"recipients"`
}

func readLines(t *testing.T, b []byte) []line {
	t.Helper()
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

func TestParseCommand(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "garbage.eml")
	if err := os.WriteFile(bad, []byte("\x00\x01 not mail"), 0o644); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(corpus, "bsd", "rfc3464-01.eml")
	// The garbage file fails: its line says so, the run goes on, and the
	// exit status is 1.
	out, err := exec.Command(bin, "parse", "--format=jsonl", one, bad, filepath.Join(corpus, "not")).Output()
	if exitStatus(err) != 1 {
		t.Fatalf("parse with a garbage file: %v, want exit status 1", err)
	}
	lines := readLines(t, out)
	// One file, the garbage, then the non-bounces directory: three files,
	// one of which is an mbox of two messages.
	if len(lines) < 5 {
		t.Fatalf("got %d lines, want at least 5:\n%s", len(lines), out)
	}
	if lines[0].Source != one || len(lines[0].Recipients) != 1 || lines[0].Recipients[0].Recipient != "userunknown@bouncehammer.jp" ||
		lines[0].Recipients[0].Status != "5.1.1" || lines[0].Recipients[0].ReplyCode != 550 || lines[0].Kind != "KIND_BOUNCE" {
		t.Errorf("first line = %+v", lines[0])
	}
	if lines[1].Source != bad || lines[1].Error == nil || lines[1].Error.Message == "" || lines[1].Error.Code != 3 {
		t.Errorf("garbage line = %+v, want an error", lines[1])
	}
	for _, l := range lines[2:] {
		if !strings.Contains(l.Source, "/not/") || l.Error != nil {
			t.Errorf("non-bounce line = %+v", l)
		}
	}

	// A missing path is one failed input: its own error line, exit status 1.
	cmd := exec.Command(bin, "parse", filepath.Join(dir, "missing.eml"), one)
	out, err = cmd.Output()
	if exitStatus(err) != 1 {
		t.Errorf("missing path: err = %v, want exit status 1", err)
	}
	if got := readLines(t, out); len(got) != 2 || got[0].Error == nil || got[0].Source != filepath.Join(dir, "missing.eml") || got[1].Error != nil {
		t.Errorf("missing path: lines %+v, want its error line then the readable file's line", got)
	}
	// Only good inputs: exit status 0.
	if err := exec.Command(bin, "parse", one).Run(); err != nil {
		t.Errorf("good input: %v, want exit status 0", err)
	}

	// stdin and text output.
	raw, _ := os.ReadFile(one)
	cmd = exec.Command(bin, "parse", "--format=text", "--audience=admin", "-")
	cmd.Stdin = bytes.NewReader(raw)
	out, err = cmd.Output()
	if err != nil || !strings.Contains(string(out), "userunknown@bouncehammer.jp") || !strings.Contains(string(out), "5.1.1") {
		t.Errorf("stdin text: %v\n%s", err, out)
	}

	// Usage errors exit with status 2.
	if err := exec.Command(bin, "parse", "--format=xml", one).Run(); exitStatus(err) != 2 {
		t.Errorf("bad format: %v, want exit status 2", err)
	}
}

func exitStatus(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}

func TestParseMbox(t *testing.T) {
	bin := buildBinary(t)
	a, _ := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	b, _ := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-06.eml"))
	mbox := filepath.Join(t.TempDir(), "box.mbox")
	content := "From MAILER-DAEMON Thu Apr 29 23:34:45 2015\n" + string(a) + "\nFrom MAILER-DAEMON Thu Apr 29 23:34:46 2015\n" + string(b) + "\n"
	if err := os.WriteFile(mbox, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "parse", mbox).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, out)
	if len(lines) != 2 || lines[0].Source != mbox+"#1" || lines[1].Source != mbox+"#2" {
		t.Fatalf("mbox lines = %+v", lines)
	}
	if len(lines[1].Recipients) != 1 || lines[1].Recipients[0].Recipient != "kijitora@example.net" {
		t.Errorf("second message = %+v", lines[1])
	}
}

// TestServeGracefulShutdown starts the real binary, checks health over
// TCP, then sends SIGTERM and expects a clean exit.
func TestServeGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--listen=127.0.0.1:0")
	cmd.Env = append(os.Environ(), "BOUNCED_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := ""
	sc := bufio.NewScanner(stderr)
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" && time.Now().Before(deadline) && sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "bounced serving" {
			addr, _ = rec["addr"].(string)
		}
	}
	if addr == "" {
		t.Fatal("server did not report its address")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}
	raw, _ := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	resp, err := pb.NewBounceServiceClient(conn).Parse(ctx, &pb.ParseRequest{Raw: raw})
	if err != nil || len(resp.GetRecipients()) != 1 || resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_MISS {
		t.Fatalf("Parse over TCP: %v %v", resp, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
}

func TestEnvironment(t *testing.T) {
	bin := buildBinary(t)
	one := filepath.Join(corpus, "bsd", "rfc3464-01.eml")
	cmd := exec.Command(bin, "parse", one)
	cmd.Env = append(os.Environ(), "BOUNCED_MAX_MESSAGE_BYTES=lots")
	if err := cmd.Run(); exitStatus(err) != 2 {
		t.Errorf("malformed BOUNCED_MAX_MESSAGE_BYTES: %v, want exit status 2", err)
	}
	cmd = exec.Command(bin, "parse", one)
	cmd.Env = append(os.Environ(), "BOUNCED_MAX_MESSAGE_BYTES=100")
	out, err := cmd.Output()
	if exitStatus(err) != 1 {
		t.Fatalf("small limit: %v, want exit status 1", err)
	}
	lines := readLines(t, out)
	if len(lines) != 1 || lines[0].Error == nil || !strings.Contains(lines[0].Error.Message, "too large") {
		t.Errorf("a message over BOUNCED_MAX_MESSAGE_BYTES gives %+v, want an error line", lines)
	}
	// The flag wins over the environment.
	cmd = exec.Command(bin, "parse", "--max-message-bytes=1000000", one)
	cmd.Env = append(os.Environ(), "BOUNCED_MAX_MESSAGE_BYTES=100")
	out, err = cmd.Output()
	if err != nil || len(readLines(t, out)[0].Recipients) != 1 {
		t.Errorf("flag over env: %v\n%s", err, out)
	}
}
