package h2guard

import (
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"time"
)

// Stall deadlines: a message admitted into the budget must arrive in time.
//
// A client that announces a large message and then sends it slowly, or
// not at all, would hold its room for as long as it likes: gRPC has no
// read timeout per message, and a call without a deadline waits forever.
// With Admission.Grace set, each admitted message must arrive within
// Grace plus its size at Admission.MinRate, counted from the moment the
// server waits for it: its admission, or, on a stream with messages before
// it still unanswered, the answer to the last of them (before that the
// server does not read it, and the client may be held back by the
// stream's flow-control window, RFC 9113 section 6.9.1, through no fault
// of its own). The Conn looks at its messages at most Grace/4 apart while
// any is arriving, so a message gets up to Grace/4 more than its due;
// between looks the common path costs nothing but a few stores a frame.
//
// A message that misses its deadline loses its room, and its stream is
// ended both ways, as an HTTP/2 peer ends one (RFC 9113 sections 5.4.2
// and 6.4): the Conn hands the server an RST_STREAM(CANCEL) in the
// client's name, so that grpc-go ends the call and its handler's context,
// and sends the client an RST_STREAM(ENHANCE_YOUR_CALM) (section 7: the
// peer "might be generating excessive load"; grpc-go clients report it as
// RESOURCE_EXHAUSTED). DATA that still arrives on the stream is dropped,
// and its bytes go back to the connection's flow-control window (section
// 6.9); the stream's own window gets nothing, as no frame but PRIORITY
// may follow a reset (section 5.1). The connection goes on.
//
// The look needs no help from the client: while messages arrive the Conn
// keeps a read deadline on the connection beneath it, and a read that
// times out wakes the Conn instead of reaching grpc-go. The frames it
// hands the server go at a frame boundary of what the server reads. When
// the client stalls in the middle of a DATA frame that lies within one
// message's payload (the usual stall), the Conn completes that frame with
// zeros, resets its stream (no message can be completed by the zeros), and
// drops the frame's real rest when it comes; grpc-go counts the zeros
// against the windows as the rest would have been. A client that stalls
// in any other frame (the end of a message, HEADERS) for the allowance
// of a frame while a message is late has its connection closed
// (ErrStalled): the guard cannot end the stream alone without handing
// the server bytes the client never sent.

// ResetCode is the HTTP/2 error code of the RST_STREAM a client gets for
// a message that arrived too late: ENHANCE_YOUR_CALM (0xb, RFC 9113
// section 7). grpc-go clients report it as RESOURCE_EXHAUSTED, "stream
// terminated by RST_STREAM with error code: ENHANCE_YOUR_CALM".
const ResetCode = 0xb

// codeCancel is the error code of the RST_STREAM the server gets in the
// client's name: CANCEL (0x8), as from a client that gave up.
const codeCancel = 0x8

// ErrStalled is the error Read returns when the client stalled inside a
// frame the guard cannot complete past a message's deadline: the server
// closes the connection.
var ErrStalled = errors.New("h2guard: client stalled inside a frame past a message's deadline")

// errWake is the read deadline the guard set: a look is due.
var errWake = errors.New("h2guard: look at the messages arriving")

// maxResets is how many streams it reset a Conn keeps following to drop
// their DATA; older ones are forgotten, and their DATA, if any still
// comes, goes to grpc-go, which drops it itself.
const maxResets = 32

func (c *Conn) now() int64 { return int64(time.Since(c.epoch)) }

// allow is the time a message of size bytes has to arrive.
func (c *Conn) allow(size uint32) int64 {
	d := c.grace
	if c.rate > 0 {
		d += int64(size) * int64(time.Second) / c.rate
	}
	return d
}

// arm sets the read deadline of the connection beneath at t; a
// connection without deadlines gets no stall bound.
func (c *Conn) arm(t int64) {
	if err := c.Conn.SetReadDeadline(c.epoch.Add(time.Duration(t))); err != nil {
		c.stall, c.armed = false, 0
		return
	}
	c.armed, c.applied = t, false
}

// reapply sets the armed read deadline again, once, at the start of the
// Read after the one that armed it. QUIRK: grpc-go's server clears the
// deadlines of the raw connection once its HTTP/2 handshake is done
// (Server.handleRawConn, SetDeadline(time.Time{}) after the transport is
// made), and the handshake's own reads may already carry a client's
// first messages; the Reads after it are the transport's, which nothing
// clears.
func (c *Conn) reapply() {
	c.applied = true
	if err := c.Conn.SetReadDeadline(c.epoch.Add(time.Duration(c.armed))); err != nil {
		c.stall, c.armed = false, 0
	}
}

// rawRead reads from the connection beneath, dropping c.skip bytes first;
// a timeout of the guard's own read deadline is errWake, or no error when
// bytes came with it (the next read times out again).
func (c *Conn) rawRead(b []byte) (int, error) {
	for {
		n, err := c.Conn.Read(b)
		if c.skip > 0 && n > 0 {
			k := min(c.skip, n)
			n = copy(b, b[k:n])
			c.skip -= k
		}
		if err != nil && c.armed != 0 {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				if n > 0 {
					return n, nil
				}
				return 0, errWake
			}
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// wake looks at the messages arriving: it resets the streams whose
// message is late, at a frame boundary of the output, and sets the next
// read deadline. It runs on the reading goroutine, with c.out empty.
func (c *Conn) wake() error {
	now := c.now()
	next := int64(0)
	soon := func(t int64) {
		if next == 0 || t < next {
			next = t
		}
	}
	late := c.lateIDs[:0]
	for id, st := range c.streams {
		if !st.receiving() {
			continue
		}
		n, _ := c.led.unanswered(id)
		switch {
		case n == 0: // answered, or the stream ended: it holds nothing
			st.room = false
			continue
		case n > 1: // the server does not wait for it yet
			st.start = 0
			soon(now + c.period)
			continue
		}
		if st.start == 0 {
			st.start = now
		}
		if due := st.start + c.allow(st.size); due > now {
			soon(min(due, now+c.period))
			continue
		}
		late = append(late, id)
	}
	// A frame that stops midway holds its stream's messages, even those
	// it completes as judged: unless a message still arriving on the
	// stream has its own due, the frame gets the allowance of a frame.
	frameDue := int64(0)
	if c.pass > 0 {
		if c.midFrame != c.nframe || c.midStart == 0 {
			c.midFrame, c.midStart = c.nframe, now
		}
		frameDue = c.midStart + c.allow(maxFrameLen)
	}
	if c.pass > 0 && c.passID != 0 {
		st := c.streams[c.passID]
		if _, holds := c.led.unanswered(c.passID); holds && (st == nil || !st.receiving()) {
			if frameDue <= now {
				if !slices.Contains(late, c.passID) {
					late = append(late, c.passID)
				}
			} else {
				soon(frameDue)
			}
		}
	}
	c.lateIDs = late
	c.late = false
	if len(late) > 0 {
		if c.pass > 0 && !c.passSafe {
			// Wait for the frame's end (scan and readHeld stop there),
			// up to the allowance of a frame.
			if frameDue <= now {
				c.out = c.outBuf[:0]
				for _, id := range late {
					c.stalled(id)
				}
				return ErrStalled
			}
			c.late = true
			soon(frameDue)
		} else {
			c.out = c.outBuf[:0]
			if c.pass > 0 {
				c.complete()
				if st := c.streams[c.passID]; st != nil && !st.reset && !slices.Contains(late, c.passID) {
					late = append(late, c.passID) // its message has zeros now
				}
			}
			for _, id := range late {
				c.resetStream(id)
			}
			c.lateIDs = late[:0]
			c.outBuf = c.out[:0]
			c.flushPending()
		}
	}
	if next == 0 {
		_ = c.Conn.SetReadDeadline(time.Time{})
		c.armed = 0
	} else {
		c.arm(next)
	}
	return nil
}

// complete ends the frame passing with zeros in c.out, and drops its real
// rest as it arrives.
func (c *Conn) complete() {
	n := len(c.out)
	c.out = slices.Grow(c.out, c.pass)[:n+c.pass]
	clear(c.out[n:])
	k := min(c.pass, len(c.in))
	c.in = c.in[k:]
	c.skip += c.pass - k
	c.pass = 0
}

// resetStream ends stream id both ways (see above) and gives back its
// room.
func (c *Conn) resetStream(id uint32) {
	c.out = appendFrameHeader(c.out, 4, frameRSTStream, 0, id)
	c.out = binary.BigEndian.AppendUint32(c.out, codeCancel)
	c.stalled(id)
	if st := c.streams[id]; st != nil {
		if h := st.held(); h > 0 {
			c.owe(0, h)
		}
		*st = stream{reset: true, drop: true, nhdr: msgHeaderLen}
		c.resets = append(c.resets, id)
		if len(c.resets) > maxResets {
			c.forget(c.resets[0])
		}
	}
	c.led.end(id)
	c.pmu.Lock()
	c.pendingRST = append(c.pendingRST, id)
	c.hasPending.Store(true)
	c.pmu.Unlock()
}

// stalled reports stream id's message as reset for stalling.
func (c *Conn) stalled(id uint32) {
	if c.adm.Stalled == nil {
		return
	}
	var size uint32
	if st := c.streams[id]; st != nil && st.room {
		size = st.size
	}
	c.adm.Stalled(size)
}

// unlistReset removes id from the streams reset.
func (c *Conn) unlistReset(id uint32) {
	if i := slices.Index(c.resets, id); i >= 0 {
		c.resets = slices.Delete(c.resets, i, i+1)
	}
}
