// Package domaincache remembers, per remote domain, what bounces said about
// it: counts per reason and per side, first and last seen, the last verdict
// and an estimate of how many distinct senders were refused (and, for a
// rejecting host, how many distinct recipient domains it refused). It is storage
// only: the classifier reads this history (Summary.History), and the
// judgement of a domain (dead, misconfigured) and its words live in
// classify.AssessDomain and explain.Domain.
//
// Two implementations share one small interface, [Store]:
//
//   - [Redis] keeps the history in Redis through go-redis's UniversalClient,
//     so a single node, Sentinel and Cluster all work. A Record is one
//     pipelined round trip and so is a Get (per Cluster node touched). The
//     keys of a domain share one hash tag, so they live on one Cluster slot.
//   - [Memory] is an in-process LRU, bounded by a number of domains, for the
//     zero-config default and for tests.
//
// Both keep a sliding TTL (every Record of a domain restarts it; reads do
// not) and accept the same inputs, with the same limits and the same
// normalisation, because both fold a batch of observations the same way
// before they store it.
//
// # Limits
//
//   - At most [MaxBatch] observations per Record and [MaxBatch] domains per
//     Get; more is an error wrapping [ErrBatchTooLarge]. Use [Batcher] to
//     write a stream in bounded batches.
//   - A domain is 1 to [MaxDomainLen] bytes after normalisation; Reason, Side
//     and Status are at most [MaxLabelLen] bytes each. An observation that
//     breaks these is an error wrapping [ErrInvalidObservation] and nothing
//     of its batch is written.
//   - Senders longer than [MaxSenderLen] are counted by their first
//     MaxSenderLen bytes (see the QUIRK in normSender).
//   - Reason and Side are names of the classifier's one vocabulary
//     (classify.Reasons, classify.Side); another name is an error wrapping
//     [ErrInvalidObservation].
//
// # Configuration
//
// [ParseRedisURL] reads a Redis URL with go-redis's own parsers
// (redis.ParseURL, ParseClusterURL, ParseFailoverURL) plus this package's
// options; the defaults a server uses are [DefaultTTL], [DefaultTimeout],
// [DefaultMemorySize] and [DefaultFlushEvery].
//
// # What it does not promise
//
//   - Counts are exact; the distinct-sender count is an estimate
//     (HyperLogLog: Redis's standard error is 0.81 %, Memory's is described
//     at [NewMemory]). Small numbers are exact in both.
//   - LastSeen and the last verdict are last-writer-wins across concurrent
//     Record calls, and FirstSeen is set by the first Record that creates
//     the domain. Within one Record the earliest and latest observations win
//     whatever their order in the slice.
//   - Redis applies a Record without MULTI, so a concurrent Get may see part
//     of it (the total already counted, a reason not yet). A Record that
//     fails may have been applied in full, in part or not at all, unless
//     its error wraps [ErrNotApplied] (nothing was sent). Only those are
//     retried (by [Batcher]), so nothing is counted twice.
//   - The cache is best effort. When Redis is down, slow or refuses, calls
//     fail within the configured timeout with an error wrapping
//     [ErrUnavailable]; callers answer without the history. go-redis
//     reconnects in the background; no call waits for it.
//
// The package returns errors and never logs. go-redis itself logs dial
// failures through its package logger; the server may route that with
// redis.SetLogger.
package domaincache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bounced/bounced/internal/classify"
)

// Limits on inputs. They bound the size of a pipeline and of a stored key.
const (
	// MaxBatch is the most observations one Record and the most domains one
	// Get accept.
	MaxBatch = 1000
	// MaxDomainLen is the longest domain name, RFC 1035 section 2.3.4.
	MaxDomainLen = 255
	// MaxLabelLen is the longest Reason, Side or Status. These come from the
	// classifier's fixed vocabulary, so a longer one is a bug upstream.
	MaxLabelLen = 64
	// MaxSenderLen is the longest sender counted in full: a 64-octet
	// local-part, "@" and a 255-octet domain (RFC 5321 section 4.5.3.1).
	MaxSenderLen = 320
)

// Defaults used when a configuration leaves a field zero.
const (
	// DefaultTTL is how long a domain is remembered after its last Record.
	DefaultTTL = 30 * 24 * time.Hour
	// DefaultTimeout bounds every Redis call.
	DefaultTimeout = 50 * time.Millisecond
	// DefaultMemorySize is how many domains the in-process cache holds
	// (the server's --cache-domains default): under 1 KiB per domain with
	// few senders, up to about 5 KiB past senderExactMax senders.
	DefaultMemorySize = 100000
)

// Values stored when an observation leaves Reason or Side empty.
const (
	// UndefinedReason is the vocabulary's name for "no reason found".
	UndefinedReason = string(classify.Undefined)
	// UnknownSide is the side when nobody can tell.
	UnknownSide = string(classify.SideUnknown)
)

var (
	// ErrUnavailable is wrapped by every error that comes from the backing
	// store (Redis down, slow, refusing) rather than from the input. The
	// error chain also holds the cause, e.g. context.DeadlineExceeded.
	ErrUnavailable = errors.New("domaincache: cache unavailable")
	// ErrInvalidObservation is wrapped when an observation breaks a limit.
	ErrInvalidObservation = errors.New("domaincache: invalid observation")
	// ErrBatchTooLarge is wrapped when a call carries more than MaxBatch items.
	ErrBatchTooLarge = errors.New("domaincache: batch too large")
	// ErrNotApplied is wrapped, beside ErrUnavailable, by a Record that
	// failed before anything was sent (no connection could be had), so it
	// changed nothing and may be tried again without counting twice. A
	// Record failing without it may have been applied in full or in part.
	ErrNotApplied = errors.New("domaincache: nothing written")
	// ErrClosed is returned by calls on a closed Store.
	ErrClosed = errors.New("domaincache: store closed")
	// ErrInvalidConfig is wrapped by NewRedis and ParseRedisURL for bad settings.
	ErrInvalidConfig = errors.New("domaincache: invalid config")
)

// Observation is one recipient verdict to remember.
type Observation struct {
	Domain string    // lower-case recipient domain (or rejecting MTA's registered domain)
	Reason string    // reason name, e.g. "norelaying"
	Side   string    // "sender", "recipient", "network", "unknown"
	Status string    // enhanced status code "5.7.1", may be empty
	Sender string    // envelope sender / From address of the original (for the distinct-senders HLL); may be empty
	Hard   bool      // retrying the same recipient is pointless
	At     time.Time // when it was seen; zero means now

	// RecipientDomain is, on a rejecting host's observation, the recipient
	// domain it refused (for the distinct-recipient-domains estimate); may
	// be empty.
	RecipientDomain string
}

// Summary is what is remembered of one domain.
type Summary struct {
	Domain              string
	Total               int64            // observations recorded
	Hard                int64            // of which hard bounces
	Reasons             map[string]int64 // per reason name
	Sides               map[string]int64 // per side name
	FirstSeen, LastSeen time.Time        // UTC, millisecond precision
	LastReason          string           // verdict of the latest observation
	LastSide            string
	LastStatus          string
	DistinctSenders     int64 // estimate (HyperLogLog); exact for small numbers
	// DistinctRecipientDomains estimates, for a rejecting host, how many
	// different recipient domains it refused (HyperLogLog, exact for small
	// numbers); 0 for a domain never recorded as a rejecting host.
	DistinctRecipientDomains int64
}

// History is the summary as the classifier reads it.
func (s Summary) History() classify.History {
	return classify.History{
		Domain:                   s.Domain,
		Total:                    s.Total,
		Reasons:                  s.Reasons,
		Sides:                    s.Sides,
		DistinctSenders:          s.DistinctSenders,
		DistinctRecipientDomains: s.DistinctRecipientDomains,
		FirstSeen:                s.FirstSeen,
		LastSeen:                 s.LastSeen,
		LastReason:               s.LastReason,
		LastSide:                 s.LastSide,
		LastStatus:               s.LastStatus,
	}
}

// Store is the per-domain memory. Implementations are safe for concurrent use.
type Store interface {
	// Get reads the summaries of the given domains in one round trip;
	// domains with no history are absent from the map. The map is keyed by
	// the domains as given; Summary.Domain is the normalised name.
	Get(ctx context.Context, domains []string) (map[string]Summary, error)
	// Record adds observations in one pipelined round trip.
	Record(ctx context.Context, obs []Observation) error
	Close() error
}

// Stats counts calls and failures, for the server to export as metrics.
type Stats struct {
	Gets     uint64 // Get calls
	Records  uint64 // Record calls
	Errors   uint64 // calls that returned an error, Timeouts included
	Timeouts uint64 // calls that ran out of time
	Outages  uint64 // times the store went down (see RedisConfig.OnHealth)
	Down     bool   // the store is down now: its last calls failed
}

// counters is the live form of Stats.
type counters struct {
	gets, records, errors, timeouts atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Gets:     c.gets.Load(),
		Records:  c.records.Load(),
		Errors:   c.errors.Load(),
		Timeouts: c.timeouts.Load(),
	}
}

// count records the outcome of one call and returns err unchanged.
func (c *counters) count(err error) error {
	if err != nil {
		c.errors.Add(1)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			c.timeouts.Add(1)
		}
	}
	return err
}

// NormalizeDomain returns the form under which a domain is stored: lower
// case, without a trailing dot. ok is false when the result is empty or
// longer than MaxDomainLen.
func NormalizeDomain(d string) (norm string, ok bool) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	d = strings.ToLower(d)
	return d, d != "" && len(d) <= MaxDomainLen
}

// normSender prepares a sender for the distinct-senders estimate.
func normSender(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	// QUIRK: RFC 5321 section 4.5.3.1 caps a path at 256 octets and its
	// parts at 64 and 255; longer senders only come from broken or hostile
	// messages. Rather than fail the batch we count them by their first
	// MaxSenderLen bytes.
	if len(s) > MaxSenderLen {
		s = s[:MaxSenderLen]
	}
	return s
}

// delta is everything one Record call adds to one domain.
type delta struct {
	domain     string
	total      int64
	hard       int64
	reasons    map[string]int64
	sides      map[string]int64
	first      time.Time // earliest At in the batch
	last       time.Time // latest At in the batch
	lastReason string    // verdict of the latest observation (ties: later in slice)
	lastSide   string
	lastStatus string
	senders    []string // distinct, normalised
	rdomains   []string // distinct recipient domains, normalised
}

// fold validates a batch and folds it into one delta per domain, in order
// of first appearance. Both implementations store exactly what fold
// returns, so they agree on normalisation and on first/last semantics.
func fold(obs []Observation, now time.Time) ([]*delta, error) {
	if len(obs) > MaxBatch {
		return nil, fmt.Errorf("%w: %d observations, limit %d", ErrBatchTooLarge, len(obs), MaxBatch)
	}
	var out []*delta
	byDomain := make(map[string]*delta, len(obs))
	seen := make(map[[2]string]struct{})
	for i, o := range obs {
		d, reason, side, err := checkObservation(o)
		if err != nil {
			return nil, fmt.Errorf("%w (observation %d)", err, i)
		}
		at := o.At
		if at.IsZero() {
			at = now
		}
		at = time.UnixMilli(at.UnixMilli()).UTC()

		dl := byDomain[d]
		if dl == nil {
			dl = &delta{domain: d, reasons: map[string]int64{}, sides: map[string]int64{}, first: at, last: at}
			byDomain[d] = dl
			out = append(out, dl)
		}
		dl.total++
		if o.Hard {
			dl.hard++
		}
		dl.reasons[reason]++
		dl.sides[side]++
		if at.Before(dl.first) {
			dl.first = at
		}
		if !at.Before(dl.last) {
			dl.last = at
			dl.lastReason, dl.lastSide, dl.lastStatus = reason, side, o.Status
		}
		if s := normSender(o.Sender); s != "" {
			k := [2]string{d, s}
			if _, dup := seen[k]; !dup {
				seen[k] = struct{}{}
				dl.senders = append(dl.senders, s)
			}
		}
		if rd, ok := NormalizeDomain(o.RecipientDomain); ok {
			k := [2]string{d, "@rd:" + rd}
			if _, dup := seen[k]; !dup {
				seen[k] = struct{}{}
				dl.rdomains = append(dl.rdomains, rd)
			}
		}
	}
	return out, nil
}

// checkObservation validates o and returns its normalised domain, reason
// and side.
func checkObservation(o Observation) (domain, reason, side string, err error) {
	domain, ok := NormalizeDomain(o.Domain)
	if !ok {
		return "", "", "", fmt.Errorf("%w: domain %q is empty or longer than %d bytes", ErrInvalidObservation, truncate(o.Domain), MaxDomainLen)
	}
	reason, side = o.Reason, o.Side
	if reason == "" {
		reason = UndefinedReason
	}
	if side == "" {
		side = UnknownSide
	}
	if len(reason) > MaxLabelLen || len(side) > MaxLabelLen || len(o.Status) > MaxLabelLen {
		return "", "", "", fmt.Errorf("%w: %s: reason, side or status longer than %d bytes", ErrInvalidObservation, domain, MaxLabelLen)
	}
	// The names are the classifier's one vocabulary (classify.Reasons), so
	// that counts are never split over misspellings.
	// Both are returned as the vocabulary's own strings, not the caller's,
	// which may be cut out of a whole message that a store would keep.
	ri, ok := classify.ReasonByName(reason)
	if !ok {
		return "", "", "", fmt.Errorf("%w: %s: reason %q is not in the vocabulary", ErrInvalidObservation, domain, truncate(reason))
	}
	for _, s := range sides {
		if string(s) == side {
			return domain, string(ri.Reason), string(s), nil
		}
	}
	return "", "", "", fmt.Errorf("%w: %s: side %q is not sender, recipient, network or unknown", ErrInvalidObservation, domain, truncate(side))
}

// sides are the sides an observation may name.
var sides = [...]classify.Side{classify.SideSender, classify.SideRecipient, classify.SideNetwork, classify.SideUnknown}

// truncate shortens a string for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// lookupSet normalises the domains of a Get. It maps each stored name to
// the names the caller asked for; invalid names cannot have history and
// are left out.
func lookupSet(domains []string) (order []string, asked map[string][]string, err error) {
	if len(domains) > MaxBatch {
		return nil, nil, fmt.Errorf("%w: %d domains, limit %d", ErrBatchTooLarge, len(domains), MaxBatch)
	}
	asked = make(map[string][]string, len(domains))
	for _, d := range domains {
		n, ok := NormalizeDomain(d)
		if !ok {
			continue
		}
		if _, dup := asked[n]; !dup {
			order = append(order, n)
		}
		asked[n] = append(asked[n], d)
	}
	return order, asked, nil
}
