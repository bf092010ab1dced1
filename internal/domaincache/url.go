package domaincache

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ParseRedisURL reads a RedisConfig from a URL. The URL grammar is
// go-redis's own (redis.ParseURL, redis.ParseClusterURL and
// redis.ParseFailoverURL read it), plus this package's options:
//
//	redis://[[user]:password@]host[:port][/db][?option=value...]
//	rediss://...                      the same over TLS (server name: host)
//	unix://[[user]:password@]/path/to/redis.sock[?option=value...]
//
// The port defaults to 6379 and the host to localhost. Which go-redis
// reader is used follows from the options:
//
//	master_name=NAME   Sentinel (redis.ParseFailoverURL): host and addr= are
//	                   the Sentinels, the URL's user and password are the
//	                   Sentinels' (go-redis's convention), username= and
//	                   password= are the data nodes'
//	addr=host:port     more addresses; without master_name they are the
//	                   seeds of a Cluster (redis.ParseClusterURL)
//	cluster=true       a single address as a Cluster seed
//	                   otherwise a single node (redis.ParseURL)
//
// Options go-redis reads that RedisConfig carries:
//
//	db=N               database number (overrides the path)
//	dial_timeout=D     a Go duration, or whole seconds ("2s", "2")
//	pool_size=N        connections per node
//	skip_verify=true   rediss: do not verify the certificate
//
// and this package's own:
//
//	key_prefix=P       RedisConfig.KeyPrefix
//	ttl=D, timeout=D   Go durations ("720h", "50ms")
//
// Any other option is an error, so that nothing is silently ignored.
// Errors never repeat the URL, which may hold a password.
func ParseRedisURL(rawURL string) (RedisConfig, error) {
	bad := func(format string, args ...any) (RedisConfig, error) {
		return RedisConfig{}, fmt.Errorf("%w: redis URL: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // url.Error repeats the URL
		}
		return bad("%v", err)
	}
	if u.Scheme == "unix" && u.Host != "" {
		return bad("unix URL needs an absolute socket path: unix:///path/to/redis.sock")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: %v", err)
	}

	// This package's options, taken out before go-redis reads the rest.
	var cfg RedisConfig
	var cluster bool
	for name, vals := range q {
		v := vals[len(vals)-1]
		var err error
		switch name {
		case "key_prefix":
			cfg.KeyPrefix = v
		case "ttl":
			cfg.TTL, err = time.ParseDuration(v)
		case "timeout":
			cfg.Timeout, err = time.ParseDuration(v)
		case "cluster":
			cluster, err = strconv.ParseBool(v)
		case "db", "dial_timeout", "pool_size", "skip_verify", "addr", "master_name", "username", "password":
			continue // go-redis's
		default:
			return bad("unknown option %q", name)
		}
		if err != nil {
			return bad("option %s: %v", name, err)
		}
		delete(q, name)
	}
	sentinel := q.Get("master_name") != ""
	if _, ok := q["username"]; ok && !sentinel || q.Has("password") && !sentinel {
		return bad("username= and password= are for Sentinel (with master_name); put them in the URL")
	}
	rest := *u
	rest.RawQuery = q.Encode()
	s := rest.String()

	switch {
	case sentinel:
		o, err := redis.ParseFailoverURL(s)
		if err != nil {
			return bad("%v", err)
		}
		cfg.MasterName, cfg.Addrs, cfg.DB, cfg.TLS = o.MasterName, o.SentinelAddrs, o.DB, o.TLSConfig
		cfg.Username, cfg.Password = o.Username, o.Password
		cfg.SentinelUsername, cfg.SentinelPassword = o.SentinelUsername, o.SentinelPassword
		cfg.DialTimeout, cfg.PoolSize = o.DialTimeout, o.PoolSize
	case cluster || q.Has("addr"):
		if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
			return bad("a Redis Cluster has only database 0")
		}
		if q.Has("db") {
			return bad("a Redis Cluster has only database 0")
		}
		o, err := redis.ParseClusterURL(s)
		if err != nil {
			return bad("%v", err)
		}
		cfg.Addrs, cfg.ClusterMode, cfg.TLS = o.Addrs, cluster, o.TLSConfig
		cfg.Username, cfg.Password = o.Username, o.Password
		cfg.DialTimeout, cfg.PoolSize = o.DialTimeout, o.PoolSize
	default:
		o, err := redis.ParseURL(s)
		if err != nil {
			return bad("%v", err)
		}
		cfg.Addrs, cfg.DB, cfg.TLS = []string{o.Addr}, o.DB, o.TLSConfig
		cfg.Username, cfg.Password = o.Username, o.Password
		cfg.DialTimeout, cfg.PoolSize = o.DialTimeout, o.PoolSize
	}
	if cfg.DialTimeout < 0 || cfg.PoolSize < 0 || cfg.DB < 0 {
		return bad("dial_timeout, pool_size and db must not be negative")
	}
	if len(cfg.Addrs) > 1 {
		slices.Sort(cfg.Addrs[1:]) // the query's order is not the URL's
	}
	return cfg, nil
}
