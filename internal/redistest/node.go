package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// node is one redis-server (data node or Sentinel) listening on a loopback
// TCP port, for the Cluster and Sentinel helpers. Its files live in dir,
// which survives Kill and Restart, so a Cluster node keeps its identity
// (nodes.conf) and a Sentinel its configuration.
type node struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string // before the common ones, so a config file can come first

	mu     sync.Mutex
	cmd    *exec.Cmd
	out    *lockedWriter
	exited chan struct{}
}

// addr is the node's host:port.
func (n *node) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)) }

// redisBin returns the redis-server binary or fails t with what to install.
func redisBin(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: redis-server not found in PATH (%v): install the Debian package redis-server (apt-get install redis-server)", err)
	}
	return bin
}

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a
// moment ago. Another process may take one before redis-server binds it;
// startNodes retries with new ports when that happens.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("redistest: no free loopback port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// start runs the node and waits until it answers PING. It reports false,
// with the log, when redis-server exits first (a port taken in the
// meantime, say).
func (n *node) start() (ok bool, log string) {
	n.t.Helper()
	n.mu.Lock()
	args := append([]string{}, n.args...)
	args = append(args,
		"--port", strconv.Itoa(n.port),
		"--bind", "127.0.0.1",
		"--dir", n.dir,
		"--daemonize", "no",
		"--logfile", "",
		"--loglevel", "warning",
	)
	cmd := exec.Command(n.bin, args...)
	out := &lockedWriter{}
	cmd.Stdout, cmd.Stderr = out, out
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		n.mu.Unlock()
		n.t.Fatalf("redistest: start %s: %v", n.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	n.cmd, n.out, n.exited = cmd, out, exited
	n.mu.Unlock()

	deadline := time.Now().Add(StartTimeout)
	var err error
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if _, err = n.do("PING"); err == nil {
			return true, ""
		}
		select {
		case <-exited:
			return false, out.String()
		default:
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("redistest: redis at %s does not answer PING after %v: %v\nredis-server output:\n%s", n.addr(), StartTimeout, err, out.String())
		}
		time.Sleep(delay)
	}
}

// kill stops the node at once with SIGKILL, as a crash would, and waits
// until it has exited.
func (n *node) kill() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.exited
	n.cmd = nil
}

// running reports whether the node's process is alive.
func (n *node) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

func (n *node) log() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.out == nil {
		return ""
	}
	return n.out.String()
}

// do sends one inline command and returns its reply, flattened: a simple
// or bulk string as is, an array as its elements one per line, an error
// reply as an error. Enough for PING, INFO, CLUSTER INFO and the SENTINEL
// queries the helpers make, without a client library's retries.
func (n *node) do(args ...string) (string, error) {
	return doAddr(n.addr(), args...)
}

func doAddr(addr string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	var out strings.Builder
	if err := readReply(bufio.NewReader(c), &out); err != nil {
		return "", err
	}
	return strings.TrimSuffix(out.String(), "\n"), nil
}

// readReply reads one RESP2 reply into out.
func readReply(r *bufio.Reader, out *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return fmt.Errorf("redistest: empty reply line")
	}
	switch line[0] {
	case '+', ':':
		out.WriteString(line[1:] + "\n")
	case '-':
		return fmt.Errorf("redis: %s", line[1:])
	case '$':
		size, err := strconv.Atoi(line[1:])
		if err != nil {
			return err
		}
		if size < 0 {
			out.WriteString("\n")
			return nil
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf[:size])
		out.WriteString("\n")
	case '*':
		count, err := strconv.Atoi(line[1:])
		if err != nil {
			return err
		}
		for range count {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("redistest: unexpected reply %q", line)
	}
	return nil
}

// infoField returns one "name:value" field of an INFO-style text.
func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// startNodes makes len(argsFor) nodes, each in its own directory under
// base, on fresh ports, and starts them. When a node exits at start (its
// port was taken meanwhile), all are stopped and started again on new
// ports, up to three times. Cleanups kill them when t ends.
func startNodes(t testing.TB, base string, count int, argsFor func(i int, ports []int, dir string) []string) []*node {
	t.Helper()
	bin := redisBin(t)
	var lastLog string
	for range 3 {
		ports := freePorts(t, 2*count) // room for the Cluster bus ports
		nodes := make([]*node, count)
		ok := true
		for i := range count {
			dir := filepath.Join(base, fmt.Sprintf("node%d-%d", i, ports[i]))
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatalf("redistest: %v", err)
			}
			nodes[i] = &node{t: t, bin: bin, dir: dir, port: ports[i], args: argsFor(i, ports, dir)}
			t.Cleanup(nodes[i].kill)
			if started, log := nodes[i].start(); !started {
				ok, lastLog = false, log
				break
			}
		}
		if ok {
			return nodes
		}
		for _, n := range nodes {
			if n != nil {
				n.kill()
			}
		}
	}
	t.Fatalf("redistest: redis-server nodes exit at start three times; last output:\n%s", lastLog)
	return nil
}

// waitFor polls cond every 50 ms until it returns "" (done) or timeout
// passes; then it fails t with cond's last complaint.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: %s not reached after %v: %s", what, timeout, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
