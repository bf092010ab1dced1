package main

import (
	"math"
	"testing"

	"github.com/bounced/bounced/internal/server"
)

// TestGCSettings: serve collects less often than Go's default and bounds
// the heap by the in-flight budget, unless GOGC or GOMEMLIMIT say
// otherwise.
func TestGCSettings(t *testing.T) {
	for _, c := range []struct {
		name           string
		inflight       int64
		gogc, memlimit string
		percent        int
		limit          int64
	}{
		{"defaults", server.DefaultMaxInflightBytes, "", "", serveGCPercent, 3*server.DefaultMaxInflightBytes + gcHeadroom},
		{"GOGC set", server.DefaultMaxInflightBytes, "100", "", -1, 3*server.DefaultMaxInflightBytes + gcHeadroom},
		{"GOMEMLIMIT set", 64 << 20, "", "512MiB", serveGCPercent, -1},
		{"both set", 64 << 20, "off", "2GiB", -1, -1},
		{"huge budget", math.MaxInt64 / 2, "", "", serveGCPercent, math.MaxInt64},
	} {
		p, l := gcSettings(c.inflight, c.gogc, c.memlimit)
		if p != c.percent || l != c.limit {
			t.Errorf("%s: gcSettings = %d, %d; want %d, %d", c.name, p, l, c.percent, c.limit)
		}
	}
	// The default fits the memory limit of deploy/kubernetes.
	if _, l := gcSettings(server.DefaultMaxInflightBytes, "", ""); l > 1<<30 {
		t.Errorf("default soft memory limit %d MiB, over the manifest's 1 GiB", l>>20)
	}
}
