package sink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DefaultQueueMax is the most items a webhook queue holds before Deliver
// waits for room.
const DefaultQueueMax = 100_000

// queue is a bounded FIFO of request bodies. With a directory it is
// durable: each item is one file named by a zero-padded sequence number,
// written to a temporary name, synced and renamed, so a crash leaves
// either the whole item or none; items survive restarts and keep their
// order. Without a directory it lives in memory (lost on a crash).
type queue struct {
	dir  string
	max  int
	lock *os.File // held while the queue is open (lockDir)

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every push and pop
	seqs    []uint64      // on-disk items, ascending
	mem     []item        // in-memory items
	next    uint64
	closed  bool
}

// item is one queued request: an id for the receiver to deduplicate,
// and the body.
type item struct {
	seq  uint64
	id   string
	body []byte
}

const itemSuffix = ".item"

// deadSubdir is the directory, inside the queue's, of the items refused
// for good or unreadable.
const deadSubdir = "dead"

func openQueue(dir string, max int) (*queue, error) {
	if max <= 0 {
		max = DefaultQueueMax
	}
	q := &queue{dir: dir, max: max, changed: make(chan struct{})}
	if dir == "" {
		return q, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sink: queue: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	q.lock = lock
	ents, err := os.ReadDir(dir)
	if err != nil {
		q.release()
		return nil, fmt.Errorf("sink: queue: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			// A write interrupted before its rename: never acknowledged.
			_ = os.Remove(filepath.Join(dir, name))
			continue
		}
		if !strings.HasSuffix(name, itemSuffix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(name, itemSuffix), 10, 64)
		if err != nil {
			continue
		}
		q.seqs = append(q.seqs, n)
	}
	sort.Slice(q.seqs, func(i, j int) bool { return q.seqs[i] < q.seqs[j] })
	if len(q.seqs) > 0 {
		q.next = q.seqs[len(q.seqs)-1] + 1
	}
	// Items set aside keep their names: numbering goes on after them, so
	// that a later dead item never replaces an earlier one.
	dead, _ := os.ReadDir(filepath.Join(dir, deadSubdir))
	for _, e := range dead {
		if n, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), itemSuffix), 10, 64); err == nil && n >= q.next {
			q.next = n + 1
		}
	}
	return q, nil
}

func (q *queue) path(seq uint64) string {
	return filepath.Join(q.dir, fmt.Sprintf("%020d%s", seq, itemSuffix))
}

func (q *queue) lenLocked() int {
	if q.dir == "" {
		return len(q.mem)
	}
	return len(q.seqs)
}

// Len returns the number of queued items.
func (q *queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lenLocked()
}

func (q *queue) signalLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// push appends bodies as consecutive items, all or none, waiting for room
// until ctx ends (then ErrQueueFull).
func (q *queue) push(ctx context.Context, bodies [][]byte) error {
	if len(bodies) == 0 {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.closed {
			return ErrClosed
		}
		if q.lenLocked()+len(bodies) <= q.max || q.lenLocked() == 0 {
			break
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			q.mu.Lock()
			return fmt.Errorf("%w (%d items): %w", ErrQueueFull, q.max, ctx.Err())
		}
		q.mu.Lock()
	}
	// Written under the lock so that sequence order is queue order.
	var written []uint64
	for _, b := range bodies {
		it := item{seq: q.next, id: newID(), body: b}
		if q.dir == "" {
			q.mem = append(q.mem, it)
		} else {
			if err := q.writeItem(it); err != nil {
				for _, s := range written {
					_ = os.Remove(q.path(s))
				}
				return err
			}
			written = append(written, it.seq)
		}
		q.next++
	}
	q.seqs = append(q.seqs, written...)
	q.signalLocked()
	return nil
}

// writeItem stores "id\n" + body durably.
func (q *queue) writeItem(it item) error {
	final := q.path(it.seq)
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("sink: queue: %w", err)
	}
	_, err = f.Write(append([]byte(it.id+"\n"), it.body...))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sink: queue: %w", err)
	}
	return nil
}

// peek waits until an item is queued and returns the oldest, without
// removing it.
func (q *queue) peek(ctx context.Context) (item, error) {
	q.mu.Lock()
	for q.lenLocked() == 0 {
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return item{}, ctx.Err()
		}
		q.mu.Lock()
	}
	defer q.mu.Unlock()
	if q.dir == "" {
		return q.mem[0], nil
	}
	seq := q.seqs[0]
	b, err := os.ReadFile(q.path(seq))
	if err != nil {
		return item{seq: seq}, fmt.Errorf("sink: queue: %w", err)
	}
	id, body, ok := strings.Cut(string(b), "\n")
	if !ok {
		return item{seq: seq}, fmt.Errorf("sink: queue: item %d has no id line", seq)
	}
	return item{seq: seq, id: id, body: []byte(body)}, nil
}

// pop removes the oldest item, which must be seq. When dead is not empty
// the item is moved into that directory instead of deleted.
func (q *queue) pop(seq uint64, dead string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dir == "" {
		if len(q.mem) == 0 || q.mem[0].seq != seq {
			return errors.New("sink: queue: pop out of order")
		}
		q.mem = q.mem[1:]
		q.signalLocked()
		return nil
	}
	if len(q.seqs) == 0 || q.seqs[0] != seq {
		return errors.New("sink: queue: pop out of order")
	}
	var err error
	if dead != "" {
		if err = os.MkdirAll(dead, 0o750); err == nil {
			err = os.Rename(q.path(seq), filepath.Join(dead, filepath.Base(q.path(seq))))
		}
	} else {
		err = os.Remove(q.path(seq))
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sink: queue: %w", err)
	}
	q.seqs = q.seqs[1:]
	q.signalLocked()
	return nil
}

// waitEmpty waits until the queue is empty or ctx ends.
func (q *queue) waitEmpty(ctx context.Context) error {
	q.mu.Lock()
	for q.lenLocked() > 0 {
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		q.mu.Lock()
	}
	q.mu.Unlock()
	return nil
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.signalLocked()
	q.mu.Unlock()
}

// release frees the directory for the next queue; call it once the
// sender has stopped.
func (q *queue) release() {
	if q.lock != nil {
		_ = q.lock.Close()
		q.lock = nil
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
