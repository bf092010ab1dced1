package dsn

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitMultipartLines is splitMultipart as it was written first, a line at
// a time: the reference for TestSplitMultipartSameAsLines.
func splitMultipartLines(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	rest := body
	pos := 0
	for len(rest) > 0 {
		line, next := cutLine(rest)
		lineStart := pos
		pos += len(rest) - len(next)
		rest = next
		line = bytes.TrimLeft(line, " \t")
		if !bytes.HasPrefix(line, delim) {
			continue
		}
		tail := bytes.TrimRight(line[len(delim):], " \t")
		closing := bytes.Equal(tail, []byte("--"))
		if len(tail) != 0 && !closing {
			continue
		}
		if start >= 0 {
			end := lineStart
			if end > start && body[end-1] == '\n' {
				end--
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if closing {
			return parts
		}
		start = pos
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// TestSplitMultipartSameAsLines checks the delimiter search of
// splitMultipart against the line-by-line reading on bodies with
// boundaries in odd places: dashes, '=', text that only starts like one,
// indented delimiters, a body shorter than the delimiter.
func TestSplitMultipartSameAsLines(t *testing.T) {
	bodies := []string{
		"", "\n", "-", "--b", "--b--", "x\n--b\na\n--b--\n", "--b\na\n--b\nc\n--b--\ntrailer",
		"pre\n  --b  \na\n\t--b--", "--bb\nx\n--b\ny", "a--b\n--b\nz\n", "--b\n--b\n--b--",
		"----=_P_1\nx\n----=_P_1--\n", "--=_P_1\n=_P_1\n--=_P_1--", "--b\r\nx\n--b--",
		"==b\n--b\nq\n-b\n--b\nw", "--b\nlast",
	}
	for _, body := range bodies {
		for _, b := range []string{"b", "--=_P_1", "=_P_1", "bb", "-", "--", "="} {
			got := fmt.Sprintf("%q", splitMultipart([]byte(body), b))
			want := fmt.Sprintf("%q", splitMultipartLines([]byte(body), b))
			if got != want {
				t.Errorf("splitMultipart(%q, %q) = %s, want %s", body, b, got, want)
			}
			if (splitMultipart([]byte(body), b) == nil) != (splitMultipartLines([]byte(body), b) == nil) {
				t.Errorf("splitMultipart(%q, %q): nil differs", body, b)
			}
		}
	}
}

// TestSplitMultipartRandom compares splitMultipart with the line-by-line
// reading on random bodies made of delimiters, near misses, indentation,
// dashes and line ends.
func TestSplitMultipartRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pieces := []string{"--b44", "--b44--", "--b4", "--b445", "-", "--", " ", "\t", "\n", "\r\n", "x", "=", "b44", "text line ", "----b44"}
	for range 20000 {
		var sb strings.Builder
		for n := rng.IntN(16); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		body := sb.String()
		for _, b := range []string{"b44", "b4", "-b44"} {
			got := fmt.Sprintf("%q", splitMultipart([]byte(body), b))
			want := fmt.Sprintf("%q", splitMultipartLines([]byte(body), b))
			if got != want {
				t.Fatalf("splitMultipart(%q, %q) = %s, want %s", body, b, got, want)
			}
		}
	}
}

// TestHasWordStart checks hasWordStart against strings.Contains(s, "=?").
func TestHasWordStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for range 50000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = "=?ab"[rng.IntN(4)]
		}
		if got, want := hasWordStart(string(b)), strings.Contains(string(b), "=?"); got != want {
			t.Fatalf("hasWordStart(%q) = %v, want %v", b, got, want)
		}
	}
}
