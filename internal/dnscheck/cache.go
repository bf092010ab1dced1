package dnscheck

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/redis/go-redis/v9"
)

// lru is the in-process answer cache: at most size entries, the least
// recently used evicted first, expired entries dropped when read.
type lru struct {
	mu    sync.Mutex
	size  int
	ll    *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	a   *answer
}

func newLRU(size int) *lru {
	return &lru{size: size, ll: list.New(), items: make(map[string]*list.Element)}
}

func (c *lru) get(key string, now time.Time) (*answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !now.Before(e.a.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e.a, true
}

func (c *lru) put(key string, a *answer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*lruEntry).a = a
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&lruEntry{key, a})
	for c.ll.Len() > c.size {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*lruEntry).key)
	}
}

// SharedCache is a cache shared by replicas. Values are DNS messages in
// wire format (RFC 1035 4); the Resolver stores only answers (positive or
// negative), never failures.
type SharedCache interface {
	// Get returns the value of key, or nil and no error when absent.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

func (r *Resolver) sharedGet(ctx context.Context, key string) *answer {
	if r.cfg.Shared == nil {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, r.cfg.SharedTimeout)
	defer cancel()
	b, err := r.cfg.Shared.Get(sctx, key)
	if err != nil {
		r.sharedErrs.Add(1)
		return nil
	}
	if b == nil {
		return nil
	}
	m := new(dns.Msg)
	if err := m.Unpack(b); err != nil || len(m.Question) != 1 {
		r.sharedErrs.Add(1)
		return nil
	}
	a := &answer{msg: m}
	q := m.Question[0]
	switch {
	case m.Rcode == dns.RcodeNameError:
		a.result = ResultNXDomain
	case m.Rcode != dns.RcodeSuccess:
		r.sharedErrs.Add(1)
		return nil
	case len(a.records(q.Qtype)) > 0:
		a.result = ResultOK
	default:
		a.result = ResultNoData
	}
	// The shared store expires the key with the record's TTL; what is left
	// of it is not known here, so keep it in memory the least TTL.
	a.expires = r.cfg.Now().Add(min(r.ttl(a), r.cfg.MinTTL))
	return a
}

func (r *Resolver) sharedSet(ctx context.Context, key string, a *answer) {
	if r.cfg.Shared == nil {
		return
	}
	b, err := a.msg.Pack()
	if err != nil {
		r.sharedErrs.Add(1)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, r.cfg.SharedTimeout)
	defer cancel()
	if err := r.cfg.Shared.Set(sctx, key, b, a.expires.Sub(r.cfg.Now())); err != nil {
		r.sharedErrs.Add(1)
	}
}

// RedisCache is a SharedCache in Redis (any go-redis UniversalClient:
// single node, Sentinel or Cluster). Keys are Prefix + "{" + question +
// "}": the question is the hash tag, so one answer lives in one slot.
type RedisCache struct {
	Client redis.UniversalClient
	// Prefix starts every key (default "bounced:dns:").
	Prefix string
}

func (c *RedisCache) key(k string) string {
	p := c.Prefix
	if p == "" {
		p = "bounced:dns:"
	}
	return p + "{" + k + "}"
}

// Get implements SharedCache.
func (c *RedisCache) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := c.Client.Get(ctx, c.key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dnscheck: redis get: %w", err)
	}
	return b, nil
}

// Set implements SharedCache.
func (c *RedisCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return nil
	}
	if err := c.Client.Set(ctx, c.key(key), value, ttl).Err(); err != nil {
		return fmt.Errorf("dnscheck: redis set: %w", err)
	}
	return nil
}
