package main

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func splitFields(s string) []string { return strings.Fields(s) }

// parseRate reads "2000", "2000/s", "500/100ms" or "120000/m" as messages
// per second.
func parseRate(s string) (float64, error) {
	num, per, found := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || n > 1e6 {
		return 0, fmt.Errorf("%q: want a number of messages from 0 to 1e6, optionally /s, /m or /DURATION", s)
	}
	d := time.Second
	if found {
		switch per {
		case "s":
		case "m":
			d = time.Minute
		default:
			if d, err = time.ParseDuration(per); err != nil || d <= 0 {
				return 0, fmt.Errorf("%q: %q is not s, m or a duration", s, per)
			}
		}
	}
	return n / d.Seconds(), nil
}

// checkLoopback refuses any address that is not on the loopback interface:
// loadgen is a test tool, never a load on someone else's server.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address (127.0.0.0/8, ::1, localhost)", addr)
	}
	return nil
}

// message is one corpus file.
type message struct {
	name string
	raw  []byte
}

// loadCorpus reads every *.eml file under dir, sorted by path, within
// MaxCorpusFiles and MaxCorpusBytes.
func loadCorpus(dir string) ([]message, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".eml") {
			paths = append(paths, p)
			if len(paths) > MaxCorpusFiles {
				return fmt.Errorf("more than %d .eml files", MaxCorpusFiles)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	slices.Sort(paths)
	var msgs []message
	total := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		if total += len(b); total > MaxCorpusBytes {
			return nil, fmt.Errorf("corpus %s: more than %d bytes", dir, MaxCorpusBytes)
		}
		if len(b) > 0 {
			msgs = append(msgs, message{name: p, raw: b})
		}
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("corpus %s: no non-empty .eml files", dir)
	}
	return msgs, nil
}
