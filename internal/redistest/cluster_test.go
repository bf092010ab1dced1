package redistest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bounced/bounced/internal/redistest"
)

// TestSlot checks the CRC16 slot function against the values the Redis
// Cluster specification and the servers give.
func TestSlot(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want int
	}{
		{"123456789", 12739},           // spec: CRC16 of "123456789" is 0x31C3
		{"foo", 12182},                 // CLUSTER KEYSLOT foo
		{"{user1000}.following", 3443}, // hash tag
		{"{user1000}.followers", 3443},
		{"foo{}{bar}", 8363}, // empty first tag: the whole key
		{"foo{{bar}}zap", 4015},
	} {
		if got := redistest.Slot(tc.key); got != tc.want {
			t.Errorf("Slot(%q) = %d, want %d", tc.key, got, tc.want)
		}
	}
}

func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{Replicas: 1})
	if n := len(c.Addrs()); n != 6 {
		t.Fatalf("Addrs() has %d nodes, want 6", n)
	}
	if p := c.Primaries(); len(p) != 3 {
		t.Fatalf("Primaries() = %v, want 3", p)
	}
	ctx := context.Background()
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	defer client.Close()
	for i := range 50 {
		key := fmt.Sprintf("key%d", i)
		if err := client.Set(ctx, key, i, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
		got, err := client.ClusterKeySlot(ctx, key).Result()
		if err != nil || int(got) != redistest.Slot(key) {
			t.Errorf("CLUSTER KEYSLOT %s = %d, %v; Slot = %d", key, got, err, redistest.Slot(key))
		}
	}

	// Move the slot of one key to another primary: the key goes with it.
	from := c.PrimaryFor("key2")
	to := c.Primaries()[0]
	if to == from {
		to = c.Primaries()[1]
	}
	c.MoveSlot(redistest.Slot("key2"), to)
	if got := c.PrimaryFor("key2"); got != to {
		t.Errorf("PrimaryFor(key2) after MoveSlot = %s, want %s", got, to)
	}
	if v, err := client.Get(ctx, "key2").Result(); err != nil || v != "2" {
		t.Errorf("GET key2 after the move = %q, %v; want 2", v, err)
	}

	// Kill the primary of one key: its replica takes over, the Cluster heals.
	old := c.PrimaryFor("key1")
	c.Kill(old)
	c.WaitHealthy()
	if now := c.PrimaryFor("key1"); now == old {
		t.Fatalf("PrimaryFor(key1) = %s after killing it and healing", now)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := client.Get(ctx, "key1").Result()
		if err == nil || errors.Is(err, redis.Nil) {
			// Replication is asynchronous: on a starved machine a write can
			// be lost in a failover. The slot must answer, whatever it holds.
			if v != "1" {
				t.Logf("GET key1 after the failover = %q, %v; the write was not replicated in time", v, err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET key1 still fails 10s after the failover: %v", err)
		}
		// go-redis reloads the slot map on MOVED or once a minute, not on
		// a dead node; ask for it.
		client.ReloadState(ctx)
		time.Sleep(50 * time.Millisecond)
	}
	// The old primary comes back as a replica.
	c.Restart(old)
	c.WaitHealthy()
	if got := len(c.Primaries()); got != 3 {
		t.Errorf("%d primaries after the restart, want 3", got)
	}
}

func TestSentinel(t *testing.T) {
	s := redistest.StartSentinel(t)
	if len(s.SentinelAddrs()) != 3 {
		t.Fatalf("SentinelAddrs() = %v, want 3", s.SentinelAddrs())
	}
	first := s.Primary()
	if first != s.DataAddrs()[0] {
		t.Fatalf("Primary() = %s, want the first data node %s", first, s.DataAddrs()[0])
	}
	old := s.KillPrimary()
	now := s.WaitFailover(old)
	if now != s.DataAddrs()[1] {
		t.Errorf("after the failover the primary is %s, want the replica %s", now, s.DataAddrs()[1])
	}
}
