package sink

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// DefaultStreamMaxLen is the approximate length a Redis Stream sink trims to.
const DefaultStreamMaxLen = 1_000_000

// RedisStream adds each verdict to a Redis Stream with
// XADD key MAXLEN ~ n * source S kind K verdict JSON.
// Consumers read it with XREAD or consumer groups (XREADGROUP).
type RedisStream struct {
	client  redis.UniversalClient
	key     string
	maxLen  int64
	timeout time.Duration
	own     bool
}

// RedisStreamConfig configures a RedisStream.
type RedisStreamConfig struct {
	// Client is the Redis connection; when nil, URL is dialled.
	Client redis.UniversalClient
	// URL is a redis://, rediss:// or unix:// URL, used when Client is nil.
	URL string
	// Key is the stream's key (required).
	Key string
	// MaxLen trims the stream to about this many entries (default
	// DefaultStreamMaxLen); the trim is approximate ("~"), which Redis
	// does in whole macro nodes, cheaply.
	MaxLen int64
	// Timeout bounds each XADD (default 5 s).
	Timeout time.Duration
}

// NewRedisStream returns a Redis Stream sink.
func NewRedisStream(cfg RedisStreamConfig) (*RedisStream, error) {
	if cfg.Key == "" {
		return nil, fmt.Errorf("sink: redis-stream: empty key")
	}
	s := &RedisStream{client: cfg.Client, key: cfg.Key, maxLen: cfg.MaxLen, timeout: cfg.Timeout}
	if s.maxLen <= 0 {
		s.maxLen = DefaultStreamMaxLen
	}
	if s.timeout <= 0 {
		s.timeout = 5 * time.Second
	}
	if s.client == nil {
		opt, err := redis.ParseURL(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("sink: redis-stream: %w", err)
		}
		s.client, s.own = redis.NewClient(opt), true
	}
	return s, nil
}

// Deliver implements Sink.
func (s *RedisStream) Deliver(ctx context.Context, v *pb.ParseResponse) error {
	b, err := JSONOptions.Marshal(v)
	if err != nil {
		return fmt.Errorf("sink: redis-stream: marshal: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err = s.client.XAdd(ctx, &redis.XAddArgs{
		Stream: s.key,
		MaxLen: s.maxLen,
		Approx: true,
		Values: []any{"source", v.GetSource(), "kind", v.GetKind().String(), "verdict", b},
	}).Err()
	if err != nil {
		return fmt.Errorf("sink: redis-stream %s: %w", s.key, err)
	}
	return nil
}

// Close implements Sink; it closes the client only when it dialled it.
func (s *RedisStream) Close(context.Context) error {
	if s.own {
		return s.client.Close()
	}
	return nil
}
