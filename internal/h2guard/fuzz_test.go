package h2guard

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// memConn is an in-memory connection: reads come from r in chunks of the
// sizes given (cycled), writes go to w.
type memConn struct {
	r     io.Reader
	sizes []byte
	i     int
	w     bytes.Buffer
}

func (m *memConn) Read(p []byte) (int, error) {
	if len(m.sizes) > 0 {
		n := int(m.sizes[m.i%len(m.sizes)])*97 + 1
		m.i++
		p = p[:min(len(p), n)]
	}
	return m.r.Read(p)
}
func (m *memConn) Write(p []byte) (int, error)      { return m.w.Write(p) }
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

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
