package domaincache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bounced/bounced/internal/redistest"
)

// newClusterStore returns a Redis store on the Cluster c under a key
// prefix of its own, closed when t ends.
func newClusterStore(t testing.TB, c *redistest.Cluster, edit func(*RedisConfig)) *Redis {
	t.Helper()
	cfg := RedisConfig{
		Addrs:        c.Addrs(),
		KeyPrefix:    "cl" + strconv.FormatUint(clusterPrefixes.Add(1), 10),
		Timeout:      time.Second,
		ReadCacheTTL: -1, // these tests are about Redis, as in newTestRedis
	}
	if edit != nil {
		edit(&cfg)
	}
	r, err := NewRedis(cfg)
	if err != nil {
		t.Fatalf("NewRedis = %v", err)
	}
	if _, ok := r.c.(*redis.ClusterClient); !ok {
		t.Fatalf("NewRedis with %d addresses made a %T, want a *redis.ClusterClient", len(cfg.Addrs), r.c)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

var clusterPrefixes atomic.Uint64

// TestRedisClusterStore runs the whole store suite against a real
// 3-primary Redis Cluster, one key prefix per subtest.
func TestRedisClusterStore(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	runStoreSuite(t, func(t *testing.T, ttl time.Duration) Store {
		return newClusterStore(t, c, func(cfg *RedisConfig) { cfg.TTL = ttl })
	})
}

// domainsOnEveryPrimary returns n domains whose keys, under prefix, are
// spread over every primary of c (at least one on each).
func domainsOnEveryPrimary(t *testing.T, c *redistest.Cluster, r *Redis, n int) []string {
	t.Helper()
	primaries := c.Primaries()
	seen := map[string]bool{}
	var out []string
	for i := 0; len(out) < n || len(seen) < len(primaries); i++ {
		d := fmt.Sprintf("d%d.example", i)
		seen[c.PrimaryFor(r.hashKey(d))] = true
		out = append(out, d)
		if i > 10*n+100 {
			t.Fatalf("domains d0..d%d.example land on %d of %d primaries", i, len(seen), len(primaries))
		}
	}
	return out
}

// commandCalls sums "calls" of INFO commandstats for cmd over every
// primary, per primary.
func commandCalls(t *testing.T, cc *redis.ClusterClient, cmd string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	var mu sync.Mutex
	err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { // concurrently
		info, err := m.Info(ctx, "commandstats").Result()
		if err != nil {
			return err
		}
		mu.Lock()
		out[m.Options().Addr] = commandstatCalls(info, cmd)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	return out
}

// commandstatCalls reads calls=N of cmdstat_<cmd> in an INFO text.
func commandstatCalls(info, cmd string) int64 {
	for line := range strings.Lines(info) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls=")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest+",", ',')], 10, 64)
		return n
	}
	return 0
}

// TestRedisClusterSlots checks the Cluster key layout: both keys of a
// domain in one slot, one Record and one Get of domains on every primary
// each succeed (go-redis splits a pipeline per node; single-key commands
// never cross slots), and each primary does its share of the work.
func TestRedisClusterSlots(t *testing.T) {
	ctx := context.Background()
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	r := newClusterStore(t, c, nil)
	cc := r.c.(*redis.ClusterClient)
	domains := domainsOnEveryPrimary(t, c, r, 30)

	slots := map[int]bool{}
	for _, d := range domains {
		h, s := redistest.Slot(r.hashKey(d)), redistest.Slot(r.hllKey(d))
		if h != s {
			t.Errorf("domain %s: hash key in slot %d, sender key in slot %d; want one slot", d, h, s)
		}
		if got, err := cc.ClusterKeySlot(ctx, r.hashKey(d)).Result(); err != nil || int(got) != h {
			t.Errorf("CLUSTER KEYSLOT %s = %d, %v; want %d", r.hashKey(d), got, err, h)
		}
		slots[h] = true
	}
	if len(slots) < 3 {
		t.Fatalf("%d domains in %d slots, want several", len(domains), len(slots))
	}

	before := commandCalls(t, cc, "hincrby")
	var obs []Observation
	for i, d := range domains {
		obs = append(obs, Observation{Domain: d, Reason: "norelaying", Side: "recipient", Status: "5.7.1", Sender: fmt.Sprintf("s%d@shop.test", i%4), Hard: true})
	}
	if err := r.Record(ctx, obs); err != nil {
		t.Fatalf("Record of %d domains on %d primaries = %v", len(domains), len(c.Primaries()), err)
	}
	after := commandCalls(t, cc, "hincrby")
	for _, p := range c.Primaries() {
		if after[p] <= before[p] {
			t.Errorf("primary %s ran no HINCRBY for a batch with domains on it (before %d, after %d)", p, before[p], after[p])
		}
	}

	got, err := r.Get(ctx, append(domains, "none.example"))
	if err != nil {
		t.Fatalf("Get of %d domains across slots = %v", len(domains)+1, err)
	}
	if len(got) != len(domains) {
		t.Errorf("Get returned %d domains, want %d", len(got), len(domains))
	}
	for _, d := range domains {
		if s := got[d]; s.Total != 1 || s.Reasons["norelaying"] != 1 || s.DistinctSenders != 1 {
			t.Errorf("Get(%s) = %+v, want Total 1, norelaying 1, 1 sender", d, s)
		}
	}

	// Why the store keeps to single-key commands in a pipeline: one script
	// (or MULTI) over two domains in different slots is refused.
	var a, b string
	for _, d := range domains[1:] {
		if redistest.Slot(r.hashKey(d)) != redistest.Slot(r.hashKey(domains[0])) {
			a, b = r.hashKey(domains[0]), r.hashKey(d)
			break
		}
	}
	err = cc.Eval(ctx, "return redis.call('HGET', KEYS[1], 'total') + redis.call('HGET', KEYS[2], 'total')", []string{a, b}).Err()
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("EVAL over %s and %s = %v, want a CROSSSLOT error", a, b, err)
	}
}

// TestRedisClusterResharding moves a domain's slot, with its keys, to
// another primary under a live store: a call that meets the MOVED reply
// answers UNAVAILABLE at once (no redirect is followed, so no write is
// sent twice), the slot map is reloaded, and the next calls see the
// history unchanged and count new writes once.
func TestRedisClusterResharding(t *testing.T) {
	ctx := context.Background()
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	r := newClusterStore(t, c, nil)
	const domain = "moving.example"
	obs := Observation{Domain: domain, Reason: "norelaying", Side: "recipient", Sender: "a@shop.test"}
	if err := r.Record(ctx, []Observation{obs, obs, obs}); err != nil {
		t.Fatal(err)
	}
	from := c.PrimaryFor(r.hashKey(domain))
	var to string
	for _, p := range c.Primaries() {
		if p != from {
			to = p
			break
		}
	}
	c.MoveSlot(redistest.Slot(r.hashKey(domain)), to)
	if got := c.PrimaryFor(r.hashKey(domain)); got != to {
		t.Fatalf("after MoveSlot the domain is on %s, want %s", got, to)
	}

	failed := 0
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, err := r.Get(ctx, []string{domain})
		if err == nil {
			if got := m[domain].Total; got != 3 {
				t.Errorf("Get after the move: Total %d, want 3 (the keys moved with the slot)", got)
			}
			break
		}
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "MOVED") {
			t.Errorf("Get after the move = %v, want ErrUnavailable for MOVED", err)
		}
		failed++
		if time.Now().After(deadline) {
			t.Fatalf("Get still fails 5s after the move: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if failed > 3 {
		t.Errorf("%d calls failed after the move, want at most a few: the slot map is reloaded on the first", failed)
	}
	if err := r.Record(ctx, []Observation{obs}); err != nil {
		t.Fatal(err)
	}
	m, err := r.Get(ctx, []string{domain})
	if err != nil || m[domain].Total != 4 {
		t.Errorf("after one more Record: Total %d, %v; want 4", m[domain].Total, err)
	}
	t.Logf("%d call(s) answered UNAVAILABLE after the slot moved", failed)
}
