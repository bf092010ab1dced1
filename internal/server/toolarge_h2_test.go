package server

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// h2client is a gRPC client written with x/net's HTTP/2 Framer, so that a
// test chooses where DATA frames end: it keeps to the server's flow
// control windows, acknowledges SETTINGS and PING, and collects each
// stream's response bytes.
type h2client struct {
	t    testing.TB
	conn net.Conn
	wmu  sync.Mutex
	w    *http2.Framer

	mu       sync.Mutex
	connWin  int64
	initWin  int64
	win      map[uint32]int64
	data     map[uint32][]byte
	ended    map[uint32]bool
	trailers map[uint32][]hpack.HeaderField
	rst      map[uint32]http2.ErrCode // RST_STREAM codes received
	updates  int64                    // WINDOW_UPDATE increments received for the connection
	readErr  error
	nextID   uint32
	changed  chan struct{}
	closedCh chan struct{}
}

func dialH2(t testing.TB, addr string) *h2client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &h2client{t: t, conn: conn, w: http2.NewFramer(conn, nil), connWin: 65535, initWin: 65535,
		win: map[uint32]int64{}, data: map[uint32][]byte{}, ended: map[uint32]bool{}, trailers: map[uint32][]hpack.HeaderField{}, rst: map[uint32]http2.ErrCode{}, nextID: 1,
		changed: make(chan struct{}, 1), closedCh: make(chan struct{})}
	if _, err := io.WriteString(conn, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	c.write(func(w *http2.Framer) error { return w.WriteSettings() })
	go c.readLoop()
	t.Cleanup(func() { conn.Close(); <-c.closedCh })
	return c
}

func (c *h2client) write(f func(*http2.Framer) error) {
	if err := c.writeBack(f); err != nil {
		c.t.Errorf("write: %v", err)
	}
}

// writeBack writes from the reading goroutine's helpers, which may run
// after the test: their errors are the connection's end.
func (c *h2client) writeBack(f func(*http2.Framer) error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return f(c.w)
}

func (c *h2client) signal() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *h2client) readLoop() {
	defer close(c.closedCh)
	r := http2.NewFramer(nil, c.conn)
	r.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	for {
		f, err := r.ReadFrame()
		c.mu.Lock()
		if err != nil {
			c.readErr = err
			c.mu.Unlock()
			c.signal()
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if v, ok := f.Value(http2.SettingInitialWindowSize); ok {
					for id := range c.win {
						c.win[id] += int64(v) - c.initWin
					}
					c.initWin = int64(v)
				}
				go c.writeBack(func(w *http2.Framer) error { return w.WriteSettingsAck() })
			}
		case *http2.WindowUpdateFrame:
			if f.StreamID == 0 {
				c.connWin += int64(f.Increment)
				c.updates += int64(f.Increment)
			} else {
				c.win[f.StreamID] += int64(f.Increment)
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				go c.writeBack(func(w *http2.Framer) error { return w.WritePing(true, f.Data) })
			}
		case *http2.DataFrame:
			c.data[f.StreamID] = append(c.data[f.StreamID], f.Data()...)
			if n := f.Length; n > 0 {
				id := f.StreamID
				go c.writeBack(func(w *http2.Framer) error {
					if err := w.WriteWindowUpdate(0, n); err != nil {
						return err
					}
					return w.WriteWindowUpdate(id, n)
				})
			}
			if f.StreamEnded() {
				c.ended[f.StreamID] = true
			}
		case *http2.MetaHeadersFrame:
			if f.StreamEnded() {
				c.ended[f.StreamID] = true
				c.trailers[f.StreamID] = f.Fields
			}
		case *http2.RSTStreamFrame:
			c.ended[f.StreamID] = true
			c.rst[f.StreamID] = f.ErrCode
		}
		c.mu.Unlock()
		c.signal()
	}
}

// open starts a call of the method.
func (c *h2client) open(method string) uint32 {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", method}, {":authority", "bounced"},
		{"content-type", "application/grpc"}, {"te", "trailers"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	c.mu.Lock()
	id := c.nextID
	c.nextID += 2
	c.win[id] = c.initWin
	c.mu.Unlock()
	c.write(func(w *http2.Framer) error {
		return w.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndHeaders: true})
	})
	return id
}

// wait blocks until cond (called under c.mu) holds, or fails the test.
func (c *h2client) wait(what string, cond func() bool) {
	var deadline <-chan time.Time
	for {
		c.mu.Lock()
		ok, err := cond(), c.readErr
		c.mu.Unlock()
		if ok {
			return
		}
		if err != nil {
			c.t.Fatalf("%s: connection ended: %v", what, err)
		}
		if deadline == nil {
			deadline = time.After(30 * time.Second)
		}
		select {
		case <-c.changed:
		case <-deadline:
			c.t.Fatalf("%s: stalled (flow control?)", what)
		}
	}
}

// send sends n bytes from r on stream id in DATA frames that end at each
// cut (offsets in the stream) and are at most 16384 bytes, within the
// windows; pad pads every frame; end ends the stream after them. It stops
// when the server ends the stream.
func (c *h2client) send(id uint32, r io.Reader, n int, cuts []int, pad int, end bool) int {
	buf := make([]byte, 16384)
	for off := 0; off < n; {
		size := min(n-off, 16384-pad-1)
		for _, cut := range cuts {
			if cut > off {
				size = min(size, cut-off)
				break
			}
		}
		var padding []byte
		if pad > 0 {
			padding = make([]byte, pad)
		}
		cost := int64(size + len(padding))
		if pad > 0 {
			cost++
		}
		c.wait("window", func() bool { return c.connWin >= cost && c.win[id] >= cost || c.ended[id] })
		c.mu.Lock()
		if c.ended[id] {
			c.mu.Unlock()
			return off // answered early (unary), as a client stops
		}
		c.connWin -= cost
		c.win[id] -= cost
		c.mu.Unlock()
		if _, err := io.ReadFull(r, buf[:size]); err != nil {
			c.t.Fatal(err)
		}
		last := off+size == n
		c.write(func(w *http2.Framer) error {
			if pad > 0 {
				return w.WriteDataPadded(id, end && last, buf[:size], padding)
			}
			return w.WriteData(id, end && last, buf[:size])
		})
		off += size
	}
	return n
}

// status is the gRPC status in a stream's trailers.
func (c *h2client) status(id uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &spb.Status{Code: -1}
	for _, f := range c.trailers[id] {
		switch f.Name {
		case "grpc-status":
			n, err := strconv.Atoi(f.Value)
			if err != nil {
				c.t.Fatalf("grpc-status %q", f.Value)
			}
			st.Code = int32(n)
		case "grpc-status-details-bin":
			b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(f.Value, "="))
			if err != nil || proto.Unmarshal(b, st) != nil {
				c.t.Fatalf("grpc-status-details-bin %q", f.Value)
			}
		}
	}
	if st.Code < 0 {
		c.t.Fatalf("stream %d: no grpc-status in %v", id, c.trailers[id])
	}
	return status.FromProto(st).Err()
}

// messages splits a stream's response bytes into gRPC messages.
func messages(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 5 || len(b) < 5+int(binary.BigEndian.Uint32(b[1:5])) {
			t.Fatalf("response ends within a message")
		}
		n := int(binary.BigEndian.Uint32(b[1:5]))
		out = append(out, b[5:5+n])
		b = b[5+n:]
	}
	return out
}

// frame is the gRPC length-prefixed form of m.
func frame(m proto.Message) []byte {
	b, _ := proto.Marshal(m)
	return append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(b))), b...)
}

// zeros reads as zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A ParseStream whose messages' prefixes are split between DATA frames
// (1+4 bytes, 2+3, 4+1), in padded frames: a message 10x the limit gets
// MESSAGE_TOO_LARGE, the others their verdicts, the stream goes on, and
// the client, which keeps to the windows, is not stalled.
func TestOversizedPrefixSplitAcrossFrames(t *testing.T) {
	s := startGuarded(t, testMaxBytes, false)
	for _, tc := range []struct {
		split, pad int
	}{{1, 0}, {2, 0}, {4, 0}, {2, 9}, {3, 200}} {
		t.Run(fmt.Sprintf("split=%d,pad=%d", tc.split, tc.pad), func(t *testing.T) {
			c := dialH2(t, s.addr)
			id := c.open(pb.BounceService_ParseStream_FullMethodName)
			good := frame(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: "good"}})
			bigSize := 10*testMaxBytes + 3
			big := binary.BigEndian.AppendUint32([]byte{0}, uint32(bigSize))
			// good, big prefix, big payload, good, good; cuts inside each prefix.
			b1 := len(good)
			b2 := b1 + 5 + bigSize
			b3 := b2 + len(good)
			total := b3 + len(good)
			r := io.MultiReader(bytes.NewReader(good), bytes.NewReader(big), io.LimitReader(zeros{}, int64(bigSize)), bytes.NewReader(good), bytes.NewReader(good))
			c.send(id, r, total, []int{b1, b1 + tc.split, b2 + tc.split, b3 + 5 - tc.split}, tc.pad, true)
			c.wait("answers", func() bool { return c.ended[id] })
			c.mu.Lock()
			msgs := messages(t, c.data[id])
			c.mu.Unlock()
			if len(msgs) != 4 {
				t.Fatalf("%d answers, want 4", len(msgs))
			}
			for i, m := range msgs {
				var resp pb.ParseStreamResponse
				if err := proto.Unmarshal(m, &resp); err != nil {
					t.Fatal(err)
				}
				if i == 1 {
					wantTooLarge(t, "answer 2", status.FromProto(resp.GetResponse().GetError()).Err(), bigSize, testMaxBytes)
				} else if resp.GetResponse().GetError() != nil || resp.GetResponse().GetSource() != "good" {
					t.Errorf("answer %d: %v", i+1, resp.GetResponse())
				}
			}
		})
	}
}

// At the default limit (25 MiB), a 60 MiB message in a ParseStream gets
// MESSAGE_TOO_LARGE and the stream goes on; the server keeps none of it:
// the process allocates far less than the limit meanwhile (the client
// sends zeros from a 16 KiB buffer).
func TestOversizedDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("60 MiB over loopback")
	}
	s := startGuarded(t, dsn.DefaultMaxMessageBytes, false)
	c := dialH2(t, s.addr)
	id := c.open(pb.BounceService_ParseStream_FullMethodName)
	good := frame(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: []byte(relayDenied), Source: "good"}})
	const bigSize = 60 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := io.MultiReader(bytes.NewReader(binary.BigEndian.AppendUint32([]byte{0}, bigSize)), io.LimitReader(zeros{}, bigSize), bytes.NewReader(good))
	c.send(id, r, 5+bigSize+len(good), nil, 0, true)
	c.wait("answers", func() bool { return c.ended[id] })
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	c.mu.Lock()
	msgs := messages(t, c.data[id])
	updates := c.updates
	c.mu.Unlock()
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("60 MiB in %v, %d bytes allocated, %d bytes of connection window given back", elapsed, alloc, updates)
	if len(msgs) != 2 {
		t.Fatalf("%d answers, want 2", len(msgs))
	}
	var resp pb.ParseStreamResponse
	if err := proto.Unmarshal(msgs[0], &resp); err != nil {
		t.Fatal(err)
	}
	wantTooLarge(t, "60 MiB", status.FromProto(resp.GetResponse().GetError()).Err(), bigSize, dsn.DefaultMaxMessageBytes)
	if err := proto.Unmarshal(msgs[1], &resp); err != nil || resp.GetResponse().GetError() != nil {
		t.Errorf("answer after the 60 MiB message: %v %v", err, resp.GetResponse())
	}
	if alloc > dsn.DefaultMaxMessageBytes/2 {
		t.Errorf("allocated %d bytes while a 60 MiB message went by, want well under the %d limit", alloc, dsn.DefaultMaxMessageBytes)
	}
	if updates < bigSize-(1<<20) {
		t.Errorf("the server gave back %d bytes of the connection window, want about the %d dropped", updates, bigSize)
	}
}

// A message 10x the limit, in a ParseStream (which stays open, so all of
// it goes by; a unary call may be answered, and the client stop, before
// it has): MESSAGE_TOO_LARGE, and the server keeps none of it. The
// client sends zeros from a 16 KiB buffer, so what the process allocates
// meanwhile is the server's: about nothing, where reading the message
// would take all of it.
func TestOversizedMemory(t *testing.T) {
	const limit = 1 << 20
	s := startGuarded(t, limit, false)
	c := dialH2(t, s.addr)
	const size = 10 * limit
	prefix := binary.BigEndian.AppendUint32([]byte{0}, size)
	send := func() (uint32, int) {
		id := c.open(pb.BounceService_ParseStream_FullMethodName)
		n := c.send(id, io.MultiReader(bytes.NewReader(prefix), io.LimitReader(zeros{}, size)), 5+size, nil, 0, true)
		c.wait("answer", func() bool { return c.ended[id] })
		return id, n
	}
	send() // once before measuring: the first answer initialises descriptors
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	id, sent := send()
	runtime.ReadMemStats(&after)
	if sent != 5+size {
		t.Fatalf("sent %d bytes, want %d", sent, 5+size)
	}
	c.mu.Lock()
	msgs := messages(t, c.data[id])
	c.mu.Unlock()
	var resp pb.ParseStreamResponse
	if len(msgs) != 1 || proto.Unmarshal(msgs[0], &resp) != nil {
		t.Fatalf("%d answers, want 1", len(msgs))
	}
	wantTooLarge(t, "10x the limit", status.FromProto(resp.GetResponse().GetError()).Err(), size, limit)
	alloc := int(after.TotalAlloc - before.TotalAlloc)
	t.Logf("allocated %d bytes while a message of %d went by (limit %d, receive limit %d)", alloc, size, limit, transportLimit(limit))
	if alloc > limit {
		t.Errorf("allocated %d bytes, want under the %d limit: the message was buffered", alloc, limit)
	}
}

// A unary call over raw HTTP/2: the trailers carry RESOURCE_EXHAUSTED
// with MESSAGE_TOO_LARGE (grpc-status-details-bin).
func TestOversizedUnaryTrailers(t *testing.T) {
	const limit = 1 << 20
	s := startGuarded(t, limit, false)
	c := dialH2(t, s.addr)
	const size = 10 * limit
	id := c.open(pb.BounceService_Parse_FullMethodName)
	sent := c.send(id, io.MultiReader(bytes.NewReader(binary.BigEndian.AppendUint32([]byte{0}, size)), io.LimitReader(zeros{}, size)), 5+size, nil, 0, true)
	c.wait("answer", func() bool { return c.ended[id] })
	wantTooLarge(t, "unary", c.status(id), size, limit)
	t.Logf("sent %d of %d bytes before the answer", sent, 5+size)
}
