package server

import (
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/bounce"
)

// TestCacheStatusNames: the engine's name of each cache status (the
// metrics' label, loadgen's report) is the wire enum's name without its
// prefix, and no two statuses share one.
func TestCacheStatusNames(t *testing.T) {
	seen := map[string]bool{}
	for s := bounce.CacheDisabled; s <= bounce.CacheUnavailable; s++ {
		name := s.String()
		if seen[name] {
			t.Errorf("%d: name %q used twice", s, name)
		}
		seen[name] = true
		wire := CacheStatusProto(s).String()
		if want := strings.TrimPrefix(wire, "CACHE_STATUS_"); strings.ToUpper(name) != want {
			t.Errorf("%d: String() = %q, wire enum %s", s, name, wire)
		}
	}
}
