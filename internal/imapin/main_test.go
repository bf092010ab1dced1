package imapin_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind (a reader
// whose connection outlived Run).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
