package h2guard

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/sync/semaphore"
	"google.golang.org/grpc/credentials"
)

// countingBudget is a semaphore that fails the test when more is given
// back than was taken, and tells how much is taken.
type countingBudget struct {
	t    testing.TB
	sem  *semaphore.Weighted
	mu   sync.Mutex
	used int64
}

func newBudget(t testing.TB, size int64) *countingBudget {
	return &countingBudget{t: t, sem: semaphore.NewWeighted(size)}
}

func (b *countingBudget) TryAcquire(n int64) bool {
	if !b.sem.TryAcquire(n) {
		return false
	}
	b.add(n)
	return true
}

func (b *countingBudget) Acquire(ctx context.Context, n int64) error {
	if err := b.sem.Acquire(ctx, n); err != nil {
		return err
	}
	b.add(n)
	return nil
}

func (b *countingBudget) Release(n int64) {
	b.mu.Lock()
	if n <= 0 || n > b.used {
		b.mu.Unlock()
		b.t.Fatalf("Release(%d) with %d taken", n, b.used)
		return
	}
	b.used -= n
	b.mu.Unlock()
	b.sem.Release(n)
}

func (b *countingBudget) add(n int64) {
	b.mu.Lock()
	b.used += n
	b.mu.Unlock()
}

func (b *countingBudget) taken() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// serverFrames writes what a server sends, with x/net's Framer.
type serverFrames struct {
	buf bytes.Buffer
	fr  *http2.Framer
}

func newServerFrames() *serverFrames {
	s := &serverFrames{}
	s.fr = http2.NewFramer(&s.buf, nil)
	return s
}

// take returns the frames written so far and forgets them.
func (s *serverFrames) take() []byte {
	b := bytes.Clone(s.buf.Bytes())
	s.buf.Reset()
	return b
}

// writeIn writes b to c in pieces of n bytes.
func writeIn(t testing.TB, c *Conn, b []byte, n int) {
	t.Helper()
	for len(b) > 0 {
		k := min(n, len(b))
		if _, err := c.Write(b[:k]); err != nil {
			t.Fatal(err)
		}
		b = b[k:]
	}
}

// readAll reads c until EOF, in reads of 4 KiB.
func readAll(t testing.TB, c *Conn) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A message takes its room when its prefix is read, and gives it back
// when the server writes the prefix of its answer (split between writes
// and padded frames here), or when its stream ends: the server's
// trailers, the server's RST_STREAM, the client's RST_STREAM.
func TestAdmitHoldsUntilAnswered(t *testing.T) {
	s := newScript()
	for _, id := range []uint32{1, 3, 5, 7} {
		s.headers(id, false)
	}
	// Stream 1: two messages in one frame; 3: one split between frames;
	// 5 and 7: one each.
	s.data(1, concat(s.message(1, 100), s.message(1, 200)), []int{16384}, 0, false)
	s.data(3, s.message(3, 5000), []int{2, 16384}, 3, true)
	s.data(5, s.message(5, 10), []int{16384}, 0, false)
	s.data(7, s.message(7, 20), []int{16384}, 0, false)
	_ = s.fr.WriteRSTStream(7, http2.ErrCodeCancel)
	b := newBudget(t, 1<<20)
	mc := &memConn{r: bytes.NewReader(s.buf.Bytes())}
	c := NewAdmittingConn(mc, 1<<20, &Admission{Budget: b, Size: 1 << 20})
	p := parse(t, readAll(t, c))
	for _, id := range []uint32{1, 3, 5, 7} {
		if got, want := p.streams[id], s.want(id, 1<<20); !bytes.Equal(got, want) {
			t.Fatalf("stream %d: server sees %d bytes, want %d (first difference at %d)", id, len(got), len(want), firstDiff(got, want))
		}
	}
	want := int64(105 + 205 + 5005 + 15) // stream 7 was reset
	if got := c.Holding(); got != want || b.taken() != want {
		t.Fatalf("after reading: holding %d, budget taken %d, want %d", got, b.taken(), want)
	}
	steps := []struct {
		name  string
		frame func(f *http2.Framer)
		free  int64
	}{
		{"answer 1 on stream 1", func(f *http2.Framer) {
			_ = f.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true})
			_ = f.WriteDataPadded(1, false, Substitute(7), make([]byte, 4))
		}, 105},
		{"answer 2 on stream 1", func(f *http2.Framer) {
			_ = f.WriteData(1, false, concat([]byte{0, 0, 0, 0, 3}, []byte("abc")))
		}, 205},
		{"an answer to no message", func(f *http2.Framer) {
			_ = f.WriteData(1, false, []byte{0, 0, 0, 0, 0})
			_ = f.WritePing(false, [8]byte{0, 0, 0, 0, 9})
		}, 0},
		{"trailers on stream 3", func(f *http2.Framer) {
			_ = f.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: []byte{0x88}, EndHeaders: true, EndStream: true})
		}, 5005},
		{"RST_STREAM on stream 5", func(f *http2.Framer) { _ = f.WriteRSTStream(5, http2.ErrCodeInternal) }, 15},
	}
	sf := newServerFrames()
	for _, st := range steps {
		before := c.Holding()
		st.frame(sf.fr)
		writeIn(t, c, sf.take(), 3)
		if got := before - c.Holding(); got != st.free || b.taken() != c.Holding() {
			t.Errorf("%s: gave back %d, want %d (budget taken %d, holding %d)", st.name, got, st.free, b.taken(), c.Holding())
		}
	}
	if c.Holding() != 0 || len(c.led.accts) != 1 {
		t.Errorf("holding %d in %d accounts, want 0 in 1 (stream 1)", c.Holding(), len(c.led.accts))
	}
}

// Without room within the wait, a message is replaced by a busy
// stand-in and its payload dropped, its window given back; a message too
// short for a stand-in passes; a message larger than the whole budget
// takes all of it once it is free.
func TestAdmitBusy(t *testing.T) {
	s := newScript()
	s.headers(1, false)
	s.data(1, concat(s.message(1, 3000), s.message(1, 3)), []int{1000}, 0, false)
	b := newBudget(t, 1000)
	if !b.TryAcquire(1000) {
		t.Fatal("budget not free")
	}
	mc := &memConn{r: bytes.NewReader(s.buf.Bytes())}
	c := NewAdmittingConn(mc, 1<<20, &Admission{Budget: b, Size: 1000, Wait: 20 * time.Millisecond})
	start := time.Now()
	out := readAll(t, c)
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("read in %v, want a wait of 20ms for each message", took)
	}
	p := parse(t, out)
	want := concat(appendStandIn(nil, BusyField, 3000), s.msgs[1][1])
	if !bytes.Equal(p.streams[1], want) {
		t.Errorf("stream 1: % x, want % x", p.streams[1], want)
	}
	if size, ok := Busy(want[msgHeaderLen:]); !ok || size != 3000 {
		t.Errorf("Busy(stand-in) = %d, %v", size, ok)
	}
	up := windowUpdates(t, mc.w.Bytes())
	if dropped := s.sent[1] - p.data[1]; up[1] != dropped || up[0] != dropped {
		t.Errorf("window given back: stream %d, connection %d, want %d", up[1], up[0], dropped)
	}
	if c.Holding() != 0 {
		t.Errorf("holding %d for refused messages", c.Holding())
	}
	// The two answers (stand-in and the short message) give nothing back.
	sf := newServerFrames()
	_ = sf.fr.WriteData(1, false, concat(Substitute(1), Substitute(2)))
	writeIn(t, c, sf.take(), 1<<10)
	b.Release(1000)

	// With room: a message of 3000 takes the whole 1000.
	s2 := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s2.fr = http2.NewFramer(&s2.buf, nil)
	s2.data(1, s2.message(1, 3000), []int{16384}, 0, false)
	mc.r = bytes.NewReader(s2.buf.Bytes())
	if out := readAll(t, c); !bytes.Equal(out, s2.buf.Bytes()) {
		t.Error("a message larger than the budget was changed")
	}
	if c.Holding() != 1000 || b.taken() != 1000 {
		t.Errorf("holding %d, taken %d, want the whole 1000", c.Holding(), b.taken())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.Holding() != 0 || b.taken() != 0 {
		t.Errorf("after Close: holding %d, taken %d", c.Holding(), b.taken())
	}
}

// windowUpdates sums the increments of the WINDOW_UPDATE frames in b,
// per stream.
func windowUpdates(t testing.TB, b []byte) map[uint32]int {
	t.Helper()
	up := map[uint32]int{}
	for len(b) >= frameHeaderLen+4 {
		if b[3] != frameWindowUpdate {
			t.Fatalf("guard wrote a frame of type %d", b[3])
		}
		up[binary.BigEndian.Uint32(b[5:9])] += int(binary.BigEndian.Uint32(b[9:13]))
		b = b[frameHeaderLen+4:]
	}
	if len(b) != 0 {
		t.Fatal("guard wrote a partial frame")
	}
	return up
}

// A message on a stream the server ended already takes no room (the
// server drops its data), and one after the connection closed neither.
func TestAdmitAfterEnd(t *testing.T) {
	s := newScript()
	s.headers(1, false)
	b := newBudget(t, 1<<20)
	mc := &memConn{r: bytes.NewReader(s.buf.Bytes())}
	c := NewAdmittingConn(mc, 1<<20, &Admission{Budget: b, Size: 1 << 20})
	readAll(t, c)
	sf := newServerFrames()
	_ = sf.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true, EndStream: true})
	writeIn(t, c, sf.take(), 100)
	s2 := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s2.fr = http2.NewFramer(&s2.buf, nil)
	s2.data(1, s2.message(1, 100), []int{16384}, 0, false)
	mc.r = bytes.NewReader(s2.buf.Bytes())
	readAll(t, c)
	if c.Holding() != 0 || b.taken() != 0 {
		t.Errorf("message after the server's end: holding %d, taken %d", c.Holding(), b.taken())
	}
	// Stream 3 opens after Close.
	_ = c.Close()
	s3 := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s3.fr = http2.NewFramer(&s3.buf, nil)
	s3.headers(3, false)
	s3.data(3, s3.message(3, 100), []int{16384}, 0, false)
	mc.r = bytes.NewReader(s3.buf.Bytes())
	readAll(t, c)
	if c.Holding() != 0 || b.taken() != 0 {
		t.Errorf("message after Close: holding %d, taken %d", c.Holding(), b.taken())
	}
}

// A Read waiting for room ends when the Conn closes, not after the wait.
func TestAdmitWaitEndsOnClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	b := newBudget(t, 1000)
	b.TryAcquire(1000)
	c := NewAdmittingConn(raw, 1<<20, &Admission{Budget: b, Size: 1000, Wait: time.Minute})
	s := newScript()
	s.headers(1, false)
	s.data(1, s.message(1, 500), []int{16384}, 0, false)
	if _, err := client.Write(s.buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	_ = c.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Read still waits for room after Close")
	}
	t.Logf("Read returned %v after Close", time.Since(start))
	b.Release(1000)
	if b.taken() != 0 {
		t.Errorf("taken %d after Close", b.taken())
	}
}

func TestAuthInfo(t *testing.T) {
	var info AuthInfo
	if !Admits(info) || Admits(nil) {
		t.Error("Admits")
	}
	if info.AuthType() != "h2guard" || info.GetCommonAuthInfo().SecurityLevel == 0 {
		t.Errorf("AuthInfo without Inner: %q %v", info.AuthType(), info.GetCommonAuthInfo())
	}
	// TLS: the level and type are the TLS info's, which Inner holds.
	tlsInfo := credentials.TLSInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}
	info = AuthInfo{Inner: tlsInfo}
	if info.AuthType() != "tls" || info.GetCommonAuthInfo().SecurityLevel != credentials.PrivacyAndIntegrity {
		t.Errorf("AuthInfo over TLS: %q %v", info.AuthType(), info.GetCommonAuthInfo())
	}
	if _, ok := info.Inner.(credentials.TLSInfo); !ok {
		t.Error("Inner is not the TLS info")
	}
}
