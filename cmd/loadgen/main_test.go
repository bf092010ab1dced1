package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/redistest"
	"github.com/bounced/bounced/internal/server"
)

const corpus = "../../testdata/bounces/maildir"

// startServer runs the production gRPC server in-process on a loopback
// port with the in-process cache.
func startServer(t *testing.T) string {
	t.Helper()
	store := domaincache.NewMemory(1000, time.Hour)
	srv, _ := server.NewGRPCServer(server.Config{Engine: bounce.New(bounce.Config{Store: store}), Store: store, MaxMessageBytes: 1 << 20})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func runFigures(t *testing.T, args ...string) (Figures, string) {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-dir", corpus}, args...), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := loadCorpus(cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := drive(context.Background(), cfg, msgs)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.print(&out)
	t.Logf("loadgen %s\n%s", strings.Join(args, " "), out.String())
	return res.figures(), out.String()
}

// TestDriveInProcess runs each mode for about a second against an
// in-process server, reading this process's CPU as the server's.
func TestDriveInProcess(t *testing.T) {
	addr := startServer(t)
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name string
		args []string
		rate float64
	}{
		{"unary closed loop", []string{"-mode", "unary", "-concurrency", "4"}, 0},
		{"stream closed loop", []string{"-mode", "stream", "-concurrency", "2"}, 0},
		{"unary open loop", []string{"-mode", "unary", "-rate", "300/s"}, 300},
		{"unary fixed client window", []string{"-mode", "unary", "-rate", "300/s", "-window", "1048576"}, 300},
		{"stream open loop", []string{"-mode", "stream", "-rate", "300/s", "-concurrency", "2"}, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, out := runFigures(t, append(tc.args, "-addr", addr, "-server-pid", pid, "-duration", "1s")...)
			if f.Sent == 0 || f.OK != f.Sent || f.Errors != 0 {
				t.Errorf("sent %d, answered %d, errors %d; want all answered", f.Sent, f.OK, f.Errors)
			}
			if tc.rate > 0 && (f.Sent < int64(tc.rate*0.9) || f.Sent > int64(tc.rate)) {
				t.Errorf("open loop at %v/s for 1s sent %d, want about %v", tc.rate, f.Sent, tc.rate)
			}
			if !(f.P50 > 0 && f.P50 <= f.P90 && f.P90 <= f.P99 && f.P99 <= f.P999 && f.P999 <= f.Max) {
				t.Errorf("percentiles not ordered: %v %v %v %v %v", f.P50, f.P90, f.P99, f.P999, f.Max)
			}
			if f.ServerCPUPerMsg <= 0 {
				t.Errorf("server CPU per message %v, want > 0", f.ServerCPUPerMsg)
			}
			if f.ServerSwitches <= 0 {
				t.Errorf("server context switches per message %v, want > 0 (the server waits for each call)", f.ServerSwitches)
			}
			for _, w := range []string{"msg/s", "p999", "errors      none", "server CPU", "µs/message", "context switches/message", "load average"} {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q", w)
				}
			}
		})
	}
}

// TestDriveEngine: -mode engine parses the corpus in this process on the
// same schedule, with no server, and reports its own CPU per message.
func TestDriveEngine(t *testing.T) {
	for _, args := range [][]string{{"-rate", "300/s"}, {"-concurrency", "2", "-n", "200"}} {
		f, out := runFigures(t, append([]string{"-mode", "engine", "-duration", "1s", "-skip-cache"}, args...)...)
		if f.Sent == 0 || f.OK != f.Sent || f.Errors != 0 {
			t.Errorf("%v: sent %d, answered %d, errors %d; want all answered", args, f.Sent, f.OK, f.Errors)
		}
		if f.EngineCPUPerMsg <= 0 || f.ServerCPUPerMsg != 0 {
			t.Errorf("%v: engine CPU per message %v, server %v; want the engine's only", args, f.EngineCPUPerMsg, f.ServerCPUPerMsg)
		}
		if f.CacheStatus["SKIPPED"] != f.OK {
			t.Errorf("%v: cache statuses %v, want every message SKIPPED", args, f.CacheStatus)
		}
		for _, w := range []string{"the engine in this process", "engine CPU", "µs/message", "load average"} {
			if !strings.Contains(out, w) {
				t.Errorf("%v: report lacks %q", args, w)
			}
		}
	}
}

// TestSpawnWithRedis builds bounced, lets loadgen start two replicas on
// one throwaway Redis, and reads Redis's command counts: every message
// costs Redis commands (a read, and the batched writes).
func TestSpawnWithRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bounced")
	}
	bin := filepath.Join(t.TempDir(), "bounced")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/bounced/bounced/cmd/bounced").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := redistest.StartLocal(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-dir", corpus, "-spawn", bin, "-replicas", "2", "-spawn-args", "--redis " + srv.URL(),
		"-redis-info", srv.Socket(), "-mode", "stream", "-rate", "400/s", "-concurrency", "2", "-duration", "1s"}, &out, &errOut)
	t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"(2 servers)", "errors      none", "server CPU", "hgetall", "hincrby", "redis CPU"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q", w)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{{"2000/s", 2000}, {"2000", 2000}, {"120000/m", 2000}, {"50/100ms", 500}, {"0", 0}} {
		if got, err := parseRate(tc.in); err != nil || got != tc.want {
			t.Errorf("parseRate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "fast", "-1/s", "10/h", "10/0s", "2e6"} {
		if _, err := parseRate(bad); err == nil {
			t.Errorf("parseRate(%q) succeeded, want an error", bad)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, bad := range [][]string{
		{"-addr", "192.0.2.1:50051"}, // not loopback
		{"-addr", "example.com:50051"},
		{"-addr", "127.0.0.1"}, // no port
		{"-mode", "bidi"},
		{"-duration", "11m"},
		{"-n", "-1"},
		{"-concurrency", "0"},
		{"-server-pid", "x"},
		{"-window", "1000"},
		{"extra"},
	} {
		if _, err := parseFlags(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want a usage error", bad)
		}
	}
	c, err := parseFlags([]string{"-addr", "127.0.0.1:1,[::1]:2,localhost:3", "-rate", "2000/s", "-server-pid", "1,2"}, &bytes.Buffer{})
	if err != nil || len(c.Addrs) != 3 || c.Rate != 2000 || len(c.PIDs) != 2 || c.N != MaxMessages {
		t.Errorf("parseFlags = %+v, %v", c, err)
	}
}

func TestParseInfo(t *testing.T) {
	var s redisSnapshot
	s.calls = map[string]int64{}
	parseInfo("# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:0.250000\r\n# Commandstats\r\ncmdstat_hincrby:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=3,usec=1\r\n", &s)
	after := redisSnapshot{calls: map[string]int64{"hincrby": 20, "info": 9, "pfadd": 4}, cpu: 2 * time.Second}
	d := diffRedis(s, after)
	if s.cpu != 1750*time.Millisecond || s.calls["hincrby"] != 12 {
		t.Errorf("parseInfo = %+v", s)
	}
	if d.total != 12 || d.calls["hincrby"] != 8 || d.calls["pfadd"] != 4 || d.cpu != 250*time.Millisecond {
		t.Errorf("diffRedis = %+v, want 12 commands (info left out), 250ms", d)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500}, {0.9, 900}, {0.99, 990}, {0.999, 999}, {1, 1000}} {
		if got := percentile(d, tc.q); got != tc.want {
			t.Errorf("percentile(1..1000, %v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v", got)
	}
}

func TestProcessCPU(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	after, _ := processCPU(os.Getpid())
	if after <= before {
		t.Errorf("CPU %v then %v after 100ms of spinning, want more", before, after)
	}
	if _, err := processCPU(1 << 30); err == nil {
		t.Errorf("processCPU of no process succeeded")
	}
}

func TestJSON(t *testing.T) {
	addr := startServer(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-dir", corpus, "-addr", addr, "-server-pid", strconv.Itoa(os.Getpid()), "-n", "3000", "-duration", "5m", "-concurrency", "2", "-json"}, &out, os.Stderr); err != nil {
		t.Fatal(err)
	}
	var f Figures
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		t.Fatalf("-json output %q: %v", out.String(), err)
	}
	// 3000 messages: enough for the CPU clock's 10 ms ticks. The -duration
	// bound is generous so that a loaded machine (the race detector on two
	// cores) still sends all of them.
	if f.Sent != 3000 || f.OK != 3000 || f.Errors != 0 || f.P50 <= 0 || f.ServerCPUPerMsg <= 0 || f.CacheStatus["HIT"]+f.CacheStatus["MISS"] != 3000 {
		t.Errorf("-json figures = %+v; want 3000 sent and answered (-n 3000), latencies, CPU, 3000 cache statuses", f)
	}
}

// TestErrorsByCode sends a message over the server's size limit, unary
// and in a stream: both are counted by the code the server gives, and
// the stream goes on.
func TestErrorsByCode(t *testing.T) {
	addr := startServer(t) // 1 MiB limit
	dir := t.TempDir()
	big := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("x"), 1<<20+1)...)
	small, err := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a-small.eml"), small, 0o600)
	os.WriteFile(filepath.Join(dir, "b-big.eml"), big, 0o600)
	for _, mode := range []string{"unary", "stream"} {
		f, out := runFigures(t, "-dir", dir, "-addr", addr, "-mode", mode, "-n", "10", "-duration", "5m", "-concurrency", "1")
		if f.Sent != 10 || f.OK != 5 || f.Errors != 5 {
			t.Errorf("%s: sent %d, answered %d, errors %d; want 10, 5, 5", mode, f.Sent, f.OK, f.Errors)
		}
		if !strings.Contains(out, "RESOURCE_EXHAUSTED/MESSAGE_TOO_LARGE 5") {
			t.Errorf("%s: errors not counted by code:\n%s", mode, out)
		}
	}
}
