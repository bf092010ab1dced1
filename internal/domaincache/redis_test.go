package domaincache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// newTestRedis returns a Redis store on srv under srv's key prefix, closed
// when t ends. edit, when not nil, adjusts the configuration.
func newTestRedis(t testing.TB, srv *redistest.Server, edit func(*RedisConfig)) *Redis {
	t.Helper()
	cfg, err := ParseRedisURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseRedisURL(%q) = %v", srv.URL(), err)
	}
	cfg.KeyPrefix = srv.KeyPrefix()
	cfg.ReadCacheTTL = -1 // these tests are about Redis; TestRedisReadCache turns it on
	if edit != nil {
		edit(&cfg)
	}
	r, err := NewRedis(cfg)
	if err != nil {
		t.Fatalf("NewRedis = %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRedisStore(t *testing.T) {
	runStoreSuite(t, func(t *testing.T, ttl time.Duration) Store {
		// One server per subtest: they start in milliseconds, and an
		// external server is shared through unique key prefixes.
		return newTestRedis(t, redistest.Start(t), func(c *RedisConfig) {
			c.TTL = ttl
			c.Timeout = time.Second // the suite tests behaviour, not speed; -race is slow
		})
	})
}

func TestRedisKeyLayout(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	r := newTestRedis(t, srv, nil)
	err := r.Record(ctx, []Observation{{Domain: "Example.COM", Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: "a@shop.test", Hard: true, At: time.UnixMilli(1700000000123)}})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.KeyPrefix() + ":{example.com}:h"
	s := srv.KeyPrefix() + ":{example.com}:s"
	got, err := r.c.HGetAll(ctx, h).Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"total": "1", "hard": "1", "r:norelaying": "1", "s:recipient": "1",
		"first": "1700000000123", "last": "1700000000123",
		"last_reason": "norelaying", "last_side": "recipient", "last_status": "5.7.1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("HGETALL %s =\n  %v\nwant\n  %v", h, got, want)
	}
	if typ, err := r.c.Type(ctx, s).Result(); err != nil || typ != "string" {
		t.Errorf("TYPE %s = %q, %v; want string (a HyperLogLog)", s, typ, err)
	}
	if n, err := r.c.PFCount(ctx, s).Result(); err != nil || n != 1 {
		t.Errorf("PFCOUNT %s = %d, %v; want 1", s, n, err)
	}
}

// TestRedisOutage kills the server under a live store: calls fail fast
// with ErrUnavailable, and after a restart on the same socket the same
// store works again by itself.
func TestRedisOutage(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t)
	const timeout = 50 * time.Millisecond
	const slack = 250 * time.Millisecond // scheduling under -race on a busy machine
	r := newTestRedis(t, srv, func(c *RedisConfig) { c.Timeout = timeout })
	obs := []Observation{{Domain: "example.com", Reason: "hostunknown", Side: "recipient"}}
	if err := r.Record(ctx, obs); err != nil {
		t.Fatalf("Record before the outage = %v", err)
	}

	srv.Kill()
	before := r.Stats()
	for i := range 40 { // more calls than the pool has connections
		start := time.Now()
		var err error
		if i%2 == 0 {
			_, err = r.Get(ctx, []string{"example.com"})
		} else {
			err = r.Record(ctx, obs)
		}
		if took := time.Since(start); took > timeout+slack {
			t.Errorf("call %d during the outage took %v, want at most %v", i, took, timeout+slack)
		}
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call %d during the outage = %v, want ErrUnavailable", i, err)
		}
	}
	if got := r.Stats().Errors - before.Errors; got != 40 {
		t.Errorf("Stats().Errors grew by %d during the outage, want 40", got)
	}
	if err := r.Ping(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Ping during the outage = %v, want ErrUnavailable", err)
	}

	srv.Restart()
	// go-redis probes a failed pool about once a second; allow a few.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := r.Record(ctx, obs)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Record still fails 5s after the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m, err := r.Get(ctx, []string{"example.com"})
	if err != nil || m["example.com"].Total != 1 { // the restarted server starts empty
		t.Errorf("Get after the restart = %v, %v; want Total 1", m, err)
	}
}

// TestRedisSlow pauses the server: calls give up after the timeout with
// context.DeadlineExceeded, counted as timeouts, and work again afterwards.
func TestRedisSlow(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t) // CLIENT PAUSE would stall other users of an external server
	const timeout = 50 * time.Millisecond
	r := newTestRedis(t, srv, func(c *RedisConfig) { c.Timeout = timeout })
	if _, err := r.Get(ctx, []string{"example.com"}); err != nil {
		t.Fatal(err)
	}
	admin := newTestRedis(t, srv, func(c *RedisConfig) { c.Timeout = time.Second })
	const pause = 400 * time.Millisecond
	if err := admin.c.Do(ctx, "CLIENT", "PAUSE", pause.Milliseconds(), "ALL").Err(); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	pausedAt := time.Now()
	start := time.Now()
	_, err := r.Get(ctx, []string{"example.com"})
	took := time.Since(start)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get while paused = %v, want ErrUnavailable and context.DeadlineExceeded", err)
	}
	if took > timeout+250*time.Millisecond {
		t.Errorf("Get while paused took %v, want about %v", took, timeout)
	}
	if st := r.Stats(); st.Timeouts != 1 || st.Errors != 1 {
		t.Errorf("Stats() = %+v, want 1 error, 1 timeout", st)
	}
	time.Sleep(time.Until(pausedAt.Add(pause)))
	// The timed-out connection was dropped; the next calls dial a new one.
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := r.Get(ctx, []string{"example.com"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get still fails 2s after the pause: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRedisRefused covers a server that answers, but not to us.
func TestRedisRefused(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	r := newTestRedis(t, srv, func(c *RedisConfig) {
		c.Username, c.Password = "nobody", "wrong"
		c.Timeout = time.Second
	})
	start := time.Now()
	_, err := r.Get(ctx, []string{"example.com"})
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get with a wrong password = %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("Get with a wrong password took %v, want a prompt refusal", took)
	}
}

// TestRedisNoServer: nothing listens from the start; NewRedis still
// succeeds (it does not connect) and calls fail fast.
func TestRedisNoServer(t *testing.T) {
	r, err := NewRedis(RedisConfig{Addrs: []string{t.TempDir() + "/none.sock"}})
	if err != nil {
		t.Fatalf("NewRedis = %v", err)
	}
	defer r.Close()
	for range 3 {
		start := time.Now()
		err := r.Record(context.Background(), []Observation{{Domain: "example.com"}})
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("Record = %v, want ErrUnavailable", err)
		}
		if took := time.Since(start); took > DefaultTimeout+250*time.Millisecond {
			t.Errorf("Record took %v, want at most about %v", took, DefaultTimeout)
		}
	}
}

func TestNewRedisConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  RedisConfig
	}{
		{"no address", RedisConfig{}},
		{"brace in prefix", RedisConfig{Addrs: []string{"localhost:6379"}, KeyPrefix: "a{b"}},
		{"negative timeout", RedisConfig{Addrs: []string{"localhost:6379"}, Timeout: -time.Second}},
		{"TTL below Redis's resolution", RedisConfig{Addrs: []string{"localhost:6379"}, TTL: time.Microsecond}},
	} {
		if _, err := NewRedis(tc.cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewRedis(%s) = %v, want ErrInvalidConfig", tc.name, err)
		}
	}
	r, err := NewRedis(RedisConfig{Addrs: []string{"localhost:6379"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.prefix != DefaultKeyPrefix || r.ttl != DefaultTTL || r.timeout != DefaultTimeout {
		t.Errorf("defaults = %q, %v, %v; want %q, %v, %v", r.prefix, r.ttl, r.timeout, DefaultKeyPrefix, DefaultTTL, DefaultTimeout)
	}
	if _, ok := r.c.(*redis.Client); !ok {
		t.Errorf("one address gives %T, want *redis.Client", r.c)
	}
	for _, tc := range []struct {
		cfg  RedisConfig
		want string
	}{
		{RedisConfig{Addrs: []string{"a:6379", "b:6379"}}, "*redis.ClusterClient"},
		{RedisConfig{Addrs: []string{"a:6379"}, ClusterMode: true}, "*redis.ClusterClient"},
		{RedisConfig{Addrs: []string{"a:26379"}, MasterName: "mymaster"}, "*redis.Client"}, // a failover client
	} {
		r, err := NewRedis(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", r.c); got != tc.want {
			t.Errorf("NewRedis(%+v) client = %s, want %s", tc.cfg, got, tc.want)
		}
		r.Close()
	}
}

// TestRedisOutageQueued kills the server under a Batcher writing to a
// live store: nothing queued during the outage is lost, the store reports
// the outage once when it starts and once when it ends (with the number
// of failed calls), and the totals after the restart are exact, none
// counted twice.
func TestRedisOutageQueued(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t)
	var mu sync.Mutex
	var events []HealthEvent
	r := newTestRedis(t, srv, func(c *RedisConfig) {
		c.Timeout = 200 * time.Millisecond
		c.OnHealth = func(ev HealthEvent) {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}
	})
	b := NewBatcher(r, 5*time.Millisecond, 0)
	obs := Observation{Domain: "example.com", Reason: "hostunknown", Side: "recipient"}
	waitWritten := func(n uint64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for b.Stats().Written < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d written 10s on, want %d: %+v", b.Stats().Written, n, b.Stats())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for range 10 {
		b.Add(obs)
	}
	waitWritten(10)

	srv.Kill()
	for range 100 {
		if err := b.Add(obs); err != nil {
			t.Fatalf("Add during the outage = %v", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if _, err := r.Get(ctx, []string{"example.com"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get during the outage = %v, want ErrUnavailable", err)
	}
	st := b.Stats()
	if st.Requeued == 0 || st.Pending == 0 {
		t.Errorf("batcher during the outage = %+v, want batches requeued and pending", st)
	}
	if rs := r.Stats(); !rs.Down || rs.Outages != 1 {
		t.Errorf("store stats during the outage = %+v, want down, 1 outage", rs)
	}

	srv.Restart()
	waitWritten(110)
	if err := b.Close(ctx); err != nil {
		t.Errorf("Close = %v", err)
	}
	if st := b.Stats(); st.Dropped != 0 || st.Written != 110 {
		t.Errorf("batcher after the outage = %+v, want 110 written, none dropped", st)
	}
	// The restarted server starts empty: the 100 queued during the outage.
	m, err := r.Get(ctx, []string{"example.com"})
	if err != nil || m["example.com"].Total != 100 {
		t.Errorf("Get after the restart = %v, %v; want Total 100", m, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0].Up || events[0].Err == nil || !events[1].Up || events[1].Failures < 2 {
		t.Errorf("health events = %+v, want one down with its error, one up with the failed calls", events)
	}
	if rs := r.Stats(); rs.Down || rs.Outages != 1 {
		t.Errorf("store stats after the outage = %+v, want up, 1 outage", rs)
	}
}

// TestRedisHealthTimeouts: slow calls between successful ones are not an
// outage; calls that all run out of time for DownAfter are.
func TestRedisHealthTimeouts(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t)
	var downs, ups atomic.Int32
	r := newTestRedis(t, srv, func(c *RedisConfig) {
		c.Timeout = 50 * time.Millisecond
		c.OnHealth = func(ev HealthEvent) {
			if ev.Up {
				ups.Add(1)
			} else {
				downs.Add(1)
			}
		}
	})
	admin := newTestRedis(t, srv, func(c *RedisConfig) { c.Timeout = time.Second })
	// CLIENT PAUSE holds every client, CLIENT UNPAUSE included, so each
	// pause runs out by itself.
	var until time.Time
	pause := func(d time.Duration) {
		t.Helper()
		if err := admin.c.Do(ctx, "CLIENT", "PAUSE", d.Milliseconds(), "ALL").Err(); err != nil {
			t.Fatalf("CLIENT PAUSE: %v", err)
		}
		until = time.Now().Add(d)
	}
	getOK := func() {
		t.Helper()
		time.Sleep(time.Until(until))
		deadline := time.Now().Add(2 * time.Second)
		for {
			if _, err := r.Get(ctx, []string{"example.com"}); err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("Get still fails 2s after the pause")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	getOK()
	for range 3 {
		pause(400 * time.Millisecond)
		timeouts := 0
		for range 3 {
			if _, err := r.Get(ctx, []string{"example.com"}); errors.Is(err, context.DeadlineExceeded) {
				timeouts++
			}
		}
		if timeouts == 0 {
			t.Fatalf("no Get timed out during a %v pause", 400*time.Millisecond)
		}
		getOK()
	}
	if downs.Load() != 0 {
		t.Errorf("timeouts between successes reported %d outages, want none", downs.Load())
	}
	pause(DownAfter + 500*time.Millisecond)
	for time.Now().Before(until.Add(-200 * time.Millisecond)) {
		r.Get(ctx, []string{"example.com"})
	}
	getOK()
	if downs.Load() != 1 || ups.Load() != 1 {
		t.Errorf("timeouts for %v: %d down, %d up events, want 1 and 1", DownAfter, downs.Load(), ups.Load())
	}
}

// TestRedisReadCache: with the read cache on, a second Get of a domain
// within the TTL makes no Redis call, a domain without history is
// remembered too, a Record through the store is read back at once, and
// after the TTL the next Get reads Redis again.
func TestRedisReadCache(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	const ttl = 300 * time.Millisecond
	r := newTestRedis(t, srv, func(c *RedisConfig) { c.ReadCacheTTL = ttl; c.Timeout = time.Second })
	other := newTestRedis(t, srv, nil) // another replica, no cache
	calls := func() int64 {
		n, err := other.c.Do(ctx, "INFO", "commandstats").Text()
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, l := range strings.Split(n, "\n") {
			if strings.HasPrefix(l, "cmdstat_hgetall:") {
				fmt.Sscanf(l[strings.Index(l, "calls=")+len("calls="):], "%d", &total)
			}
		}
		return total
	}
	obs := []Observation{{Domain: "cached.example", Reason: "blocked", Side: "sender"}}
	if err := r.Record(ctx, obs); err != nil {
		t.Fatal(err)
	}
	get := func(d string) Summary {
		t.Helper()
		m, err := r.Get(ctx, []string{d})
		if err != nil {
			t.Fatal(err)
		}
		return m[d]
	}
	before := calls()
	if s := get("cached.example"); s.Total != 1 {
		t.Fatalf("first Get: Total %d, want 1", s.Total)
	}
	get("none.example")
	s := get("cached.example")
	s.Reasons["blocked"] = 99 // a caller's change must not reach the cache
	get("none.example")
	if n := calls() - before; n != 2 {
		t.Errorf("%d HGETALL calls for two Gets of each of two domains, want 2", n)
	}
	if s := get("cached.example"); s.Reasons["blocked"] != 1 {
		t.Errorf("cached Reasons = %v, want the stored count", s.Reasons)
	}
	if err := r.Record(ctx, obs); err != nil {
		t.Fatal(err)
	}
	if s := get("cached.example"); s.Total != 2 {
		t.Errorf("Get after this store's Record: Total %d, want 2", s.Total)
	}
	if err := other.Record(ctx, obs); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl)
	if s := get("cached.example"); s.Total != 3 {
		t.Errorf("Get a TTL after another replica's Record: Total %d, want 3", s.Total)
	}
}
