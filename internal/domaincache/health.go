package domaincache

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DownAfter is how long a store that still accepts connections must go
// without a successful call, its calls running out of time, before it is
// reported down. Slow calls among successful ones on a busy host are not
// an outage (they are counted as timeouts); a refused connection is one
// at once.
const DownAfter = time.Second

// HealthEvent reports a change of a store's state: it went down (Up
// false) or answers again (Up true). The server logs these, so that an
// outage costs two log lines rather than one per message.
type HealthEvent struct {
	// Up is true when the store answers again, false when it went down.
	Up bool
	// Err is, when down, the error that decided it.
	Err error
	// Failures is, when up again, how many calls failed during the outage
	// (the call that decided it included).
	Failures uint64
	// Lasted is, when up again, how long the outage lasted.
	Lasted time.Duration
}

// health follows the outcome of a store's calls and reports each change
// of state once to onChange. Its fast path, a success while up, is an
// atomic store and load.
type health struct {
	onChange func(HealthEvent)

	down     atomic.Bool
	lastOK   atomic.Int64 // Unix nanoseconds of the last success (or of the start)
	mu       sync.Mutex   // serialises changes of state
	since    time.Time    // when it went down
	failures atomic.Uint64
	outages  atomic.Uint64
}

func newHealth(onChange func(HealthEvent)) *health {
	h := &health{onChange: onChange}
	h.lastOK.Store(time.Now().UnixNano())
	return h
}

// ok notes a call that succeeded.
func (h *health) ok() {
	h.lastOK.Store(time.Now().UnixNano())
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	if !h.down.Load() {
		h.mu.Unlock()
		return
	}
	h.down.Store(false)
	ev := HealthEvent{Up: true, Failures: h.failures.Swap(0), Lasted: time.Since(h.since)}
	h.mu.Unlock()
	if h.onChange != nil {
		h.onChange(ev)
	}
}

// fail notes a call that failed with err (a store error, not a bad input).
func (h *health) fail(err error) {
	if h.down.Load() {
		h.failures.Add(1)
		return
	}
	if isTimeout(err) && time.Since(time.Unix(0, h.lastOK.Load())) < DownAfter {
		return
	}
	h.mu.Lock()
	if h.down.Load() {
		h.mu.Unlock()
		h.failures.Add(1)
		return
	}
	h.down.Store(true)
	h.since = time.Now()
	h.failures.Store(1)
	h.outages.Add(1)
	h.mu.Unlock()
	if h.onChange != nil {
		h.onChange(HealthEvent{Err: err})
	}
}

// isTimeout reports an error of a call that ran out of time.
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)
}

// notSent reports a Redis error raised before any command left: no
// connection could be dialled, or none came free in time. A Record that
// failed so changed nothing and may be tried again without counting twice.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" || errors.Is(err, redis.ErrPoolTimeout)
}
