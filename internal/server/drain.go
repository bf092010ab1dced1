package server

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// How an open ParseStream ends when the server shuts down (issue 9).
const (
	// DrainIdle is how long a draining stream waits for one more message
	// before it ends: the messages a client sent before the signal are on
	// their way and arrive well within it.
	DrainIdle = 250 * time.Millisecond
	// DrainMax is the longest a stream keeps reading once draining began,
	// for a client that never pauses.
	DrainMax = 5 * time.Second
)

// reasonShuttingDown is the ErrorInfo reason of the status that ends a
// stream because the server shuts down: the client should open a new
// stream (the load balancer sends it to another replica) and send again
// the messages it got no answer for; answers come in order, so it knows
// which.
const reasonShuttingDown = "SHUTTING_DOWN"

// serveStream runs a request stream: it calls handle for each message
// received, in order, until the client closes its side (nil), Recv fails
// or handle does (that error). When draining is closed, the server is
// shutting down: the stream goes on answering what arrives, and ends
// with UNAVAILABLE and the reason SHUTTING_DOWN once no message came for
// DrainIdle, or DrainMax after the signal. So shutdown waits for the work
// in flight, not for the client to hang up, and no message received is
// left without an answer.
//
// One goroutine receives and handles, message after message, so that a
// message costs no hand-over between goroutines; the caller's waits for
// it and, once draining, for the client's pauses, which end the stream
// while the receiver waits for a message. A message that arrives as the
// stream ends gets no answer: the client sends again the messages not
// answered (answers come in order).
func serveStream[T any](_ context.Context, draining <-chan struct{}, recv func() (T, error), handle func(T) error) error {
	st := &streamLoop{done: make(chan struct{})}
	go st.run(func() error {
		m, err := recv()
		if errors.Is(err, io.EOF) {
			return errStreamDone
		}
		if err != nil {
			return err
		}
		if !st.begin() {
			return errStreamDone // ended while it waited: not answered
		}
		err = handle(m)
		if st.finish() && err == nil {
			return errStreamDone // ended while it was handled
		}
		return err
	})
	select {
	case <-st.done:
		return st.result()
	case <-draining:
	}
	idle := time.NewTimer(DrainIdle)
	defer idle.Stop()
	maxT := time.NewTimer(DrainMax)
	defer maxT.Stop()
	for {
		select {
		case <-st.done:
			return st.result()
		case <-idle.C:
			if wait := st.endIfIdle(DrainIdle); wait > 0 {
				idle.Reset(wait)
				continue
			}
			return shuttingDown()
		case <-maxT.C:
			if st.end() {
				<-st.done // the message being handled gets its answer
			}
			return shuttingDown()
		}
	}
}

// errStreamDone ends the receiving loop without an error to report.
var errStreamDone = errors.New("stream done")

// streamLoop is the state serveStream's two goroutines share.
type streamLoop struct {
	done chan struct{} // closed when the loop has returned
	err  error         // the loop's result, read after done

	mu    sync.Mutex
	busy  bool      // a message is being handled
	ended bool      // the stream ends: handle no more messages
	last  time.Time // when the last message was answered, or the loop began
	panic *handlerPanic
}

// handlerPanic is a panic of the receiving goroutine, raised again in the
// handler's (where recoverStream turns it into INTERNAL) with the stack
// where it happened.
type handlerPanic struct {
	value any
	stack []byte
}

// run calls step until it fails, then closes done.
func (l *streamLoop) run(step func() error) {
	defer close(l.done)
	defer func() {
		if r := recover(); r != nil {
			l.panic = &handlerPanic{r, debug.Stack()}
		}
	}()
	l.mu.Lock()
	l.last = time.Now()
	l.mu.Unlock()
	for {
		if err := step(); err != nil {
			if err != errStreamDone {
				l.err = err
			}
			return
		}
	}
}

// result is what the stream ends with once the loop has returned.
func (l *streamLoop) result() error {
	if l.panic != nil {
		panic(l.panic)
	}
	return l.err
}

// begin marks a message received; false when the stream has ended.
func (l *streamLoop) begin() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy = !l.ended
	return l.busy
}

// finish marks the message answered; it reports whether the stream has
// ended meanwhile.
func (l *streamLoop) finish() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy = false
	l.last = time.Now()
	return l.ended
}

// endIfIdle ends the stream if no message is being handled and the last
// was answered idle ago or more; otherwise it returns how long to wait
// before asking again.
func (l *streamLoop) endIfIdle(idle time.Duration) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy {
		return idle
	}
	if wait := idle - time.Since(l.last); wait > 0 {
		return wait
	}
	l.ended = true
	return 0
}

// end ends the stream; it reports whether a message is being handled.
func (l *streamLoop) end() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended = true
	return l.busy
}

func shuttingDown() error {
	st := status.New(codes.Unavailable, "server shutting down: open a new stream and send again the messages not answered")
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reasonShuttingDown, Domain: errorDomain}); err == nil {
		st = d
	}
	return st.Err()
}
