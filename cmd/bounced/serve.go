package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/server"
)

func runServe(ctx context.Context, args []string) error {
	var c Config
	var env envErrors
	fs := newFlagSet("serve", "bounced serve [flags]", os.Stderr)
	bindServe(fs, &c, &env)
	var oc opsConfig
	bindOps(fs, &oc, &env)
	if err := parseConfig(fs, args, &c, env); err != nil {
		return err
	}
	if err := c.checkServe(); err != nil {
		return err
	}
	if err := oc.check(); err != nil {
		return err
	}
	log := newLogger(c.LogLevel)
	inflight := int64(c.MaxInflightBytes)
	if inflight == 0 {
		inflight = server.DefaultMaxInflightBytes
	}
	tuneGC(inflight, os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"))
	// go-redis logs dial failures on its own; route them through slog at
	// debug level: outages are reported by cache_status and the warn lines.
	redis.SetLogger(redisLogger{log})

	store, cacheName, err := openStore(c, log)
	if err != nil {
		return err
	}
	if store != nil {
		defer store.Close()
	}
	pingStore(ctx, store, log)
	metrics := server.NewMetrics(server.MetricsConfig{Version: version, Revision: revision})
	ready := server.NewReadiness(store, oc.CacheOptional, time.Second)
	store = metrics.InstrumentStore(store)
	tlsFiles, err := openTLS(oc, metrics, log)
	if err != nil {
		return err
	}
	auth, err := openAuth(oc, metrics, log)
	if err != nil {
		return err
	}
	var writer *domaincache.Batcher
	if store != nil && c.CacheFlushEvery > 0 {
		// Writes leave the request path and are batched across messages
		// and streams; Close below writes what is left.
		writer = domaincache.NewBatcher(store, c.CacheFlushEvery, 0)
		metrics.SetBatcher(writer)
	}
	// Two messages per CPU in their CPU-bound steps at once; the others
	// wait before starting, so that a message whose cache read has come
	// back is not starved by queued parsing (see bounce.Config.MaxParallel).
	engineCfg := bounce.Config{MaxParallel: 2 * runtime.GOMAXPROCS(0), Limits: c.limits(), Store: store, CacheTimeout: c.CacheTimeout}
	if writer != nil {
		engineCfg.Writer = writer
	}
	resolver, err := c.DNS.apply(&engineCfg, store)
	if err != nil {
		return err
	}
	if resolver != nil {
		metrics.SetDNSStats(server.DNSStatsOf(resolver))
		log.Info("DNS evidence on", "server", resolver.Server(), "timeout", c.DNS.Timeout.String(), "dnsbl", strings.Join(engineCfg.DNSBL, ","))
	}
	engine := bounce.New(engineCfg)
	draining := make(chan struct{})
	scfg := server.Config{
		Draining:        draining,
		Engine:          engine,
		Store:           store,
		MaxMessageBytes: c.MaxMessageBytes,
		CacheTimeout:    c.CacheTimeout,
		Logger:          log,
		Metrics:         metrics,
		Auth:            auth,
		Creds:           grpcCreds(tlsFiles),

		MaxInflightBytes: int64(c.MaxInflightBytes),
		MaxStreams:       c.MaxStreams,
		StallGrace:       offIfZero(c.StallGrace),
		StallMinRate:     int64(offIfZero(c.StallMinRate)),
	}
	// One in-flight budget for gRPC and the HTTP API: the default is sized
	// for the memory of the whole process.
	scfg.Limits = server.NewLimits(scfg)
	srv, health := server.NewGRPCServer(scfg, oc.grpcOptions()...)
	stopAPI := func(context.Context) {}
	if oc.HTTPListen != "" {
		if stopAPI, err = serveAPI(oc.HTTPListen, server.NewHTTPHandler(scfg), tlsFiles, auth != nil, log); err != nil {
			return err
		}
	}
	// The ingest counters join the same registry.
	im := &ingestMetrics{}
	metrics.Registry().MustRegister(im)
	stopIngest, err := startIngest(c, engine, os.Stdout, log, im)
	if err != nil {
		return err
	}
	if c.MetricsListen != "" {
		stopMetrics, err := serveMetrics(c.MetricsListen, server.OpsHandler(metrics, ready, auth), log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	lis, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	warnPlaintext(log, "gRPC", lis.Addr(), tlsFiles != nil, auth != nil)
	log.Info("bounced serving", "addr", lis.Addr().String(), "cache", cacheName, "max_message_bytes", c.MaxMessageBytes, "version", version)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: report NOT_SERVING, then drain the gRPC calls,
	// the HTTP requests and the ingest sessions at once, all against one
	// deadline (they used to take the timeout one after the other, up to
	// three times it), and force-close what is left at the deadline. The
	// ingest sinks then get their own time to deliver what they hold:
	// losing verdicts is worse than a slower stop.
	log.Info("shutting down", "timeout", c.ShutdownTimeout.String())
	health.Shutdown()
	close(draining) // open streams answer what is on its way, then end
	ready.Stopping()
	sctx, scancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer scancel()
	var stopping sync.WaitGroup
	stopping.Go(func() { stopIngest(sctx) })
	stopping.Go(func() { stopAPI(sctx) })
	done := make(chan struct{})
	go func() { srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		log.Warn("shutdown timeout; closing remaining calls")
		srv.Stop()
		<-done
	}
	stopping.Wait()
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	if writer != nil {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := writer.Close(fctx); err != nil {
			log.Warn("domain cache: final write failed", "err", err)
		}
		cancel()
	}
	log.Info("stopped")
	return nil
}

// openStore builds the domain cache the configuration asks for. An outage
// of Redis is logged twice: when it starts and when it ends.
func openStore(c Config, log *slog.Logger) (domaincache.Store, string, error) {
	switch {
	case c.NoCache:
		return nil, "none", nil
	case c.Redis == "":
		return domaincache.NewMemory(c.CacheDomains, c.CacheTTL), "in-process", nil
	}
	var rc domaincache.RedisConfig
	if strings.Contains(c.Redis, "://") {
		var err error
		if rc, err = domaincache.ParseRedisURL(c.Redis); err != nil {
			return nil, "", fmt.Errorf("%w: redis: %v", errUsage, err)
		}
	} else {
		for _, a := range strings.Split(c.Redis, ",") {
			if a = strings.TrimSpace(a); a != "" {
				rc.Addrs = append(rc.Addrs, a)
			}
		}
	}
	if c.RedisMasterName != "" {
		rc.MasterName = c.RedisMasterName
	}
	if c.RedisPassword != "" {
		rc.Password = c.RedisPassword
	}
	rc.TTL, rc.Timeout = c.CacheTTL, c.CacheTimeout
	if log != nil {
		rc.OnHealth = healthLogger(log)
	}
	r, err := domaincache.NewRedis(rc)
	if err != nil {
		return nil, "", err
	}
	return r, "redis", nil
}

// pingStore checks once at start that Redis answers and logs the result.
// A Redis that is down does not stop the service: it runs without the
// domain history (cache_status UNAVAILABLE) until Redis answers.
func pingStore(ctx context.Context, store domaincache.Store, log *slog.Logger) {
	p, ok := store.(interface{ Ping(context.Context) error })
	if !ok {
		return
	}
	if err := p.Ping(ctx); err != nil {
		log.Warn("redis does not answer; serving without domain history until it does", "err", err)
		return
	}
	log.Info("redis answers")
}

// healthLogger logs the domain cache's outages: once when one starts, once
// when it ends, with the number of calls that failed meanwhile.
func healthLogger(log *slog.Logger) func(domaincache.HealthEvent) {
	return func(ev domaincache.HealthEvent) {
		if ev.Up {
			log.Info("domain cache up again", "failed_calls", ev.Failures, "outage", ev.Lasted.Round(time.Millisecond).String())
			return
		}
		log.Warn("domain cache down; parsing goes on without history, writes are queued", "err", ev.Err)
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// redisLogger adapts slog to go-redis's internal logger.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// serveMetrics serves /metrics, /healthz and /readyz over plain HTTP until
// the returned func is called.
func serveMetrics(addr string, m http.Handler, log *slog.Logger) (func(), error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	hs := &http.Server{Handler: m, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(lis) }()
	log.Info("metrics serving", "addr", lis.Addr().String())
	return func() { _ = hs.Close() }, nil
}

// offIfZero maps a flag's 0 (off) to server.Config's negative (off; 0
// there is the default).
func offIfZero[T time.Duration | int](v T) T {
	if v == 0 {
		return -1
	}
	return v
}
