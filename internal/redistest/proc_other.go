//go:build !linux

package redistest

import "os/exec"

// setProcAttr does nothing where the kernel cannot kill a child with its
// parent; test cleanups stop redis-server.
func setProcAttr(cmd *exec.Cmd) {}
