package h2guard

import (
	"context"
	"encoding/binary"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/encoding/protowire"
)

// Admission of messages into a shared memory budget.
//
// grpc-go reads a request message whole before any interceptor or handler
// runs: the transport buffers a stream's DATA, and once a reader wants a
// message longer than the stream's window it enlarges the window to take
// all of it (RFC 9113 section 6.9.1 leaves the window to the receiver).
// A limit a handler enforces comes too late: every open stream of every
// connection may hold a message of up to the receive limit by then. With
// an Admission, a Conn takes a message's bytes from the Budget when its
// gRPC length prefix arrives, before the prefix is passed on, so the
// bytes of the messages the server has accepted and not answered are
// bounded by the budget over all connections and streams.
//
// A message is answered when the server writes the length prefix of a
// response message on its stream (bounced's methods answer each request
// message with one response, in order), or when the stream ends (the
// server's trailers or RST_STREAM, the client's RST_STREAM: RFC 9113
// section 5.1), or when the connection closes: then its bytes go back.
// The bytes of a message a stream never answers one by one go back when
// the stream ends. On bounced's server: Parse, Classify, GetDomainVerdict
// and health's Check are unary; ParseStream and reflection's
// ServerReflectionInfo answer each message once, in order (a message
// refused by a stand-in too); health's Watch answers its one message,
// then sends more: a further response answers nothing, or a message the
// client sent beyond the one Watch reads, which then passes uncounted
// (at most the stream's flow-control window of it).
//
// When the budget has no room, the Conn stops reading the connection and
// waits up to Admission.Wait; then it replaces the message by a stand-in
// (BusyField holding the announced size) and drops its payload as it
// arrives, as for an oversized message, giving its flow-control credit
// back. For a Wait after a failed wait, the connection's messages without
// room are refused at once, so that the calls of one connection are
// refused about as fast as they come rather than one a Wait. Waiting
// cannot deadlock for longer than Wait: the wait holds no lock, the bytes
// it is for are released by other messages' answers (written by other
// goroutines), ends of streams and closed connections, and an answer that
// itself needs this connection's reads (a WINDOW_UPDATE from the client
// for a large response) gets them once the wait ends, refused or not.
//
// A message shorter than its stand-in (under 6 bytes of payload) cannot
// be replaced in place; after the wait it passes without taking room
// (a flood of them while the budget is full passes at one a Wait per
// connection).
//
// The handler must not admit a message the Conn admitted: a connection
// the Conn guards with an Admission carries AuthInfo (see Admits).

// Budget is the memory a Conn admits messages into, in bytes: the methods
// of golang.org/x/sync/semaphore's Weighted.
type Budget interface {
	TryAcquire(n int64) bool
	Acquire(ctx context.Context, n int64) error
	Release(n int64)
}

// Admission tells a Conn to admit each message into Budget when its
// length prefix arrives. A message takes its announced length plus its
// 5-byte prefix, and at most Size, the budget's whole size, so that a
// message larger than the budget still runs, alone. Without room, the
// Conn waits up to Wait (not at all when Wait is 0), then refuses the
// message with a stand-in (BusyField).
//
// With Grace set, an admitted message must also arrive in time (see
// stall.go): within Grace plus its size at MinRate bytes a second
// (nothing more when MinRate is 0), counted from the moment the server
// waits for it. Stalled, when set, is called (by the connection's reading
// goroutine) for each message reset for arriving late, with its
// announced size.
type Admission struct {
	Budget Budget
	Size   int64
	Wait   time.Duration

	Grace   time.Duration
	MinRate int64
	Stalled func(size uint32)
}

// BusyField is the field number of the stand-in for a message refused
// because the budget had no room: a varint holding the announced size,
// the only field, like MarkerField for a message over the limit. A
// request holding it was refused by the guard (or forged, and then only
// gets the answer "busy").
const BusyField protowire.Number = protowire.MaxValidNumber - 1

// minBusy is the shortest payload a busy stand-in fits in: a 5-byte tag
// and a varint of at least 1 byte.
const minBusy = 6

// Busy reads the size a busy stand-in announced from the unknown fields
// of a decoded request; ok is false when they hold no BusyField.
func Busy(unknown []byte) (size uint64, ok bool) {
	return marked(unknown, BusyField)
}

// AuthInfo is the credentials.AuthInfo of a connection whose messages a
// Conn admits into a Budget (Credentials with an Admission): the handshake's
// own AuthInfo is Inner. Code that looks for a TLS peer (credentials.TLSInfo)
// finds it in Inner.
type AuthInfo struct {
	Inner credentials.AuthInfo
}

// AuthType is Inner's, or "h2guard" without one.
func (a AuthInfo) AuthType() string {
	if a.Inner == nil {
		return "h2guard"
	}
	return a.Inner.AuthType()
}

// GetCommonAuthInfo is Inner's (its security level), so that grpc-go's
// checks of the security level see through the wrapper.
func (a AuthInfo) GetCommonAuthInfo() credentials.CommonAuthInfo {
	if c, ok := a.Inner.(interface {
		GetCommonAuthInfo() credentials.CommonAuthInfo
	}); ok {
		return c.GetCommonAuthInfo()
	}
	return credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}
}

// Admits reports whether a connection's messages were admitted by its
// Conn (info is the connection's AuthInfo, peer.FromContext): the
// handler must not take room for them again.
func Admits(info credentials.AuthInfo) bool {
	_, ok := info.(AuthInfo)
	return ok
}

// ledger is the room a connection's messages hold in the budget, per
// stream, oldest first. The reading side adds, the writing side (answers,
// stream ends) and Close give back; all under mu.
type ledger struct {
	budget Budget
	mu     sync.Mutex
	accts  map[uint32]*account
	free   []*account
	held   int64 // sum of the weights in accts
	closed bool
}

// account is one stream's messages in the budget and the framing of the
// server's responses on it.
type account struct {
	q     []uint32 // weights of the messages passed on, not answered
	head  int      // q[head:] are held
	rhdr  [4]byte  // the response prefix's length, as far as written
	rn    uint8    // bytes of the response prefix written; 5: in the payload
	rleft uint32   // response payload bytes still to come
}

func newLedger(b Budget) *ledger {
	return &ledger{budget: b, accts: make(map[uint32]*account)}
}

// open starts the account of a stream the client opened.
func (l *ledger) open(id uint32) {
	l.mu.Lock()
	if !l.closed && l.accts[id] == nil {
		var a *account
		if n := len(l.free); n > 0 {
			a, l.free = l.free[n-1], l.free[:n-1]
		} else {
			a = new(account)
		}
		l.accts[id] = a
	}
	l.mu.Unlock()
}

// has reports whether stream id has an account: false once it ended.
func (l *ledger) has(id uint32) bool {
	l.mu.Lock()
	ok := l.accts[id] != nil
	l.mu.Unlock()
	return ok
}

// add notes messages passed on for stream id, of the weights ws (total
// taken from the budget already). Without an account (the stream ended,
// or the connection closed) the room goes back at once: the server drops
// the data of a stream it ended.
func (l *ledger) add(id uint32, ws []uint32, total int64) {
	l.mu.Lock()
	a := l.accts[id]
	if a == nil {
		l.mu.Unlock()
		if total > 0 {
			l.budget.Release(total)
		}
		return
	}
	a.q = append(a.q, ws...)
	l.held += total
	l.mu.Unlock()
}

// answered follows the data of a response DATA frame of stream id: each
// response message's prefix gives back the room of the oldest message.
func (l *ledger) answered(id uint32, p []byte) {
	l.mu.Lock()
	a := l.accts[id]
	for a != nil && len(p) > 0 {
		if a.rn < msgHeaderLen {
			for a.rn < msgHeaderLen && len(p) > 0 {
				if a.rn > 0 {
					a.rhdr[a.rn-1] = p[0]
				}
				a.rn++
				p = p[1:]
			}
			if a.rn < msgHeaderLen {
				break
			}
			a.rleft = binary.BigEndian.Uint32(a.rhdr[:])
			if a.rleft == 0 {
				a.rn = 0
			}
			l.pop(a)
			continue
		}
		k := uint32(min(uint64(a.rleft), uint64(len(p))))
		a.rleft -= k
		p = p[k:]
		if a.rleft == 0 {
			a.rn = 0
		}
	}
	l.mu.Unlock()
}

// pop gives back the room of a's oldest message; l.mu is held.
func (l *ledger) pop(a *account) {
	if a.head == len(a.q) {
		return // an answer to no message: a server-streaming call's next
	}
	w := a.q[a.head]
	if a.head++; a.head == len(a.q) {
		a.q, a.head = a.q[:0], 0
	}
	if w > 0 {
		l.held -= int64(w)
		l.budget.Release(int64(w))
	}
}

// end gives back all the room of stream id, which ended, and closes its
// account.
func (l *ledger) end(id uint32) {
	l.mu.Lock()
	if a := l.accts[id]; a != nil {
		delete(l.accts, id)
		l.drop(a)
		if len(l.free) < 64 {
			q := a.q[:0]
			*a = account{q: q}
			l.free = append(l.free, a)
		}
	}
	l.mu.Unlock()
}

// drop gives back the room of all a's messages; l.mu is held.
func (l *ledger) drop(a *account) {
	var w int64
	for _, x := range a.q[a.head:] {
		w += int64(x)
	}
	a.q, a.head = a.q[:0], 0
	if w > 0 {
		l.held -= w
		l.budget.Release(w)
	}
}

// close gives back all the room of the connection, which closed; later
// messages take none.
func (l *ledger) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		for _, a := range l.accts {
			l.drop(a)
		}
		l.accts = nil
		l.free = nil
	}
	l.mu.Unlock()
}

// unanswered is how many of stream id's messages are unanswered, and
// whether any of them holds room.
func (l *ledger) unanswered(id uint32) (n int, holds bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.accts[id]
	if a == nil {
		return 0, false
	}
	for _, w := range a.q[a.head:] {
		holds = holds || w > 0
	}
	return len(a.q) - a.head, holds
}

// holding is the room the connection's messages hold.
func (l *ledger) holding() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}
