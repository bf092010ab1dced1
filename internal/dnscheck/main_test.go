package dnscheck

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a lookup, a flight or a test server
// leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
