package server

import (
	"context"
	"errors"
	"io"
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

// received is one result of stream.Recv.
type received[T any] struct {
	msg T
	err error
}

// serveStream runs a request stream: it calls handle for each message
// received, in order, until the client closes its side (nil), Recv fails
// or handle does (that error). When draining is closed, the server is
// shutting down: the stream goes on answering what arrives, and ends
// with UNAVAILABLE and the reason SHUTTING_DOWN once no message came for
// DrainIdle, or DrainMax after the signal. So shutdown waits for the work
// in flight, not for the client to hang up, and no message received is
// left without an answer.
func serveStream[T any](ctx context.Context, draining <-chan struct{}, recv func() (T, error), handle func(T) error) error {
	// The receiver runs one message ahead of handle, so that a drain can
	// wait for the next message with a timer.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan received[T])
	go func() {
		for {
			m, err := recv()
			select {
			case msgs <- received[T]{m, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var idle *time.Timer
	var idleC, maxC <-chan time.Time
	for {
		var r received[T]
		select {
		case r = <-msgs:
		case <-draining:
			draining = nil // closed: take this branch once
			idle = time.NewTimer(DrainIdle)
			defer idle.Stop()
			idleC, maxC = idle.C, time.After(DrainMax)
			continue
		case <-idleC:
			// One last look: a message that arrived as the timer fired.
			select {
			case r = <-msgs:
			default:
				return shuttingDown()
			}
		case <-maxC:
			return shuttingDown()
		}
		if errors.Is(r.err, io.EOF) {
			return nil
		}
		if r.err != nil {
			return r.err
		}
		if err := handle(r.msg); err != nil {
			return err
		}
		if idle != nil {
			idle.Reset(DrainIdle)
		}
	}
}

func shuttingDown() error {
	st := status.New(codes.Unavailable, "server shutting down: open a new stream and send again the messages not answered")
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reasonShuttingDown, Domain: errorDomain}); err == nil {
		st = d
	}
	return st.Err()
}
