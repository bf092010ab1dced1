package domaincache_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/redistest"
)

// dsnFor is an RFC 3464 report of a Postfix relay that failed to deliver
// to one recipient per domain (550 5.1.1), for the message sender sent.
func dsnFor(sender string, domains ...string) []byte {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@relay.shop.test\r\nTo: " + sender + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.shop.test\r\n")
	for _, d := range domains {
		fmt.Fprintf(&b, "\r\nFinal-Recipient: rfc822; bob@%s\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
			"Diagnostic-Code: smtp; 550 5.1.1 <bob@%s>: Recipient address rejected: User unknown in virtual mailbox table\r\n", d, d)
	}
	b.WriteString("\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: " + sender + "\r\nTo: bob@" + domains[0] +
		"\r\nSubject: Order 42\r\nMessage-ID: <42@shop.test>\r\n\r\n--B--\r\n")
	return []byte(b.String())
}

// call is one Parse made during a failover test.
type call struct {
	at      time.Time
	domains []string
	status  bounce.CacheStatus
	err     error
	cache   error // why the cache was UNAVAILABLE
}

// parseLoop runs workers that Parse messages over domains (two domains
// per message, consecutive ones, so most messages span two slots) until
// stop is closed, and returns every call.
func parseLoop(t *testing.T, e *bounce.Engine, domains []string, workers int, stop <-chan struct{}) func() []call {
	var mu sync.Mutex
	var calls []call
	var wg sync.WaitGroup
	var n atomic.Int64
	for w := range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(n.Add(1))
				ds := []string{domains[i%len(domains)], domains[(i+1)%len(domains)]}
				res, err := e.Parse(context.Background(), bounce.Request{Raw: dsnFor(fmt.Sprintf("w%d-%d@shop.test", w, i%7), ds...)})
				c := call{at: time.Now(), domains: ds, err: err}
				if err == nil {
					c.status, c.cache = res.CacheStatus, res.CacheErr
					if len(res.Recipients) != 2 {
						c.err = fmt.Errorf("%d recipients, want 2", len(res.Recipients))
					}
				}
				mu.Lock()
				calls = append(calls, c)
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	return func() []call {
		wg.Wait()
		return calls
	}
}

// checkFailover asserts 0 failed Parse calls, some answers marked
// UNAVAILABLE after the kill, and none after healed plus grace.
func checkFailover(t *testing.T, calls []call, killed, healed time.Time, grace time.Duration) {
	t.Helper()
	var unavailable, after int
	var lastBad time.Time
	for _, c := range calls {
		if c.err != nil {
			t.Errorf("Parse(%v) at %v failed: %v", c.domains, c.at.Sub(killed), c.err)
			continue
		}
		switch c.status {
		case bounce.CacheUnavailable:
			// A read that waited for a CPU past the cache budget on a busy
			// machine is not the failover's doing.
			slow := errors.Is(c.cache, context.DeadlineExceeded)
			switch {
			case c.at.Before(killed) && !slow:
				t.Errorf("Parse(%v) %v before the kill: cache UNAVAILABLE: %v", c.domains, killed.Sub(c.at), c.cache)
			case c.at.After(killed):
				unavailable++
				lastBad = c.at
			}
		case bounce.CacheHit, bounce.CacheMiss:
		default:
			t.Errorf("Parse(%v): cache status %d, want HIT, MISS or UNAVAILABLE", c.domains, c.status)
		}
		if c.at.After(healed.Add(grace)) {
			after++
			if c.status == bounce.CacheUnavailable && !errors.Is(c.cache, context.DeadlineExceeded) {
				t.Errorf("Parse(%v) %v after healing: cache UNAVAILABLE: %v", c.domains, c.at.Sub(healed), c.cache)
			}
		}
	}
	t.Logf("%d Parse calls, %d answered cache UNAVAILABLE, the last %v after the kill; healed %v after the kill",
		len(calls), unavailable, lastBad.Sub(killed).Round(time.Millisecond), healed.Sub(killed).Round(time.Millisecond))
	if unavailable == 0 {
		t.Errorf("no answer said the cache was UNAVAILABLE after the primary was killed; the test did not reach it")
	}
	if after < 20 {
		t.Errorf("%d calls more than %v after healing, want at least 20", after, grace)
	}
}

// TestClusterFailoverParse kills the primary of some domains of a
// 3-primary, 3-replica Cluster while the bounce engine parses messages
// with the Redis store: no Parse fails, answers touching the dead
// primary's slots say UNAVAILABLE until its replica takes over, then all
// recover, and what is written afterwards is read back.
func TestClusterFailoverParse(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{Replicas: 1})
	store, err := domaincache.NewRedis(domaincache.RedisConfig{Addrs: c.Addrs(), KeyPrefix: "failover", Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := bounce.New(bounce.Config{Store: store, CacheTimeout: 500 * time.Millisecond})

	var domains []string
	for i := range 12 {
		domains = append(domains, fmt.Sprintf("dom%d.example", i))
	}
	victim := c.PrimaryFor("failover:{" + domains[0] + "}:h")
	stop := make(chan struct{})
	wait := parseLoop(t, e, domains, 2, stop)
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	c.Kill(victim)
	c.WaitHealthy()
	healed := time.Now()
	const grace = 2 * time.Second // go-redis reloads the slot map in the background
	time.Sleep(grace + time.Second)
	close(stop)
	calls := wait()
	checkFailover(t, calls, killed, healed, grace)
	if t.Failed() {
		t.Log(c.Log())
	}

	// The domain on the failed-over slot is written and read again.
	total := func() int64 {
		t.Helper()
		m, err := store.Get(context.Background(), []string{domains[0]})
		if err != nil {
			t.Fatalf("Get(%s) after the failover = %v", domains[0], err)
		}
		return m[domains[0]].Total
	}
	before := total()
	if _, err := e.Parse(context.Background(), bounce.Request{Raw: dsnFor("late@shop.test", domains[0], domains[1])}); err != nil {
		t.Fatal(err)
	}
	if after := total(); after != before+1 {
		t.Errorf("Get(%s).Total %d -> %d after one more Parse; want one more", domains[0], before, after)
	}
}

// TestClusterPrimaryRestartParse kills a primary of a Cluster without
// replicas: while it is down only messages with a domain on its slots are
// answered UNAVAILABLE (cluster-require-full-coverage no), the others keep
// their history; when it restarts (empty) all recover. No Parse fails.
func TestClusterPrimaryRestartParse(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	const prefix = "restart"
	store, err := domaincache.NewRedis(domaincache.RedisConfig{Addrs: c.Addrs(), KeyPrefix: prefix, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := bounce.New(bounce.Config{Store: store, CacheTimeout: 500 * time.Millisecond})

	var domains []string
	for i := range 12 {
		domains = append(domains, fmt.Sprintf("dom%d.example", i))
	}
	victim := c.PrimaryFor(prefix + ":{" + domains[0] + "}:h")
	onVictim := map[string]bool{}
	for _, d := range domains {
		onVictim[d] = c.PrimaryFor(prefix+":{"+d+"}:h") == victim
	}
	stop := make(chan struct{})
	wait := parseLoop(t, e, domains, 2, stop)
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	c.Kill(victim)
	time.Sleep(time.Second)
	restarted := time.Now()
	c.Restart(victim)
	c.WaitHealthy()
	healed := time.Now()
	const grace = 2 * time.Second
	time.Sleep(grace + time.Second)
	close(stop)
	calls := wait()
	checkFailover(t, calls, killed, healed, grace)

	var spared, sparedOK int
	for _, cl := range calls {
		if cl.at.Before(killed) || cl.at.After(restarted) || onVictim[cl.domains[0]] || onVictim[cl.domains[1]] {
			continue
		}
		spared++
		if cl.status != bounce.CacheUnavailable || errors.Is(cl.cache, context.DeadlineExceeded) {
			sparedOK++
		} else {
			t.Errorf("Parse(%v) while %s was down, no domain on it: cache UNAVAILABLE: %v", cl.domains, victim, cl.cache)
		}
	}
	if spared == 0 {
		t.Errorf("no message with its domains off the killed primary was parsed while it was down")
	}
	t.Logf("%d calls while %s was down touched only the other primaries; %d had their history", spared, victim, sparedOK)
}
