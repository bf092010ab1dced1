package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisSnapshot is what INFO commandstats and INFO cpu say, summed over
// the nodes given with -redis-info.
type redisSnapshot struct {
	calls map[string]int64 // per command, lower case
	cpu   time.Duration    // used_cpu_sys + used_cpu_user
}

// commands loadgen's own INFO calls and connection set-up add; they are
// left out of the per-message figures.
var ignoredCommands = map[string]bool{"info": true, "hello": true, "client|setinfo": true, "client|setname": true, "ping": true, "command": true, "command|docs": true, "cluster|slots": true, "cluster|shards": true}

// readRedis reads every node. A node is host:port (loopback only) or a
// unix socket path. List the primaries only: a replica's commandstats
// count the writes it replays.
func readRedis(ctx context.Context, nodes []string) (redisSnapshot, error) {
	snap := redisSnapshot{calls: map[string]int64{}}
	for _, n := range nodes {
		opt := &redis.Options{Addr: n, MaxRetries: -1, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, Protocol: 2}
		if strings.HasPrefix(n, "/") {
			opt.Network = "unix"
		} else if err := checkLoopback(n); err != nil {
			return snap, fmt.Errorf("-redis-info: %v", err)
		}
		c := redis.NewClient(opt)
		info, err := c.Info(ctx, "commandstats", "cpu").Result()
		c.Close()
		if err != nil {
			return snap, fmt.Errorf("redis %s: INFO: %w", n, err)
		}
		parseInfo(info, &snap)
	}
	return snap, nil
}

// parseInfo adds an INFO text's commandstats and CPU to snap:
//
//	cmdstat_hincrby:calls=12,usec=30,...
//	used_cpu_sys:1.234
func parseInfo(info string, snap *redisSnapshot) {
	for line := range strings.Lines(info) {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "cmdstat_"); ok {
			name, fields, _ := strings.Cut(rest, ":")
			calls, _, _ := strings.Cut(strings.TrimPrefix(fields, "calls="), ",")
			if n, err := strconv.ParseInt(calls, 10, 64); err == nil {
				snap.calls[name] += n
			}
			continue
		}
		for _, k := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					snap.cpu += time.Duration(f * float64(time.Second))
				}
			}
		}
	}
}

// redisDelta is the Redis work a run caused.
type redisDelta struct {
	calls map[string]int64
	total int64
	cpu   time.Duration
}

func diffRedis(before, after redisSnapshot) redisDelta {
	d := redisDelta{calls: map[string]int64{}, cpu: after.cpu - before.cpu}
	for name, n := range after.calls {
		if ignoredCommands[name] {
			continue
		}
		if delta := n - before.calls[name]; delta > 0 {
			d.calls[name] = delta
			d.total += delta
		}
	}
	return d
}
