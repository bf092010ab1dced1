//go:build unix

package sink

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive flock(2) on dir/.lock, held until the
// returned file is closed. A flock belongs to the open file, so a second
// queue on the same directory fails in this process as in another.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("sink: queue: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (another bounced sends to the same webhook; give each its own --webhook-queue-dir)", ErrQueueInUse, dir)
		}
		return nil, fmt.Errorf("sink: queue: lock %s: %w", dir, err)
	}
	return f, nil
}
