//go:build !unix

package sink

import "os"

// lockDir does not lock where flock(2) is missing.
func lockDir(string) (*os.File, error) { return nil, nil }
