package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/lmtpd"
	"github.com/bounced/bounced/internal/sink"
)

// listFlag is a repeatable string flag; its default comes from a
// comma-separated environment variable.
type listFlag struct {
	vals *[]string
	set  bool
}

func (l *listFlag) String() string {
	if l.vals == nil {
		return ""
	}
	return strings.Join(*l.vals, ",")
}

func (l *listFlag) Set(v string) error {
	if !l.set {
		*l.vals, l.set = nil, true // the first flag replaces the environment's list
	}
	*l.vals = append(*l.vals, v)
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// bindSinks registers the sink flags shared by serve, imap and logs.
func bindSinks(fs *flag.FlagSet, c *Config, env *envErrors) {
	c.Sinks = splitList(envOr("SINK", ""))
	fs.Var(&listFlag{vals: &c.Sinks}, "sink", "where verdicts go: jsonl:PATH|-, redis-stream:KEY, webhook:URL, listmonk:URL; repeatable (default jsonl:-)")
	fs.StringVar(&c.SinkRedis, "sink-redis", envOr("SINK_REDIS", ""), "Redis URL of redis-stream sinks (default --redis)")
	fs.StringVar(&c.WebhookSecretFile, "webhook-secret-file", envOr("WEBHOOK_SECRET_FILE", ""), "file holding the key of the X-Bounced-Signature HMAC-SHA256")
	fs.StringVar(&c.WebhookQueueDir, "webhook-queue-dir", envOr("WEBHOOK_QUEUE_DIR", sink.DefaultQueueDir()), "directory of the on-disk webhook queues")
	fs.IntVar(&c.WebhookQueueMax, "webhook-queue-max", env.int("WEBHOOK_QUEUE_MAX", sink.DefaultQueueMax), "verdicts each webhook queue holds before ingest waits")
}

// bindCache registers the domain memory flags of serve, parse, logs and
// imap. The defaults are the packages' own, defined once there.
func bindCache(fs *flag.FlagSet, c *Config, env *envErrors) {
	fs.StringVar(&c.Redis, "redis", envOr("REDIS", ""), "Redis URL (redis://, rediss://, unix://) or comma-separated host:port list; empty = in-process cache")
	fs.StringVar(&c.RedisMasterName, "redis-master-name", envOr("REDIS_MASTER_NAME", ""), "Sentinel master name (Sentinel mode)")
	fs.StringVar(&c.RedisPassword, "redis-password", envOr("REDIS_PASSWORD", ""), "Redis password, when not in the URL")
	// The cache defaults are the packages' own, defined once there.
	fs.DurationVar(&c.CacheTTL, "cache-ttl", env.duration("CACHE_TTL", domaincache.DefaultTTL), "sliding lifetime of a domain's memory")
	fs.DurationVar(&c.CacheTimeout, "cache-timeout", env.duration("CACHE_TIMEOUT", bounce.DefaultCacheTimeout), "bound on each cache call")
	fs.DurationVar(&c.CacheFlushEvery, "cache-flush-every", env.duration("CACHE_FLUSH_EVERY", domaincache.DefaultFlushEvery), "batch cache writes off the request path, flushed this often; 0 = write before answering")
	fs.IntVar(&c.CacheDomains, "cache-domains", env.int("CACHE_DOMAINS", domaincache.DefaultMemorySize), "domains kept by the in-process cache")
	fs.BoolVar(&c.NoCache, "no-cache", env.bool("NO_CACHE", false), "run without domain memory")
}

// openEngine builds the engine with the configured domain memory, as
// serve does; the returned func writes what is batched and closes the store.
func openEngine(c Config) (*bounce.Engine, func(), error) {
	store, _, err := openStore(c, nil) // the CLI reports no outages: each message says cache_status
	if err != nil {
		return nil, nil, err
	}
	cfg := bounce.Config{Limits: c.limits(), Store: store, CacheTimeout: c.CacheTimeout}
	if _, err := c.DNS.apply(&cfg, store); err != nil {
		if store != nil {
			store.Close()
		}
		return nil, nil, err
	}
	var writer *domaincache.Batcher
	if store != nil && c.CacheFlushEvery > 0 {
		writer = domaincache.NewBatcher(store, c.CacheFlushEvery, 0)
		cfg.Writer = writer
	}
	closeFn := func() {
		if writer != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = writer.Close(ctx)
			cancel()
		}
		if store != nil {
			store.Close()
		}
	}
	return bounce.New(cfg), closeFn, nil
}

// openSinks builds the configured sinks (default jsonl:- on stdout).
func openSinks(c Config, stdout io.Writer, log *slog.Logger) (sink.Multi, error) {
	specs := c.Sinks
	if len(specs) == 0 {
		specs = []string{"jsonl:-"}
	}
	o := sink.Options{Stdout: stdout, RedisURL: c.SinkRedis, QueueDir: c.WebhookQueueDir, QueueMax: c.WebhookQueueMax, Logger: log}
	if o.RedisURL == "" && strings.Contains(c.Redis, "://") {
		o.RedisURL = c.Redis
	}
	if c.WebhookSecretFile != "" {
		b, err := os.ReadFile(c.WebhookSecretFile)
		if err != nil {
			return nil, fmt.Errorf("%w: --webhook-secret-file: %v", errUsage, err)
		}
		o.Secret = []byte(strings.TrimSpace(string(b)))
		if len(o.Secret) == 0 {
			return nil, fmt.Errorf("%w: --webhook-secret-file %s is empty", errUsage, c.WebhookSecretFile)
		}
	}
	var sp []sink.Spec
	for _, s := range specs {
		sp = append(sp, sink.Spec(s))
	}
	m, err := sink.Open(sp, o)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return m, nil
}

// closeSinks flushes the sinks, waiting at most d for webhook queues (what
// is left stays on disk for the next start).
func closeSinks(s sink.Sink, d time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		log.Warn("sinks: closed with work left", "err", err)
	}
}

// bindIngestServe registers serve's LMTP and SMTP listener flags.
func bindIngestServe(fs *flag.FlagSet, c *Config, env *envErrors) {
	fs.StringVar(&c.LMTPListen, "lmtp-listen", envOr("LMTP_LISTEN", ""), "LMTP listen address for the MTA: host:port or unix:/path; empty = off")
	fs.StringVar(&c.SMTPListen, "smtp-listen", envOr("SMTP_LISTEN", ""), "SMTP listen address for a dedicated bounce MX; empty = off")
	fs.StringVar(&c.SMTPTLSCert, "smtp-tls-cert", envOr("SMTP_TLS_CERT", ""), "PEM certificate chain for STARTTLS on --smtp-listen")
	fs.StringVar(&c.SMTPTLSKey, "smtp-tls-key", envOr("SMTP_TLS_KEY", ""), "PEM private key for STARTTLS on --smtp-listen")
	fs.IntVar(&c.IngestMaxConnections, "ingest-max-connections", env.int("INGEST_MAX_CONNECTIONS", lmtpd.DefaultMaxConnections),
		"LMTP/SMTP connections served at once, per listener; each may hold a message of --max-message-bytes, so this bounds their memory")
}

// startIngest starts the LMTP and SMTP listeners that are configured; the
// returned func stops them and closes the sinks. metrics gets the ingest
// and webhook counters appended.
func startIngest(c Config, engine *bounce.Engine, stdout io.Writer, log *slog.Logger, metrics *ingestMetrics) (func(context.Context), error) {
	if c.LMTPListen == "" && c.SMTPListen == "" {
		return func(context.Context) {}, nil
	}
	if (c.SMTPTLSCert == "") != (c.SMTPTLSKey == "") {
		return nil, fmt.Errorf("%w: --smtp-tls-cert and --smtp-tls-key go together", errUsage)
	}
	sinks, err := openSinks(c, stdout, log)
	if err != nil {
		return nil, err
	}
	metrics.sinks, metrics.lmtp = sinks, &lmtpd.Stats{}
	cfg := lmtpd.Config{
		Handler:         &ingest.Handler{Engine: engine, Sink: sinks},
		MaxMessageBytes: c.MaxMessageBytes,
		Logger:          log,
		Stats:           metrics.lmtp,
	}
	if c.SMTPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.SMTPTLSCert, c.SMTPTLSKey)
		if err != nil {
			closeSinks(sinks, time.Second, log)
			return nil, fmt.Errorf("%w: smtp tls: %v", errUsage, err)
		}
		cfg.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	type server interface {
		Serve(net.Listener) error
		Shutdown(context.Context) error
	}
	var running []server
	// stop shuts the listeners down at once (a session still open at
	// ctx's deadline is left to the process's exit), then gives the sinks
	// the shutdown timeout to deliver what they hold.
	stop := func(ctx context.Context) {
		var wg sync.WaitGroup
		for _, s := range running {
			wg.Go(func() {
				if err := s.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
					log.Debug("ingest listener shutdown", "err", err)
				}
			})
		}
		wg.Wait()
		closeSinks(sinks, c.ShutdownTimeout, log)
	}
	for _, l := range []struct {
		addr, name string
		srv        server
	}{{c.LMTPListen, "lmtp", lmtpd.NewLMTP(cfg)}, {c.SMTPListen, "smtp", lmtpd.NewSMTP(cfg)}} {
		if l.addr == "" {
			continue
		}
		lis, err := lmtpd.Listen(l.addr)
		if err != nil {
			stop(context.Background())
			return nil, fmt.Errorf("%s listen: %w", l.name, err)
		}
		lis = lmtpd.LimitConnections(lis, c.IngestMaxConnections)
		log.Info("ingest serving", "protocol", l.name, "addr", lis.Addr().String(), "starttls", l.name == "smtp" && cfg.TLSConfig != nil)
		go func() { _ = l.srv.Serve(lis) }()
		running = append(running, l.srv)
	}
	return stop, nil
}

// ingestMetrics exports the LMTP/SMTP and webhook counters into the
// server's Prometheus registry, read at each scrape.
type ingestMetrics struct {
	lmtp  *lmtpd.Stats
	sinks sink.Multi
}

var (
	ingestDelivered = prometheus.NewDesc("bounced_ingest_delivered_total", "LMTP/SMTP verdicts delivered to the sinks.", nil, nil)
	ingestErrors    = prometheus.NewDesc("bounced_ingest_error_verdicts_total", "LMTP/SMTP messages accepted as error verdicts (malformed).", nil, nil)
	ingestTempFail  = prometheus.NewDesc("bounced_ingest_tempfail_total", "LMTP/SMTP recipients answered 451 because a sink failed.", nil, nil)
	ingestTooLarge  = prometheus.NewDesc("bounced_ingest_too_large_total", "LMTP/SMTP messages refused with 552 5.3.4.", nil, nil)
	webhookQueued   = prometheus.NewDesc("bounced_webhook_queued", "Verdicts waiting in the webhook queues.", nil, nil)
	webhookDone     = prometheus.NewDesc("bounced_webhook_delivered_total", "Webhook requests the receivers accepted.", nil, nil)
	webhookRetries  = prometheus.NewDesc("bounced_webhook_retries_total", "Webhook attempts that failed and were retried.", nil, nil)
	webhookDead     = prometheus.NewDesc("bounced_webhook_dead_total", "Webhook items refused for good (kept in dead/).", nil, nil)
)

// Describe implements prometheus.Collector.
func (m *ingestMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ingestDelivered, ingestErrors, ingestTempFail, ingestTooLarge, webhookQueued, webhookDone, webhookRetries, webhookDead} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *ingestMetrics) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	if s := m.lmtp; s != nil {
		counter(ingestDelivered, float64(s.Delivered.Load()))
		counter(ingestErrors, float64(s.Errors.Load()))
		counter(ingestTempFail, float64(s.TempFailed.Load()))
		counter(ingestTooLarge, float64(s.TooLarge.Load()))
	}
	var q, delivered, retries, dead int64
	for _, s := range m.sinks {
		if w, ok := s.(*sink.Webhook); ok {
			st := w.Stats()
			q, delivered, retries, dead = q+int64(st.Queued), delivered+st.Delivered, retries+st.Retries, dead+st.Dead
		}
	}
	ch <- prometheus.MustNewConstMetric(webhookQueued, prometheus.GaugeValue, float64(q))
	counter(webhookDone, float64(delivered))
	counter(webhookRetries, float64(retries))
	counter(webhookDead, float64(dead))
}
