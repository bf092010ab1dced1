package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// maxCallBytes lets the client send and receive messages as large as a
// server accepts by default.
const maxCallBytes = 64 << 20

// recorder collects answers from every goroutine.
type recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	errs  map[string]int64
	cache map[string]int64
	ok    int64
}

func newRecorder(n int) *recorder {
	return &recorder{lat: make([]time.Duration, 0, min(n, 1<<20)), errs: map[string]int64{}, cache: map[string]int64{}}
}

// done records one answer: errCode is "" for success.
func (r *recorder) done(lat time.Duration, errCode string, resp *pb.ParseResponse) {
	r.answered(lat, errCode, strings.TrimPrefix(resp.GetCacheStatus().String(), "CACHE_STATUS_"))
}

// answered records one answer with its cache status by name.
func (r *recorder) answered(lat time.Duration, errCode, cache string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if errCode != "" {
		r.errs[errCode]++
		return
	}
	r.ok++
	r.lat = append(r.lat, lat)
	r.cache[cache]++
}

// codeOf names a call's error by its gRPC code, with the ErrorInfo reason
// when the server gave one ("RESOURCE_EXHAUSTED/MESSAGE_TOO_LARGE").
func codeOf(err error) string {
	st := status.Convert(err)
	name := strings.ToUpper(snake(st.Code().String()))
	for _, d := range st.Details() {
		if r, ok := d.(interface{ GetReason() string }); ok && r.GetReason() != "" {
			return name + "/" + r.GetReason()
		}
	}
	return name
}

// snake turns gRPC's code names ("ResourceExhausted") into the
// constants' spelling ("resource_exhausted").
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// streamMessageError names the per-message error of a stream answer (a
// google.rpc.Status) like a unary call's error, "" when the message was
// parsed.
func streamMessageError(resp *pb.ParseStreamResponse) string {
	if e := resp.GetResponse().GetError(); e.GetCode() != 0 {
		return codeOf(status.ErrorProto(e))
	}
	return ""
}

// item is one message to send and when it was due.
type item struct {
	i   int
	due time.Time
}

// drive sends the load and measures it.
func drive(ctx context.Context, cfg Config, msgs []message) (*result, error) {
	if cfg.Mode == "engine" {
		return driveEngine(ctx, cfg, msgs)
	}
	var conns []*grpc.ClientConn
	for _, a := range cfg.Addrs {
		opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(maxCallBytes), grpc.MaxCallRecvMsgSize(maxCallBytes))}
		if cfg.Window > 0 {
			// Fixed receive windows: no BDP PING with every answer, which
			// the server must read and acknowledge.
			opts = append(opts, grpc.WithStaticStreamWindowSize(cfg.Window), grpc.WithStaticConnWindowSize(cfg.Window))
		}
		c, err := grpc.NewClient(a, opts...)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		conns = append(conns, c)
	}
	clients := make([]pb.BounceServiceClient, len(conns))
	for i, c := range conns {
		clients[i] = pb.NewBounceServiceClient(c)
	}
	// One call per server first: a server that is not there fails the run
	// before any figure is taken.
	for i, c := range clients {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := c.Parse(wctx, &pb.ParseRequest{Raw: msgs[0].raw, SkipCache: true}, grpc.WaitForReady(true))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", cfg.Addrs[i], err)
		}
	}
	req := func(i int) *pb.ParseRequest {
		m := msgs[i%len(msgs)]
		return &pb.ParseRequest{Raw: m.raw, Source: m.name, SkipCache: cfg.SkipCache}
	}

	return measure(ctx, cfg, len(msgs), func(rec *recorder, start time.Time) int64 {
		if cfg.Mode == "unary" {
			return driveUnary(ctx, cfg, clients, req, rec, start)
		}
		return driveStream(ctx, cfg, clients, req, rec, start)
	})
}

// measure runs the load run drives and takes the figures around it: the
// servers' CPU and context switches, loadgen's own CPU, Redis's counters
// and the machine's load average.
func measure(ctx context.Context, cfg Config, files int, run func(*recorder, time.Time) int64) (*result, error) {
	res := &result{cfg: cfg, files: files}
	var err error
	if res.cpuBefore, err = cpuOf(cfg.PIDs); err != nil {
		return nil, err
	}
	res.cswBefore = switchesOf(cfg.PIDs)
	res.selfBefore, _ = selfCPU()
	res.loadBefore = loadAverage()
	if len(cfg.RedisInfo) > 0 {
		if res.redisBefore, err = readRedis(ctx, cfg.RedisInfo); err != nil {
			return nil, err
		}
	}

	rec := newRecorder(cfg.N)
	start := time.Now()
	res.sent = run(rec, start)
	res.elapsed = time.Since(start)
	res.rec = rec

	if res.cpuAfter, err = cpuOf(cfg.PIDs); err != nil {
		return nil, err
	}
	res.cswAfter = switchesOf(cfg.PIDs)
	res.selfAfter, _ = selfCPU()
	res.loadAfter = loadAverage()
	if len(cfg.RedisInfo) > 0 {
		after, err := readRedis(ctx, cfg.RedisInfo)
		if err != nil {
			return nil, err
		}
		d := diffRedis(res.redisBefore, after)
		res.redis = &d
	}
	return res, nil
}

// schedule calls send(i, due) for each message until the duration, N or
// ctx ends: at the fixed rate (open loop) or, when rate is 0, never;
// closed-loop drivers pace themselves. It returns how many it scheduled.
func schedule(ctx context.Context, cfg Config, start time.Time, send func(item)) int64 {
	end := start.Add(cfg.Duration)
	var i int
	for ; i < cfg.N; i++ {
		due := start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
		if !due.Before(end) {
			break
		}
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
				return int64(i)
			case <-time.After(wait):
			}
		} else if ctx.Err() != nil {
			return int64(i)
		}
		send(item{i: i, due: due})
	}
	return int64(i)
}

func driveUnary(ctx context.Context, cfg Config, clients []pb.BounceServiceClient, req func(int) *pb.ParseRequest, rec *recorder, start time.Time) int64 {
	return driveCalls(ctx, cfg, rec, start, func(it item) {
		cctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		resp, err := clients[it.i%len(clients)].Parse(cctx, req(it.i))
		cancel()
		lat := time.Since(it.due)
		if err != nil {
			rec.done(lat, codeOf(err), nil)
			return
		}
		rec.done(lat, "", resp)
	})
}

// driveCalls makes one call per message, each on a goroutine of its own
// at the fixed rate (at most MaxInflight out), or from Concurrency
// workers in a closed loop. It returns how many it scheduled.
func driveCalls(ctx context.Context, cfg Config, rec *recorder, start time.Time, call func(item)) int64 {
	var wg sync.WaitGroup
	if cfg.Rate > 0 {
		sem := make(chan struct{}, cfg.MaxInflight)
		n := schedule(ctx, cfg, start, func(it item) {
			select {
			case sem <- struct{}{}:
				wg.Go(func() {
					call(it)
					<-sem
				})
			default:
				rec.done(0, "CLIENT_BACKLOG", nil)
			}
		})
		wg.Wait()
		return n
	}
	var next atomic.Int64
	end := start.Add(cfg.Duration)
	for range cfg.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(end) {
				i := int(next.Add(1) - 1)
				if i >= cfg.N {
					next.Add(-1)
					return
				}
				call(item{i: i, due: time.Now()})
			}
		})
	}
	wg.Wait()
	return next.Load()
}

// streamWindow is how many messages a closed-loop stream keeps in flight.
const streamWindow = 8

func driveStream(ctx context.Context, cfg Config, clients []pb.BounceServiceClient, req func(int) *pb.ParseRequest, rec *recorder, start time.Time) int64 {
	type stream struct {
		work    chan item
		pending chan item
		window  chan struct{}
	}
	per := max(1, cfg.MaxInflight/cfg.Concurrency)
	if cfg.Rate == 0 {
		per = streamWindow
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.Duration+cfg.Timeout)
	defer cancel()
	streams := make([]*stream, cfg.Concurrency)
	var wg sync.WaitGroup
	for s := range streams {
		st := &stream{work: make(chan item, per), pending: make(chan item, per+1), window: make(chan struct{}, per)}
		streams[s] = st
		client := clients[s%len(clients)]
		wg.Go(func() {
			fail := func(it item, code string) {
				rec.done(time.Since(it.due), code, nil)
				if cfg.Rate == 0 {
					<-st.window
				}
			}
			ps, err := client.ParseStream(sctx)
			if err != nil {
				for it := range st.work {
					fail(it, codeOf(err))
				}
				return
			}
			recvDone := make(chan struct{})
			go func() {
				defer close(recvDone)
				for it := range st.pending {
					resp, err := ps.Recv()
					if err != nil {
						code := codeOf(err)
						if errors.Is(err, io.EOF) {
							code = "STREAM_EOF"
						}
						fail(it, code)
						for it := range st.pending {
							fail(it, code)
						}
						return
					}
					if code := streamMessageError(resp); code != "" {
						rec.done(time.Since(it.due), code, nil)
					} else {
						rec.done(time.Since(it.due), "", resp.GetResponse())
					}
					if cfg.Rate == 0 {
						<-st.window
					}
				}
			}()
			broken := ""
			for it := range st.work {
				if broken != "" {
					fail(it, broken)
					continue
				}
				st.pending <- it
				if err := ps.Send(&pb.ParseStreamRequest{Request: req(it.i)}); err != nil {
					// The receiver reports the stream's error for what is
					// pending; what comes later fails here.
					broken = "STREAM_BROKEN"
				}
			}
			close(st.pending)
			ps.CloseSend()
			<-recvDone
		})
	}

	var n int64
	if cfg.Rate > 0 {
		n = schedule(ctx, cfg, start, func(it item) {
			select {
			case streams[it.i%len(streams)].work <- it:
			default:
				rec.done(0, "CLIENT_BACKLOG", nil)
			}
		})
	} else {
		var next atomic.Int64
		end := start.Add(cfg.Duration)
		var feeders sync.WaitGroup
		for _, st := range streams {
			feeders.Go(func() {
				for ctx.Err() == nil {
					st.window <- struct{}{}
					i := int(next.Add(1) - 1)
					if i >= cfg.N || !time.Now().Before(end) {
						next.Add(-1)
						<-st.window
						return
					}
					st.work <- item{i: i, due: time.Now()}
				}
			})
		}
		feeders.Wait()
		n = next.Load()
	}
	for _, st := range streams {
		close(st.work)
	}
	wg.Wait()
	return n
}

// result is one run's figures.
type result struct {
	cfg                   Config
	files                 int
	sent                  int64
	elapsed               time.Duration
	rec                   *recorder
	cpuBefore, cpuAfter   time.Duration
	cswBefore, cswAfter   int64 // the servers' voluntary context switches, -1 unknown
	selfBefore, selfAfter time.Duration
	loadBefore, loadAfter string // 1-minute load average of the machine
	redisBefore           redisSnapshot
	redis                 *redisDelta
}

// percentile returns the q-quantile (0..1) of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Figures are the numbers of a run, as -json prints them (durations in
// nanoseconds).
type Figures struct {
	Sent, OK, Errors int64
	Seconds          float64          // from the first message to the last answer
	Throughput       float64          // answered messages per second
	P50, P90, P99    time.Duration    // latency percentiles of the answered messages
	P999, Max        time.Duration    //
	ErrorCodes       map[string]int64 // errors by code
	CacheStatus      map[string]int64 // answers by cache status
	ServerCPUPerMsg  time.Duration    // 0 without -server-pid or -spawn
	ServerCores      float64          // server CPU time / wall time
	ServerSwitches   float64          // voluntary context switches of the servers per message; 0 unknown
	EngineCPUPerMsg  time.Duration    // -mode engine: loadgen's own CPU per message
	LoadAverage      [2]string        // the machine's 1-minute load average before and after
	RedisOpsPerMsg   float64          // 0 without -redis-info
	RedisCommands    map[string]int64 // per command
	RedisCPUPerMsg   time.Duration
}

func (r *result) figures() Figures {
	lat := slices.Clone(r.rec.lat)
	slices.Sort(lat)
	f := Figures{Sent: r.sent, OK: r.rec.ok, Seconds: r.elapsed.Seconds(), ErrorCodes: r.rec.errs, CacheStatus: r.rec.cache}
	for _, n := range r.rec.errs {
		f.Errors += n
	}
	if r.elapsed > 0 {
		f.Throughput = float64(r.rec.ok) / r.elapsed.Seconds()
	}
	f.P50, f.P90, f.P99, f.P999 = percentile(lat, 0.5), percentile(lat, 0.9), percentile(lat, 0.99), percentile(lat, 0.999)
	if len(lat) > 0 {
		f.Max = lat[len(lat)-1]
	}
	if len(r.cfg.PIDs) > 0 && r.rec.ok > 0 {
		f.ServerCPUPerMsg = (r.cpuAfter - r.cpuBefore) / time.Duration(r.rec.ok)
		f.ServerCores = (r.cpuAfter - r.cpuBefore).Seconds() / r.elapsed.Seconds()
		if r.cswBefore >= 0 && r.cswAfter >= r.cswBefore {
			f.ServerSwitches = float64(r.cswAfter-r.cswBefore) / float64(r.rec.ok)
		}
	}
	if r.cfg.Mode == "engine" && r.rec.ok > 0 {
		f.EngineCPUPerMsg = (r.selfAfter - r.selfBefore) / time.Duration(r.rec.ok)
	}
	f.LoadAverage = [2]string{r.loadBefore, r.loadAfter}
	if r.redis != nil && r.rec.ok > 0 {
		f.RedisOpsPerMsg = float64(r.redis.total) / float64(r.rec.ok)
		f.RedisCPUPerMsg = r.redis.cpu / time.Duration(r.rec.ok)
		f.RedisCommands = r.redis.calls
	}
	return f
}

func (r *result) printJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.figures())
}

func (r *result) print(w io.Writer) {
	f := r.figures()
	c := r.cfg
	load := fmt.Sprintf("closed loop, %d %s", c.Concurrency, map[string]string{"unary": "workers", "stream": "streams", "engine": "workers"}[c.Mode])
	if c.Rate > 0 {
		load = fmt.Sprintf("open loop at %.0f/s", c.Rate)
		if c.Mode == "stream" {
			load += fmt.Sprintf(" over %d streams", c.Concurrency)
		}
	}
	target := fmt.Sprintf("%s (%d server%s)", strings.Join(c.Addrs, ","), len(c.Addrs), plural(len(c.Addrs)))
	if c.Mode == "engine" {
		target = "the engine in this process"
	}
	fmt.Fprintf(w, "target      %s, mode %s, %s, %d files\n", target, c.Mode, load, r.files)
	fmt.Fprintf(w, "messages    sent %d, answered %d, errors %d in %.2fs: %.1f msg/s\n", f.Sent, f.OK, f.Errors, r.elapsed.Seconds(), f.Throughput)
	fmt.Fprintf(w, "latency     p50 %s  p90 %s  p99 %s  p999 %s  max %s\n", ms(f.P50), ms(f.P90), ms(f.P99), ms(f.P999), ms(f.Max))
	fmt.Fprintf(w, "errors      %s\n", counts(r.rec.errs, "none"))
	fmt.Fprintf(w, "cache       %s\n", counts(r.rec.cache, "-"))
	if len(c.PIDs) > 0 {
		cpu := r.cpuAfter - r.cpuBefore
		sw := ""
		if f.ServerSwitches > 0 {
			sw = fmt.Sprintf(", %.2f context switches/message", f.ServerSwitches)
		}
		fmt.Fprintf(w, "server CPU  %.2fs over %.2fs (%.2f cores), %.1f µs/message%s\n", cpu.Seconds(), r.elapsed.Seconds(), cpu.Seconds()/r.elapsed.Seconds(), us(f.ServerCPUPerMsg), sw)
	}
	if self := r.selfAfter - r.selfBefore; self > 0 {
		if c.Mode == "engine" {
			fmt.Fprintf(w, "engine CPU  %.2fs (%.2f cores), %.1f µs/message (loadgen's own: the engine and the pacing)\n", self.Seconds(), self.Seconds()/r.elapsed.Seconds(), us(f.EngineCPUPerMsg))
		} else {
			fmt.Fprintf(w, "loadgen CPU %.2fs (%.2f cores)\n", self.Seconds(), self.Seconds()/r.elapsed.Seconds())
		}
	}
	if r.loadBefore != "" {
		fmt.Fprintf(w, "machine     load average %s -> %s (1 min), %d CPUs\n", r.loadBefore, r.loadAfter, runtime.NumCPU())
	}
	if r.redis != nil {
		var parts []string
		for name, n := range r.redis.calls {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(n)/float64(max(f.OK, 1))))
		}
		slices.Sort(parts)
		fmt.Fprintf(w, "redis       %d commands, %.2f/message (%s)\n", r.redis.total, f.RedisOpsPerMsg, strings.Join(parts, ", "))
		fmt.Fprintf(w, "redis CPU   %.2fs (%.2f cores), %.1f µs/message\n", r.redis.cpu.Seconds(), r.redis.cpu.Seconds()/r.elapsed.Seconds(), us(f.RedisCPUPerMsg))
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func counts(m map[string]int64, none string) string {
	if len(m) == 0 {
		return none
	}
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
