package sink_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// TestMain fails the run when a test leaves a goroutine behind (a
// webhook sender that Close did not stop).
func TestMain(m *testing.M) {
	redis.SetLogger(quietRedis{})
	goleak.VerifyTestMain(m)
}
