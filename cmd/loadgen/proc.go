package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go runs on (the kernel's ABI, whatever
// its internal HZ).
const clockTicks = 100

// processCPU returns the user plus system CPU time a process has used,
// from /proc/PID/stat (proc(5): fields 14 utime and 15 stime).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("server CPU: /proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("server CPU: /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("server CPU: /proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// cpuOf sums processCPU over pids.
func cpuOf(pids []int) (time.Duration, error) {
	var sum time.Duration
	for _, p := range pids {
		d, err := processCPU(p)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// spawned is the servers loadgen started.
type spawned struct {
	cmds  []*exec.Cmd
	done  []chan struct{}
	addrs []string
	pids  []int

	mu     sync.Mutex
	shown  int // log lines passed on
	hidden int // log lines counted only
}

// maxShownLogLines is how many warning and error lines of the servers are
// passed on; the rest are only counted (a cache outage logs per message).
const maxShownLogLines = 5

func (s *spawned) logLine(i int, line string, w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shown < maxShownLogLines {
		s.shown++
		fmt.Fprintf(w, "server %d: %s\n", i+1, line)
		return
	}
	s.hidden++
}

// summary says how many log lines were not shown.
func (s *spawned) summary(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hidden > 0 {
		fmt.Fprintf(w, "servers logged %d more warning or error lines\n", s.hidden)
	}
}

// spawn starts n `bin serve --listen 127.0.0.1:0 args...` and waits for
// each one's "bounced serving" log line, which gives its address.
func spawn(ctx context.Context, bin string, args []string, n int, errOut io.Writer) (*spawned, error) {
	s := &spawned{}
	for i := range n {
		cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "info"}, args...)...)
		cmd.Env = append(os.Environ(), "BOUNCED_LISTEN=")
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		setProcAttr(cmd)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			s.stop()
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			s.stop()
			return nil, fmt.Errorf("spawn %s: %w", bin, err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		s.cmds, s.done = append(s.cmds, cmd), append(s.done, done)
		addr := make(chan string, 1)
		go func() {
			// The address comes in the "bounced serving" line; other info
			// lines are dropped, warnings and errors passed on.
			sc := bufio.NewScanner(stderr)
			sent := false
			for sc.Scan() {
				var l struct{ Msg, Addr, Level string }
				err := json.Unmarshal(sc.Bytes(), &l)
				if !sent && err == nil && l.Addr != "" && l.Msg == "bounced serving" {
					addr <- l.Addr
					sent = true
					continue
				}
				if err != nil || (l.Level != "INFO" && l.Level != "DEBUG") {
					s.logLine(i, sc.Text(), errOut)
				}
			}
			io.Copy(io.Discard, stderr)
		}()
		select {
		case a := <-addr:
			s.addrs = append(s.addrs, a)
			s.pids = append(s.pids, cmd.Process.Pid)
		case <-done:
			s.stop()
			return nil, fmt.Errorf("spawn %s: exited at start", bin)
		case <-time.After(30 * time.Second):
			s.stop()
			return nil, fmt.Errorf("spawn %s: no \"bounced serving\" line in 30s (is it bounced?)", bin)
		}
	}
	return s, nil
}

// stop sends SIGTERM to every server and waits for them.
func (s *spawned) stop() {
	for i, c := range s.cmds {
		select {
		case <-s.done[i]:
			continue
		default:
		}
		c.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done[i]:
		case <-time.After(20 * time.Second):
			c.Process.Kill()
			<-s.done[i]
		}
	}
}

// switchesOf sums the voluntary context switches of every thread of pids
// (proc(5): /proc/PID/task/TID/status), the times a thread went to sleep
// waiting: for a Go server, the hand-overs between goroutines and threads
// its calls cost. -1 when it cannot be read.
func switchesOf(pids []int) int64 {
	var sum int64
	for _, p := range pids {
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(p) + "/task")
		if err != nil {
			return -1
		}
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/task/" + t.Name() + "/status")
			if err != nil {
				continue // the thread ended
			}
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "voluntary_ctxt_switches:"); ok {
					n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					sum += n
				}
			}
		}
	}
	return sum
}

// loadAverage is the machine's 1-minute load average (proc(5):
// /proc/loadavg), "" when unknown: figures of CPU time taken on a shared
// machine are read next to it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
