// Package sink delivers verdicts out of bounced to the platform that sent
// the mail: JSON lines to a file or stdout, a Redis Stream (XADD with an
// approximate MAXLEN), and an HTTP webhook signed with HMAC-SHA256
// (RFC 2104) over a bounded, ordered, on-disk queue, with a preset for
// listmonk's bounce webhook.
//
// A verdict is the wire form of one message's result, *pb.ParseResponse,
// the same object `bounced parse --format=jsonl` prints. Deliver returns
// only once the verdict is durable for that sink: written to the file,
// added to the stream, or queued on disk for the webhook. Ingest adapters
// (LMTP, IMAP) acknowledge a message only after Deliver returns nil, so a
// sink failure makes the MTA or the mailbox keep the message: delivery is
// at least once, never silently lost. A webhook receiver deduplicates by
// the X-Bounced-Delivery header.
package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// ErrClosed is returned by Deliver after Close.
var ErrClosed = errors.New("sink: closed")

// ErrQueueInUse is returned when another webhook, in this process or
// another, already holds the queue directory.
var ErrQueueInUse = errors.New("sink: queue directory in use")

// ErrQueueFull is returned when a bounded queue stayed full until the
// caller's context ended.
var ErrQueueFull = errors.New("sink: queue full")

// Sink receives verdicts. Implementations are safe for concurrent use;
// verdicts delivered by one goroutine keep their order.
type Sink interface {
	// Deliver makes v durable for this sink or returns an error.
	Deliver(ctx context.Context, v *pb.ParseResponse) error
	// Close flushes what it can within ctx and releases resources. What a
	// queue could not send stays on disk for the next start.
	Close(ctx context.Context) error
}

// JSONOptions are the protojson options of every JSON this package
// writes: proto field names, as `bounced parse --format=jsonl`.
var JSONOptions = protojson.MarshalOptions{UseProtoNames: true}

// MarshalLine returns v as one JSON line ending in '\n'.
func MarshalLine(v *pb.ParseResponse) ([]byte, error) {
	b, err := JSONOptions.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sink: marshal %q: %w", v.GetSource(), err)
	}
	return append(b, '\n'), nil
}

// Multi delivers to every sink in order; the first error stops it. A
// retried verdict may then reach the earlier sinks twice (at least once).
type Multi []Sink

// Deliver implements Sink.
func (m Multi) Deliver(ctx context.Context, v *pb.ParseResponse) error {
	for _, s := range m {
		if err := s.Deliver(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// Close implements Sink; it closes every sink and joins their errors.
func (m Multi) Close(ctx context.Context) error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Close(ctx))
	}
	return errors.Join(errs...)
}

// JSONL writes one JSON line per verdict to a writer (stdout) or a file.
// A line is in the kernel when Deliver returns, so it survives a crash of
// bounced; it is not synced to disk (a power loss can lose the last lines).
type JSONL struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	closed bool
}

// NewJSONL writes to w; Close does not close w.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: w} }

// OpenJSONL appends to the file at path, creating it with mode 0640.
func OpenJSONL(path string) (*JSONL, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("sink: jsonl: %w", err)
	}
	return &JSONL{w: f, closer: f}, nil
}

// Deliver implements Sink: the line is written with one Write call, so
// lines from concurrent writers never interleave.
func (j *JSONL) Deliver(_ context.Context, v *pb.ParseResponse) error {
	line, err := MarshalLine(v)
	if err != nil {
		return err
	}
	return j.deliverLine(line)
}

// Close implements Sink.
func (j *JSONL) Close(context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	if j.closer != nil {
		return j.closer.Close()
	}
	return nil
}

// lineDeliverer is a sink that can take a verdict already marshalled.
type lineDeliverer interface {
	deliverLine(line []byte) error
}

// DeliverMarshalled delivers v whose JSON line (MarshalLine) was already
// made, for instance on a worker goroutine: a JSON lines sink writes the
// line as is, other sinks get v.
func DeliverMarshalled(ctx context.Context, s Sink, v *pb.ParseResponse, line []byte) error {
	switch s := s.(type) {
	case Multi:
		for _, one := range s {
			if err := DeliverMarshalled(ctx, one, v, line); err != nil {
				return err
			}
		}
		return nil
	case lineDeliverer:
		if line != nil {
			return s.deliverLine(line)
		}
	}
	return s.Deliver(ctx, v)
}

func (j *JSONL) deliverLine(line []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if _, err := j.w.Write(line); err != nil {
		return fmt.Errorf("sink: jsonl: %w", err)
	}
	return nil
}
