package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	"github.com/bounced/bounced/internal/server"
)

// Config is every setting of bounced, in one place. Each field has a flag
// and a BOUNCED_* environment variable; the flag wins.
type Config struct {
	// Listen is the gRPC listen address (BOUNCED_LISTEN).
	Listen string
	// Redis is the domain cache: a redis://, rediss:// or unix:// URL, or a
	// comma-separated list of host:port for Cluster or Sentinel
	// (BOUNCED_REDIS). Empty runs on the in-process cache.
	Redis string
	// RedisMasterName selects Sentinel mode with this master (BOUNCED_REDIS_MASTER_NAME).
	RedisMasterName string
	// RedisPassword is the Redis password when not in the URL (BOUNCED_REDIS_PASSWORD).
	RedisPassword string
	// CacheTTL is how long a domain's memory lives after its last bounce (BOUNCED_CACHE_TTL).
	CacheTTL time.Duration
	// CacheTimeout bounds each cache call (BOUNCED_CACHE_TIMEOUT).
	CacheTimeout time.Duration
	// CacheFlushEvery batches cache writes across messages, written at
	// least this often, off the request path (BOUNCED_CACHE_FLUSH_EVERY);
	// 0 writes each message's verdicts before Parse returns.
	CacheFlushEvery time.Duration
	// CacheDomains caps the in-process cache (BOUNCED_CACHE_DOMAINS).
	CacheDomains int
	// NoCache runs without any domain memory (BOUNCED_NO_CACHE).
	NoCache bool
	// MaxMessageBytes is the largest message accepted (BOUNCED_MAX_MESSAGE_BYTES);
	// the gRPC receive limit follows it.
	MaxMessageBytes int
	// MaxDepth is the deepest MIME nesting read (BOUNCED_MAX_DEPTH).
	MaxDepth int
	// MaxParts is the most MIME parts read (BOUNCED_MAX_PARTS).
	MaxParts int
	// MaxRecipients is the most recipients in one report (BOUNCED_MAX_RECIPIENTS).
	MaxRecipients int
	// MaxInflightBytes bounds the bytes of the messages parsed at once,
	// all calls together (BOUNCED_MAX_INFLIGHT_BYTES). The default, 256
	// MiB, keeps the heap under about 800 MiB, within the 1 GiB memory
	// limit of deploy/kubernetes; scale it with that limit.
	MaxInflightBytes int
	// MaxStreams bounds the ParseStream calls open at once (BOUNCED_MAX_STREAMS).
	MaxStreams int
	// StallGrace and StallMinRate bound how long a gRPC request message
	// holding room in the in-flight budget may take to arrive: the grace
	// plus its size at the rate (BOUNCED_STALL_GRACE,
	// BOUNCED_STALL_MIN_RATE in bytes a second); 0 turns each off.
	StallGrace   time.Duration
	StallMinRate int
	// ShutdownTimeout is how long SIGTERM waits for in-flight calls (BOUNCED_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// LogLevel is debug, info, warn or error (BOUNCED_LOG_LEVEL).
	LogLevel string
	// MetricsListen serves Prometheus-format counters at /metrics over HTTP
	// when set (BOUNCED_METRICS_LISTEN), e.g. 127.0.0.1:9151.
	MetricsListen string

	// LMTPListen serves LMTP (RFC 2033) for an MTA to hand bounces to:
	// host:port or unix:/path (BOUNCED_LMTP_LISTEN); empty = off.
	LMTPListen string
	// SMTPListen serves SMTP for a dedicated bounce MX (BOUNCED_SMTP_LISTEN); empty = off.
	SMTPListen string
	// SMTPTLSCert and SMTPTLSKey are PEM files that enable STARTTLS on the
	// SMTP listener (BOUNCED_SMTP_TLS_CERT, BOUNCED_SMTP_TLS_KEY).
	SMTPTLSCert, SMTPTLSKey string
	// IngestMaxConnections is how many LMTP/SMTP connections each listener
	// serves at once (BOUNCED_INGEST_MAX_CONNECTIONS); further clients wait
	// in the kernel's accept queue. Each connection may hold one message of
	// MaxMessageBytes, so this bounds the ingest paths' memory.
	IngestMaxConnections int
	// Sinks receive every verdict of the ingest paths (LMTP, SMTP, IMAP,
	// logs): jsonl:PATH|-, redis-stream:KEY, webhook:URL, listmonk:URL;
	// repeatable (BOUNCED_SINK, comma-separated). Default jsonl:-.
	Sinks []string
	// SinkRedis is the Redis URL of redis-stream sinks (BOUNCED_SINK_REDIS);
	// default the --redis URL.
	SinkRedis string
	// WebhookSecretFile holds the HMAC-SHA256 key that signs webhook bodies
	// (BOUNCED_WEBHOOK_SECRET_FILE).
	WebhookSecretFile string
	// WebhookQueueDir keeps webhook queues on disk (BOUNCED_WEBHOOK_QUEUE_DIR);
	// default $STATE_DIRECTORY/queue or ~/.local/state/bounced/queue.
	WebhookQueueDir string
	// WebhookQueueMax bounds each webhook queue, in verdicts (BOUNCED_WEBHOOK_QUEUE_MAX).
	WebhookQueueMax int

	// IMAPURL is the bounce mailbox, imaps://user@host/INBOX (BOUNCED_IMAP_URL).
	IMAPURL string
	// IMAPPasswordFile holds the mailbox password (BOUNCED_IMAP_PASSWORD_FILE);
	// else BOUNCED_IMAP_PASSWORD. Never a flag value, which ps would show.
	IMAPPasswordFile string
	// IMAPDoneFolder receives handled messages (BOUNCED_IMAP_DONE_FOLDER);
	// else IMAPDelete deletes them (BOUNCED_IMAP_DELETE); else they are marked \Seen.
	IMAPDoneFolder string
	IMAPDelete     bool
	// IMAPPollInterval is the wait between searches when the server has no
	// IDLE (BOUNCED_IMAP_POLL_INTERVAL).
	IMAPPollInterval time.Duration
	// IMAPAllowPlaintext permits imap:// without STARTTLS (BOUNCED_IMAP_ALLOW_PLAINTEXT).
	IMAPAllowPlaintext bool
	// DNS is the DNS evidence (dns.go), off unless DNS.Server is set.
	DNS DNSConfig
}

func (c Config) limits() dsn.Options {
	return dsn.Options{MaxMessageBytes: c.MaxMessageBytes, MaxDepth: c.MaxDepth, MaxParts: c.MaxParts, MaxRecipients: c.MaxRecipients}
}

// envOr returns $BOUNCED_<name> or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("BOUNCED_" + name); ok {
		return v
	}
	return def
}

// bindLimits registers the flags shared by serve and parse.
func bindLimits(fs *flag.FlagSet, c *Config, env *envErrors) {
	fs.IntVar(&c.MaxMessageBytes, "max-message-bytes", env.int("MAX_MESSAGE_BYTES", dsn.DefaultMaxMessageBytes), "largest message accepted, in bytes")
	fs.IntVar(&c.MaxDepth, "max-depth", env.int("MAX_DEPTH", dsn.DefaultMaxDepth), "deepest MIME nesting read")
	fs.IntVar(&c.MaxParts, "max-parts", env.int("MAX_PARTS", dsn.DefaultMaxParts), "most MIME parts read")
	fs.IntVar(&c.MaxRecipients, "max-recipients", env.int("MAX_RECIPIENTS", dsn.DefaultMaxRecipients), "most recipients in one report")
	bindDNS(fs, &c.DNS, env)
}

// bindServe registers the serve flags.
func bindServe(fs *flag.FlagSet, c *Config, env *envErrors) {
	fs.StringVar(&c.Listen, "listen", envOr("LISTEN", "127.0.0.1:50051"), "gRPC listen address")
	bindCache(fs, c, env)
	fs.IntVar(&c.MaxInflightBytes, "max-inflight-bytes", env.int("MAX_INFLIGHT_BYTES", server.DefaultMaxInflightBytes), "bytes of messages parsed at once, all calls together; beyond, calls wait, then RESOURCE_EXHAUSTED")
	fs.IntVar(&c.MaxStreams, "max-streams", env.int("MAX_STREAMS", server.DefaultMaxStreams), "ParseStream calls open at once; beyond, calls wait, then RESOURCE_EXHAUSTED")
	fs.DurationVar(&c.StallGrace, "stall-grace", env.duration("STALL_GRACE", server.DefaultStallGrace), "a gRPC message holding room must arrive within this plus its size at --stall-min-rate, or its call is reset; 0 = no bound")
	fs.IntVar(&c.StallMinRate, "stall-min-rate", env.int("STALL_MIN_RATE", server.DefaultStallMinRate), "bytes a second a gRPC message holding room must arrive at beyond --stall-grace; 0 = the grace alone")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", env.duration("SHUTDOWN_TIMEOUT", 15*time.Second), "how long SIGTERM waits for in-flight calls")
	fs.StringVar(&c.MetricsListen, "metrics-listen", envOr("METRICS_LISTEN", ""), "HTTP address for /metrics (Prometheus text); empty = off")
	fs.StringVar(&c.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error")
	bindLimits(fs, c, env)
	bindIngestServe(fs, c, env)
	bindSinks(fs, c, env)
}

// envErrors collects malformed environment values so they are reported
// instead of silently replaced by defaults.
type envErrors []string

func (e *envErrors) int(name string, def int) int {
	v := envOr(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*e = append(*e, fmt.Sprintf("BOUNCED_%s=%q: not an integer", name, v))
		return def
	}
	return n
}

func (e *envErrors) duration(name string, def time.Duration) time.Duration {
	v := envOr(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		*e = append(*e, fmt.Sprintf("BOUNCED_%s=%q: not a duration", name, v))
		return def
	}
	return d
}

func (e *envErrors) bool(name string, def bool) bool {
	v := envOr(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*e = append(*e, fmt.Sprintf("BOUNCED_%s=%q: not a boolean", name, v))
		return def
	}
	return b
}

func (e envErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", errUsage, strings.Join(e, "; "))
}

// check validates a parsed configuration.
func (c Config) check() error {
	switch {
	case c.MaxMessageBytes <= 0:
		return fmt.Errorf("%w: max-message-bytes must be positive", errUsage)
	case c.MaxInflightBytes < 0, c.MaxStreams < 0:
		return fmt.Errorf("%w: max-inflight-bytes and max-streams must not be negative", errUsage)
	case c.StallGrace < 0, c.StallMinRate < 0:
		return fmt.Errorf("%w: stall-grace and stall-min-rate must not be negative", errUsage)
	case c.MaxDepth <= 0, c.MaxParts <= 0, c.MaxRecipients <= 0:
		return fmt.Errorf("%w: max-depth, max-parts and max-recipients must be positive", errUsage)
	case c.CacheTimeout < 0, c.CacheTTL < 0, c.ShutdownTimeout < 0, c.CacheFlushEvery < 0:
		return fmt.Errorf("%w: durations must not be negative", errUsage)
	case c.CacheDomains < 0:
		return fmt.Errorf("%w: cache-domains must not be negative", errUsage)
	}
	if err := checkRedis(c.Redis); err != nil {
		return err
	}
	return c.DNS.check()
}

// logLevels are the accepted --log-level values.
var logLevels = []string{"debug", "info", "warn", "error"}

// checkServe validates the settings only serve reads.
func (c Config) checkServe() error {
	ok := false
	for _, l := range logLevels {
		ok = ok || strings.EqualFold(c.LogLevel, l)
	}
	if !ok {
		return fmt.Errorf("%w: --log-level %q: want one of %s", errUsage, c.LogLevel, strings.Join(logLevels, ", "))
	}
	return nil
}

// checkRedis refuses a malformed --redis at start: a URL go-redis cannot
// read, or a list entry that is not host:port.
func checkRedis(v string) error {
	switch {
	case v == "":
		return nil
	case strings.Contains(v, "://"):
		if _, err := domaincache.ParseRedisURL(v); err != nil {
			return fmt.Errorf("%w: --redis: %v", errUsage, err)
		}
		return nil
	}
	for _, a := range strings.Split(v, ",") {
		a = strings.TrimSpace(a)
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return fmt.Errorf("%w: --redis: %q is not host:port (or use a redis://, rediss:// or unix:// URL)", errUsage, a)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("%w: --redis: %q: port must be 1-65535", errUsage, a)
		}
	}
	return nil
}

// checkLanguage refuses a language no catalog has.
func checkLanguage(tag string) error {
	primary := strings.ToLower(tag)
	if i := strings.IndexAny(primary, "-_"); i >= 0 {
		primary = primary[:i]
	}
	for _, l := range explain.Languages() {
		if primary == l {
			return nil
		}
	}
	return fmt.Errorf("%w: --language %q: want one of %s", errUsage, tag, strings.Join(explain.Languages(), ", "))
}

// envName is the environment variable of a flag: --cache-ttl is
// BOUNCED_CACHE_TTL.
func envName(flagName string) string {
	if v, ok := envNames[flagName]; ok {
		return v
	}
	return "BOUNCED_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// envNames are the variables of flags whose names alone would be too
// generic in the environment (imap's --url is BOUNCED_IMAP_URL).
var envNames = map[string]string{
	"url":             "BOUNCED_IMAP_URL",
	"password-file":   "BOUNCED_IMAP_PASSWORD_FILE",
	"done-folder":     "BOUNCED_IMAP_DONE_FOLDER",
	"delete":          "BOUNCED_IMAP_DELETE",
	"poll-interval":   "BOUNCED_IMAP_POLL_INTERVAL",
	"allow-plaintext": "BOUNCED_IMAP_ALLOW_PLAINTEXT",
}

// setUsage makes -h print the synopsis and every flag with its default
// and its BOUNCED_* variable.
func setUsage(fs *flag.FlagSet, synopsis string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\nEvery flag can also be set with the environment variable shown; the flag wins.\n\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += "=" + name
			}
			fmt.Fprintf(w, "%s\n      %s", line, usage)
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "\n      env %s\n", envName(f.Name))
		})
	}
}

// errHelp is -h or --help: usage printed, exit status 0.
var errHelp = flag.ErrHelp

// newFlagSet returns a flag set that reports to w and prints setUsage's help.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	setUsage(fs, synopsis)
	return fs
}

// parseConfig parses the flags, then reports malformed BOUNCED_* values
// and invalid settings as usage errors.
func parseConfig(fs *flag.FlagSet, args []string, c *Config, env envErrors) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := env.err(); err != nil {
		return err
	}
	return c.check()
}
