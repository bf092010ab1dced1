package sink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Spec is one configured sink, as written on the command line:
//
//	jsonl:-               JSON lines on standard output
//	jsonl:PATH            JSON lines appended to a file
//	redis-stream:KEY      XADD to a Redis Stream (Options.RedisURL)
//	webhook:URL           signed POST of each verdict (Options.Secret)
//	listmonk:URL          listmonk's POST /webhooks/bounce body
type Spec string

// Options are the settings shared by the sinks that Open builds.
type Options struct {
	// Stdout is where "jsonl:-" writes.
	Stdout io.Writer
	// RedisURL is the server of redis-stream sinks.
	RedisURL string
	// StreamMaxLen trims redis-stream sinks (default DefaultStreamMaxLen).
	StreamMaxLen int64
	// Secret signs webhook bodies (also listmonk's).
	Secret []byte
	// QueueDir holds one queue directory per webhook or listmonk sink,
	// named after a hash of its URL; empty keeps the queues in memory.
	QueueDir string
	// QueueMax bounds each queue (default DefaultQueueMax).
	QueueMax int
	Logger   *slog.Logger
}

// Open builds the sinks of specs, in order. On error it closes what it
// opened, without waiting for webhook queues (their items stay on disk).
func Open(specs []Spec, o Options) (Multi, error) {
	var out Multi
	for _, sp := range specs {
		s, err := open(sp, o)
		if err != nil {
			now, cancel := context.WithCancel(context.Background())
			cancel()
			for _, s := range out {
				_ = s.Close(now)
			}
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func open(sp Spec, o Options) (Sink, error) {
	kind, arg, ok := strings.Cut(string(sp), ":")
	if !ok || arg == "" {
		return nil, fmt.Errorf("sink: %q: want jsonl:PATH|-, redis-stream:KEY, webhook:URL or listmonk:URL", sp)
	}
	switch kind {
	case "jsonl":
		if arg == "-" {
			return NewJSONL(o.Stdout), nil
		}
		return OpenJSONL(arg)
	case "redis-stream":
		if o.RedisURL == "" {
			return nil, fmt.Errorf("sink: %q needs a Redis URL (--sink-redis or --redis)", sp)
		}
		return NewRedisStream(RedisStreamConfig{URL: o.RedisURL, Key: arg, MaxLen: o.StreamMaxLen})
	case "webhook", "listmonk":
		cfg := WebhookConfig{URL: arg, Secret: o.Secret, QueueMax: o.QueueMax, Logger: o.Logger}
		if kind == "listmonk" {
			cfg.Encode = EncodeListmonk
		}
		if o.QueueDir != "" {
			h := sha256.Sum256([]byte(kind + ":" + arg))
			cfg.QueueDir = filepath.Join(o.QueueDir, kind+"-"+hex.EncodeToString(h[:6]))
		}
		return NewWebhook(cfg)
	}
	return nil, fmt.Errorf("sink: %q: unknown kind %q", sp, kind)
}

// DefaultQueueDir is where webhook queues live when not configured:
// $STATE_DIRECTORY (systemd's StateDirectory=), else
// $XDG_STATE_HOME/bounced/queue, else ~/.local/state/bounced/queue.
func DefaultQueueDir() string {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		return filepath.Join(strings.Split(d, ":")[0], "queue")
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "bounced", "queue")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "bounced", "queue")
	}
	return ""
}
