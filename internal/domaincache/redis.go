package domaincache

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis key layout. Every key of a domain carries the domain as its hash
// tag, so in a Cluster all of them live on one slot:
//
//	<prefix>:{<domain>}:h   hash:
//	    total        observations recorded          (HINCRBY)
//	    hard         of which hard bounces          (HINCRBY)
//	    r:<reason>   observations per reason        (HINCRBY)
//	    s:<side>     observations per side          (HINCRBY)
//	    first        first seen, Unix milliseconds  (HSETNX)
//	    last         last seen, Unix milliseconds   (HSET)
//	    last_reason, last_side, last_status         (HSET)
//	<prefix>:{<domain>}:s   HyperLogLog of distinct senders (PFADD)
//	<prefix>:{<domain>}:d   HyperLogLog of distinct recipient domains a
//	                        rejecting host refused (PFADD)
//
// All keys get the TTL again (PEXPIRE) on every Record of the domain.
const (
	fieldTotal      = "total"
	fieldHard       = "hard"
	fieldFirst      = "first"
	fieldLast       = "last"
	fieldLastReason = "last_reason"
	fieldLastSide   = "last_side"
	fieldLastStatus = "last_status"
	reasonPrefix    = "r:"
	sidePrefix      = "s:"
)

// DefaultKeyPrefix starts every key when RedisConfig.KeyPrefix is empty.
const DefaultKeyPrefix = "bounced"

// DefaultDialTimeout bounds one background connection attempt.
const DefaultDialTimeout = time.Second

// DefaultPoolSize is the number of connections kept per Redis node.
const DefaultPoolSize = 16

// RedisConfig says where Redis is and how the cache uses it. The zero value
// of every field but Addrs is a working default.
type RedisConfig struct {
	// Addrs are "host:port" addresses, or one absolute unix socket path.
	// One address and no MasterName: a single node. Several addresses (or
	// ClusterMode): seeds of a Redis Cluster. With MasterName: the Sentinel
	// addresses. Required.
	Addrs []string
	// ClusterMode makes a single address a Cluster seed (for a Cluster
	// behind one configuration endpoint).
	ClusterMode bool
	// MasterName is the Sentinel master set name; setting it selects
	// Sentinel.
	MasterName string
	// Username and Password authenticate to Redis (ACL user, or only a
	// password for requirepass). Empty means no AUTH.
	Username, Password string
	// SentinelUsername and SentinelPassword authenticate to the Sentinels
	// when they differ from the data nodes.
	SentinelUsername, SentinelPassword string
	// DB is the database number; single node and Sentinel only (Cluster
	// has only database 0).
	DB int
	// TLS, when non-nil, is used for every connection (rediss://).
	TLS *tls.Config
	// KeyPrefix starts every key, "bounced" when empty; several services
	// or tests can share one Redis with distinct prefixes. It must not
	// contain '{' or '}', which would break the per-domain hash tag.
	KeyPrefix string
	// TTL is how long a domain is remembered after its last Record
	// (sliding); DefaultTTL (30 days) when zero. Millisecond precision.
	TTL time.Duration
	// Timeout bounds every Get and Record, including waiting for a pooled
	// connection; DefaultTimeout (50 ms) when zero. A call that runs out
	// returns an error wrapping ErrUnavailable and context.DeadlineExceeded.
	Timeout time.Duration
	// DialTimeout bounds one connection attempt; DefaultDialTimeout (1 s)
	// when zero. Dialling happens in the background: a call never waits
	// longer than Timeout for it, and a connection that arrives later
	// serves the next call.
	DialTimeout time.Duration
	// PoolSize is the number of connections per Redis node;
	// DefaultPoolSize when zero. Each call holds one for a round trip.
	PoolSize int
	// ReadCacheTTL is how long a domain's history, once read, is answered
	// from memory (DefaultReadCacheTTL when zero; negative turns the cache
	// off). Records through this store refresh it at once; another
	// replica's are seen at most this late. ReadCacheSize bounds it in
	// domains (DefaultReadCacheSize when zero).
	ReadCacheTTL  time.Duration
	ReadCacheSize int
	// OnHealth, when set, is called once when the store goes down (a
	// connection fails, or no call succeeded for DownAfter while calls ran
	// out of time) and once when a call succeeds again, with the number of
	// calls that failed meanwhile. It runs on the caller's goroutine and
	// must not block.
	OnHealth func(HealthEvent)
}

// Redis is the Store kept in Redis. It is safe for concurrent use.
type Redis struct {
	c       redis.UniversalClient
	prefix  string
	ttl     time.Duration
	timeout time.Duration
	closed  atomic.Bool
	stats   counters
	health  *health
	recent  *readCache // nil when off
}

var _ Store = (*Redis)(nil)

// NewRedis returns a Store kept in Redis. It does not connect: the first
// call does, and go-redis reconnects on its own after an outage. Use Ping
// to check the server at start-up.
func NewRedis(cfg RedisConfig) (*Redis, error) {
	if len(cfg.Addrs) == 0 {
		return nil, fmt.Errorf("%w: no Redis address", ErrInvalidConfig)
	}
	if strings.ContainsAny(cfg.KeyPrefix, "{}") {
		return nil, fmt.Errorf("%w: key prefix %q contains '{' or '}'", ErrInvalidConfig, cfg.KeyPrefix)
	}
	if cfg.TTL < 0 || cfg.Timeout < 0 || cfg.DialTimeout < 0 || cfg.PoolSize < 0 {
		return nil, fmt.Errorf("%w: negative TTL, timeout or pool size", ErrInvalidConfig)
	}
	if cfg.TTL > 0 && cfg.TTL < time.Millisecond {
		return nil, fmt.Errorf("%w: TTL %v is below Redis's 1 ms resolution", ErrInvalidConfig, cfg.TTL)
	}
	r := &Redis{
		prefix:  cmp.Or(cfg.KeyPrefix, DefaultKeyPrefix),
		ttl:     cmp.Or(cfg.TTL, DefaultTTL),
		timeout: cmp.Or(cfg.Timeout, DefaultTimeout),
		health:  newHealth(cfg.OnHealth),
		recent:  newReadCache(cmp.Or(cfg.ReadCacheTTL, DefaultReadCacheTTL), cmp.Or(cfg.ReadCacheSize, DefaultReadCacheSize)),
	}
	pool := cmp.Or(cfg.PoolSize, DefaultPoolSize)
	// Connections kept open and idle, so that a busy moment, or the
	// connection a timeout closed, does not wait for a dial.
	minIdle := max(pool/4, 1)
	r.c = redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:            cfg.Addrs,
		IsClusterMode:    cfg.ClusterMode,
		MasterName:       cfg.MasterName,
		Username:         cfg.Username,
		Password:         cfg.Password,
		SentinelUsername: cfg.SentinelUsername,
		SentinelPassword: cfg.SentinelPassword,
		DB:               cfg.DB,
		TLSConfig:        cfg.TLS,

		// No retries. Record is HINCRBY, which is not idempotent: a retry
		// after a read timeout could count a batch twice. And the cache is
		// best effort, so one failed attempt is the right answer during an
		// outage, at once rather than after backoffs.
		MaxRetries: -1,
		// The same for a Cluster, whose pipelines go-redis otherwise sends
		// again (up to 3 times, after a backoff) when a connection breaks
		// after the commands were written, or a node redirects them. A
		// moved slot costs one UNAVAILABLE answer instead, and the slot
		// map is reloaded at once (see unavailable).
		MaxRedirects: -1,
		// One dial attempt per background dial; when every attempt of a
		// pool fails, go-redis answers at once with the last dial error and
		// probes the server once a second until it is back.
		DialerRetries: 1,
		DialTimeout:   cmp.Or(cfg.DialTimeout, DefaultDialTimeout),
		// The per-call context deadline (Timeout) bounds socket reads and
		// writes. The socket timeouts give the same bound to what runs
		// without the caller's context: the handshake (HELLO, AUTH) of a
		// connection dialled in the background.
		ContextTimeoutEnabled: true,
		ReadTimeout:           r.timeout,
		WriteTimeout:          r.timeout,
		PoolTimeout:           r.timeout,
		PoolSize:              pool,
		MinIdleConns:          minIdle,
		PipelinePoolSize:      pool,
	})
	return r, nil
}

func (r *Redis) hashKey(domain string) string { return r.prefix + ":{" + domain + "}:h" }
func (r *Redis) hllKey(domain string) string  { return r.prefix + ":{" + domain + "}:s" }
func (r *Redis) rdomKey(domain string) string { return r.prefix + ":{" + domain + "}:d" }

// unavailable wraps a Redis error so that it matches ErrUnavailable and
// its cause, and counts it. When the call ran out of time the chain also
// holds context.DeadlineExceeded (or the caller's cancellation), whether
// go-redis saw the context or the socket deadline first.
func (r *Redis) unavailable(ctx context.Context, op string, write bool, err error) error {
	if errors.Is(err, redis.ErrClosed) {
		err = ErrClosed
	} else if cc, ok := r.c.(*redis.ClusterClient); ok {
		// go-redis reloads a Cluster's slot map on MOVED or once a minute,
		// not when a primary is gone: without this, a failed-over slot
		// stays unavailable for up to a minute. The reload is in the
		// background and coalesced (one at a time, 200 ms apart).
		cc.ReloadState(ctx)
	}
	cerr := ctx.Err()
	if cerr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		// The socket deadline is the context's and may fire first.
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	if write && notSent(err) {
		err = fmt.Errorf("%w: %w", ErrNotApplied, err)
	}
	err = fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
	r.health.fail(err)
	return r.stats.count(err)
}

// Get implements Store: one pipeline of HGETALL and PFCOUNT per domain.
func (r *Redis) Get(ctx context.Context, domains []string) (map[string]Summary, error) {
	r.stats.gets.Add(1)
	if r.closed.Load() {
		return nil, r.stats.count(ErrClosed)
	}
	order, asked, err := lookupSet(domains)
	if err != nil {
		return nil, r.stats.count(err)
	}
	out := make(map[string]Summary, len(order))
	if r.recent != nil {
		// Answer what was read a moment ago; read the rest.
		now := time.Now().UnixNano()
		missing := order[:0:0]
		for _, d := range order {
			s, found, ok := r.recent.get(d, now)
			switch {
			case !ok:
				missing = append(missing, d)
			case found:
				for _, name := range asked[d] {
					out[name] = s
				}
			}
		}
		order = missing
	}
	if len(order) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	hashes := make([]*redis.MapStringStringCmd, len(order))
	counts := make([]*redis.IntCmd, len(order))
	rdoms := make([]*redis.IntCmd, len(order))
	pipe := r.c.Pipeline()
	for i, d := range order {
		hashes[i] = pipe.HGetAll(ctx, r.hashKey(d))
		counts[i] = pipe.PFCount(ctx, r.hllKey(d))
		rdoms[i] = pipe.PFCount(ctx, r.rdomKey(d))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, r.unavailable(ctx, fmt.Sprintf("get %d domains", len(order)), false, err)
	}
	r.health.ok()
	now := time.Now().UnixNano()
	for i, d := range order {
		fields := hashes[i].Val()
		if len(fields) == 0 {
			if r.recent != nil {
				r.recent.put(d, Summary{}, false, now)
			}
			continue
		}
		s := parseSummary(d, fields)
		s.DistinctSenders = counts[i].Val()
		s.DistinctRecipientDomains = rdoms[i].Val()
		if r.recent != nil {
			r.recent.put(d, s, true, now)
			s.Reasons, s.Sides = maps.Clone(s.Reasons), maps.Clone(s.Sides)
		}
		for _, name := range asked[d] {
			out[name] = s
		}
	}
	return out, nil
}

// parseSummary reads the hash of a domain. Fields it does not know are
// ignored, so a newer writer may add some.
func parseSummary(domain string, h map[string]string) Summary {
	s := Summary{Domain: domain, Reasons: map[string]int64{}, Sides: map[string]int64{}}
	num := func(v string) int64 {
		n, _ := strconv.ParseInt(v, 10, 64) // written by HINCRBY or from UnixMilli
		return n
	}
	for k, v := range h {
		switch {
		case k == fieldTotal:
			s.Total = num(v)
		case k == fieldHard:
			s.Hard = num(v)
		case k == fieldFirst:
			s.FirstSeen = time.UnixMilli(num(v)).UTC()
		case k == fieldLast:
			s.LastSeen = time.UnixMilli(num(v)).UTC()
		case k == fieldLastReason:
			s.LastReason = v
		case k == fieldLastSide:
			s.LastSide = v
		case k == fieldLastStatus:
			s.LastStatus = v
		case strings.HasPrefix(k, reasonPrefix):
			s.Reasons[k[len(reasonPrefix):]] = num(v)
		case strings.HasPrefix(k, sidePrefix):
			s.Sides[k[len(sidePrefix):]] = num(v)
		}
	}
	return s
}

// Record implements Store: one pipeline, no MULTI, of
// HINCRBY/HSETNX/HSET/PFADD/PEXPIRE for all domains of the batch.
func (r *Redis) Record(ctx context.Context, obs []Observation) error {
	r.stats.records.Add(1)
	if r.closed.Load() {
		return r.stats.count(ErrClosed)
	}
	deltas, err := fold(obs, time.Now())
	if err != nil {
		return r.stats.count(err)
	}
	if len(deltas) == 0 {
		return nil
	}
	if r.recent != nil {
		// Whatever happens to the write, the next read goes to Redis.
		defer r.recent.drop(deltas)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	pipe := r.c.Pipeline()
	for _, dl := range deltas {
		h, s := r.hashKey(dl.domain), r.hllKey(dl.domain)
		pipe.HIncrBy(ctx, h, fieldTotal, dl.total)
		if dl.hard > 0 {
			pipe.HIncrBy(ctx, h, fieldHard, dl.hard)
		}
		for k, v := range dl.reasons {
			pipe.HIncrBy(ctx, h, reasonPrefix+k, v)
		}
		for k, v := range dl.sides {
			pipe.HIncrBy(ctx, h, sidePrefix+k, v)
		}
		pipe.HSetNX(ctx, h, fieldFirst, dl.first.UnixMilli())
		pipe.HSet(ctx, h,
			fieldLast, dl.last.UnixMilli(),
			fieldLastReason, dl.lastReason,
			fieldLastSide, dl.lastSide,
			fieldLastStatus, dl.lastStatus)
		if len(dl.senders) > 0 {
			args := make([]any, len(dl.senders))
			for i, v := range dl.senders {
				args[i] = v
			}
			pipe.PFAdd(ctx, s, args...)
		}
		pipe.PExpire(ctx, h, r.ttl)
		pipe.PExpire(ctx, s, r.ttl) // a no-op while the domain has no senders
		if len(dl.rdomains) > 0 {
			args := make([]any, len(dl.rdomains))
			for i, v := range dl.rdomains {
				args[i] = v
			}
			pipe.PFAdd(ctx, r.rdomKey(dl.domain), args...)
		}
		pipe.PExpire(ctx, r.rdomKey(dl.domain), r.ttl) // a no-op for a domain never a rejecting host
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return r.unavailable(ctx, fmt.Sprintf("record %d observations", len(obs)), true, err)
	}
	r.health.ok()
	return nil
}

// Ping checks that Redis answers within the configured timeout.
func (r *Redis) Ping(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: ping: %w", ErrUnavailable, err)
	}
	return nil
}

// Stats returns the call and error counts so far.
func (r *Redis) Stats() Stats {
	s := r.stats.snapshot()
	s.Down = r.health.down.Load()
	s.Outages = r.health.outages.Load()
	return s
}

// Client returns the Redis client, for other caches that share the
// server (the DNS answers of internal/dnscheck).
func (r *Redis) Client() redis.UniversalClient { return r.c }

// KeyPrefix returns the prefix of every key this store writes.
func (r *Redis) KeyPrefix() string { return r.prefix }

// Close implements Store: it closes the connections. Later calls return
// ErrClosed.
func (r *Redis) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	if err := r.c.Close(); err != nil {
		return fmt.Errorf("domaincache: close redis: %w", err)
	}
	return nil
}
