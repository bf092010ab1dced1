package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/dsn"
)

// Server-wide limits on the work in flight (issue 9).
const (
	// DefaultMaxInflightBytes bounds the bytes of the request messages
	// held at once, unary and streamed, gRPC and HTTP: over gRPC from the
	// arrival of a message's length prefix to its answer (the connection
	// guard admits it, toolarge.go), over HTTP from the request's arrival
	// to its answer (gateway.go). A message costs at most about
	// three times its size while it is parsed (the request itself, a copy
	// when its line ends are CRLF, its decoded parts; see dsn's budgets),
	// so 256 MiB in flight is at most about 768 MiB of heap, which leaves
	// room for the runtime, gRPC's buffers and the cache within the 1 GiB
	// memory limit of deploy/kubernetes.
	DefaultMaxInflightBytes = 256 << 20
	// DefaultMaxStreams bounds the ParseStream calls open at once.
	DefaultMaxStreams = 256
	// DefaultAdmissionWait is how long a call waits for room under a
	// limit before it is refused with RESOURCE_EXHAUSTED.
	DefaultAdmissionWait = time.Second
	// DefaultStallGrace and DefaultStallMinRate bound how long a gRPC
	// request message admitted into the budget may take to arrive: the
	// grace plus its size at the rate, from the moment the server waits
	// for it (h2guard's stall deadlines). Then its room goes back and its
	// call is reset (RST_STREAM ENHANCE_YOUR_CALM, which gRPC clients
	// report as RESOURCE_EXHAUSTED). 64 KiB/s is 512 kbit/s: a message of
	// the 25 MiB default limit gets 10 s + 400 s, which a 1 Mbit/s uplink
	// meets in about 210 s and a 10 Mbit/s one in 21 s, even when a
	// client sends a few such messages at once; the 10 s cover a small
	// message's round trips, a TLS record held back and the server's own
	// pauses (an admission wait of a second). A client that holds room
	// while sending nothing is cut off after the grace plus the size's
	// time; one that sends at the rate costs the budget what it sends.
	DefaultStallGrace   = 10 * time.Second
	DefaultStallMinRate = 64 << 10
)

// Reasons (google.rpc.ErrorInfo, domain errorDomain) of the calls refused
// because the server is full; clients should retry them later or
// elsewhere, unlike the input errors.
const (
	reasonInflight = "SERVER_BUSY"
	reasonStreams  = "TOO_MANY_STREAMS"
)

// limiter admits work under the server-wide limits: bytes of messages in
// flight and open streams. Both wait up to wait for room, in arrival
// order (semaphore.Weighted is FIFO), then refuse.
type limiter struct {
	bytes      *budget
	maxBytes   int64
	streams    *semaphore.Weighted
	maxStreams int64
	wait       time.Duration

	// Messages refused for want of room (SERVER_BUSY: by the handlers and
	// the gateway, or by the connection guard's stand-ins) and calls for
	// want of a stream slot (TOO_MANY_STREAMS); messages whose calls the
	// guard reset for arriving too late. Read by the metrics at scrape
	// (admitmetrics.go).
	refusedBytes, refusedStreams, stalled atomic.Uint64
}

// budget is the in-flight budget: a FIFO semaphore of bytes that also
// tells how much of it is taken, for the metrics.
type budget struct {
	sem  *semaphore.Weighted
	used atomic.Int64
}

func (b *budget) TryAcquire(n int64) bool {
	if !b.sem.TryAcquire(n) {
		return false
	}
	b.used.Add(n)
	return true
}

func (b *budget) Acquire(ctx context.Context, n int64) error {
	if err := b.sem.Acquire(ctx, n); err != nil {
		return err
	}
	b.used.Add(n)
	return nil
}

func (b *budget) Release(n int64) {
	b.used.Add(-n)
	b.sem.Release(n)
}

// Limits is one in-flight budget (bytes of messages and open streams),
// shared by the services given it in Config.Limits.
type Limits struct{ l *limiter }

// NewLimits returns a budget of cfg's MaxInflightBytes, MaxStreams and
// AdmissionWait (their defaults when zero).
func NewLimits(cfg Config) *Limits {
	return &Limits{newLimiter(cfg.MaxInflightBytes, cfg.MaxStreams, cfg.AdmissionWait)}
}

func newLimiter(maxBytes int64, maxStreams int, wait time.Duration) *limiter {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInflightBytes
	}
	if maxStreams <= 0 {
		maxStreams = DefaultMaxStreams
	}
	if wait <= 0 {
		wait = DefaultAdmissionWait
	}
	return &limiter{
		bytes: &budget{sem: semaphore.NewWeighted(maxBytes)}, maxBytes: maxBytes,
		streams: semaphore.NewWeighted(int64(maxStreams)), maxStreams: int64(maxStreams),
		wait: wait,
	}
}

// admitBytes takes n bytes of the in-flight budget for one message, and
// returns the function that gives them back. A message larger than the
// whole budget takes all of it, so it still runs, alone. The handlers
// call it for what no one admitted before them: HTTP bodies are admitted
// by the gateway, gRPC messages by the connection guard (toolarge.go),
// except on a server given credentials of its own (grpc.Creds).
func (l *limiter) admitBytes(ctx context.Context, n int) (func(), error) {
	w := min(max(int64(n), 1), l.maxBytes)
	if !l.bytes.TryAcquire(w) {
		wctx, cancel := context.WithTimeout(ctx, l.wait)
		err := l.bytes.Acquire(wctx, w)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, status.FromContextError(ctx.Err()).Err()
			}
			l.refusedBytes.Add(1)
			return nil, l.busyBytes()
		}
	}
	return func() { l.bytes.Release(w) }, nil
}

// busyBytes is the answer to a message refused for want of room in the
// in-flight budget: by admitBytes, or by the connection guard (toolarge.go).
func (l *limiter) busyBytes() error {
	return busy(reasonInflight, fmt.Sprintf("server busy: %d bytes of messages in flight already (max-inflight-bytes), waited %v", l.maxBytes, l.wait), "max-inflight-bytes", l.maxBytes)
}

// admitStream takes one of the stream slots.
func (l *limiter) admitStream(ctx context.Context) (func(), error) {
	if !l.streams.TryAcquire(1) {
		wctx, cancel := context.WithTimeout(ctx, l.wait)
		err := l.streams.Acquire(wctx, 1)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, status.FromContextError(ctx.Err()).Err()
			}
			l.refusedStreams.Add(1)
			return nil, busy(reasonStreams, fmt.Sprintf("server busy: %d streams open already (max-streams), waited %v", l.maxStreams, l.wait), "max-streams", l.maxStreams)
		}
	}
	return func() { l.streams.Release(1) }, nil
}

// busy is RESOURCE_EXHAUSTED with an ErrorInfo naming the limit (reason,
// metadata "limit" and "value"): the call may succeed later or on another
// replica.
func busy(reason, msg, limit string, value int64) error {
	st := status.New(codes.ResourceExhausted, msg)
	if d, err := st.WithDetails(
		&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain, Metadata: map[string]string{"limit": limit, "value": fmt.Sprint(value)}},
	); err == nil {
		st = d
	}
	return st.Err()
}

// tooLarge is the answer to a message over the size limit, whatever its
// size: RESOURCE_EXHAUSTED with the MESSAGE_TOO_LARGE reason, as for a
// message the parser refuses.
func tooLarge(size, limit int) error {
	msg := fmt.Sprintf("raw: message over the limit of %d bytes", limit)
	if size > 0 {
		msg = fmt.Sprintf("raw: %d bytes, limit %d", size, limit)
	}
	return withReason(codes.ResourceExhausted, msg, dsn.ErrTooLarge)
}

// transportLimit is the gRPC receive limit (grpc.MaxRecvMsgSize) for
// messages of at most limit bytes: the limit plus room for the request's
// other fields. Up to it a message reaches the handler, which refuses one
// over the limit with MESSAGE_TOO_LARGE. Over it, grpc-go would refuse the
// message itself, with a bare RESOURCE_EXHAUSTED that also ends a
// ParseStream; instead the connection guard (h2guard, toolarge.go)
// replaces it with a substitute the handler answers with the same
// MESSAGE_TOO_LARGE, so the answer is the same at any size and a stream
// goes on. grpc-go buffers a message whole before the handler sees it, so
// this is also the most a single request costs while it is read: the
// guard drops the payload of a larger one as it arrives. (It was twice the
// limit while that margin was the only way to answer MESSAGE_TOO_LARGE.)
func transportLimit(limit int) int {
	return limit + grpcOverhead
}
