package dsn

import (
	"sync/atomic"
	"unsafe"
)

// Mem is memory that ParseInto fills instead of allocating: the Report,
// its first recipients and original headers, and the bytes of the strings
// it copies out of the message. A caller that is done with a Report (a
// server that has sent its answer) calls Reset and hands the Mem to the
// next ParseInto, so that a message costs few new allocations. Without
// Reset a Mem is simply garbage once its Report is.
//
// After Reset, the Report that ParseInto returned and every string, slice
// and pointer read from it must no longer be used: the next Report
// overwrites them. The zero Mem is ready to use; a Mem serves one ParseInto
// at a time.
type Mem struct {
	rep      Report
	rcpts    [memRecipients]Recipient
	headers  [memHeaders]Header
	received [memReceived]string
	// chunk holds the copied strings (unfolded values, the report text
	// kept with the original's fields); used is how much of it this Report
	// holds. It is made on first use after a Reset (a Mem never reset
	// copies to the heap, as Parse does: its Report may be kept for good),
	// and kept across Resets.
	chunk []byte
	used  int
	reset bool // Reset was called: the Mem is being reused
	// rcptsTaken is set once a list of recipients was given rcpts: a
	// second list in the same Parse gets its own memory, so two lists
	// never share it.
	rcptsTaken bool
	// filled says rep is not zero (a Report not yet Reset, or poison):
	// report clears it first. The counts say how much of each array a
	// Report used, which is all Reset clears.
	filled              bool
	nHeaders, nReceived int
}

// The room a Mem keeps: a usual bounce has one recipient, an original with
// a dozen or two headers and a few Received, and 1-3 KB of copied text. A
// Report that needs more allocates the rest, as Parse does.
const (
	memRecipients = 1
	memHeaders    = 24
	memReceived   = 8
	memChunk      = 4 << 10
)

// poisonReset makes Reset overwrite what it frees (tests: see
// PoisonReset); poisoned counts those Resets.
var (
	poisonReset atomic.Bool
	poisoned    atomic.Int64
)

// PoisonReset makes every Mem.Reset, while on, overwrite the bytes and
// strings it frees with 0xFF and garbage, so that a test finds any view of
// a Report kept past its Reset. It returns the count of such Resets since
// the call (a test checks that reuse happened). It is for tests only.
func PoisonReset(on bool) (resets func() int64) {
	poisonReset.Store(on)
	start := poisoned.Load()
	return func() int64 { return poisoned.Load() - start }
}

// Reset frees the Report of the last ParseInto for the next one. See Mem.
func (m *Mem) Reset() {
	// rep holds garbage after poison: the next report clears it.
	m.filled = poisonReset.Load()
	if m.filled {
		m.poison()
	} else {
		// Only what the Report used is cleared (its pointers would keep
		// memory alive while the Mem waits in a pool).
		m.rep = Report{}
		if m.rcptsTaken {
			clear(m.rcpts[:])
		}
		clear(m.headers[:m.nHeaders])
		clear(m.received[:m.nReceived])
	}
	m.used, m.reset, m.rcptsTaken, m.nHeaders, m.nReceived = 0, true, false, 0, 0
}

// poison overwrites all of m with 0xFF bytes and garbage (PoisonReset).
func (m *Mem) poison() {
	poisoned.Add(1)
	for i := range m.chunk[:m.used] {
		m.chunk[i] = 0xFF
	}
	garbage := "\xff\xff\xff\xff"
	m.rep = Report{From: garbage, Subject: garbage, Text: garbage, DecodedBy: garbage}
	for i := range m.rcpts {
		m.rcpts[i] = Recipient{Recipient: garbage, Diagnostic: garbage, RemoteMTA: garbage}
	}
	for i := range m.headers {
		m.headers[i] = Header{Name: garbage, Value: garbage}
	}
	for i := range m.received {
		m.received[i] = garbage
	}
}

// bytes returns an empty slice with room for n bytes from m's chunk, or
// nil when m is nil or the chunk has no such room left (the caller then
// allocates).
func (m *Mem) bytes(n int) []byte {
	if m == nil || n <= 0 {
		return nil
	}
	if m.chunk == nil {
		if n > memChunk || !m.reset {
			return nil
		}
		m.chunk = make([]byte, memChunk)
	}
	if n > len(m.chunk)-m.used {
		return nil
	}
	b := m.chunk[m.used : m.used : m.used+n]
	m.used += n
	return b
}

// report returns the Report to fill: m's, cleared, or a new one.
func (m *Mem) report() *Report {
	if m == nil {
		return &Report{}
	}
	if m.filled { // ParseInto again without a Reset, or poisoned
		m.rep = Report{}
	}
	m.filled = true
	return &m.rep
}

// recipients returns an empty list with room for n recipients: m's when
// it has the room, else a new one.
func (m *Mem) recipients(n int) []Recipient {
	if r := m.recipientRoom(n); r != nil {
		return r
	}
	return make([]Recipient, 0, n)
}

// recipientRoom is m's room for a list of n recipients, nil when m is nil,
// has not the room or gave it to another list already.
func (m *Mem) recipientRoom(n int) []Recipient {
	if m == nil || m.rcptsTaken || n > len(m.rcpts) {
		return nil
	}
	m.rcptsTaken = true
	clear(m.rcpts[:n])
	return m.rcpts[:0:n]
}

// originalHeaders is an empty list with room for n of the original's
// headers: m's when it has the room, else a new one.
func (m *Mem) originalHeaders(n int) []Header {
	if m != nil && n <= len(m.headers) {
		m.nHeaders = max(m.nHeaders, n)
		return m.headers[:0:n]
	}
	return make([]Header, 0, n)
}

// receivedList is originalHeaders for the original's Received fields.
func (m *Mem) receivedList(n int) []string {
	if m != nil && n <= len(m.received) {
		m.nReceived = max(m.nReceived, n)
		return m.received[:0:n]
	}
	return make([]string, 0, n)
}

// strArena is where a Report's copied strings are written, one after the
// other: a strings.Builder whose memory may come from a Mem. A string
// returned by String stays valid as more is written (bytes are only ever
// appended; a full buffer is replaced, not overwritten).
type strArena struct{ buf []byte }

// grow makes room for n more bytes, from m when it has them.
func (a *strArena) grow(m *Mem, n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	nb := m.bytes(len(a.buf) + n)
	if nb == nil {
		nb = make([]byte, 0, len(a.buf)+n)
	}
	a.buf = append(nb, a.buf...)
}

// Grow is grow from the heap.
func (a *strArena) Grow(n int) { a.grow(nil, n) }

func (a *strArena) Len() int { return len(a.buf) }

func (a *strArena) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

func (a *strArena) WriteString(s string) (int, error) {
	a.buf = append(a.buf, s...)
	return len(s), nil
}

func (a *strArena) WriteByte(c byte) error {
	a.buf = append(a.buf, c)
	return nil
}

// String returns the bytes written so far; they are never written again.
func (a *strArena) String() string {
	return unsafe.String(unsafe.SliceData(a.buf), len(a.buf))
}
