package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/redistest"
)

// answer is one gRPC Parse made during a failover.
type answer struct {
	at    time.Time
	cache pb.CacheStatus
	err   error
}

// parseUntil calls Parse on r from two goroutines, over messages of
// several domains, until stop is closed.
func parseUntil(r *replica, stop <-chan struct{}) func() []answer {
	var mu sync.Mutex
	var out []answer
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				raw := manyRecipients(fmt.Sprintf("w%d@shop.example", w), []string{
					fmt.Sprintf("a@d%d.example", i%9), fmt.Sprintf("b@d%d.example", (i+4)%9)})
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				resp, err := r.client.Parse(ctx, &pb.ParseRequest{Raw: raw})
				cancel()
				mu.Lock()
				out = append(out, answer{at: time.Now(), cache: resp.GetCacheStatus(), err: err})
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	return func() []answer {
		wg.Wait()
		return out
	}
}

// checkAnswers: no call failed; some said UNAVAILABLE after the kill; the
// last ten said HIT.
func checkAnswers(t *testing.T, answers []answer, killed time.Time) {
	t.Helper()
	var unavailable int
	for _, a := range answers {
		if a.err != nil {
			t.Errorf("Parse %v after the kill failed: %v", a.at.Sub(killed), a.err)
		}
		if a.cache == pb.CacheStatus_CACHE_STATUS_UNAVAILABLE && a.at.After(killed) {
			unavailable++
		}
	}
	t.Logf("%d calls, %d answered cache UNAVAILABLE after the kill", len(answers), unavailable)
	if unavailable == 0 {
		t.Errorf("no answer said the cache was UNAVAILABLE after the primary was killed")
	}
	if len(answers) < 10 {
		t.Fatalf("%d calls, want more", len(answers))
	}
	for _, a := range answers[len(answers)-10:] {
		if a.cache != pb.CacheStatus_CACHE_STATUS_HIT {
			t.Errorf("Parse %v after the kill, among the last ten: cache %v, want HIT", a.at.Sub(killed), a.cache)
		}
	}
}

// TestServeFollowsSentinelFailover runs `bounced serve` on three Sentinels
// (the redis:// URL with addr and master_name), kills the primary under
// load and checks that no call fails and the server follows the promoted
// replica by itself.
func TestServeFollowsSentinelFailover(t *testing.T) {
	s := redistest.StartSentinel(t)
	addrs := s.SentinelAddrs()
	url := fmt.Sprintf("redis://%s/0?addr=%s&master_name=%s", addrs[0], strings.Join(addrs[1:], "&addr="), redistest.SentinelMaster)
	r := startReplica(t, "replica", "--redis", url)
	stop := make(chan struct{})
	wait := parseUntil(r, stop)
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	old := s.KillPrimary()
	s.WaitFailover(old)
	time.Sleep(3 * time.Second)
	close(stop)
	checkAnswers(t, wait(), killed)
	if t.Failed() {
		t.Log(r.output())
	}
}

// TestServeFollowsClusterFailover does the same with a 3-primary,
// 3-replica Cluster given as a list of seed nodes.
func TestServeFollowsClusterFailover(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{Replicas: 1})
	r := startReplica(t, "replica", "--redis", strings.Join(c.Addrs(), ","))
	stop := make(chan struct{})
	wait := parseUntil(r, stop)
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	c.Kill(c.PrimaryFor("bounced:{d0.example}:h"))
	c.WaitHealthy()
	time.Sleep(3 * time.Second)
	close(stop)
	checkAnswers(t, wait(), killed)
	if t.Failed() {
		t.Log(r.output())
	}
}
