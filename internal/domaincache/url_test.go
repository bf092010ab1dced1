package domaincache

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRedisURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want RedisConfig
	}{
		// go-redis ParseURL's forms, redis.uptrace.dev "Connecting to Redis".
		{"redis://localhost:6379/0", RedisConfig{Addrs: []string{"localhost:6379"}}},
		{"redis://", RedisConfig{Addrs: []string{"localhost:6379"}}},
		{"redis://user:secret@redis.internal:6380/3", RedisConfig{Addrs: []string{"redis.internal:6380"}, Username: "user", Password: "secret", DB: 3}},
		{"redis://:secret@[::1]", RedisConfig{Addrs: []string{"[::1]:6379"}, Password: "secret"}},
		{"unix:///run/redis/redis.sock?db=2", RedisConfig{Addrs: []string{"/run/redis/redis.sock"}, DB: 2}},
		{"unix://user:pw@/tmp/r.sock", RedisConfig{Addrs: []string{"/tmp/r.sock"}, Username: "user", Password: "pw"}},
		// Cluster seeds and Sentinel.
		{"redis://n1:7000?addr=n2:7000&addr=n3:7000", RedisConfig{Addrs: []string{"n1:7000", "n2:7000", "n3:7000"}}},
		{"redis://cfg.cache.example:6379?cluster=true", RedisConfig{Addrs: []string{"cfg.cache.example:6379"}, ClusterMode: true}},
		// go-redis ParseFailoverURL: the URL's credentials are the Sentinels', password= the data nodes'.
		{"redis://:spw@s1:26379?addr=s2:26379&master_name=mymaster&password=pw",
			RedisConfig{Addrs: []string{"s1:26379", "s2:26379"}, Password: "pw", MasterName: "mymaster", SentinelPassword: "spw"}},
		// go-redis: a duration without a unit is in seconds.
		{"redis://h?dial_timeout=3", RedisConfig{Addrs: []string{"h:6379"}, DialTimeout: 3 * time.Second}},
		// Our own options.
		{"redis://h?key_prefix=bx&ttl=720h&timeout=20ms&dial_timeout=2s&pool_size=4",
			RedisConfig{Addrs: []string{"h:6379"}, KeyPrefix: "bx", TTL: 720 * time.Hour, Timeout: 20 * time.Millisecond, DialTimeout: 2 * time.Second, PoolSize: 4}},
	} {
		got, err := ParseRedisURL(tc.url)
		if err != nil {
			t.Errorf("ParseRedisURL(%q) = %v", tc.url, err)
			continue
		}
		slices.Sort(got.Addrs[1:]) // query order
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseRedisURL(%q) =\n  %+v\nwant\n  %+v", tc.url, got, tc.want)
		}
	}

	tlsCfg, err := ParseRedisURL("rediss://user:pw@cache.example:6380")
	if err != nil || tlsCfg.TLS == nil || tlsCfg.TLS.ServerName != "cache.example" {
		t.Errorf("ParseRedisURL(rediss://...) = %+v, %v; want TLS with ServerName cache.example", tlsCfg, err)
	}

	for _, bad := range []string{
		"http://localhost:6379",
		"redis://localhost:6379/x",
		"redis://localhost:6379/1/2",
		"redis://localhost:6379?unknown=1",
		"redis://localhost:6379?ttl=forever",
		"redis://localhost:6379?pool_size=many",
		"unix://",
		"unix://host/tmp/r.sock",
		"redis://user:s3cret@local host:6379",
		"redis://user:s3cret@localhost:port",
		"redis://h?password=s3cret",             // data-node password outside Sentinel
		"redis://n1:7000/2?addr=n2:7000",        // Cluster has only database 0
		"redis://h?read_timeout=1s",             // go-redis option RedisConfig does not carry
		"redis://h?dial_timeout=-1",             // negative
		"redis://n1:7000?addr=n2&cluster=maybe", // bad addr and bool
	} {
		_, err := ParseRedisURL(bad)
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ParseRedisURL(%q) = %v, want ErrInvalidConfig", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseRedisURL(%q) error %q repeats the password", bad, err)
		}
	}
}
