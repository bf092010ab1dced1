package redistest

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to kill redis-server when the test binary
// dies without running its cleanups (a panic, or go test's -timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
