package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
)

// batchItem is one message read by the batch source, or one input that
// could not be read (err set).
type batchItem struct {
	source string
	raw    []byte
	err    error
}

// streamMessages reads the inputs one message at a time into the returned
// channel, in order: files, directories (every regular file below, names
// in lexical order, hidden ones skipped), mbox files (each message as
// "path#N") and "-" for standard input. Memory is bounded by the largest
// message (maxBytes) times the channel's capacity, plus one directory's
// listing; an mbox of any size streams.
func streamMessages(ctx context.Context, args []string, stdin io.Reader, maxBytes int) <-chan batchItem {
	out := make(chan batchItem, 8)
	go func() {
		defer close(out)
		send := func(it batchItem) bool {
			select {
			case out <- it:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, arg := range args {
			if arg == "-" {
				if !readStream("-", stdin, maxBytes, send) {
					return
				}
				continue
			}
			if !walkInput(arg, maxBytes, send) {
				return
			}
		}
	}()
	return out
}

// walkInput sends the messages of a file or a directory tree; false when
// the receiver is gone.
func walkInput(path string, maxBytes int, send func(batchItem) bool) bool {
	info, err := os.Stat(path)
	if err != nil {
		return send(batchItem{source: path, err: err})
	}
	if !info.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return send(batchItem{source: path, err: err})
		}
		defer f.Close()
		return readStream(path, f, maxBytes, send)
	}
	ents, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return send(batchItem{source: path, err: err})
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(path, e.Name())
		if e.IsDir() || e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			if !walkInput(p, maxBytes, send) {
				return false
			}
		}
	}
	return true
}

// readStream sends one message, or each message of an mbox.
func readStream(source string, r io.Reader, maxBytes int, send func(batchItem) bool) bool {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(5)
	if !dsn.IsMbox(head) {
		raw, err := io.ReadAll(io.LimitReader(br, int64(maxBytes)+1))
		switch {
		case err != nil:
			return send(batchItem{source: source, err: err})
		case len(raw) > maxBytes:
			return send(batchItem{source: source, err: fmt.Errorf("%w: more than %d bytes", dsn.ErrTooLarge, maxBytes)})
		}
		return send(batchItem{source: source, raw: raw})
	}
	// An mbox: "path#N" for each message, or "path" when it holds one.
	mr := dsn.NewMboxReader(br, maxBytes)
	var pending *batchItem
	for n := 1; ; n++ {
		msg, err := mr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		it := batchItem{source: fmt.Sprintf("%s#%d", source, n), raw: msg, err: err}
		if err != nil && !errors.Is(err, dsn.ErrTooLarge) {
			it.source = source
		}
		if pending != nil && !send(*pending) {
			return false
		}
		pending = &it
		if err != nil && !errors.Is(err, dsn.ErrTooLarge) {
			break // a read error ends the file
		}
	}
	if pending == nil {
		return true
	}
	if pending.source == source+"#1" {
		pending.source = source
	}
	return send(*pending)
}

// progress shows a spinner with a count on stderr when stderr is a
// terminal, and nothing otherwise.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("parsing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("msg"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add() {
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// batchSummary counts a batch run for the table printed on stderr.
type batchSummary struct {
	mu        sync.Mutex
	messages  int
	kinds     map[string]int
	reasons   map[string]int
	sides     map[string]int
	hard      int
	soft      int
	domains   map[string]int
	errors    map[string]int
	errorSeen int
}

func newBatchSummary() *batchSummary {
	return &batchSummary{kinds: map[string]int{}, reasons: map[string]int{}, sides: map[string]int{}, domains: map[string]int{}, errors: map[string]int{}}
}

// maxSummaryDomains caps the domains counted, so the summary's memory is
// bounded; later domains go to "(other)".
const maxSummaryDomains = 100_000

func (s *batchSummary) add(r *pb.ParseResponse, errText string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages++
	if errText != "" {
		// Group errors by their first words ("dsn: message too large").
		key := errText
		if i := strings.IndexByte(key, ':'); i >= 0 {
			if j := strings.IndexByte(key[i+1:], ':'); j >= 0 {
				key = key[:i+1+j]
			}
		}
		s.errors[key]++
		s.errorSeen++
		return
	}
	s.kinds[strings.TrimPrefix(r.GetKind().String(), "KIND_")]++
	for _, rc := range r.GetRecipients() {
		if rc.GetAction() != pb.Action_ACTION_FAILED && rc.GetAction() != pb.Action_ACTION_DELAYED {
			continue
		}
		s.reasons[server.ReasonName(rc.GetReason())]++
		s.sides[strings.TrimPrefix(rc.GetSide().String(), "SIDE_")]++
		if rc.GetHardBounce() {
			s.hard++
		} else {
			s.soft++
		}
		d := rc.GetRemoteDomain()
		if d == "" {
			continue
		}
		if _, ok := s.domains[d]; ok || len(s.domains) < maxSummaryDomains {
			s.domains[d]++
		} else {
			s.domains["(other)"]++
		}
	}
}

// print writes the summary table.
func (s *batchSummary) print(w io.Writer, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.messages) / elapsed.Seconds()
	}
	fmt.Fprintf(bw, "\n%d messages in %s (%.0f/s), %d errors\n", s.messages, elapsed.Round(time.Millisecond), rate, s.errorSeen)
	table := func(title string, m map[string]int, limit int) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(bw, "\n%-32s %10s\n", title, "count")
		for i, kv := range sortedCounts(m) {
			if limit > 0 && i == limit {
				fmt.Fprintf(bw, "  %-30s %10s\n", fmt.Sprintf("(%d more)", len(m)-limit), "")
				break
			}
			fmt.Fprintf(bw, "  %-30s %10d\n", kv.k, kv.n)
		}
	}
	table("kind", s.kinds, 0)
	table("reason (failed and delayed)", s.reasons, 0)
	table("side", s.sides, 0)
	if s.hard+s.soft > 0 {
		table("hard vs soft", map[string]int{"hard": s.hard, "soft": s.soft}, 0)
	}
	table("top remote domains", s.domains, 10)
	table("errors", s.errors, 10)
}

type kv struct {
	k string
	n int
}

func sortedCounts(m map[string]int) []kv {
	out := make([]kv, 0, len(m))
	for k, n := range m {
		out = append(out, kv{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].k < out[j].k
	})
	return out
}
