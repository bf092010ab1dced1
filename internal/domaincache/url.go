package domaincache

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseRedisURL reads a RedisConfig from a URL:
//
//	redis://[[user]:password@]host[:port][/db][?option=value...]
//	rediss://...                      the same over TLS (server name: host)
//	unix://[[user]:password@]/path/to/redis.sock[?option=value...]
//
// The port defaults to 6379 and the host to localhost. Options:
//
//	addr=host:port     another address; repeat for more. Several addresses
//	                   mean a Cluster, or the Sentinels with master_name.
//	cluster=true       treat a single address as a Cluster seed
//	master_name=NAME   use Sentinel with this master set
//	sentinel_username=U, sentinel_password=P
//	db=N               database number (overrides the path)
//	key_prefix=P       RedisConfig.KeyPrefix
//	ttl=D, timeout=D, dial_timeout=D
//	                   Go durations ("720h", "50ms")
//	pool_size=N        connections per node
//
// Unknown options are an error. Errors never repeat the URL, which may
// hold a password.
func ParseRedisURL(rawURL string) (RedisConfig, error) {
	var cfg RedisConfig
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
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	switch u.Scheme {
	case "redis", "rediss":
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "localhost"
		}
		if port == "" {
			port = "6379"
		}
		cfg.Addrs = []string{net.JoinHostPort(host, port)}
		if p := strings.Trim(u.Path, "/"); p != "" {
			db, err := strconv.Atoi(p)
			if err != nil || db < 0 {
				return bad("path %q is not a database number", u.Path)
			}
			cfg.DB = db
		}
		if u.Scheme == "rediss" {
			cfg.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
	case "unix":
		if u.Path == "" || u.Host != "" {
			return bad("unix URL needs an absolute socket path: unix:///path/to/redis.sock")
		}
		cfg.Addrs = []string{u.Path}
	default:
		return bad("scheme %q is not redis, rediss or unix", u.Scheme)
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: %v", err)
	}
	for name, vals := range q {
		v := vals[len(vals)-1]
		var err error
		switch name {
		case "addr":
			cfg.Addrs = append(cfg.Addrs, vals...)
		case "cluster":
			cfg.ClusterMode, err = strconv.ParseBool(v)
		case "master_name":
			cfg.MasterName = v
		case "sentinel_username":
			cfg.SentinelUsername = v
		case "sentinel_password":
			cfg.SentinelPassword = v
		case "db":
			cfg.DB, err = strconv.Atoi(v)
		case "key_prefix":
			cfg.KeyPrefix = v
		case "ttl":
			cfg.TTL, err = time.ParseDuration(v)
		case "timeout":
			cfg.Timeout, err = time.ParseDuration(v)
		case "dial_timeout":
			cfg.DialTimeout, err = time.ParseDuration(v)
		case "pool_size":
			cfg.PoolSize, err = strconv.Atoi(v)
		default:
			return bad("unknown option %q", name)
		}
		if err != nil {
			return bad("option %s: %v", name, err)
		}
	}
	return cfg, nil
}
