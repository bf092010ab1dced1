// Command loadgen drives a running bounced server on loopback and reports
// what it sustained: throughput, latency percentiles, errors by gRPC code,
// cache statuses, the server's CPU per message and, optionally, the Redis
// commands and CPU per message.
//
//	loadgen [flags]
//
//	-addr 127.0.0.1:50051[,127.0.0.1:50052]   servers (loopback only), used round-robin
//	-spawn bin/bounced -spawn-args "--redis unix:///run/redis.sock" [-replicas 2]
//	                                  start the servers itself on free ports
//	-server-pid PID[,PID]             read their CPU from /proc/PID/stat
//	-mode unary|stream|engine         one Parse per message, ParseStream, or the
//	                                  engine in this process (the baseline)
//	-window 1048576                   fixed client receive windows (no BDP pings)
//	-rate 2000/s                      open loop at a fixed rate; 0 = closed loop
//	-concurrency 16                   closed-loop workers, or streams
//	-duration 10s, -n 100000          stop at whichever comes first
//	-dir testdata/bounces/maildir     .eml files, sent round-robin
//	-redis-info HOST:PORT[,...]       Redis nodes to read INFO commandstats and cpu from
//	-json                             one JSON object instead of text (durations in ns)
//
// Open loop: message i is due at start + i/rate whether or not earlier
// answers came back, and its latency is measured from that due time, so a
// stalled server shows as latency rather than as a lower offered rate
// (no coordinated omission). A message that cannot be sent because
// -max-inflight calls are already out is counted as the error
// CLIENT_BACKLOG, not delayed.
//
// Bounds: at most MaxDuration and MaxMessages per run, at most
// MaxCorpusBytes of messages read, loopback addresses only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Hard bounds on one run.
const (
	MaxDuration    = 10 * time.Minute
	MaxMessages    = 10_000_000
	MaxCorpusBytes = 256 << 20
	MaxCorpusFiles = 100_000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run parses args, runs the load and prints the report to out.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	cfg, err := parseFlags(args, errOut)
	if err != nil {
		return err
	}
	msgs, err := loadCorpus(cfg.Dir)
	if err != nil {
		return err
	}
	if cfg.Spawn != "" {
		servers, err := spawn(ctx, cfg.Spawn, cfg.SpawnArgs, cfg.Replicas, errOut)
		if err != nil {
			return err
		}
		defer func() {
			servers.stop()
			servers.summary(errOut)
		}()
		cfg.Addrs, cfg.PIDs = servers.addrs, servers.pids
	}
	res, err := drive(ctx, cfg, msgs)
	if err != nil {
		return err
	}
	if cfg.JSON {
		return res.printJSON(out)
	}
	res.print(out)
	return nil
}

// Config is one run's settings.
type Config struct {
	Addrs       []string      // servers, host:port on loopback
	PIDs        []int         // server processes whose CPU is read
	Mode        string        // "unary", "stream" or "engine"
	Window      int32         // fixed client receive window; 0 = dynamic
	Rate        float64       // messages per second; 0 = closed loop
	Concurrency int           // closed-loop workers, or streams
	MaxInflight int           // open loop: calls out at most
	Duration    time.Duration // how long to send
	N           int           // most messages to send
	Timeout     time.Duration // per call (unary) or per stream
	Dir         string        // corpus
	SkipCache   bool          // ask the server not to use its domain memory
	RedisInfo   []string      // Redis nodes to read INFO from
	Spawn       string        // bounced binary to start
	SpawnArgs   []string      // extra serve arguments
	Replicas    int           // servers to spawn
	JSON        bool          // print the figures as one JSON object
}

func parseFlags(args []string, errOut io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addrs := fs.String("addr", "127.0.0.1:50051", "comma-separated server addresses (loopback only), used round-robin")
	pids := fs.String("server-pid", "", "comma-separated server PIDs whose CPU is read from /proc")
	fs.StringVar(&c.Mode, "mode", "unary", "unary (Parse), stream (ParseStream), or engine (the engine in this process, no server: the baseline of the server's CPU per message)")
	window := fs.Int("window", 0, "client receive window in bytes, fixed (no BDP pings); 0 = gRPC's dynamic window, as most clients")
	rate := fs.String("rate", "0", "open-loop rate, e.g. 2000/s or 120000/m; 0 = closed loop")
	fs.IntVar(&c.Concurrency, "concurrency", 16, "closed-loop workers (unary) or streams (stream)")
	fs.IntVar(&c.MaxInflight, "max-inflight", 4096, "open loop: most calls out at once; beyond, CLIENT_BACKLOG")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to send (at most "+MaxDuration.String()+")")
	fs.IntVar(&c.N, "n", 0, "most messages to send; 0 = until -duration")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "deadline of each unary call")
	fs.StringVar(&c.Dir, "dir", "testdata/bounces/maildir", "directory of .eml files, read recursively")
	fs.BoolVar(&c.SkipCache, "skip-cache", false, "set skip_cache on every request")
	redisInfo := fs.String("redis-info", "", "comma-separated Redis nodes (host:port, or unix socket path) to read INFO commandstats and cpu from")
	fs.StringVar(&c.Spawn, "spawn", "", "bounced binary to start with `serve --listen 127.0.0.1:0` (overrides -addr and -server-pid)")
	spawnArgs := fs.String("spawn-args", "", "extra space-separated arguments for the spawned serve")
	fs.IntVar(&c.Replicas, "replicas", 1, "servers to spawn")
	fs.BoolVar(&c.JSON, "json", false, "print the figures as one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	bad := func(format string, a ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
	}
	var err error
	if c.Rate, err = parseRate(*rate); err != nil {
		return bad("-rate: %v", err)
	}
	c.Addrs = splitList(*addrs)
	for _, a := range c.Addrs {
		if err := checkLoopback(a); err != nil {
			return bad("-addr: %v", err)
		}
	}
	for _, p := range splitList(*pids) {
		var pid int
		if _, err := fmt.Sscan(p, &pid); err != nil || pid <= 0 {
			return bad("-server-pid: %q is not a process id", p)
		}
		c.PIDs = append(c.PIDs, pid)
	}
	c.RedisInfo = splitList(*redisInfo)
	c.SpawnArgs = splitFields(*spawnArgs)
	switch {
	case c.Mode != "unary" && c.Mode != "stream" && c.Mode != "engine":
		return bad("-mode %q: want unary, stream or engine", c.Mode)
	case *window != 0 && (*window < 64<<10 || *window > 1<<30):
		return bad("-window %d: want 0, or 64 KiB to 1 GiB", *window)
	case c.Concurrency < 1 || c.Concurrency > 10000:
		return bad("-concurrency %d: want 1 to 10000", c.Concurrency)
	case c.MaxInflight < 1:
		return bad("-max-inflight %d: want at least 1", c.MaxInflight)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return bad("-duration %v: want more than 0, at most %v", c.Duration, MaxDuration)
	case c.N < 0 || c.N > MaxMessages:
		return bad("-n %d: want 0 to %d", c.N, MaxMessages)
	case c.Timeout <= 0:
		return bad("-timeout %v: want more than 0", c.Timeout)
	case c.Replicas < 1 || c.Replicas > 64:
		return bad("-replicas %d: want 1 to 64", c.Replicas)
	case len(c.Addrs) == 0 && c.Spawn == "" && c.Mode != "engine":
		return bad("no -addr and no -spawn")
	}
	c.Window = int32(*window)
	if c.Mode == "engine" {
		c.Addrs, c.PIDs, c.Spawn = nil, nil, "" // no server
	}
	if c.N == 0 || c.N > MaxMessages {
		c.N = MaxMessages
	}
	return c, nil
}
