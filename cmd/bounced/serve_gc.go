package main

import (
	"math"
	"runtime/debug"
)

// Garbage collector settings of serve, when the environment sets none.
//
// With Go's default (GOGC=100) a server whose live heap is about 10 MB
// (the engine's tables, gRPC's buffers, the in-process cache) collects
// every 10 MB allocated: eight or nine cycles a second at 2,000 messages a
// second, each marking the whole live heap again, about a tenth of the
// server's CPU per message. serveGCPercent lets the heap grow to five
// times what is live between cycles instead, a few tens of MB, and the
// soft memory limit (runtime/debug.SetMemoryLimit) makes the collector
// work harder as the heap nears what the in-flight budget was sized for,
// so the memory a deployment plans for (deploy/kubernetes: 1 GiB) holds
// with either setting.
const (
	serveGCPercent = 400
	// gcHeadroom is the memory beyond the messages in flight (about three
	// times their size while parsed, see server.DefaultMaxInflightBytes):
	// the runtime, gRPC's buffers and the in-process cache.
	gcHeadroom = 128 << 20
)

// gcSettings returns the GC percent and soft memory limit serve sets for
// a budget of maxInflight bytes of messages in flight; a value of -1
// leaves the runtime's as they are, because the environment sets it
// (gogc, memlimit: the GOGC and GOMEMLIMIT variables).
func gcSettings(maxInflight int64, gogc, memlimit string) (percent int, limit int64) {
	percent, limit = -1, -1
	if gogc == "" {
		percent = serveGCPercent
	}
	if memlimit == "" && maxInflight > 0 {
		limit = math.MaxInt64
		if maxInflight < (math.MaxInt64-gcHeadroom)/3 {
			limit = 3*maxInflight + gcHeadroom
		}
	}
	return percent, limit
}

// tuneGC applies gcSettings.
func tuneGC(maxInflight int64, gogc, memlimit string) {
	percent, limit := gcSettings(maxInflight, gogc, memlimit)
	if percent >= 0 {
		debug.SetGCPercent(percent)
	}
	if limit >= 0 {
		debug.SetMemoryLimit(limit)
	}
}
