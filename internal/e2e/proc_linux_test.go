package e2e

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to kill a server when the test binary dies
// without running its cleanups.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
