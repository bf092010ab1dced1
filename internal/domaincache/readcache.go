package domaincache

import (
	"maps"
	"strings"
	"sync"
	"time"
)

// Defaults of the Redis store's read cache.
const (
	// DefaultReadCacheTTL is how long the Redis store answers a domain's
	// history from memory before it reads it again.
	DefaultReadCacheTTL = time.Second
	// DefaultReadCacheSize is the most domains the read cache holds.
	DefaultReadCacheSize = 10000
)

// readCache keeps the summaries the Redis store read recently, and the
// domains it found without history, for a short TTL. At a few thousand
// messages a second most messages name a domain read a moment ago; the
// cache answers those without a round trip, so a busy host makes fewer
// Redis calls and has fewer of them run out of time.
//
// A Record through the same store drops the domains it wrote, so this
// process reads its own writes; another replica's writes are seen at most
// the TTL later.
type readCache struct {
	ttl int64 // nanoseconds
	max int

	mu sync.Mutex
	m  map[string]cachedSummary
}

type cachedSummary struct {
	sum     Summary
	found   bool
	expires int64 // Unix nanoseconds
}

func newReadCache(ttl time.Duration, size int) *readCache {
	if ttl <= 0 || size <= 0 {
		return nil
	}
	return &readCache{ttl: int64(ttl), max: size, m: make(map[string]cachedSummary)}
}

// get returns the cached summary of a normalised domain: ok says whether
// the cache knows, found whether the domain has history.
func (c *readCache) get(domain string, now int64) (s Summary, found, ok bool) {
	c.mu.Lock()
	e, ok := c.m[domain]
	c.mu.Unlock()
	if !ok || now >= e.expires {
		return Summary{}, false, false
	}
	if !e.found {
		return Summary{}, false, true
	}
	s = e.sum
	s.Reasons, s.Sides = maps.Clone(s.Reasons), maps.Clone(s.Sides)
	return s, true, true
}

// put remembers what a read found for domain (found false: no history).
// A full cache drops its expired entries, or else all of them.
func (c *readCache) put(domain string, s Summary, found bool, now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if now >= e.expires {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	// Its own copy of the name, as key and as the summary's Domain: the
	// caller's may be cut out of a whole message, which the cache would
	// keep alive. The rest of the summary was decoded from Redis's reply.
	domain = strings.Clone(domain)
	if s.Domain != "" {
		s.Domain = domain
	}
	c.m[domain] = cachedSummary{sum: s, found: found, expires: now + c.ttl}
}

// drop forgets domains that were just written.
func (c *readCache) drop(domains []*delta) {
	c.mu.Lock()
	for _, d := range domains {
		delete(c.m, d.domain)
	}
	c.mu.Unlock()
}
