package main

import (
	"os/exec"
	"syscall"
)

// setProcAttr kills a spawned server when loadgen dies without stopping it.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
