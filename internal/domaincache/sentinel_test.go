package domaincache_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/redistest"
)

// sentinelURL is the URL form for Sentinel: the first Sentinel as the
// host, the others as addr options, and the master set's name.
func sentinelURL(s *redistest.Sentinel) string {
	addrs := s.SentinelAddrs()
	return fmt.Sprintf("redis://%s/0?addr=%s&master_name=%s", addrs[0], strings.Join(addrs[1:], "&addr="), redistest.SentinelMaster)
}

// TestSentinelFailoverParse points the store at three Sentinels through
// the URL form, kills the primary while the bounce engine parses
// messages, and checks that no Parse fails, that the store follows the
// promoted replica, and that what was written before the kill (and
// replicated) is still read.
func TestSentinelFailoverParse(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartSentinel(t)
	cfg, err := domaincache.ParseRedisURL(sentinelURL(s))
	if err != nil {
		t.Fatalf("ParseRedisURL(%q) = %v", sentinelURL(s), err)
	}
	if cfg.MasterName != redistest.SentinelMaster || len(cfg.Addrs) != 3 {
		t.Fatalf("ParseRedisURL(%q) = master %q, addrs %v; want %s and the three Sentinels", sentinelURL(s), cfg.MasterName, cfg.Addrs, redistest.SentinelMaster)
	}
	cfg.Timeout = 500 * time.Millisecond
	store, err := domaincache.NewRedis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := bounce.New(bounce.Config{Store: store, CacheTimeout: 500 * time.Millisecond})

	// Written before the kill, and waited for on the replica.
	if _, err := e.Parse(ctx, bounce.Request{Raw: dsnFor("first@shop.test", "kept.example", "kept2.example")}); err != nil {
		t.Fatal(err)
	}
	domains := []string{"a.example", "b.example", "c.example"}
	stop := make(chan struct{})
	wait := parseLoop(t, e, domains, 2, stop)
	time.Sleep(500 * time.Millisecond)

	killed := time.Now()
	old := s.KillPrimary()
	now := s.WaitFailover(old)
	healed := time.Now()
	const grace = 2 * time.Second
	time.Sleep(grace + time.Second)
	close(stop)
	checkFailover(t, wait(), killed, healed, grace)
	if now == old {
		t.Fatalf("primary still %s", old)
	}

	m, err := store.Get(ctx, []string{"kept.example"})
	if err != nil || m["kept.example"].Total != 1 {
		t.Errorf("Get(kept.example) on the promoted replica %s = total %d, %v; want 1", now, m["kept.example"].Total, err)
	}
	if t.Failed() {
		t.Log(s.Log())
	}
}
