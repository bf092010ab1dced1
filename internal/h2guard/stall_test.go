package h2guard

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// stallPair is a Conn with stall deadlines over loopback TCP: the test
// writes what the client sends (raw bytes or frames) on client, reads
// what the client receives with cfr, and reads what the server sees from
// the frames channel (the preface skipped).
type stallPair struct {
	t       *testing.T
	c       *Conn
	b       *countingBudget
	client  net.Conn
	cfr     *http2.Framer // the client's frames, both ways
	frames  chan http2.Frame
	readErr chan error
	stalled atomic.Int32
}

func newStallPair(t *testing.T, size int64, grace time.Duration, rate int64) *stallPair {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	p := &stallPair{t: t, b: newBudget(t, size), client: client, frames: make(chan http2.Frame, 64), readErr: make(chan error, 1)}
	p.c = NewAdmittingConn(raw, 1<<20, &Admission{Budget: p.b, Size: size, Wait: 10 * time.Millisecond,
		Grace: grace, MinRate: rate, Stalled: func(uint32) { p.stalled.Add(1) }})
	p.cfr = http2.NewFramer(client, client)
	if _, err := client.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	// The server side: what grpc-go would read, taken apart in frames.
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := p.c.Read(buf)
			if _, werr := pw.Write(buf[:n]); werr != nil {
				return
			}
			if err != nil {
				p.readErr <- err
				pw.CloseWithError(err)
				return
			}
		}
	}()
	go func() {
		pre := make([]byte, prefaceLen)
		if _, err := io.ReadFull(pr, pre); err != nil {
			close(p.frames)
			return
		}
		fr := http2.NewFramer(nil, pr)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				close(p.frames)
				return
			}
			if d, ok := f.(*http2.DataFrame); ok {
				// The framer reuses its buffer: keep a copy.
				nd := *d
				f = &copiedData{DataFrame: &nd, data: bytes.Clone(d.Data())}
			}
			p.frames <- f
		}
	}()
	t.Cleanup(func() {
		client.Close()
		p.c.Close()
	})
	return p
}

type copiedData struct {
	*http2.DataFrame
	data []byte
}

// serverSees waits for the next frame the server reads that match wants,
// and returns it; others are skipped.
func (p *stallPair) serverSees(what string, within time.Duration, match func(http2.Frame) bool) http2.Frame {
	p.t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case f, ok := <-p.frames:
			if !ok {
				p.t.Fatalf("%s: the server's reads ended", what)
			}
			if match(f) {
				return f
			}
		case <-timer.C:
			p.t.Fatalf("%s: not seen within %v", what, within)
		}
	}
}

func isRST(id uint32) func(http2.Frame) bool {
	return func(f http2.Frame) bool {
		r, ok := f.(*http2.RSTStreamFrame)
		return ok && r.StreamID == id
	}
}

// clientGets reads what the client receives until match, failing after
// within; it returns the WINDOW_UPDATE increments seen on the way.
func (p *stallPair) clientGets(what string, within time.Duration, match func(http2.Frame) bool) map[uint32]int {
	p.t.Helper()
	up := map[uint32]int{}
	_ = p.client.SetReadDeadline(time.Now().Add(within))
	defer func() { _ = p.client.SetReadDeadline(time.Time{}) }()
	for {
		f, err := p.cfr.ReadFrame()
		if err != nil {
			p.t.Fatalf("%s: client reads: %v", what, err)
		}
		if w, ok := f.(*http2.WindowUpdateFrame); ok {
			up[w.StreamID] += int(w.Increment)
		}
		if match(f) {
			return up
		}
	}
}

func (p *stallPair) waitTaken(what string, want int64) {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.b.taken() != want {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: budget taken %d, want %d", what, p.b.taken(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func (p *stallPair) headers(id uint32) {
	s := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s.fr = http2.NewFramer(&s.buf, nil)
	s.headers(id, false)
	if _, err := p.client.Write(s.buf.Bytes()); err != nil {
		p.t.Fatal(err)
	}
}

func (p *stallPair) data(id uint32, b []byte, end bool) {
	p.t.Helper()
	if err := p.cfr.WriteData(id, end, b); err != nil {
		p.t.Fatal(err)
	}
}

// prefix is a gRPC message prefix announcing n bytes.
func prefix(n int) []byte {
	m := make([]byte, msgHeaderLen)
	m[1], m[2], m[3], m[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return m
}

// A client that announces a message and stops sending loses its room
// after its deadline, even though it sends nothing more: the server gets
// an RST_STREAM(CANCEL), the client an RST_STREAM(ENHANCE_YOUR_CALM);
// what it sends later on that stream is dropped and its window given
// back, and the connection carries the next stream.
func TestStallAtFrameBoundary(t *testing.T) {
	const grace = 100 * time.Millisecond
	p := newStallPair(t, 1<<20, grace, 1<<20)
	p.headers(1)
	const size = 100 << 10
	start := time.Now() // before the prefix, so the deadline starts after it
	p.data(1, append(prefix(size), make([]byte, 1000)...), false)
	p.waitTaken("prefix sent", size+msgHeaderLen)
	p.serverSees("the server's RST_STREAM", 5*time.Second, isRST(1))
	took := time.Since(start)
	if allow := grace + time.Duration(size)*time.Second/(1<<20); took < allow || took > allow+grace/4+time.Second {
		t.Errorf("reset after %v, want about %v (grace plus size at the rate)", took, allow)
	}
	p.waitTaken("after the reset", 0)
	p.clientGets("the client's RST_STREAM", 5*time.Second, func(f http2.Frame) bool {
		r, ok := f.(*http2.RSTStreamFrame)
		if ok && (r.StreamID != 1 || r.ErrCode != http2.ErrCodeEnhanceYourCalm) {
			t.Errorf("client got %v", r)
		}
		return ok
	})
	if n := p.stalled.Load(); n != 1 {
		t.Errorf("Stalled called %d times, want 1", n)
	}
	// The rest of the message, sent late: dropped, its bytes given back
	// to the connection's window.
	p.data(1, make([]byte, 5000), true)
	p.headers(3)
	p.data(3, append(prefix(10), make([]byte, 10)...), true)
	f := p.serverSees("stream 3", 5*time.Second, func(f http2.Frame) bool {
		if d, ok := f.(*copiedData); ok && d.StreamID == 1 {
			t.Errorf("server got %d bytes of DATA on the reset stream", len(d.data))
		}
		d, ok := f.(*copiedData)
		return ok && d.StreamID == 3
	})
	if d := f.(*copiedData); len(d.data) != 15 || !d.StreamEnded() {
		t.Errorf("stream 3: %d bytes, end %v", len(d.data), d.StreamEnded())
	}
	up := p.clientGets("window back", 5*time.Second, func(f http2.Frame) bool {
		w, ok := f.(*http2.WindowUpdateFrame)
		return ok && w.StreamID == 0
	})
	if up[0] != 5000 || up[1] != 0 {
		t.Errorf("window given back: connection %d, stream 1 %d, want 5000 and 0", up[0], up[1])
	}
	p.waitTaken("stream 3 ended", 15) // held until answered
}

// A client that stops in the middle of a DATA frame within a message's
// payload: the guard completes the frame with zeros for the server, resets
// the stream, and drops the frame's real rest when it comes; the
// connection goes on.
func TestStallInsideFrame(t *testing.T) {
	const grace = 50 * time.Millisecond
	p := newStallPair(t, 1<<20, grace, 1<<20)
	p.headers(1)
	const size = 50 << 10
	p.data(1, prefix(size), false)
	// A frame of 16 KiB of which only 100 bytes come.
	hdr := appendFrameHeader(nil, 16384, frameData, 0, 1)
	if _, err := p.client.Write(append(hdr, bytes.Repeat([]byte{'x'}, 100)...)); err != nil {
		t.Fatal(err)
	}
	p.waitTaken("prefix sent", size+msgHeaderLen)
	f := p.serverSees("the completed frame", 5*time.Second, func(f http2.Frame) bool {
		d, ok := f.(*copiedData)
		return ok && d.StreamID == 1 && len(d.data) == 16384
	})
	if d := f.(*copiedData).data; !bytes.Equal(d[:100], bytes.Repeat([]byte{'x'}, 100)) || !bytes.Equal(d[100:], make([]byte, 16284)) {
		t.Error("the completed frame is not the client's bytes, then zeros")
	}
	p.serverSees("the server's RST_STREAM", 5*time.Second, isRST(1))
	p.waitTaken("after the reset", 0)
	// The frame's real rest, then a new stream.
	if _, err := p.client.Write(bytes.Repeat([]byte{'y'}, 16284)); err != nil {
		t.Fatal(err)
	}
	p.headers(3)
	p.data(3, append(prefix(3), 'a', 'b', 'c'), true)
	d := p.serverSees("stream 3", 5*time.Second, func(f http2.Frame) bool {
		d, ok := f.(*copiedData)
		return ok && d.StreamID == 3
	}).(*copiedData)
	if !bytes.Equal(d.data, append(prefix(3), 'a', 'b', 'c')) {
		t.Errorf("stream 3: % x", d.data)
	}
	up := p.clientGets("the client's RST_STREAM", 5*time.Second, isRST(1))
	if up[0] != 0 || up[1] != 0 {
		t.Errorf("window given back for a frame the server counted whole: %v", up)
	}
}

// A client that stops inside the frame that ends its message (the zeros
// would complete it) has its connection closed once the frame is late.
func TestStallInsideLastFrame(t *testing.T) {
	const grace = 50 * time.Millisecond
	p := newStallPair(t, 1<<20, grace, 1<<20)
	p.headers(1)
	hdr := appendFrameHeader(nil, 1005, frameData, 0, 1)
	if _, err := p.client.Write(append(append(hdr, prefix(1000)...), make([]byte, 500)...)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.readErr:
		if !errors.Is(err, ErrStalled) {
			t.Errorf("Read: %v, want ErrStalled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection goes on")
	}
	_ = p.c.Close()
	p.waitTaken("after Close", 0)
}

// A sender slow but steady within the rate keeps its message; so does a
// message held back behind an earlier one the server has not answered
// (its clock starts with that answer), which is reset once it is the one
// the server waits for.
func TestStallSlowButSteady(t *testing.T) {
	const grace = 100 * time.Millisecond
	const rate = 32 << 10
	p := newStallPair(t, 1<<20, grace, rate)
	p.headers(1)
	const size = 16 << 10 // 100ms + 500ms at the rate
	p.data(1, prefix(size), false)
	// 1 KiB every 10ms: 160ms in all, 3.7x within the allowance.
	for i := 0; i < size/1024; i++ {
		p.data(1, make([]byte, 1024), false)
		time.Sleep(10 * time.Millisecond)
	}
	p.headers(3) // a frame after the last: the server has seen it all
	var n int
	p.serverSees("stream 1 whole", 5*time.Second, func(f http2.Frame) bool {
		if _, ok := f.(*http2.RSTStreamFrame); ok {
			t.Fatal("a steady sender was reset")
		}
		if d, ok := f.(*copiedData); ok && d.StreamID == 1 {
			n += len(d.data)
		}
		return n == size+msgHeaderLen
	})

	// Stream 1 now holds a whole message, unanswered; a second message
	// on it stops half-way and stays, well past its due.
	p.data(1, append(prefix(1000), make([]byte, 500)...), false)
	time.Sleep(3 * (grace + time.Second*1000/rate))
	select {
	case f := <-p.frames:
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			t.Fatalf("reset %v while the server had not asked for the message", r)
		}
	default:
	}
	if n := p.stalled.Load(); n != 0 {
		t.Fatalf("Stalled %d times", n)
	}
	// The server answers the first: the second's clock starts.
	sf := newServerFrames()
	_ = sf.fr.WriteData(1, false, append(prefix(2), 1, 2))
	start := time.Now()
	writeIn(t, p.c, sf.take(), 1<<10)
	p.serverSees("the reset of the second message", 5*time.Second, isRST(1))
	if took := time.Since(start); took < grace {
		t.Errorf("reset %v after the answer, want at least the grace %v", took, grace)
	}
	p.waitTaken("after the reset", 0)
}

// The stall deadlines never make a read fail: streams whose messages
// arrive in pieces, each within its due, while the guard's read deadline
// passes many times between the pieces.
func TestStallDeadlinesDoNotFailReads(t *testing.T) {
	const grace = 600 * time.Millisecond // looks every 150ms
	p := newStallPair(t, 1<<20, grace, 1<<20)
	for i := range 4 {
		p.headers(uint32(2*i + 1))
	}
	for round := range 3 {
		for i := range 4 {
			p.data(uint32(2*i+1), append(prefix(8), 1, 2, 3, 4), false)
		}
		time.Sleep(grace / 4)
		for i := range 4 {
			p.data(uint32(2*i+1), []byte{5, 6, 7, 8}, round == 2)
		}
		time.Sleep(grace / 4)
	}
	got := 0
	p.serverSees("all messages", 5*time.Second, func(f http2.Frame) bool {
		if _, ok := f.(*http2.RSTStreamFrame); ok {
			t.Fatal("reset a stream whose messages came in time")
		}
		if _, ok := f.(*copiedData); ok {
			got++
		}
		return got == 24
	})
	select {
	case err := <-p.readErr:
		t.Fatalf("Read failed: %v", err)
	default:
	}
	if p.stalled.Load() != 0 {
		t.Error("Stalled called")
	}
}

// A late stream while the client is inside another stream's frame that
// ends a message (zeros would complete it): the reset waits for that
// frame's end, which passes intact, and the connection goes on.
func TestStallWaitsForFrameEnd(t *testing.T) {
	const grace = 800 * time.Millisecond // looks every 200ms
	p := newStallPair(t, 1<<20, grace, 1<<20)
	p.headers(1)
	p.headers(3)
	const size = 100 << 10
	p.data(1, append(prefix(size), make([]byte, 1000)...), false)
	allow := grace + time.Duration(size)*time.Second/(1<<20)
	time.Sleep(allow - 200*time.Millisecond)
	// Stream 3: a frame with a whole message, of which half comes now.
	msg := append(prefix(1000), bytes.Repeat([]byte{'z'}, 1000)...)
	hdr := appendFrameHeader(nil, len(msg), frameData, flagEndStream, 3)
	if _, err := p.client.Write(append(hdr, msg[:500]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200*time.Millisecond + grace/4 + 300*time.Millisecond) // stream 1 late meanwhile
	if p.stalled.Load() != 0 {
		t.Fatal("stream 1 reset inside stream 3's frame")
	}
	if _, err := p.client.Write(msg[500:]); err != nil {
		t.Fatal(err)
	}
	d := p.serverSees("stream 3's frame", 5*time.Second, func(f http2.Frame) bool {
		if _, ok := f.(*http2.RSTStreamFrame); ok {
			t.Fatal("reset before stream 3's frame ended")
		}
		d, ok := f.(*copiedData)
		return ok && d.StreamID == 3
	}).(*copiedData)
	if !bytes.Equal(d.data, msg) {
		t.Error("stream 3's frame changed")
	}
	p.serverSees("stream 1's reset", 5*time.Second, isRST(1))
	p.waitTaken("after the reset", int64(len(msg))) // stream 3's, unanswered
	select {
	case err := <-p.readErr:
		t.Fatalf("Read: %v", err)
	default:
	}
}
