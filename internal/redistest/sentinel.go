package redistest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SentinelMaster is the master set name the test Sentinels monitor.
const SentinelMaster = "mymaster"

// SentinelDownAfter is down-after-milliseconds of the test Sentinels: a
// primary silent this long is seen as down and failed over. Production
// defaults to 30 s; the tests want failovers within seconds.
const SentinelDownAfter = 500 * time.Millisecond

// Sentinel is one Redis primary, one replica and three Sentinels (quorum
// 2) monitoring them as SentinelMaster, all on loopback ports, for one
// test. Data nodes run without persistence.
type Sentinel struct {
	t         testing.TB
	data      []*node // primary and replica as started
	sentinels []*node
}

// StartSentinel starts the five processes for t, waits until the replica
// is in sync and every Sentinel knows the replica and the two other
// Sentinels, and kills them all when t ends. It needs redis-server, which
// runs as a Sentinel with --sentinel (the Debian package redis-sentinel
// only adds a service and a link to the same binary).
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	base := t.TempDir()
	common := []string{"--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"}
	primary := startNodes(t, filepath.Join(base, "primary"), 1, func(int, []int, string) []string { return common })[0]
	replica := startNodes(t, filepath.Join(base, "replica"), 1, func(int, []int, string) []string {
		return append([]string{"--replicaof", "127.0.0.1", fmt.Sprint(primary.port)}, common...)
	})[0]
	s := &Sentinel{t: t, data: []*node{primary, replica}}
	waitFor(t, ClusterTimeout, "replica in sync", func() string {
		info, err := replica.do("INFO", "replication")
		if err != nil {
			return err.Error()
		}
		if st := infoField(info, "master_link_status"); st != "up" {
			return "master_link_status:" + st
		}
		return ""
	})
	s.sentinels = startNodes(t, filepath.Join(base, "sentinel"), 3, func(_ int, _ []int, dir string) []string {
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %[1]s 127.0.0.1 %[2]d 2\n"+
			"sentinel down-after-milliseconds %[1]s %[3]d\n"+
			"sentinel failover-timeout %[1]s 5000\n"+
			"sentinel parallel-syncs %[1]s 1\n",
			SentinelMaster, primary.port, SentinelDownAfter.Milliseconds())
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		return []string{conf, "--sentinel"}
	})
	waitFor(t, ClusterTimeout, "Sentinels that know the replica and each other", func() string {
		for _, n := range s.sentinels {
			info, err := n.do("INFO", "sentinel")
			if err != nil {
				return err.Error()
			}
			m := infoField(info, "master0")
			if !strings.Contains(m, "status=ok") || !strings.Contains(m, "slaves=1") || !strings.Contains(m, "sentinels=3") {
				return n.addr() + ": " + m
			}
		}
		return ""
	})
	return s
}

// SentinelAddrs returns the Sentinels' host:port addresses.
func (s *Sentinel) SentinelAddrs() []string {
	var out []string
	for _, n := range s.sentinels {
		out = append(out, n.addr())
	}
	return out
}

// DataAddrs returns the primary's and the replica's addresses as started.
func (s *Sentinel) DataAddrs() []string {
	return []string{s.data[0].addr(), s.data[1].addr()}
}

// Primary returns the address the first running Sentinel gives for the
// master.
func (s *Sentinel) Primary() string {
	s.t.Helper()
	for _, n := range s.sentinels {
		if !n.running() {
			continue
		}
		out, err := n.do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SentinelMaster)
		if err != nil {
			continue
		}
		host, port, ok := strings.Cut(out, "\n")
		if ok {
			return net.JoinHostPort(host, port)
		}
	}
	s.t.Fatalf("redistest: no Sentinel names the primary")
	return ""
}

// KillPrimary kills the current primary with SIGKILL and returns its
// address.
func (s *Sentinel) KillPrimary() string {
	s.t.Helper()
	addr := s.Primary()
	for _, n := range s.data {
		if n.addr() == addr {
			n.kill()
			return addr
		}
	}
	s.t.Fatalf("redistest: the Sentinels' primary %s is none of the data nodes %v", addr, s.DataAddrs())
	return ""
}

// WaitFailover waits until every Sentinel names a primary other than old
// and that node answers as a primary, and returns its address.
func (s *Sentinel) WaitFailover(old string) string {
	s.t.Helper()
	var now string
	waitFor(s.t, ClusterTimeout, "a failover away from "+old, func() string {
		for _, n := range s.sentinels {
			out, err := n.do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SentinelMaster)
			if err != nil {
				return err.Error()
			}
			host, port, _ := strings.Cut(out, "\n")
			now = net.JoinHostPort(host, port)
			if now == old {
				return n.addr() + " still names " + old
			}
		}
		info, err := doAddr(now, "INFO", "replication")
		if err != nil {
			return err.Error()
		}
		if role := infoField(info, "role"); role != "master" {
			return now + " has role " + role
		}
		return ""
	})
	return now
}

// Log returns the output of every process, for failure messages.
func (s *Sentinel) Log() string {
	var b strings.Builder
	for _, n := range append(append([]*node{}, s.data...), s.sentinels...) {
		fmt.Fprintf(&b, "--- %s\n%s", n.addr(), n.log())
	}
	return b.String()
}
