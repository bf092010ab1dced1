package redistest

import (
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ClusterTimeout bounds the wait for a Cluster to form or to heal after a
// failover.
const ClusterTimeout = 30 * time.Second

// ClusterNodeTimeout is the cluster-node-timeout of the test Clusters: a
// primary silent this long is failed over to its replica. Production
// defaults to 15 s; the tests want failovers within seconds.
const ClusterNodeTimeout = 1000 * time.Millisecond

// ClusterOptions shapes a test Cluster.
type ClusterOptions struct {
	// Primaries is the number of primaries, 3 when zero (the least
	// redis-cli --cluster create accepts).
	Primaries int
	// Replicas is the number of replicas per primary (0 or 1 in practice).
	// A Cluster needs one for a killed primary to fail over.
	Replicas int
}

// Cluster is a Redis Cluster of redis-server processes on loopback ports,
// made with redis-cli --cluster create, for one test. Nodes run with
// cluster-node-timeout ClusterNodeTimeout and
// cluster-require-full-coverage no (the slots of a dead primary fail, the
// others go on), no persistence, and one directory each.
type Cluster struct {
	t     testing.TB
	nodes []*node
}

// StartCluster starts a Cluster for t, waits until every node reports
// cluster_state:ok with all 16384 slots served and every replica in sync,
// and kills the nodes when t ends. It needs redis-server and redis-cli
// (Debian packages redis-server and redis-tools).
func StartCluster(t testing.TB, opt ClusterOptions) *Cluster {
	t.Helper()
	if opt.Primaries == 0 {
		opt.Primaries = 3
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatalf("redistest: redis-cli not found in PATH (%v): install the Debian package redis-tools", err)
	}
	count := opt.Primaries * (1 + opt.Replicas)
	nodes := startNodes(t, t.TempDir(), count, func(i int, ports []int, _ string) []string {
		return []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", strconv.FormatInt(ClusterNodeTimeout.Milliseconds(), 10),
			"--cluster-port", strconv.Itoa(ports[count+i]),
			"--cluster-require-full-coverage", "no",
			"--save", "",
			"--appendonly", "no",
			"--repl-diskless-sync-delay", "0", // replicas sync at once
		}
	})
	c := &Cluster{t: t, nodes: nodes}
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(opt.Replicas), "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redistest: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c.WaitHealthy()
	return c
}

// Addrs returns every node's host:port, primaries first as created.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, n := range c.nodes {
		out = append(out, n.addr())
	}
	return out
}

func (c *Cluster) node(addr string) *node {
	c.t.Helper()
	for _, n := range c.nodes {
		if n.addr() == addr {
			return n
		}
	}
	c.t.Fatalf("redistest: %s is not a node of this Cluster", addr)
	return nil
}

// clusterNode is one line of CLUSTER NODES.
type clusterNode struct {
	id, addr, primaryID string
	flags               []string
	slots               [][2]int
}

func (n clusterNode) has(flag string) bool { return slices.Contains(n.flags, flag) }

// topology reads CLUSTER NODES from a running node.
func (c *Cluster) topology() ([]clusterNode, error) {
	var lastErr error = fmt.Errorf("no node is running")
	for _, n := range c.nodes {
		if !n.running() {
			continue
		}
		text, err := n.do("CLUSTER", "NODES")
		if err != nil {
			lastErr = err
			continue
		}
		var out []clusterNode
		for line := range strings.Lines(text) {
			f := strings.Fields(line)
			if len(f) < 8 {
				continue
			}
			cn := clusterNode{id: f[0], addr: strings.SplitN(f[1], "@", 2)[0], primaryID: f[3], flags: strings.Split(f[2], ",")}
			for _, s := range f[8:] {
				if strings.HasPrefix(s, "[") {
					continue // a slot being migrated
				}
				lo, hi, found := strings.Cut(s, "-")
				if !found {
					hi = lo
				}
				a, err1 := strconv.Atoi(lo)
				b, err2 := strconv.Atoi(hi)
				if err1 == nil && err2 == nil {
					cn.slots = append(cn.slots, [2]int{a, b})
				}
			}
			out = append(out, cn)
		}
		return out, nil
	}
	return nil, lastErr
}

// PrimaryFor returns the address of the primary that serves key now, as
// a running node sees it.
func (c *Cluster) PrimaryFor(key string) string {
	c.t.Helper()
	slot := Slot(key)
	nodes, err := c.topology()
	if err != nil {
		c.t.Fatalf("redistest: CLUSTER NODES: %v", err)
	}
	for _, n := range nodes {
		if !n.has("master") {
			continue
		}
		for _, r := range n.slots {
			if slot >= r[0] && slot <= r[1] {
				return n.addr
			}
		}
	}
	c.t.Fatalf("redistest: no primary serves slot %d (key %q)", slot, key)
	return ""
}

// Primaries returns the addresses of the nodes that serve slots now.
func (c *Cluster) Primaries() []string {
	c.t.Helper()
	nodes, err := c.topology()
	if err != nil {
		c.t.Fatalf("redistest: CLUSTER NODES: %v", err)
	}
	var out []string
	for _, n := range nodes {
		if n.has("master") && !n.has("fail") && len(n.slots) > 0 {
			out = append(out, n.addr)
		}
	}
	slices.Sort(out)
	return out
}

// Kill stops the node at addr with SIGKILL, as a crash would.
func (c *Cluster) Kill(addr string) {
	c.t.Helper()
	c.node(addr).kill()
}

// Restart starts the killed node at addr again with its old identity
// (nodes.conf) and no data; a primary that was failed over rejoins as a
// replica. It does not wait for the Cluster to heal: see WaitHealthy.
func (c *Cluster) Restart(addr string) {
	c.t.Helper()
	n := c.node(addr)
	n.kill()
	if ok, log := n.start(); !ok {
		c.t.Fatalf("redistest: restart %s: redis-server exited:\n%s", addr, log)
	}
}

// WaitHealthy waits until every running node reports cluster_state:ok,
// every slot is served by a running primary that no node flags as
// failing, and every running replica's link to its primary is up.
func (c *Cluster) WaitHealthy() {
	c.t.Helper()
	waitFor(c.t, ClusterTimeout, "a healthy Cluster", c.health)
}

func (c *Cluster) health() string {
	running := map[string]bool{}
	for _, n := range c.nodes {
		if n.running() {
			running[n.addr()] = true
		}
	}
	for _, n := range c.nodes {
		if !running[n.addr()] {
			continue
		}
		info, err := n.do("CLUSTER", "INFO")
		if err != nil {
			return fmt.Sprintf("%s: CLUSTER INFO: %v", n.addr(), err)
		}
		if st := infoField(info, "cluster_state"); st != "ok" {
			return fmt.Sprintf("%s: cluster_state:%s", n.addr(), st)
		}
		if ok := infoField(info, "cluster_slots_ok"); ok != "16384" {
			return fmt.Sprintf("%s: cluster_slots_ok:%s", n.addr(), ok)
		}
		repl, err := n.do("INFO", "replication")
		if err != nil {
			return fmt.Sprintf("%s: INFO replication: %v", n.addr(), err)
		}
		if infoField(repl, "role") == "slave" && infoField(repl, "master_link_status") != "up" {
			return fmt.Sprintf("%s: replica link %s", n.addr(), infoField(repl, "master_link_status"))
		}
	}
	nodes, err := c.topology()
	if err != nil {
		return err.Error()
	}
	served := 0
	for _, n := range nodes {
		if !n.has("master") || len(n.slots) == 0 {
			continue
		}
		if !running[n.addr] || n.has("fail") || n.has("fail?") {
			return fmt.Sprintf("slots still on %s (%s)", n.addr, strings.Join(n.flags, ","))
		}
		for _, r := range n.slots {
			served += r[1] - r[0] + 1
		}
	}
	if served != 16384 {
		return fmt.Sprintf("%d of 16384 slots served", served)
	}
	return ""
}

// MoveSlot moves slot, with its keys, from the primary that serves it to
// the primary at to, the way redis-cli --cluster reshard does (CLUSTER
// SETSLOT IMPORTING and MIGRATING, MIGRATE, CLUSTER SETSLOT NODE), and
// waits until every node agrees. Clients learn of it from MOVED replies.
func (c *Cluster) MoveSlot(slot int, to string) {
	c.t.Helper()
	nodes, err := c.topology()
	if err != nil {
		c.t.Fatalf("redistest: CLUSTER NODES: %v", err)
	}
	var src, dst clusterNode
	for _, n := range nodes {
		if n.addr == to {
			dst = n
		}
		for _, r := range n.slots {
			if n.has("master") && slot >= r[0] && slot <= r[1] {
				src = n
			}
		}
	}
	if src.id == "" || dst.id == "" || !dst.has("master") {
		c.t.Fatalf("redistest: move slot %d to %s: source %q, destination %q (want a primary)", slot, to, src.addr, dst.addr)
	}
	if src.id == dst.id {
		return
	}
	s := strconv.Itoa(slot)
	must := func(addr string, args ...string) string {
		c.t.Helper()
		out, err := doAddr(addr, args...)
		if err != nil {
			c.t.Fatalf("redistest: %s: %s: %v", addr, strings.Join(args, " "), err)
		}
		return out
	}
	must(dst.addr, "CLUSTER", "SETSLOT", s, "IMPORTING", src.id)
	must(src.addr, "CLUSTER", "SETSLOT", s, "MIGRATING", dst.id)
	host, port, _ := strings.Cut(dst.addr, ":")
	for {
		keys := must(src.addr, "CLUSTER", "GETKEYSINSLOT", s, "100")
		if keys == "" {
			break
		}
		must(src.addr, append([]string{"MIGRATE", host, port, "", "0", "5000", "KEYS"}, strings.Split(keys, "\n")...)...)
	}
	// The destination and the source must learn the new owner; the other
	// primaries only learn it sooner than by gossip (CLUSTER SETSLOT,
	// https://redis.io/docs/latest/commands/cluster-setslot/), so an error
	// there is not the move's: the topology read above is one node's view,
	// and a node it still lists as a primary may have become a replica
	// ("use SETSLOT only with masters"). waitFor below checks every node.
	must(dst.addr, "CLUSTER", "SETSLOT", s, "NODE", dst.id)
	must(src.addr, "CLUSTER", "SETSLOT", s, "NODE", dst.id)
	for _, n := range nodes {
		if n.has("master") && !n.has("fail") && n.id != src.id && n.id != dst.id {
			_, _ = doAddr(n.addr, "CLUSTER", "SETSLOT", s, "NODE", dst.id)
		}
	}
	waitFor(c.t, ClusterTimeout, fmt.Sprintf("every node to see slot %d on %s", slot, to), func() string {
		for _, n := range c.nodes {
			if !n.running() {
				continue
			}
			text, err := n.do("CLUSTER", "NODES")
			if err != nil {
				return err.Error()
			}
			for line := range strings.Lines(text) {
				f := strings.Fields(line)
				if len(f) > 8 && f[0] != dst.id && slices.ContainsFunc(f[8:], func(r string) bool { return inRange(r, slot) }) {
					return n.addr() + " still has the slot on " + f[1]
				}
			}
		}
		return ""
	})
}

// inRange reports whether a CLUSTER NODES slot field ("5", "0-5460")
// holds slot.
func inRange(field string, slot int) bool {
	lo, hi, found := strings.Cut(field, "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	return err1 == nil && err2 == nil && slot >= a && slot <= b
}

// Log returns the output of every node, for failure messages.
func (c *Cluster) Log() string {
	var b strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "--- %s\n%s", n.addr(), n.log())
	}
	return b.String()
}

// Slot returns the Cluster hash slot of key: CRC16 (XMODEM) of the key, or
// of its hash tag (the part between the first '{' and the next '}' when
// not empty), modulo 16384. See the Redis Cluster specification, "Key
// distribution model".
func Slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for k := 0; k < len(key); k++ {
		crc ^= uint16(key[k]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}
