// Package h2guard keeps oversized gRPC messages out of a gRPC server
// without ending their stream. It sits between a connection (after TLS)
// and grpc-go's HTTP/2 transport and reads what the client sends: the
// client connection preface, then HTTP/2 frames (RFC 9113 section 4.1:
// 24-bit length, type, flags, 31-bit stream identifier), and within the
// DATA frames of each stream the gRPC length-prefixed messages (1 byte
// compressed flag, 4 bytes big-endian length, payload; gRPC's
// PROTOCOL-HTTP2.md, "Length-Prefixed-Message").
//
// A message that announces more than the limit is replaced by a small
// substitute message, a protobuf holding only an unknown field
// (MarkerField, varint) with the announced length, and its payload is
// discarded as it streams by, never buffered. grpc-go refuses a message
// over its receive limit itself, after reading only the 5-byte prefix,
// with a bare RESOURCE_EXHAUSTED that also ends a stream (the payload is
// left unread); the substitute instead reaches the handler, which can
// answer the message alone and go on with the stream (Announced).
//
// Flow control (RFC 9113 section 6.9): the client counted the discarded
// bytes against the stream's and the connection's windows, but the
// server's transport never sees them, so the guard gives them back with
// WINDOW_UPDATE frames of its own, written between the server's frames.
// The output never runs ahead of the input: a substitute's bytes are sent
// only as the original's bytes arrive, and a gRPC prefix split between two
// DATA frames is held back (at most 4 bytes) until it is whole.
//
// Everything else passes unchanged: frames other than DATA, DATA of
// streams the client did not open with HEADERS, frames over the maximum
// frame size of 16384 bytes that grpc-go uses (it refuses them itself),
// and DATA frames whose messages are all within the limit. Those are
// judged in the caller's buffer and not copied, unless a read ends before
// a message prefix the guard must see: then the rest of that read and the
// frame are copied once through a buffer of the Conn's. Following the
// streams costs a map entry for each open stream and a lookup for each
// DATA frame. A compressed message is judged by its announced
// (compressed) length; its substitute is uncompressed.
//
// With an Admission (NewAdmittingConn, AdmittingCredentials), the Conn
// also bounds the memory of the messages within the limit, over all
// connections sharing one Budget: each message takes its room when its
// prefix arrives, before the server's transport sees it, and gives it
// back when the server writes the prefix of the answer on its stream, or
// the stream ends (RFC 9113 section 5.1: trailers, RST_STREAM either way)
// or the connection closes. Without room the Conn stops reading for up
// to Admission.Wait — the client may send meanwhile only what its
// flow-control windows allow (RFC 9113 section 5.2) — then replaces the
// message by a stand-in (BusyField) and drops its payload, giving back
// its window (section 6.9) as for an oversized message. Following the
// server's responses costs the writing side a lookup a DATA frame; see
// admit.go.
//
// With Admission.Grace set, an admitted message must also arrive in time:
// one that misses its deadline loses its room, and its stream is reset
// both ways (RST_STREAM, RFC 9113 sections 5.4.2 and 6.4) while the
// connection goes on; the Conn keeps a read deadline on the connection
// beneath while messages arrive, so that it acts even when the client
// sends nothing, and never passes that deadline's timeout to its reader.
// See stall.go.
package h2guard

import (
	"context"
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// MarkerField is the field number of the substitute's only field: the
// largest valid protobuf field number (2^29-1, protobuf encoding), so that
// no request message of the service is likely ever to define it. A
// request holding it as an unknown varint field was replaced by the guard
// — or forged by a client, which then only gets the answer to a message
// too large.
const MarkerField protowire.Number = protowire.MaxValidNumber

// HTTP/2 framing, RFC 9113 sections 4.1 and 6.
const (
	frameHeaderLen = 9
	// maxFrameLen is SETTINGS_MAX_FRAME_SIZE as grpc-go's server keeps it
	// (its default, 16384): a larger frame is passed on for it to refuse.
	maxFrameLen = 16384
	prefaceLen  = 24 // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameWindowUpdate = 0x8

	flagEndStream = 0x1
	flagPadded    = 0x8

	// maxIncrement is the largest WINDOW_UPDATE increment (2^31-1).
	maxIncrement = 1<<31 - 1
)

// gRPC message framing: compressed flag and 4-byte length.
const msgHeaderLen = 5

// minLimit keeps room for the substitute: it is sent from the bytes of
// the message it replaces, so that message must be at least as long.
const minLimit = 64

// Substitute returns the gRPC message (with its 5-byte prefix) that stands
// for a message announcing size bytes: uncompressed, with MarkerField
// holding size.
func Substitute(size uint32) []byte {
	return appendSubstitute(nil, size)
}

func appendSubstitute(b []byte, size uint32) []byte {
	return appendStandIn(b, MarkerField, size)
}

// appendStandIn appends a gRPC message holding only field, a varint of
// size.
func appendStandIn(b []byte, field protowire.Number, size uint32) []byte {
	payload := protowire.SizeTag(field) + protowire.SizeVarint(uint64(size))
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(payload))
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(size))
}

// Announced reads the size a substitute announced from the unknown fields
// of a decoded request (protoreflect.Message.GetUnknown): ok is false when
// they hold no marker.
func Announced(unknown []byte) (size uint64, ok bool) {
	return marked(unknown, MarkerField)
}

// marked reads the varint field of unknown fields.
func marked(unknown []byte, field protowire.Number) (size uint64, ok bool) {
	for len(unknown) > 0 {
		num, typ, n := protowire.ConsumeTag(unknown)
		if n < 0 {
			return 0, false
		}
		unknown = unknown[n:]
		if num == field && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(unknown)
			return v, m > 0
		}
		m := protowire.ConsumeFieldValue(num, typ, unknown)
		if m < 0 {
			return 0, false
		}
		unknown = unknown[m:]
	}
	return 0, false
}

// stream is the gRPC message framing state of one client stream.
type stream struct {
	hdr  [msgHeaderLen]byte // the current message's prefix, as far as read
	nhdr uint8              // bytes of hdr read; msgHeaderLen: in the payload
	drop bool               // the payload is discarded
	left uint32             // payload bytes still to come
	sub  [msgHeaderLen + 10]byte
	nsub uint8 // length of the substitute in sub
	sent uint8 // bytes of sub sent

	// Stall deadlines (stall.go): the message being received took room
	// (room), its announced size, and when the server was first seen
	// waiting for it (0: not yet); reset: the guard reset the stream and
	// drops its DATA.
	room  bool
	reset bool
	size  uint32
	start int64
}

// receiving reports whether the stream is inside the payload of a
// message that took room: one that must arrive in time.
func (s *stream) receiving() bool {
	return s.room && !s.drop && s.nhdr == msgHeaderLen && s.left > 0
}

// held is the number of prefix bytes read but not passed on yet.
func (s *stream) held() int {
	if s.nhdr < msgHeaderLen {
		return int(s.nhdr)
	}
	return 0
}

// credit is a window increment owed to the client.
type credit struct {
	id uint32
	n  uint32
}

// Conn is a server-side net.Conn carrying HTTP/2 from a gRPC client; see
// the package documentation. Read must not be called concurrently with
// itself (grpc-go reads from one goroutine); Write may be called from
// another goroutine.
type Conn struct {
	net.Conn
	limit uint32

	// Read side, owned by the reading goroutine.
	pass    int                // bytes of the current unchanged frame (or preface) still to pass
	in      []byte             // input held back: an incomplete or changed frame at its front
	inBuf   []byte             // backing array of in
	out     []byte             // output of changed frames not yet returned
	outBuf  []byte             // backing array of out
	scratch []byte             // a changed frame's new payload
	streams map[uint32]*stream // streams the client opened and has not ended
	free    []*stream
	owed    []credit // window increments found in this Read (id 0: connection)
	wts     []uint32 // weights of the messages of the frame being judged

	// Admission (nil without): the room messages hold, and a context
	// that ends the waits for room when the Conn closes.
	adm    *Admission
	led    *ledger
	ctx    context.Context
	cancel context.CancelFunc
	// Until then, and for noWaitLeft more messages, a message without
	// room is refused without a wait: a wait for room failed just before.
	noWaitUntil time.Time
	noWaitLeft  int

	// Stall deadlines (stall.go), on with an Admission whose Grace is
	// set: times are nanoseconds since epoch.
	stall    bool
	epoch    time.Time
	grace    int64  // Admission.Grace
	rate     int64  // Admission.MinRate
	period   int64  // the longest time between two looks while messages arrive
	armed    int64  // the read deadline set on the inner conn, 0: none
	applied  bool   // armed was set again at the start of a Read (stall.go)
	wantWake bool   // a message began that must arrive in time
	late     bool   // streams are late, their reset waits for a frame boundary
	skip     int    // input bytes to drop: the rest of a frame the guard completed
	nframe   uint32 // frames judged; the last one is the one passing
	passID   uint32 // the stream of the frame passing (c.pass > 0)
	passSafe bool   // the guard may complete that frame with zeros (stall.go)
	midFrame uint32 // the frame found passing at a look (nframe), and since when
	midStart int64
	resets   []uint32 // streams the guard reset and still follows, oldest first
	lateIDs  []uint32

	// Write side, under wmu.
	wmu   sync.Mutex
	whdr  [frameHeaderLen]byte
	nwhdr int    // bytes of a frame header read so far
	wleft int    // bytes of the current frame's payload still to come
	wbuf  []byte // the guard's WINDOW_UPDATE frames
	// A response DATA frame being written, with admission: its stream,
	// whether its pad length is still to come, and its data bytes left.
	wid   uint32
	wpad  bool
	wdata int

	// Between the two sides, under pmu.
	pmu        sync.Mutex
	pending    []credit // increments to write at the next frame boundary
	pendingRST []uint32 // streams to reset at the next frame boundary
	hasPending atomic.Bool
	closed     []uint32 // streams the server ended
	spare      []uint32 // the other array for closed
	hasClosed  atomic.Bool
}

// NewConn wraps the server side of a connection, after its TLS handshake,
// so that gRPC messages announcing more than limit bytes are replaced by
// a substitute (limits under 64 are taken as 64).
func NewConn(c net.Conn, limit uint32) *Conn {
	return &Conn{Conn: c, limit: max(limit, minLimit), pass: prefaceLen, streams: make(map[uint32]*stream)}
}

// NewAdmittingConn is NewConn, and admits each message within the limit
// into a's budget when its prefix arrives (see Admission); a nil a admits
// nothing.
func NewAdmittingConn(c net.Conn, limit uint32, a *Admission) *Conn {
	g := NewConn(c, limit)
	if a != nil && a.Budget != nil && a.Size > 0 {
		g.adm, g.led = a, newLedger(a.Budget)
		g.ctx, g.cancel = context.WithCancel(context.Background())
		if a.Grace > 0 {
			g.stall, g.epoch = true, time.Now()
			g.grace, g.rate = int64(a.Grace), a.MinRate
			g.period = max(g.grace/4, int64(time.Millisecond))
		}
	}
	return g
}

// Close closes the connection and gives back the room its messages hold.
func (c *Conn) Close() error {
	if c.led != nil {
		c.cancel()
		c.led.close()
	}
	return c.Conn.Close()
}

// Holding is the room in the budget that the messages of the connection
// hold (0 without admission).
func (c *Conn) Holding() int64 {
	if c.led == nil {
		return 0
	}
	return c.led.holding()
}

// Read reads what the client sent, with oversized messages replaced.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if c.hasClosed.Load() {
		c.forgetClosed()
	}
	if c.armed != 0 && !c.applied {
		c.reapply()
	}
	n, err := c.read(p)
	if len(c.owed) > 0 {
		c.giveBack()
	}
	if c.stall && c.armed == 0 && (c.wantWake || c.pass > 0 && c.passID != 0) {
		c.arm(c.now() + c.period)
	}
	c.wantWake = false
	return n, err
}

func (c *Conn) read(p []byte) (int, error) {
	for {
		if len(c.out) > 0 {
			n := copy(p, c.out)
			c.out = c.out[n:]
			return n, nil
		}
		if c.late && c.pass == 0 {
			if err := c.wake(); err != nil {
				return 0, err
			}
			continue
		}
		if len(c.in) > 0 {
			n, err := c.readHeld(p)
			if err == errWake {
				if err := c.wake(); err != nil {
					return 0, err
				}
				continue
			}
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		// The common path: straight into p, changed in place only by
		// moving what needs work (from a frame on) to c.in.
		if len(c.owed) > 0 {
			c.giveBack() // before a read that may wait
		}
		n, err := c.rawRead(p)
		if err == errWake {
			if err := c.wake(); err != nil {
				return 0, err
			}
			continue
		}
		if n == 0 {
			return 0, err
		}
		m := c.scan(p[:n])
		if m < n {
			c.in = append(c.inBuf[:0], p[m:n]...)
			c.inBuf = c.in[:0]
		}
		if m > 0 || err != nil {
			return m, err
		}
	}
}

// scan walks the unchanged frames at the front of b and returns how many
// bytes they make; it stops at a frame that must change or that it cannot
// judge without more input.
func (c *Conn) scan(b []byte) int {
	i := 0
	for i < len(b) {
		if c.pass > 0 {
			k := min(c.pass, len(b)-i)
			c.pass -= k
			i += k
			continue
		}
		if c.late || !c.judge(b[i:]) {
			break // late: a stream's reset goes here (stall.go)
		}
	}
	return i
}

// readHeld works on c.in: it copies unchanged bytes to p, rewrites a
// changed frame into c.out, or reads more input when the frame at the
// front is incomplete. It returns 0 and no error after a rewrite.
func (c *Conn) readHeld(p []byte) (int, error) {
	n := 0
	for len(c.in) > 0 && n < len(p) {
		if c.pass > 0 {
			k := copy(p[n:], c.in[:min(c.pass, len(c.in))])
			c.pass -= k
			c.in = c.in[k:]
			n += k
			continue
		}
		if c.late {
			break // a stream's reset goes here (stall.go)
		}
		if c.judge(c.in) {
			continue
		}
		if need := c.frameNeed(c.in); need > len(c.in) {
			if n > 0 {
				break
			}
			if err := c.fill(need); err != nil {
				return 0, err
			}
			continue
		}
		if n > 0 && c.led != nil {
			break // what came before first: the rewrite may wait for room
		}
		// A whole frame that changes.
		c.in = c.in[c.rewrite(c.in):]
		break
	}
	return n, nil
}

// fill reads until c.in holds need bytes, no more, so that the frames
// after it are read straight into the caller's buffer again.
func (c *Conn) fill(need int) error {
	if len(c.owed) > 0 {
		c.giveBack() // before a read that may wait
	}
	if cap(c.inBuf) < need {
		c.inBuf = make([]byte, 0, max(need, frameHeaderLen+maxFrameLen))
	}
	c.in = c.inBuf[:copy(c.inBuf[:len(c.in)], c.in)]
	for len(c.in) < need {
		m, err := c.rawRead(c.in[len(c.in):need])
		c.in = c.in[:len(c.in)+m]
		if err != nil && len(c.in) < need {
			return err
		}
	}
	return nil
}

// frameNeed is how many bytes of b the frame at its front needs to be
// judged: its header, then all of it.
func (c *Conn) frameNeed(b []byte) int {
	if len(b) < frameHeaderLen {
		return frameHeaderLen
	}
	return frameHeaderLen + int(uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2]))
}

// judge looks at the frame at the front of b (c.pass is 0). When the
// frame passes unchanged it updates the state, sets c.pass to the
// frame's size and returns true. It returns false when the frame must
// change, or when b does not hold enough of it to tell.
func (c *Conn) judge(b []byte) bool {
	if len(b) < frameHeaderLen {
		return false
	}
	length := int(uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]))
	typ, flags := b[3], b[4]
	id := binary.BigEndian.Uint32(b[5:9]) & (1<<31 - 1)
	c.nframe++
	c.passID, c.passSafe = id, false
	if length > maxFrameLen || id == 0 {
		c.pass = frameHeaderLen + length
		return true
	}
	switch typ {
	case frameHeaders:
		if flags&flagEndStream != 0 {
			c.forget(id)
		} else if c.streams[id] == nil {
			c.open(id)
		}
	case frameRSTStream:
		c.forget(id)
		if c.led != nil {
			c.led.end(id)
		}
	case frameData:
		st := c.streams[id]
		// The frame lies within one message's payload, which goes on
		// after it: zeros in place of its rest complete no message.
		c.passSafe = st == nil || st.nhdr == msgHeaderLen && !st.drop && st.left > uint32(length)
		if st != nil && !c.unchanged(st, id, b, length, flags) {
			return false
		}
		if flags&flagEndStream != 0 {
			c.forget(id)
		}
	}
	c.pass = frameHeaderLen + length
	return true
}

// unchanged reports whether the DATA frame at the front of b (length
// bytes of payload) passes as it is, and if so moves st past it. It needs
// only the frame's bytes up to the end of the last message prefix in it:
// a frame within one message's payload is judged on its header alone. It
// is false too when b ends before a prefix it must read.
func (c *Conn) unchanged(st *stream, id uint32, b []byte, length int, flags byte) bool {
	payload := b[frameHeaderLen:min(len(b), frameHeaderLen+length)]
	off, end := 0, length // the data, within the payload
	if flags&flagPadded != 0 {
		if len(payload) < 1 {
			return false
		}
		if int(payload[0]) >= length {
			return true // padding that does not fit: grpc-go refuses the frame
		}
		off, end = 1, length-int(payload[0])
	}
	if st.drop || st.held() > 0 {
		return false
	}
	nhdr, left := st.nhdr, st.left
	c.wts = c.wts[:0]
	var total int64
	var last uint32 // the size of the last message that began
	for pos := off; pos < end; {
		if nhdr == msgHeaderLen {
			k := min(int64(left), int64(end-pos))
			left -= uint32(k)
			pos += int(k)
			if left == 0 {
				nhdr = 0
			}
			continue
		}
		if end-pos < msgHeaderLen {
			return false // a prefix split between frames
		}
		if pos+msgHeaderLen > len(payload) {
			return false // not read yet
		}
		left = binary.BigEndian.Uint32(payload[pos+1 : pos+msgHeaderLen])
		if left > c.limit {
			return false
		}
		last = left
		if c.led != nil {
			w := c.weight(left)
			c.wts = append(c.wts, w)
			total += int64(w)
		}
		pos += msgHeaderLen
		if nhdr = msgHeaderLen; left == 0 {
			nhdr = 0
		}
	}
	if len(c.wts) > 0 {
		// All the frame's messages at once, or the frame is rewritten,
		// where each may wait for room.
		if total > 0 && !c.adm.Budget.TryAcquire(total) {
			return false
		}
		c.led.add(id, c.wts, total)
		if c.stall && nhdr == msgHeaderLen && left > 0 {
			// The frame ends inside a message that began in it.
			st.room, st.size, st.start = c.wts[len(c.wts)-1] > 0, last, 0
			c.wantWake = c.wantWake || st.room
		}
	}
	st.nhdr, st.left = nhdr, left
	return true
}

// weight is the room a message of n bytes takes: n and its prefix, at
// most the whole budget.
func (c *Conn) weight(n uint32) uint32 {
	return uint32(min(uint64(n)+msgHeaderLen, uint64(c.adm.Size), 1<<32-1))
}

// admit takes the room of a message of n bytes on stream id, waiting up
// to the admission wait; false when it is refused for want of room.
func (c *Conn) admit(id uint32, n uint32) bool {
	w := c.weight(n)
	c.wts = append(c.wts[:0], w)
	if c.adm.Budget.TryAcquire(int64(w)) {
		c.led.add(id, c.wts, int64(w))
		return true
	}
	c.wts[0] = 0
	if !c.led.has(id) {
		return true // the server ended the stream: it drops the data
	}
	if c.waitFor(int64(w), n < minBusy) {
		c.wts[0] = w
		c.led.add(id, c.wts, int64(w))
		return true
	}
	// Refused, or too short for its stand-in (QUIRK: passes without room;
	// see the package documentation).
	c.led.add(id, c.wts, 0)
	return n < minBusy
}

// waitFor waits up to the admission wait for w bytes of room, after
// giving back the window increments owed (the client may need them to
// send what frees room). Once a wait failed, up to quickRefusals messages
// that follow within the admission wait get none (short ones always wait:
// they cannot be refused, and the wait keeps a flood of them slow): a
// connection's calls are refused about as fast as they come, as each
// would be if it waited apart, rather than one an admission wait, while
// the stand-ins the server holds unanswered stay few.
func (c *Conn) waitFor(w int64, short bool) bool {
	if c.adm.Wait <= 0 {
		return false
	}
	if !short && c.noWaitLeft > 0 && time.Now().Before(c.noWaitUntil) {
		c.noWaitLeft--
		return false
	}
	if len(c.owed) > 0 {
		c.giveBack()
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.adm.Wait)
	err := c.adm.Budget.Acquire(ctx, w)
	cancel()
	if err != nil {
		c.noWaitUntil, c.noWaitLeft = time.Now().Add(c.adm.Wait), quickRefusals
		return false
	}
	return true
}

// quickRefusals is how many messages a connection refuses without a wait
// after a wait failed: two for each call a client connection may have
// open at once on bounced's server (its MaxStreamsPerConn, 128).
const quickRefusals = 256

// dataOf is the data of a DATA frame's payload, without padding (RFC 9113
// section 6.1); ok is false when the padding does not fit.
func dataOf(payload []byte, flags byte) ([]byte, bool) {
	if flags&flagPadded == 0 {
		return payload, true
	}
	if len(payload) < 1 || int(payload[0]) >= len(payload) {
		return nil, false
	}
	return payload[1 : len(payload)-int(payload[0])], true
}

// rewrite writes the new form of the whole DATA frame at the front of b
// into c.out, notes the bytes it drops as owed to the client, and returns
// the frame's size.
func (c *Conn) rewrite(b []byte) int {
	length := int(uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]))
	flags := b[4]
	id := binary.BigEndian.Uint32(b[5:9]) & (1<<31 - 1)
	st := c.streams[id]
	if st.reset {
		// A stream the guard reset (stall.go): grpc-go ended it, the
		// frame goes no further; the connection's window gets it back
		// (RFC 9113 section 6.9), the stream's does not (section 5.1:
		// no frames but PRIORITY on a closed stream).
		c.owe(0, length)
		if flags&flagEndStream != 0 {
			c.forget(id)
		}
		return frameHeaderLen + length
	}
	data, _ := dataOf(b[frameHeaderLen:frameHeaderLen+length], flags) // judge checked it
	o := c.scratch[:0]
	dropped := length - len(data) // the padding
	for len(data) > 0 {
		switch {
		case st.nhdr < msgHeaderLen:
			k := copy(st.hdr[st.nhdr:], data)
			st.nhdr += uint8(k)
			data = data[k:]
			if st.nhdr < msgHeaderLen {
				continue // held until the next frame
			}
			st.left = binary.BigEndian.Uint32(st.hdr[1:])
			if st.left > c.limit {
				st.drop = true
				st.nsub = uint8(len(appendSubstitute(st.sub[:0], st.left)))
				// The prefix's 5 bytes pay for the substitute's prefix.
				o = append(o, st.sub[:msgHeaderLen]...)
				st.sent = msgHeaderLen
				if c.led != nil {
					c.wts = append(c.wts[:0], 0) // answered as one message
					c.led.add(id, c.wts, 0)
				}
			} else if c.led != nil && !c.admit(id, st.left) {
				st.drop = true
				st.nsub = uint8(len(appendStandIn(st.sub[:0], BusyField, st.left)))
				o = append(o, st.sub[:msgHeaderLen]...)
				st.sent = msgHeaderLen
			} else {
				o = append(o, st.hdr[:]...)
				if c.stall {
					st.room, st.size, st.start = c.wts[0] > 0, st.left, 0
				}
			}
			if st.left == 0 {
				st.nhdr = 0
			}
		case st.drop:
			k := min(int64(st.left), int64(len(data)))
			data = data[k:]
			st.left -= uint32(k)
			e := min(int(k), int(st.nsub-st.sent))
			o = append(o, st.sub[st.sent:int(st.sent)+e]...)
			st.sent += uint8(e)
			dropped += int(k) - e
			if st.left == 0 {
				st.nhdr, st.drop = 0, false
			}
		default:
			k := min(int64(st.left), int64(len(data)))
			o = append(o, data[:k]...)
			data = data[k:]
			if st.left -= uint32(k); st.left == 0 {
				st.nhdr = 0
			}
		}
	}
	end := flags&flagEndStream != 0
	if c.stall && st.receiving() && st.start == 0 {
		c.wantWake = true
	}
	if end {
		// A message cut short: pass what is held, grpc-go reports it.
		o = append(o, st.hdr[:st.held()]...)
		st.nhdr = 0
		c.forget(id)
	}
	c.scratch = o
	c.out = c.outBuf[:0]
	for first := true; first || len(o) > 0; first = false {
		k := min(len(o), maxFrameLen)
		if k == 0 && !end {
			break // nothing to send: no empty frame
		}
		var f byte
		if end && k == len(o) {
			f = flagEndStream
		}
		c.out = appendFrameHeader(c.out, k, frameData, f, id)
		c.out = append(c.out, o[:k]...)
		o = o[k:]
	}
	c.outBuf = c.out[:0]
	if dropped > 0 {
		// Also after END_STREAM: RFC 9113 section 6.9 lets WINDOW_UPDATE
		// come on a half-closed or closed stream, and keeps the count exact.
		c.owe(id, dropped)
		c.owe(0, dropped)
	}
	return frameHeaderLen + length
}

func appendFrameHeader(b []byte, length int, typ, flags byte, id uint32) []byte {
	b = append(b, byte(length>>16), byte(length>>8), byte(length), typ, flags)
	return binary.BigEndian.AppendUint32(b, id)
}

// open starts tracking a stream the client opened.
func (c *Conn) open(id uint32) {
	var st *stream
	if n := len(c.free); n > 0 {
		st, c.free = c.free[n-1], c.free[:n-1]
		*st = stream{}
	} else {
		st = new(stream)
	}
	c.streams[id] = st
	if c.led != nil {
		c.led.open(id)
	}
}

// forget stops tracking a stream; prefix bytes it held, which the server
// never sees, go back to the connection's window.
func (c *Conn) forget(id uint32) {
	st := c.streams[id]
	if st == nil {
		return
	}
	if h := st.held(); h > 0 {
		c.owe(0, h)
	}
	if st.reset {
		c.unlistReset(id)
	}
	delete(c.streams, id)
	if len(c.free) < 64 {
		c.free = append(c.free, st)
	}
}

// forgetClosed stops tracking the streams the server ended.
func (c *Conn) forgetClosed() {
	c.pmu.Lock()
	ids := c.closed
	c.closed, c.spare = c.spare[:0], nil // two arrays, used in turn
	c.hasClosed.Store(false)
	c.pmu.Unlock()
	for _, id := range ids {
		c.forget(id)
	}
	c.pmu.Lock()
	c.spare = ids[:0]
	c.pmu.Unlock()
}

func (c *Conn) owe(id uint32, n int) {
	for i := range c.owed {
		if c.owed[i].id == id {
			c.owed[i].n += uint32(n)
			return
		}
	}
	c.owed = append(c.owed, credit{id, uint32(n)})
}

// giveBack hands this Read's increments to the writer side and writes
// them now if the connection is between frames and no one writes.
func (c *Conn) giveBack() {
	c.pmu.Lock()
	for _, o := range c.owed {
		merge(&c.pending, o)
	}
	c.hasPending.Store(true)
	c.pmu.Unlock()
	c.owed = c.owed[:0]
	c.flushPending()
}

func merge(list *[]credit, o credit) {
	for i := range *list {
		if (*list)[i].id == o.id && uint64((*list)[i].n)+uint64(o.n) <= maxIncrement {
			(*list)[i].n += o.n
			return
		}
	}
	*list = append(*list, o)
}

// flushPending writes the pending WINDOW_UPDATE frames if no Write is
// under way and the last one ended on a frame boundary; otherwise the
// writer sends them at its next boundary (Write looks again once it is
// done, so none is left behind).
func (c *Conn) flushPending() {
	for c.hasPending.Load() {
		if !c.wmu.TryLock() {
			return
		}
		if c.nwhdr != 0 || c.wleft != 0 {
			c.wmu.Unlock()
			return
		}
		_ = c.writePending() // a broken connection shows in the next Read or Write
		c.wmu.Unlock()
	}
}

// writePending writes the pending increments; the caller holds wmu.
func (c *Conn) writePending() error {
	c.pmu.Lock()
	b := c.wbuf[:0]
	for _, o := range c.pending {
		b = appendFrameHeader(b, 4, frameWindowUpdate, 0, o.id)
		b = binary.BigEndian.AppendUint32(b, o.n)
	}
	for _, id := range c.pendingRST {
		b = appendFrameHeader(b, 4, frameRSTStream, 0, id)
		b = binary.BigEndian.AppendUint32(b, ResetCode)
	}
	c.pending, c.pendingRST = c.pending[:0], c.pendingRST[:0]
	c.hasPending.Store(false)
	c.pmu.Unlock()
	c.wbuf = b
	_, err := c.Conn.Write(b)
	return err
}

// Write writes what the server sends, following its frames to put the
// guard's WINDOW_UPDATE frames between them and to see the streams the
// server ends (RST_STREAM, or HEADERS with END_STREAM: trailers).
func (c *Conn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	n, err := c.write(b)
	c.wmu.Unlock()
	if c.hasPending.Load() {
		c.flushPending()
	}
	return n, err
}

func (c *Conn) write(b []byte) (int, error) {
	start, i := 0, 0
	for i < len(b) {
		if c.wleft > 0 {
			k := min(c.wleft, len(b)-i)
			if c.wid != 0 {
				c.response(b[i : i+k])
			}
			c.wleft -= k
			i += k
			continue
		}
		if c.nwhdr == 0 && c.hasPending.Load() {
			// Between two frames: the guard's go here.
			if i > start {
				n, err := c.Conn.Write(b[start:i])
				if err != nil {
					return start + n, err
				}
				start = i
			}
			if err := c.writePending(); err != nil {
				return start, err
			}
		}
		k := copy(c.whdr[c.nwhdr:], b[i:])
		c.nwhdr += k
		i += k
		if c.nwhdr < frameHeaderLen {
			continue
		}
		c.nwhdr = 0
		h := c.whdr
		c.wleft = int(uint32(h[0])<<16 | uint32(h[1])<<8 | uint32(h[2]))
		typ, flags, id := h[3], h[4], binary.BigEndian.Uint32(h[5:9])&(1<<31-1)
		if id != 0 && (typ == frameRSTStream || typ == frameHeaders && flags&flagEndStream != 0) {
			c.pmu.Lock()
			c.closed = append(c.closed, id)
			c.hasClosed.Store(true)
			c.pmu.Unlock()
		}
		c.wid = 0
		if c.led != nil && id != 0 {
			switch {
			case typ == frameRSTStream || flags&flagEndStream != 0 && (typ == frameHeaders || typ == frameData):
				c.led.end(id)
			case typ == frameData:
				c.wid, c.wpad, c.wdata = id, flags&flagPadded != 0, c.wleft
			}
		}
	}
	if start == len(b) {
		return start, nil
	}
	n, err := c.Conn.Write(b[start:])
	return start + n, err
}

// response follows part of the payload of a response DATA frame, for the
// answers it holds (ledger.answered); wmu is held.
func (c *Conn) response(p []byte) {
	if c.wpad {
		c.wpad = false
		// The pad length, then the data, then the padding (RFC 9113
		// section 6.1).
		c.wdata = max(c.wdata-1-int(p[0]), 0)
		p = p[1:]
	}
	k := min(len(p), c.wdata)
	c.wdata -= k
	if k > 0 {
		c.led.answered(c.wid, p[:k])
	}
}
