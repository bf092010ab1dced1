//go:build !linux

package main

import (
	"os"
	"os/exec"
	"time"
)

func setProcAttr(cmd *exec.Cmd) {}

// selfCPU is processCPU of this process.
func selfCPU() (time.Duration, error) { return processCPU(os.Getpid()) }
