package h2guard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/sync/semaphore"
)

// memConn is an in-memory connection: reads come from r in chunks of the
// sizes given (cycled), writes go to w. With timeouts, every fourth read
// while a read deadline is set times out instead.
type memConn struct {
	r        io.Reader
	sizes    []byte
	i        int
	w        bytes.Buffer
	timeouts bool
	armed    bool
	reads    int
	stalled  bool // the reader got ErrStalled (readAdmitted)
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.timeouts && m.armed {
		if m.reads++; m.reads%4 == 0 {
			return 0, os.ErrDeadlineExceeded
		}
	}
	if len(m.sizes) > 0 {
		n := int(m.sizes[m.i%len(m.sizes)])*97 + 1
		m.i++
		p = p[:min(len(p), n)]
	}
	return m.r.Read(p)
}
func (m *memConn) Write(p []byte) (int, error)       { return m.w.Write(p) }
func (m *memConn) Close() error                      { return nil }
func (m *memConn) LocalAddr() net.Addr               { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error       { return nil }
func (m *memConn) SetReadDeadline(t time.Time) error { m.armed = !t.IsZero(); return nil }
func (m *memConn) SetWriteDeadline(time.Time) error  { return nil }

// fuzzFrames turns fuzz input into a client byte stream of whole frames:
// each frame is a type byte, a flags byte, a stream byte (odd streams
// 1..15, or 0), a 2-byte length (mostly at most 16384) and that many
// bytes of payload taken from the input.
func fuzzFrames(in []byte) []byte {
	out := []byte(clientPrefaceForTest)
	for len(in) >= 5 {
		typ, flags, id := in[0]%10, in[1], uint32(in[2]%9)*2-1
		if in[2]%9 == 0 {
			id = 0
		}
		n := int(binary.BigEndian.Uint16(in[3:5]))
		if n > maxFrameLen && n < 0xff00 {
			n %= maxFrameLen + 1
		}
		in = in[5:]
		payload := make([]byte, n)
		copy(payload, in)
		in = in[min(n, len(in)):]
		out = appendFrameHeader(out, n, typ, flags, id)
		out = append(out, payload...)
	}
	return out
}

const clientPrefaceForTest = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// dataBytes sums the payload of each stream's DATA frames (padding
// included) in a frame stream after the preface, and reports the
// largest frame.
func dataBytes(b []byte) (perStream map[uint32]int, total, maxFrame int) {
	perStream = map[uint32]int{}
	for len(b) >= frameHeaderLen {
		n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
		if len(b) < frameHeaderLen+n {
			break
		}
		maxFrame = max(maxFrame, n)
		if b[3] == frameData {
			id := binary.BigEndian.Uint32(b[5:9]) & (1<<31 - 1)
			perStream[id] += n
			total += n
		}
		b = b[frameHeaderLen+n:]
	}
	return perStream, total, maxFrame
}

// FuzzGuard feeds frames made from the input through a Conn, read in
// chunks of sizes from the input: it must not panic, never pass more DATA
// bytes on a stream than the client sent on it, and account for every
// byte it drops with WINDOW_UPDATE (up to 4 held prefix bytes a stream).
// The same through an admitting Conn must keep the budget's accounting
// exact (readAdmitted).
func FuzzGuard(f *testing.F) {
	frame := func(typ, flags, stream byte, payload []byte) []byte {
		b := []byte{typ, flags, stream}
		b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
		return append(b, payload...)
	}
	msg := func(n int) []byte {
		m := binary.BigEndian.AppendUint32([]byte{0}, uint32(n))
		return append(m, bytes.Repeat([]byte{'m'}, min(n, 300))...)
	}
	// Stream 1 (byte 1), a message within the limit then one over it,
	// the second prefix split between frames, padding, END_STREAM.
	seed := concat(frame(1, 4, 1, []byte{0x83}), frame(0, 0, 1, msg(10)), frame(0, 0, 1, msg(5000)[:3]),
		frame(0, 8, 1, append(append([]byte{2}, msg(5000)[3:]...), 0, 0)), frame(0, 1, 1, bytes.Repeat([]byte{'x'}, 200)))
	f.Add([]byte{0}, seed)
	f.Add([]byte{3, 1, 200}, seed)
	f.Add([]byte{}, concat(frame(1, 4, 1, nil), frame(0, 0, 1, msg(100000)), frame(3, 0, 1, []byte{0, 0, 0, 8}), frame(0, 0, 1, msg(9))))
	f.Add([]byte{1}, concat(frame(1, 4, 2, nil), frame(1, 4, 1, nil), frame(0, 0, 2, msg(70000)[:1]), frame(0, 0, 1, msg(70000)[:2]),
		frame(0, 0, 2, msg(70000)[1:]), frame(0, 1, 1, msg(70000)[2:])))
	f.Fuzz(func(t *testing.T, sizes, frames []byte) {
		in := fuzzFrames(frames)
		mc := &memConn{r: bytes.NewReader(in), sizes: sizes}
		c := NewConn(mc, 1000)
		out, err := io.ReadAll(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) < prefaceLen || string(out[:prefaceLen]) != clientPrefaceForTest {
			t.Fatal("preface not passed")
		}
		inData, inTotal, inMax := dataBytes(in[prefaceLen:])
		outData, outTotal, outMax := dataBytes(out[prefaceLen:])
		if outMax > max(inMax, maxFrameLen) {
			t.Errorf("output frame of %d bytes, input frames at most %d", outMax, inMax)
		}
		for id, n := range outData {
			if n > inData[id] {
				t.Errorf("stream %d: %d DATA bytes out, %d in", id, n, inData[id])
			}
		}
		// The increments the guard wrote.
		upd := map[uint32]int{}
		w := mc.w.Bytes()
		for len(w) >= frameHeaderLen+4 {
			if w[3] != frameWindowUpdate || w[2] != 4 {
				t.Fatalf("guard wrote a frame of type %d", w[3])
			}
			inc := binary.BigEndian.Uint32(w[9:13])
			if inc == 0 || inc > maxIncrement {
				t.Fatalf("WINDOW_UPDATE increment %d", inc)
			}
			upd[binary.BigEndian.Uint32(w[5:9])] += int(inc)
			w = w[frameHeaderLen+4:]
		}
		if len(w) != 0 {
			t.Fatal("guard wrote a partial frame")
		}
		if missing := inTotal - outTotal - upd[0]; missing < 0 || missing > 4*8 {
			t.Errorf("connection: %d DATA bytes in, %d out, %d given back", inTotal, outTotal, upd[0])
		}
		for id, n := range upd {
			if id != 0 && n > inData[id]-outData[id] {
				t.Errorf("stream %d: %d given back, but %d in and %d out", id, n, inData[id], outData[id])
			}
		}
		// Admitting into a budget (no answers: only stream ends and Close
		// give back) changes none of that, and leaks nothing.
		aout, _ := readAdmitted(t, sizes, in, nil)
		aData, _, _ := dataBytes(aout[prefaceLen:])
		for id, n := range aData {
			if n > inData[id] {
				t.Errorf("admitting: stream %d: %d DATA bytes out, %d in", id, n, inData[id])
			}
		}
	})
}

// ring reads data over and over.
type ring struct {
	data []byte
	off  int
}

func (r *ring) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.data[r.off:])
		n += k
		r.off = (r.off + k) % len(r.data)
	}
	return n, nil
}

// BenchmarkGuardRead is the guard's read path for what a client sends
// for one unary call (HEADERS, then the message in DATA frames with
// END_STREAM), against the same reads without the guard: reads of one
// call each (frames whole in every read), and reads of 32 KiB as grpc-go
// makes them (frames cut by the ends of reads).
func BenchmarkGuardRead(b *testing.B) {
	for _, size := range []int{2 << 10, 64 << 10} {
		s := newScript()
		s.buf.Reset()
		s.headers(1, false)
		s.data(1, s.message(1, size), []int{16384}, 0, true)
		call := bytes.Clone(s.buf.Bytes())
		for _, reads := range []string{"call", "32KiB"} {
			for _, guard := range []bool{false, true} {
				b.Run(fmt.Sprintf("msg=%dKiB/reads=%s/guard=%v", size>>10, reads, guard), func(b *testing.B) {
					mc := &memConn{r: &ring{data: call}}
					var r io.Reader = mc
					if guard {
						c := NewConn(mc, 1<<20)
						c.pass = 0 // no preface in the ring
						r = c
					}
					buf := make([]byte, 32<<10)
					b.SetBytes(int64(len(call)))
					b.ReportAllocs()
					left := 0
					for b.Loop() {
						for left += len(call); left > 0; {
							p := buf
							if reads == "call" {
								p = buf[:min(left, len(buf))]
							}
							m, err := r.Read(p)
							if err != nil {
								b.Fatal(err)
							}
							left -= m
						}
					}
				})
			}
		}
	}
}

// readAdmitted reads in through an admitting Conn (budget of 3000
// bytes, no wait or 1µs, stall deadlines of 1ns or none, with reads that
// time out), in chunks of sizes, and after each Read writes the
// server frame the next 3 bytes of answers make: a response message on a
// stream (written a few bytes at a time, maybe padded), trailers,
// RST_STREAM, a PING, or random DATA. After each step the room the Conn
// holds is what the budget has taken (which fails the test if more is
// given back than taken), within the budget; after Close, nothing.
func readAdmitted(t *testing.T, sizes, in, answers []byte) (out []byte, mc *memConn) {
	b := newBudget(t, 3000)
	mc = &memConn{r: bytes.NewReader(in), sizes: sizes}
	var wait time.Duration
	if len(sizes) > 0 && sizes[0]&1 != 0 {
		wait = time.Microsecond // waits that fail, then refusals without one
	}
	adm := &Admission{Budget: b, Size: 3000, Wait: wait}
	if len(sizes) > 0 && sizes[0]&2 != 0 {
		// Every message late at the second look; looks every few reads.
		adm.Grace, mc.timeouts = time.Nanosecond, true
	}
	c := NewAdmittingConn(mc, 1000, adm)
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if len(answers) >= 3 {
			op, id, n := answers[0]%6, uint32(answers[1]%9)*2-1, int(answers[2])
			if answers[1]%9 == 0 {
				id = 0
			}
			answers = answers[3:]
			var f []byte
			switch op {
			case 0, 1:
				msg := append(binary.BigEndian.AppendUint32([]byte{0}, uint32(n)), make([]byte, n)...)
				if op == 1 {
					f = appendFrameHeader(nil, len(msg)+1+n%5, frameData, flagPadded, id)
					f = append(f, byte(n%5))
					f = append(append(f, msg...), make([]byte, n%5)...)
				} else {
					f = append(appendFrameHeader(nil, len(msg), frameData, 0, id), msg...)
				}
			case 2:
				f = append(appendFrameHeader(nil, 1, frameHeaders, 0x5, id), 0x88)
			case 3:
				f = append(appendFrameHeader(nil, 4, frameRSTStream, 0, id), 0, 0, 0, 8)
			case 4:
				f = append(appendFrameHeader(nil, 8, 0x6, 0, 0), make([]byte, 8)...)
			case 5:
				f = appendFrameHeader(nil, n, frameData, 0, id)
				for i := range n {
					f = append(f, byte(i*n))
				}
			}
			for len(f) > 0 {
				k := min(len(f), n%7+1)
				if _, err := c.Write(f[:k]); err != nil {
					t.Fatal(err)
				}
				f = f[k:]
			}
		}
		if h, taken := c.Holding(), b.taken(); h != taken || h < 0 || h > 3000 {
			t.Fatalf("holding %d, budget taken %d (of 3000)", h, taken)
		}
		if errors.Is(err, ErrStalled) {
			mc.stalled = true
			break
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Close()
	if h, taken := c.Holding(), b.taken(); h != 0 || taken != 0 {
		t.Fatalf("after Close: holding %d, budget taken %d", h, taken)
	}
	return out, mc
}

// FuzzAdmit is FuzzGuard's frames through an admitting Conn, with the
// server's answers between the reads (readAdmitted): the budget's
// accounting never goes negative or leaks, and the output keeps
// FuzzGuard's flow-control properties.
func FuzzAdmit(f *testing.F) {
	frame := func(typ, flags, stream byte, payload []byte) []byte {
		b := []byte{typ, flags, stream}
		b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
		return append(b, payload...)
	}
	msg := func(n int) []byte {
		m := binary.BigEndian.AppendUint32([]byte{0}, uint32(n))
		return append(m, bytes.Repeat([]byte{'m'}, min(n, 300))...)
	}
	seed := concat(frame(1, 4, 1, []byte{0x83}), frame(0, 0, 1, concat(msg(10), msg(20))), frame(1, 4, 2, nil),
		frame(0, 0, 2, msg(900)[:3]), frame(0, 8, 2, append(append([]byte{2}, msg(900)[3:]...), 0, 0)),
		frame(0, 0, 1, msg(2500)), frame(0, 1, 1, msg(30)), frame(3, 0, 2, []byte{0, 0, 0, 8}))
	f.Add([]byte{0}, seed, []byte{0, 1, 10, 0, 1, 20, 1, 2, 0, 2, 1, 0, 5, 2, 40})
	f.Add([]byte{3, 1, 200}, seed, []byte{3, 1, 0, 4, 0, 0, 2, 2, 0})
	f.Add([]byte{}, seed, []byte{})
	f.Add([]byte{2, 1, 0}, seed, []byte{0, 1, 10, 4, 0, 0, 4, 0, 0, 4, 0, 0})
	f.Add([]byte{3, 7, 200}, seed, []byte{3, 1, 0, 4, 0, 0, 2, 2, 0})
	f.Fuzz(func(t *testing.T, sizes, frames, answers []byte) {
		in := fuzzFrames(frames)
		out, mc := readAdmitted(t, sizes, in, answers)
		// Whole frames in, whole frames out: the guard's own (RST_STREAM,
		// frames completed with zeros) go between the client's.
		for b := out[prefaceLen:]; len(b) > 0 && !mc.stalled; {
			if len(b) < frameHeaderLen {
				t.Fatal("output ends in a frame header")
			}
			n := frameHeaderLen + (int(b[0])<<16 | int(b[1])<<8 | int(b[2]))
			if len(b) < n {
				if n-frameHeaderLen > maxFrameLen {
					break // passed as it came, for grpc-go to refuse
				}
				t.Fatalf("output ends within a frame of %d bytes", n-frameHeaderLen)
			}
			b = b[n:]
		}
		inData, inTotal, _ := dataBytes(in[prefaceLen:])
		outData, outTotal, _ := dataBytes(out[prefaceLen:])
		for id, n := range outData {
			if n > inData[id] {
				t.Errorf("stream %d: %d DATA bytes out, %d in", id, n, inData[id])
			}
		}
		// The guard's WINDOW_UPDATE frames are among the server's own.
		upd := map[uint32]int{}
		for w := mc.w.Bytes(); len(w) >= frameHeaderLen; {
			n := int(w[0])<<16 | int(w[1])<<8 | int(w[2])
			if w[3] == frameWindowUpdate && len(w) >= frameHeaderLen+4 {
				upd[binary.BigEndian.Uint32(w[5:9])] += int(binary.BigEndian.Uint32(w[9:13]))
			}
			w = w[min(len(w), frameHeaderLen+n):]
		}
		if missing := inTotal - outTotal - upd[0]; missing < 0 || missing > 4*8 {
			t.Errorf("connection: %d DATA bytes in, %d out, %d given back", inTotal, outTotal, upd[0])
		}
	})
}

// BenchmarkGuardCall is one unary call through a Conn, both ways: what
// the client sends read as grpc-go reads it (32 KiB reads), then the
// server's answer written (HEADERS, the response message in a DATA
// frame, trailers), without the guard, with it, and with it admitting
// each message into a budget (admit: the room taken at the request's
// prefix, given back at the response's), and admitting with stall
// deadlines (stall: a 64 KiB message spans frames, so its deadline is
// noted and the read deadline armed; the look never comes).
func BenchmarkGuardCall(b *testing.B) {
	for _, size := range []int{2 << 10, 64 << 10} {
		s := newScript()
		s.buf.Reset()
		s.headers(1, false)
		s.data(1, s.message(1, size), []int{16384}, 0, true)
		call := bytes.Clone(s.buf.Bytes())
		sf := newServerFrames()
		_ = sf.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true})
		_ = sf.fr.WriteData(1, false, append(binary.BigEndian.AppendUint32([]byte{0}, 1000), make([]byte, 1000)...))
		_ = sf.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true, EndStream: true})
		answer := sf.take()
		for _, mode := range []string{"false", "true", "admit", "stall"} {
			b.Run(fmt.Sprintf("msg=%dKiB/guard=%s", size>>10, mode), func(b *testing.B) {
				mc := &memConn{r: &ring{data: call}}
				var rw io.ReadWriter = mc
				budget := semaphore.NewWeighted(1 << 30)
				switch mode {
				case "true":
					c := NewConn(mc, 1<<20)
					c.pass = 0 // no preface in the ring
					rw = c
				case "admit", "stall":
					a := &Admission{Budget: budget, Size: 1 << 30, Wait: time.Second}
					if mode == "stall" {
						a.Grace, a.MinRate = 10*time.Second, 64<<10
					}
					c := NewAdmittingConn(mc, 1<<20, a)
					c.pass = 0
					rw = c
				}
				buf := make([]byte, 32<<10)
				b.SetBytes(int64(len(call)))
				b.ReportAllocs()
				for b.Loop() {
					for left := len(call); left > 0; {
						m, err := rw.Read(buf[:min(left, len(buf))])
						if err != nil {
							b.Fatal(err)
						}
						left -= m
					}
					if _, err := rw.Write(answer); err != nil {
						b.Fatal(err)
					}
					mc.w.Reset()
				}
				if !budget.TryAcquire(1 << 30) {
					b.Fatal("room not given back")
				}
			})
		}
	}
}
