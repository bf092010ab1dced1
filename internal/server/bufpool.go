package server

import (
	"math/bits"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/mem"
)

// recvPool is the buffer pool of the gRPC server (experimental.BufferPool)
// and of passCodec's joining of a message that arrived in several pieces.
//
// gRPC's default pool clears the whole capacity of every buffer it hands
// out, again on each reuse: for a 5 KB message that is one 16 KiB buffer
// per DATA frame read and another when the frames are joined, about 2 %
// of the server's CPU on a busy stream (perf, loadgen -mode stream). Every
// user of these buffers writes the bytes it asked for before reading them
// (a frame's payload is read into it with io.ReadFull, a join copies the
// pieces in, an encoding writes its whole length), so the clearing buys
// nothing; recvPool hands buffers out as they are.
var recvPool mem.BufferPool = newDirtyPool()

// Pooled sizes: powers of two from 2^minPoolShift to 2^maxPoolShift
// (256 bytes to 1 MiB, gRPC's default tiers cover the same span).
// Smaller and larger requests are plain allocations: a 25 MiB message
// is rare, and keeping such buffers would hold memory the in-flight
// budget no longer counts.
const (
	minPoolShift = 8
	maxPoolShift = 20
)

// dirtyPool is a mem.BufferPool of power-of-two tiers that does not clear
// the buffers it reuses.
type dirtyPool struct {
	tiers [maxPoolShift - minPoolShift + 1]sync.Pool
}

func newDirtyPool() *dirtyPool { return &dirtyPool{} }

// tier is the index of the smallest tier holding n bytes, or -1.
func tier(n int) int {
	if n <= 0 || n > 1<<maxPoolShift {
		return -1
	}
	s := bits.Len(uint(n - 1)) // 2^s >= n
	if s < minPoolShift {
		s = minPoolShift
	}
	return s - minPoolShift
}

// Get returns a buffer of length n; its bytes are whatever the previous
// user left.
func (p *dirtyPool) Get(n int) *[]byte {
	t := tier(n)
	if t < 0 {
		b := make([]byte, n)
		return &b
	}
	if v, ok := p.tiers[t].Get().(*[]byte); ok {
		*v = (*v)[:n]
		return v
	}
	b := make([]byte, n, 1<<(t+minPoolShift))
	return &b
}

// Put keeps a buffer whose capacity is exactly one tier's size (what Get
// made); others, which mem may hand back after slicing, are left to the
// garbage collector.
func (p *dirtyPool) Put(b *[]byte) {
	c := cap(*b)
	t := tier(c)
	if t < 0 || c != 1<<(t+minPoolShift) {
		return
	}
	if poison.on.Load() {
		for i := range *b {
			(*b)[i] = 0xFF
		}
		poison.returned.Add(1)
	}
	*b = (*b)[:0]
	p.tiers[t].Put(b)
}

// poison, switched on by tests, overwrites every buffer that goes back
// to the pool (a view of a message's bytes kept beyond its answer then
// reads 0xFF bytes) and counts them.
var poison struct {
	on       atomic.Bool
	returned atomic.Int64
}
