package h2guard

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// script builds what a client sends: the preface and frames, written
// with x/net's Framer, and remembers the gRPC messages each stream
// carries and the DATA payload bytes it counted against the windows.
type script struct {
	buf  bytes.Buffer
	fr   *http2.Framer
	msgs map[uint32][][]byte // gRPC messages (with prefix) per stream
	sent map[uint32]int      // DATA payload bytes per stream, padding included
}

func newScript() *script {
	s := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s.buf.WriteString(http2.ClientPreface)
	s.fr = http2.NewFramer(&s.buf, nil)
	_ = s.fr.WriteSettings()
	return s
}

func (s *script) headers(id uint32, end bool) {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range []hpack.HeaderField{{Name: ":method", Value: "POST"}, {Name: ":path", Value: "/bounced.v1.BounceService/Parse"}, {Name: "content-type", Value: "application/grpc"}} {
		_ = enc.WriteField(f)
	}
	_ = s.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndHeaders: true, EndStream: end})
}

// message returns a gRPC message of n payload bytes (a pattern that
// tells where a byte came from) and notes it as sent on stream id.
func (s *script) message(id uint32, n int) []byte {
	m := make([]byte, msgHeaderLen+n)
	binary.BigEndian.PutUint32(m[1:], uint32(n))
	for i := range n {
		m[msgHeaderLen+i] = byte(i*7 + int(id))
	}
	s.msgs[id] = append(s.msgs[id], m)
	return m
}

// data sends b on stream id in DATA frames of the given sizes (the last
// size repeats), each padded with pad bytes; end sets END_STREAM on the
// last frame.
func (s *script) data(id uint32, b []byte, sizes []int, pad int, end bool) {
	for i := 0; len(b) > 0 || (end && i == 0); i++ {
		n := min(sizes[min(i, len(sizes)-1)], len(b))
		last := n == len(b)
		if pad > 0 {
			_ = s.fr.WriteDataPadded(id, end && last, b[:n], make([]byte, pad))
			s.sent[id] += n + 1 + pad
		} else {
			_ = s.fr.WriteData(id, end && last, b[:n])
			s.sent[id] += n
		}
		b = b[n:]
	}
}

// result is what came out of a Conn: its output and the WINDOW_UPDATE
// increments it wrote back, per stream (0: the connection).
type result struct {
	out     []byte
	updates map[uint32]int
}

// run sends in through a Conn with the limit over loopback TCP and reads
// its output with reads of the given sizes (cycled).
func run(t testing.TB, limit uint32, in []byte, readSizes []int) result {
	t.Helper()
	return runConn(t, func(c net.Conn) *Conn { return NewConn(c, limit) }, in, readSizes)
}

// runConn is run through the Conn newConn makes.
func runConn(t testing.TB, newConn func(net.Conn) *Conn, in []byte, readSizes []int) result {
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
	defer client.Close()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn := newConn(raw)
	go func() {
		_, _ = client.Write(in)
		_ = client.(*net.TCPConn).CloseWrite()
	}()
	back := make(chan map[uint32]int)
	go func() {
		b, _ := io.ReadAll(client)
		up := map[uint32]int{}
		for len(b) >= frameHeaderLen {
			n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
			if b[3] != frameWindowUpdate || n != 4 || len(b) < frameHeaderLen+4 {
				up[1<<31] = -1 // anything else is wrong
				break
			}
			inc := binary.BigEndian.Uint32(b[9:13])
			if inc == 0 || inc > maxIncrement {
				up[1<<31] = -1
			}
			up[binary.BigEndian.Uint32(b[5:9])] += int(inc)
			b = b[frameHeaderLen+4:]
		}
		if len(b) > 0 {
			up[1<<31] = -1
		}
		back <- up
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	buf := make([]byte, 64<<10)
	for i := 0; ; i++ {
		n, err := conn.Read(buf[:readSizes[i%len(readSizes)]])
		out = append(out, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if n == 0 {
			t.Fatal("Read returned 0 bytes and no error")
		}
	}
	_ = conn.Close()
	up := <-back
	if up[1<<31] != 0 {
		t.Fatal("the client received something other than well-formed WINDOW_UPDATE frames")
	}
	return result{out, up}
}

// parsed is the output taken apart: DATA payload per stream, the
// reassembled byte stream, and the largest frame.
type parsed struct {
	streams  map[uint32][]byte
	data     map[uint32]int // DATA payload bytes, padding included
	maxFrame int
	padded   bool
}

func parse(t testing.TB, out []byte) parsed {
	t.Helper()
	if !bytes.HasPrefix(out, []byte(http2.ClientPreface)) {
		t.Fatal("output does not start with the client preface")
	}
	out = out[prefaceLen:]
	p := parsed{streams: map[uint32][]byte{}, data: map[uint32]int{}}
	for len(out) > 0 {
		if len(out) < frameHeaderLen {
			t.Fatalf("output ends in a frame header: % x", out)
		}
		n := int(out[0])<<16 | int(out[1])<<8 | int(out[2])
		if len(out) < frameHeaderLen+n {
			t.Fatalf("output ends within a frame of %d bytes", n)
		}
		p.maxFrame = max(p.maxFrame, n)
		id := binary.BigEndian.Uint32(out[5:9])
		if out[3] == frameData {
			d, ok := dataOf(out[frameHeaderLen:frameHeaderLen+n], out[4])
			if !ok {
				t.Fatal("output has a DATA frame with bad padding")
			}
			p.padded = p.padded || out[4]&flagPadded != 0
			p.streams[id] = append(p.streams[id], d...)
			p.data[id] += n
		}
		out = out[frameHeaderLen+n:]
	}
	return p
}

// want is the byte stream the server should see on stream id: each
// message, or its substitute when over limit.
func (s *script) want(id uint32, limit uint32) []byte {
	var b []byte
	for _, m := range s.msgs[id] {
		if n := binary.BigEndian.Uint32(m[1:]); n > limit {
			b = append(b, Substitute(n)...)
		} else {
			b = append(b, m...)
		}
	}
	return b
}

var readSizes = [][]int{{64 << 10}, {32 << 10}, {1}, {7, 9, 24}, {100, 16393, 3}, {4096}}

// check runs s through a Conn with each set of read sizes and checks
// the streams' output and the flow-control accounting.
func check(t *testing.T, s *script, limit uint32, ids ...uint32) {
	t.Helper()
	checkReads(t, s, limit, readSizes, ids...)
}

func checkReads(t *testing.T, s *script, limit uint32, sizes [][]int, ids ...uint32) {
	t.Helper()
	for _, rs := range sizes {
		r := run(t, limit, s.buf.Bytes(), rs)
		p := parse(t, r.out)
		if p.maxFrame > maxFrameLen {
			t.Errorf("reads %v: an output frame of %d bytes, max %d", rs, p.maxFrame, maxFrameLen)
		}
		total, outTotal := 0, 0
		for _, id := range ids {
			if got, want := p.streams[id], s.want(id, limit); !bytes.Equal(got, want) {
				t.Errorf("reads %v: stream %d: server sees %d bytes, want %d (first difference at %d)", rs, id, len(got), len(want), firstDiff(got, want))
			}
			if got, want := r.updates[id], s.sent[id]-p.data[id]; got != want {
				t.Errorf("reads %v: stream %d: WINDOW_UPDATE %d, want %d (sent %d, passed %d)", rs, id, got, want, s.sent[id], p.data[id])
			}
			total += s.sent[id]
			outTotal += p.data[id]
		}
		if got, want := r.updates[0], total-outTotal; got != want {
			t.Errorf("reads %v: connection WINDOW_UPDATE %d, want %d", rs, got, want)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func concat(ms ...[]byte) []byte { return bytes.Join(ms, nil) }

// Messages within the limit pass byte for byte, padding included, in
// frames of any size and prefixes split between frames.
func TestGuardPassesMessagesWithinLimit(t *testing.T) {
	const limit = 1000
	for _, tc := range []struct {
		name  string
		sizes []int
		pad   int
	}{
		{"one frame each", []int{16384}, 0},
		{"padded", []int{16384 - 300}, 255},
		{"small frames", []int{3, 2, 1, 1000, 4}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript()
			s.headers(1, false)
			s.data(1, concat(s.message(1, 10), s.message(1, 0), s.message(1, limit)), tc.sizes, tc.pad, true)
			s.headers(3, false)
			s.data(3, s.message(3, 500), tc.sizes, tc.pad, false)
			s.data(3, nil, tc.sizes, 0, true)
			check(t, s, limit, 1, 3)
			if tc.sizes[0] == 16384 {
				// Nothing held or changed: the output is the input.
				r := run(t, limit, s.buf.Bytes(), []int{32 << 10})
				if !bytes.Equal(r.out, s.buf.Bytes()) || len(r.updates) != 0 {
					t.Errorf("output differs from the input (%d bytes, %d) or updates %v", len(r.out), s.buf.Len(), r.updates)
				}
			}
		})
	}
}

// Oversized messages become substitutes, their payload is dropped and
// given back to the client's windows, and the stream goes on.
func TestGuardReplacesOversizedMessages(t *testing.T) {
	const limit = 1000
	for _, tc := range []struct {
		name  string
		sizes []int
		pad   int
	}{
		{"max frames", []int{16384}, 0},
		{"padded", []int{4000}, 7},
		{"prefix split 1+4", []int{1, 4, 16384}, 0},
		{"prefix split 4+1", []int{4, 1, 3, 16384}, 0},
		{"prefix of one message split, then one byte a frame", []int{1002, 2, 3, 1}, 0},
		{"prefix split at every offset", []int{1003, 4, 5, 1006, 2, 16384}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript()
			s.headers(1, false)
			s.data(1, concat(s.message(1, 100), s.message(1, 10*limit), s.message(1, 200), s.message(1, limit+1), s.message(1, limit)), tc.sizes, tc.pad, true)
			check(t, s, limit, 1)
		})
	}
}

// Several streams interleave: each one's messages are followed apart.
func TestGuardInterleavedStreams(t *testing.T) {
	const limit = 2000
	s := newScript()
	var msgs [3][]byte
	for i, id := range []uint32{1, 3, 5} {
		s.headers(id, false)
		msgs[i] = concat(s.message(id, 50), s.message(id, 30000+int(id)), s.message(id, 60))
	}
	for off := 0; off < 40000; off += 997 {
		for i, id := range []uint32{1, 3, 5} {
			if off < len(msgs[i]) {
				s.data(id, msgs[i][off:min(off+997, len(msgs[i]))], []int{997}, 0, false)
			}
		}
	}
	for _, id := range []uint32{1, 3, 5} {
		s.data(id, nil, []int{1}, 0, true)
	}
	check(t, s, limit, 1, 3, 5)
}

// END_STREAM within an oversized message: the substitute (all of it
// arrived from the original's first bytes) is followed by nothing.
func TestGuardEndStreamWithinOversized(t *testing.T) {
	const limit = 1000
	s := newScript()
	s.headers(1, false)
	m := s.message(1, 5000)
	s.data(1, m[:3000], []int{1500}, 0, true)
	s.msgs[1] = [][]byte{Substitute(5000)}
	// DATA after END_STREAM (a protocol error grpc-go answers) passes.
	s.data(1, []byte("after"), []int{16384}, 0, false)
	r := run(t, limit, s.buf.Bytes(), []int{32 << 10})
	p := parse(t, r.out)
	if want := concat(Substitute(5000), []byte("after")); !bytes.Equal(p.streams[1], want) {
		t.Errorf("stream 1: server sees %q, want %q", p.streams[1], want)
	}
	if got, want := r.updates[0], s.sent[1]-p.data[1]; got != want {
		t.Errorf("connection WINDOW_UPDATE %d, want %d", got, want)
	}
}

// RST_STREAM midway: the stream is forgotten, held prefix bytes go back
// to the connection's window, and later DATA on it passes untouched.
func TestGuardRSTStreamMidway(t *testing.T) {
	const limit = 1000
	s := newScript()
	s.headers(1, false)
	m := s.message(1, 5000)
	s.data(1, m[:2000], []int{700}, 0, false)
	_ = s.fr.WriteRSTStream(1, http2.ErrCodeCancel)
	s.headers(3, false)
	n := s.message(3, 20)
	s.data(3, n[:3], []int{3}, 0, false) // held: 3 bytes of a prefix
	_ = s.fr.WriteRSTStream(3, http2.ErrCodeCancel)
	s.data(1, m[2000:2100], []int{100}, 0, false)
	r := run(t, limit, s.buf.Bytes(), []int{32 << 10})
	p := parse(t, r.out)
	if want := concat(Substitute(5000), m[2000:2100]); !bytes.Equal(p.streams[1], want) {
		t.Errorf("stream 1: server sees %d bytes, want %d", len(p.streams[1]), len(want))
	}
	if len(p.streams[3]) != 0 {
		t.Errorf("stream 3: server sees %q, want nothing (the held prefix is dropped with the stream)", p.streams[3])
	}
	if got, want := r.updates[0], s.sent[1]+s.sent[3]-p.data[1]-p.data[3]; got != want {
		t.Errorf("connection WINDOW_UPDATE %d, want %d", got, want)
	}
}

// Frames over 16384 bytes, DATA of streams never opened, and messages
// after the server ended a stream pass untouched.
func TestGuardPassesWhatItDoesNotFollow(t *testing.T) {
	const limit = 1000
	s := newScript()
	big := s.message(7, 20000) // stream 7 never opened
	s.data(7, big, []int{16384}, 0, false)
	s.headers(1, false)
	hdr := appendFrameHeader(nil, 17000, frameData, 0, 1)
	s.buf.Write(hdr)
	s.buf.Write(bytes.Repeat([]byte{0}, 17000))
	r := run(t, limit, s.buf.Bytes(), []int{64 << 10})
	if !bytes.Equal(r.out, s.buf.Bytes()) || len(r.updates) != 0 {
		t.Errorf("output differs from the input or updates %v", r.updates)
	}
}

// The WINDOW_UPDATE frames go between the server's frames, however its
// writes split them, and the streams it ends are forgotten.
func TestGuardWritesBetweenFrames(t *testing.T) {
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
	conn := NewConn(raw, 100)
	defer conn.Close()
	// The server writes half a frame: a PING of 8 bytes.
	var sw bytes.Buffer
	fr := http2.NewFramer(&sw, nil)
	_ = fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	ping := bytes.Clone(sw.Bytes())
	if _, err := conn.Write(ping[:5]); err != nil {
		t.Fatal(err)
	}
	// The client sends an oversized message: the guard owes the client.
	s := newScript()
	s.headers(1, false)
	s.data(1, s.message(1, 1000), []int{16384}, 0, false)
	go func() { _, _ = client.Write(s.buf.Bytes()) }()
	buf := make([]byte, 64<<10)
	got := 0
	for got < s.buf.Len()-1005+len(Substitute(1000)) {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	// The rest of the PING, then the server's trailers on stream 1.
	sw.Reset()
	_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true, EndStream: true})
	rest := append(append([]byte{}, ping[5:]...), sw.Bytes()...)
	for _, b := range [][]byte{rest[:3], rest[3:]} {
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	want := concat(ping, appendFrameHeader(nil, 4, frameWindowUpdate, 0, 1), binary.BigEndian.AppendUint32(nil, uint32(1005-len(Substitute(1000)))),
		appendFrameHeader(nil, 4, frameWindowUpdate, 0, 0), binary.BigEndian.AppendUint32(nil, uint32(1005-len(Substitute(1000)))), sw.Bytes())
	gotBack := make([]byte, len(want))
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(client, gotBack); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotBack, want) {
		t.Errorf("client got\n% x\nwant\n% x", gotBack, want)
	}
	// The server ended stream 1: the next Read forgets it, and its DATA
	// passes untouched.
	s2 := &script{msgs: map[uint32][][]byte{}, sent: map[uint32]int{}}
	s2.fr = http2.NewFramer(&s2.buf, nil)
	s2.data(1, s2.message(1, 2000), []int{16384}, 0, false)
	if _, err := client.Write(s2.buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(io.LimitReader(conn, int64(s2.buf.Len())))
	if err != nil || !bytes.Equal(out, s2.buf.Bytes()) {
		t.Errorf("DATA on a stream the server ended: got %d bytes (%v), want the %d sent", len(out), err, s2.buf.Len())
	}
	if len(conn.streams) != 0 {
		t.Errorf("%d streams still followed", len(conn.streams))
	}
}

func TestAnnounced(t *testing.T) {
	for _, n := range []uint32{0, 1000, 1<<32 - 1} {
		sub := Substitute(n)
		if got := binary.BigEndian.Uint32(sub[1:5]); int(got) != len(sub)-msgHeaderLen || sub[0] != 0 {
			t.Errorf("Substitute(%d) prefix % x, payload %d bytes", n, sub[:5], len(sub)-5)
		}
		if got, ok := Announced(sub[msgHeaderLen:]); !ok || got != uint64(n) {
			t.Errorf("Announced(Substitute(%d)) = %d, %v", n, got, ok)
		}
		// After other unknown fields too.
		other := []byte{0x08, 0x96, 0x01, 0x12, 0x02, 'h', 'i'}
		if got, ok := Announced(concat(other, sub[msgHeaderLen:])); !ok || got != uint64(n) {
			t.Errorf("Announced(other + Substitute(%d)) = %d, %v", n, got, ok)
		}
	}
	for _, b := range [][]byte{nil, {0x08, 0x96, 0x01}, {0xff}, {0xf8, 0xff, 0xff, 0xff, 0x0f}} {
		if got, ok := Announced(b); ok {
			t.Errorf("Announced(% x) = %d, true; want false", b, got)
		}
	}
}

func ExampleSubstitute() {
	fmt.Printf("% x\n", Substitute(30<<20))
	// Output: 00 00 00 00 09 f8 ff ff ff 0f 80 80 80 0f
}

// A DATA frame with padding that does not fit passes as it is, also in
// the middle of an oversized message: grpc-go refuses it (RFC 9113
// section 6.1, PROTOCOL_ERROR).
func TestGuardPassesMalformedPadding(t *testing.T) {
	s := newScript()
	s.headers(1, false)
	s.data(1, s.message(1, 5000)[:100], []int{100}, 0, false)
	bad := appendFrameHeader(nil, 4, frameData, flagPadded, 1)
	bad = append(bad, 9, 'a', 'b', 'c')
	s.buf.Write(bad)
	r := run(t, 1000, s.buf.Bytes(), []int{32 << 10})
	if !bytes.HasSuffix(r.out, bad) {
		t.Errorf("output ends % x, want the malformed frame % x", r.out[max(0, len(r.out)-len(bad)):], bad)
	}
	if p := parse(t, r.out[:len(r.out)-len(bad)]); !bytes.Equal(p.streams[1], Substitute(5000)) {
		t.Errorf("stream 1 before it: % x, want the substitute", p.streams[1])
	}
}

// Random mixes (fixed seeds): messages within and over the limit, on
// interleaved streams, in frames of random sizes with random padding,
// read in random chunks. Each stream must carry exactly its messages or
// their substitutes, and every dropped byte must be given back.
func TestGuardRandomMixes(t *testing.T) {
	const limit = 3000
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 9))
		s := newScript()
		ids := []uint32{1, 3, 5}
		streams := map[uint32][]byte{}
		for _, id := range ids {
			s.headers(id, false)
			for range 1 + rng.IntN(6) {
				n := rng.IntN(limit + 10)
				if rng.IntN(3) == 0 {
					n = limit + 1 + rng.IntN(40000)
				}
				streams[id] = append(streams[id], s.message(id, n)...)
			}
		}
		for len(streams) > 0 {
			id := ids[rng.IntN(len(ids))]
			rest, ok := streams[id]
			if !ok {
				continue
			}
			n := min(len(rest), 1+rng.IntN(16384))
			if rng.IntN(4) == 0 {
				n = min(len(rest), 1+rng.IntN(6)) // tiny: prefixes split
			}
			pad := 0
			if room := maxFrameLen - 1 - n; room > 0 && rng.IntN(4) == 0 {
				pad = rng.IntN(min(256, room))
			}
			end := n == len(rest)
			s.data(id, rest[:n], []int{n}, pad, end)
			if end {
				delete(streams, id)
			} else {
				streams[id] = rest[n:]
			}
		}
		reads := []int{1 + rng.IntN(40000), 1 + rng.IntN(100), 1 + rng.IntN(20000)}
		checkReads(t, s, limit, append(readSizes, reads), ids...)
	}
}

// The limit is inclusive: a message of exactly limit bytes passes, one of
// limit+1 is replaced, whether its prefix starts a frame or sits inside
// one that is otherwise unchanged.
func TestGuardLimitBoundary(t *testing.T) {
	const limit = 1000
	s := newScript()
	s.headers(1, false)
	s.data(1, s.message(1, limit), []int{16384}, 0, false)
	s.data(1, s.message(1, limit+1), []int{16384}, 0, false)
	s.data(1, concat(s.message(1, 7), s.message(1, limit+1), s.message(1, limit)), []int{16384}, 0, true)
	check(t, s, limit, 1)
	r := run(t, limit, s.buf.Bytes(), []int{64 << 10})
	want := concat(s.msgs[1][0], Substitute(limit+1), s.msgs[1][2], Substitute(limit+1), s.msgs[1][4])
	if got := parse(t, r.out).streams[1]; !bytes.Equal(got, want) {
		t.Errorf("server sees %d bytes, want %d", len(got), len(want))
	}
}
