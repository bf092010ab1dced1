package domaincache

import (
	"container/list"
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"
)

// Memory is the in-process Store: a least-recently-used cache of at most
// maxDomains domains, each forgotten ttl after its last Record. Both Get
// and Record count as use for the LRU order; only Record restarts the TTL.
// Memory is safe for concurrent use; every call holds one mutex for a few
// microseconds and never blocks on anything else.
type Memory struct {
	mu     sync.Mutex
	max    int
	ttl    time.Duration
	now    func() time.Time // the clock; tests replace it
	lru    *list.List       // of *memEntry, most recently used at the front
	byName map[string]*list.Element
	closed bool
	stats  counters
}

var _ Store = (*Memory)(nil)

type memEntry struct {
	sum     Summary // DistinctSenders is filled in on read
	senders senderSet
	rdoms   senderSet // distinct recipient domains refused, for a rejecting host
	expires time.Time
}

// NewMemory returns an empty in-process Store holding at most maxDomains
// domains (DefaultMemorySize when maxDomains <= 0), each for ttl after its
// last Record (DefaultTTL when ttl <= 0).
//
// Memory per domain is a few hundred bytes plus its distinct senders: their
// 8-byte hashes up to 128 senders, then a fixed 4 KiB HyperLogLog whose
// standard error is 1.6 % (less below a few thousand senders).
func NewMemory(maxDomains int, ttl time.Duration) *Memory {
	if maxDomains <= 0 {
		maxDomains = DefaultMemorySize
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Memory{
		max:    maxDomains,
		ttl:    ttl,
		now:    time.Now,
		lru:    list.New(),
		byName: make(map[string]*list.Element),
	}
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, domains []string) (map[string]Summary, error) {
	m.stats.gets.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, m.stats.count(fmt.Errorf("domaincache: get: %w", err))
	}
	order, asked, err := lookupSet(domains)
	if err != nil {
		return nil, m.stats.count(err)
	}
	out := make(map[string]Summary, len(order))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, m.stats.count(ErrClosed)
	}
	now := m.now()
	for _, d := range order {
		e := m.lookup(d, now)
		if e == nil {
			continue
		}
		s := e.sum
		s.Reasons = maps.Clone(s.Reasons)
		s.Sides = maps.Clone(s.Sides)
		s.DistinctSenders = e.senders.count()
		s.DistinctRecipientDomains = e.rdoms.count()
		for _, name := range asked[d] {
			out[name] = s
		}
	}
	return out, nil
}

// Record implements Store.
func (m *Memory) Record(ctx context.Context, obs []Observation) error {
	m.stats.records.Add(1)
	if err := ctx.Err(); err != nil {
		return m.stats.count(fmt.Errorf("domaincache: record: %w", err))
	}
	now := m.now()
	deltas, err := fold(obs, now)
	if err != nil {
		return m.stats.count(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return m.stats.count(ErrClosed)
	}
	// The store keeps its own copies of the strings it holds on to (the
	// domain and the last status; the reason and side names are the
	// vocabulary's, checkObservation): an observation's strings may be
	// cut out of a whole message, which a kept reference would keep in
	// memory as long as the entry lives.
	for _, dl := range deltas {
		e := m.lookup(dl.domain, now)
		if e == nil {
			e = m.insert(strings.Clone(dl.domain))
			// Like HSETNX: the first Record that creates the domain sets it.
			e.sum.FirstSeen = dl.first
		}
		s := &e.sum
		s.Total += dl.total
		s.Hard += dl.hard
		for k, v := range dl.reasons {
			s.Reasons[k] += v
		}
		for k, v := range dl.sides {
			s.Sides[k] += v
		}
		s.LastSeen = dl.last
		s.LastReason, s.LastSide, s.LastStatus = dl.lastReason, dl.lastSide, owned(s.LastStatus, dl.lastStatus)
		for _, sender := range dl.senders {
			e.senders.add(sender)
		}
		for _, rd := range dl.rdomains {
			e.rdoms.add(rd)
		}
		e.expires = now.Add(m.ttl)
	}
	m.sweep(now)
	return nil
}

// Close implements Store. Later calls return ErrClosed.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.lru.Init()
	clear(m.byName)
	return nil
}

// Stats returns the call and error counts so far.
func (m *Memory) Stats() Stats { return m.stats.snapshot() }

// Len returns the number of domains held, expired ones not yet swept
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// lookup returns the live entry of domain d and marks it used, or nil.
// An expired entry is removed. m.mu must be held.
func (m *Memory) lookup(d string, now time.Time) *memEntry {
	el := m.byName[d]
	if el == nil {
		return nil
	}
	e := el.Value.(*memEntry)
	if !now.Before(e.expires) {
		m.remove(el)
		return nil
	}
	m.lru.MoveToFront(el)
	return e
}

// owned returns was when it equals s, or else a copy of s.
func owned(was, s string) string {
	if was == s {
		return was
	}
	return strings.Clone(s)
}

// insert adds an empty entry for d at the front, evicting the least
// recently used entry when full. m.mu must be held.
func (m *Memory) insert(d string) *memEntry {
	for m.lru.Len() >= m.max {
		m.remove(m.lru.Back())
	}
	e := &memEntry{sum: Summary{Domain: d, Reasons: map[string]int64{}, Sides: map[string]int64{}}}
	m.byName[d] = m.lru.PushFront(e)
	return e
}

func (m *Memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*memEntry)
	delete(m.byName, e.sum.Domain)
}

// sweepMax bounds the expired entries one Record removes from the LRU tail,
// so a call costs O(batch) however many entries expired at once.
const sweepMax = 8

// sweep drops expired entries from the least recently used end, so that
// memory is given back even for domains nobody asks about again. Expired
// entries elsewhere in the list are dropped when next looked up or evicted.
// m.mu must be held.
func (m *Memory) sweep(now time.Time) {
	for range sweepMax {
		el := m.lru.Back()
		if el == nil || now.Before(el.Value.(*memEntry).expires) {
			return
		}
		m.remove(el)
	}
}
