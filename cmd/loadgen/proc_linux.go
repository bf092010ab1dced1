package main

import (
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// setProcAttr kills a spawned server when loadgen dies without stopping it.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// selfCPU is loadgen's own user plus system CPU time from getrusage(2),
// in microseconds: /proc/PID/stat counts in clock ticks of 10 ms, and a
// short -mode engine run (200 messages of about 30 µs) could read as none.
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("own CPU: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
