package imapin_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dovecottest"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/imapin"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/sink"
)

const limit = 64 << 10

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// recipients lists each verdict's first recipient, or "error:" and the error.
func recipients(vs []ingesttest.Verdict) []string {
	var out []string
	for _, v := range vs {
		switch {
		case v.Error != nil:
			out = append(out, "error")
		case len(v.Recipients) > 0:
			out = append(out, v.Recipients[0].Recipient)
		default:
			out = append(out, "none")
		}
	}
	return out
}

// hookSink delivers to a JSON lines file, then calls after(n) with the
// number of verdicts delivered so far.
type hookSink struct {
	*sink.JSONL
	mu    sync.Mutex
	n     int
	after func(n int)
}

func (h *hookSink) Deliver(ctx context.Context, v *pb.ParseResponse) error {
	if err := h.JSONL.Deliver(ctx, v); err != nil {
		return err
	}
	h.mu.Lock()
	h.n++
	n := h.n
	h.mu.Unlock()
	if h.after != nil {
		h.after(n)
	}
	return nil
}

func newReader(t *testing.T, d *dovecottest.Server, s sink.Sink, mod func(*imapin.Config)) *imapin.Reader {
	t.Helper()
	cfg := imapin.Config{
		URL:             "imap://" + dovecottest.User + "@" + d.Addr + "/INBOX",
		Password:        dovecottest.Password,
		AllowPlaintext:  true,
		Handler:         &ingest.Handler{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: limit}}), Sink: s},
		MaxMessageBytes: limit,
		MinBackoff:      20 * time.Millisecond,
		MaxBackoff:      200 * time.Millisecond,
		Logger:          quietLog,
	}
	if mod != nil {
		mod(&cfg)
	}
	r, err := imapin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func jsonlSink(t *testing.T) (string, *sink.JSONL) {
	path := filepath.Join(t.TempDir(), "v.jsonl")
	js, err := sink.OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.Close(context.Background()) })
	return path, js
}

// TestIMAPOnceMarksSeen: bounces, a malformed message and one over the
// size limit each get one verdict, in UID order, and end \Seen.
func TestIMAPOnceMarksSeen(t *testing.T) {
	d := dovecottest.Start(t)
	d.Append("INBOX",
		ingesttest.Bounce("a1@dest.example", ""),
		ingesttest.Malformed(),
		ingesttest.Bounce("a2@dest.example", ""),
		ingesttest.Oversize(limit+1),
		ingesttest.Bounce("a3@dest.example", ""),
	)
	path, js := jsonlSink(t)
	r := newReader(t, d, js, nil)
	if err := r.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := recipients(ingesttest.ReadVerdicts(t, path))
	want := []string{"a1@dest.example", "error", "a2@dest.example", "error", "a3@dest.example"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
	if all, unseen := d.Count("INBOX"); all != 5 || unseen != 0 {
		t.Errorf("INBOX after the run: %d messages, %d unseen; want 5, 0", all, unseen)
	}
	// A second pass finds nothing new.
	if err := r.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(ingesttest.ReadVerdicts(t, path)); n != 5 {
		t.Errorf("after a second pass %d verdicts, want 5", n)
	}
	if s := r.Stats(); s.Delivered != 5 || s.Acked != 5 || s.Errors != 2 || s.Pending != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// TestIMAPIdleDoneFolder: a running reader picks up new mail through IDLE
// (polling is set to an hour) and moves each message to the done folder.
func TestIMAPIdleDoneFolder(t *testing.T) {
	d := dovecottest.Start(t)
	path, js := jsonlSink(t)
	r := newReader(t, d, js, func(c *imapin.Config) { c.DoneFolder = "Done"; c.PollInterval = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for i := range 3 {
		d.Append("INBOX", ingesttest.Bounce(fmt.Sprintf("i%d@dest.example", i), ""))
		waitFor(t, 10*time.Second, "verdict through IDLE", func() bool { return r.Stats().Acked == i+1 })
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if all, _ := d.Count("INBOX"); all != 0 {
		t.Errorf("INBOX holds %d, want 0 (moved)", all)
	}
	if all, _ := d.Count("Done"); all != 3 {
		t.Errorf("Done holds %d, want 3", all)
	}
	if got := recipients(ingesttest.ReadVerdicts(t, path)); strings.Join(got, " ") != "i0@dest.example i1@dest.example i2@dest.example" {
		t.Errorf("verdicts = %v", got)
	}
}

// TestIMAPDroppedConnection: Dovecot is restarted right after the third
// verdict was delivered, before that message is acknowledged. The reader
// reconnects, acknowledges it without delivering it again, and goes on:
// every message counted exactly once, none left.
func TestIMAPDroppedConnection(t *testing.T) {
	d := dovecottest.Start(t)
	var msgs [][]byte
	var want []string
	for i := range 8 {
		msgs = append(msgs, ingesttest.Bounce(fmt.Sprintf("d%d@dest.example", i), ""))
		want = append(want, fmt.Sprintf("d%d@dest.example", i))
	}
	d.Append("INBOX", msgs...)
	path, js := jsonlSink(t)
	restarted := make(chan struct{})
	hs := &hookSink{JSONL: js, after: func(n int) {
		if n == 3 {
			d.Restart()
			close(restarted)
		}
	}}
	r := newReader(t, d, hs, func(c *imapin.Config) { c.Delete = true; c.PollInterval = 50 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, 20*time.Second, "all messages acknowledged", func() bool { return r.Stats().Acked == 8 })
	<-restarted
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.Reconnects == 0 || s.Delivered != 8 || s.Acked != 8 {
		t.Errorf("stats = %+v, want a reconnection and 8 delivered and acknowledged", s)
	}
	got := recipients(ingesttest.ReadVerdicts(t, path))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("verdicts = %v, want each once in order %v", got, want)
	}
	if all, _ := d.Count("INBOX"); all != 0 {
		t.Errorf("INBOX holds %d after the run, want 0 (deleted)", all)
	}
}

func TestNewRefusesPasswordInURL(t *testing.T) {
	_, err := imapin.New(imapin.Config{URL: "imaps://bob:secret@mail.example/INBOX", Handler: &ingest.Handler{}})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("New with a password in the URL = %v, want an error that does not echo it", err)
	}
}

func TestWrongPasswordIsFatal(t *testing.T) {
	d := dovecottest.Start(t)
	_, js := jsonlSink(t)
	r := newReader(t, d, js, func(c *imapin.Config) { c.Password = "wrong" })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.Run(ctx); err == nil || !strings.Contains(err.Error(), "login refused") {
		t.Errorf("Run with a wrong password = %v, want ErrLogin", err)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIMAPPollingWithoutExtensions: a server that offers neither IDLE,
// MOVE nor UIDPLUS (Dovecot told to advertise only IMAP4rev1): new mail is
// found by polling, and the done folder is filled with COPY and delete.
func TestIMAPPollingWithoutExtensions(t *testing.T) {
	d := dovecottest.StartWith(t, "imap_capability = IMAP4rev1 LITERAL+")
	c := d.Client()
	caps, err := c.Capability().Wait()
	c.Close()
	if err != nil || caps.Has(imap.CapIdle) || caps.Has(imap.CapMove) || caps.Has(imap.CapUIDPlus) {
		t.Fatalf("capabilities %v (%v), want none of IDLE, MOVE, UIDPLUS", caps, err)
	}
	path, js := jsonlSink(t)
	r := newReader(t, d, js, func(c *imapin.Config) { c.DoneFolder = "Done"; c.PollInterval = 100 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for i := range 2 {
		d.Append("INBOX", ingesttest.Bounce(fmt.Sprintf("p%d@dest.example", i), ""))
		waitFor(t, 10*time.Second, "verdict by polling", func() bool { return r.Stats().Acked == i+1 })
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if all, _ := d.Count("INBOX"); all != 0 {
		t.Errorf("INBOX holds %d, want 0", all)
	}
	if all, _ := d.Count("Done"); all != 2 {
		t.Errorf("Done holds %d, want 2 (copied)", all)
	}
	if got := recipients(ingesttest.ReadVerdicts(t, path)); strings.Join(got, " ") != "p0@dest.example p1@dest.example" {
		t.Errorf("verdicts = %v", got)
	}
}
