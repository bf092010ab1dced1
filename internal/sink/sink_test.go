package sink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bounced/bounced/internal/bounce"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/redistest"
	"github.com/bounced/bounced/internal/sink"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func verdict(t *testing.T, i int) *pb.ParseResponse {
	t.Helper()
	h := &ingest.Handler{Engine: bounce.New(bounce.Config{})}
	return h.Verdict(context.Background(), fmt.Sprintf("msg-%04d", i), ingesttest.Bounce(fmt.Sprintf("u%d@dest.example", i), "camp-uuid-1"))
}

// receiver is an httptest server whose behaviour the test switches:
// "ok", "fail" (503), "hang" (answers after the client gave up).
type receiver struct {
	srv    *httptest.Server
	secret []byte
	mode   atomic.Value
	mu     sync.Mutex
	got    []string // sources in arrival order, accepted only
	ids    map[string]int
	bad    atomic.Int64 // bad signatures
	hits   atomic.Int64
}

func newReceiver(t *testing.T, secret []byte) *receiver {
	r := &receiver{secret: secret, ids: map[string]int{}}
	r.mode.Store("ok")
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		body, _ := io.ReadAll(req.Body)
		switch r.mode.Load().(string) {
		case "fail":
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		case "hang":
			select {
			case <-req.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		if !sink.Verify(r.secret, body, req.Header.Get(sink.SignatureHeader)) {
			r.bad.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var v struct {
			Source string `json:"source"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.ids[req.Header.Get(sink.DeliveryHeader)]++
		if r.ids[req.Header.Get(sink.DeliveryHeader)] == 1 {
			r.got = append(r.got, v.Source)
		}
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) sources() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
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

// outage is how long the receiver is down in TestWebhookOutageLosesNothing;
// the issue asks for 30 s, shortened here with BOUNCED_TEST_OUTAGE.
func outage(t *testing.T) time.Duration {
	if v := os.Getenv("BOUNCED_TEST_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return 1500 * time.Millisecond
}

// TestWebhookOutageLosesNothing: the receiver fails, then hangs past the
// request timeout, while verdicts keep arriving; the sender is restarted
// mid-outage on the same queue directory; when the receiver recovers every
// verdict arrives once, in order, correctly signed.
func TestWebhookOutageLosesNothing(t *testing.T) {
	secret := []byte("s3cret")
	rcv := newReceiver(t, secret)
	dir := t.TempDir()
	open := func() *sink.Webhook {
		w, err := sink.NewWebhook(sink.WebhookConfig{
			URL: rcv.srv.URL, Secret: secret, QueueDir: dir, QueueMax: 1000,
			Timeout: 100 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
			Logger: quietLog,
		})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := open()
	ctx := context.Background()
	const n = 300
	var want []string
	deliver := func(w *sink.Webhook, from, to int) {
		for i := from; i < to; i++ {
			v := verdict(t, i)
			want = append(want, v.GetSource())
			if err := w.Deliver(ctx, v); err != nil {
				t.Fatalf("Deliver(%d) = %v", i, err)
			}
		}
	}
	deliver(w, 0, 50)
	waitFor(t, 5*time.Second, "the first 50", func() bool { return len(rcv.sources()) == 50 })

	out := outage(t)
	rcv.mode.Store("fail")
	start := time.Now()
	deliver(w, 50, 150)
	time.Sleep(out / 3)
	rcv.mode.Store("hang")
	deliver(w, 150, 200)
	// Restart the sender during the outage: the queue is on disk.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	if err := w.Close(cctx); err == nil {
		t.Errorf("Close during the outage = nil, want an error saying items are left")
	}
	cancel()
	w = open()
	deliver(w, 200, n)
	time.Sleep(time.Until(start.Add(out)))
	if got := len(rcv.sources()); got != 50 {
		t.Fatalf("during the outage the receiver accepted %d, want 50", got)
	}
	if s := w.Stats(); s.Queued != n-50 {
		t.Errorf("queued during the outage = %d, want %d", s.Queued, n-50)
	}
	rcv.mode.Store("ok")
	waitFor(t, 20*time.Second, "all verdicts after recovery", func() bool { return len(rcv.sources()) == n })
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := rcv.sources()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arrival %d = %s, want %s (order kept)", i, got[i], want[i])
		}
	}
	if rcv.bad.Load() != 0 {
		t.Errorf("%d requests with a bad signature", rcv.bad.Load())
	}
	if w.Stats().Retries == 0 && rcv.hits.Load() <= n {
		t.Errorf("no retries counted during the outage")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !e.IsDir() && e.Name() != ".lock" {
			t.Errorf("queue file %s left after everything was delivered", e.Name())
		}
	}
}

func TestWebhookPermanentRefusalGoesToDead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte("msg-0001")) {
			http.Error(w, "no", http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	w, err := sink.NewWebhook(sink.WebhookConfig{URL: srv.URL, QueueDir: dir, MinBackoff: time.Millisecond, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.Deliver(context.Background(), verdict(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Delivered != 2 || s.Dead != 1 {
		t.Errorf("stats = %+v, want 2 delivered and 1 dead", s)
	}
	dead, _ := filepath.Glob(filepath.Join(dir, "dead", "*.item"))
	if len(dead) != 1 {
		t.Fatalf("dead items = %v, want 1", dead)
	}
	b, _ := os.ReadFile(dead[0])
	if !bytes.Contains(b, []byte("msg-0001")) {
		t.Errorf("dead item holds %q, want msg-0001", b)
	}
}

func TestWebhookQueueBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	w, err := sink.NewWebhook(sink.WebhookConfig{URL: srv.URL, QueueDir: t.TempDir(), QueueMax: 3, MinBackoff: time.Hour, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_ = w.Close(ctx)
	}()
	for i := range 3 {
		if err := w.Deliver(context.Background(), verdict(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.Deliver(ctx, verdict(t, 3)); !errors.Is(err, sink.ErrQueueFull) {
		t.Errorf("Deliver into a full queue = %v, want ErrQueueFull", err)
	}
}

func TestSignature(t *testing.T) {
	// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
	got := sink.Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if sink.Verify([]byte("Jefe"), []byte("what do ya want for nothing!"), got) {
		t.Errorf("Verify accepted a changed body")
	}
}

func TestListmonk(t *testing.T) {
	type body struct {
		Email, CampaignUUID, Source, Type string
		Meta                              map[string]any
	}
	var mu sync.Mutex
	var got []body
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/webhooks/bounce" {
			http.NotFound(w, r)
			return
		}
		var b struct {
			Email        string         `json:"email"`
			CampaignUUID string         `json:"campaign_uuid"`
			Source       string         `json:"source"`
			Type         string         `json:"type"`
			Meta         map[string]any `json:"meta"`
		}
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		u, p, _ := r.BasicAuth()
		mu.Lock()
		got = append(got, body{b.Email, b.CampaignUUID, b.Source, b.Type, b.Meta})
		auth = append(auth, u+":"+p)
		mu.Unlock()
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://apiuser:tok@", 1) + "/webhooks/bounce"
	w, err := sink.NewWebhook(sink.WebhookConfig{URL: u, Encode: sink.EncodeListmonk, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h := &ingest.Handler{Engine: bounce.New(bounce.Config{}), Sink: w}
	if _, err := h.Handle(ctx, "a", ingesttest.Bounce("alice@dest.example", "9f86b50d-5711-41c8-ab03-bc91c43d711b")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Handle(ctx, "m", ingesttest.Malformed()); err != nil { // sends nothing
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("listmonk received %d bodies, want 1: %+v", len(got), got)
	}
	g := got[0]
	if g.Email != "alice@dest.example" || g.CampaignUUID != "9f86b50d-5711-41c8-ab03-bc91c43d711b" || g.Type != "hard" || g.Source != "bounced" {
		t.Errorf("listmonk body = %+v, want alice, the campaign, hard, bounced", g)
	}
	if g.Meta["reason"] != "userunknown" {
		t.Errorf("meta.reason = %v, want userunknown", g.Meta["reason"])
	}
	if auth[0] != "apiuser:tok" {
		t.Errorf("basic auth = %q, want apiuser:tok", auth[0])
	}
}

func TestJSONL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.jsonl")
	j, err := sink.OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := j.Deliver(context.Background(), verdict(t, g*100+i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := j.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 100 {
		t.Fatalf("%d lines, want 100", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line is not JSON: %.80s", l)
		}
	}
	if err := j.Deliver(context.Background(), verdict(t, 0)); !errors.Is(err, sink.ErrClosed) {
		t.Errorf("Deliver after Close = %v, want ErrClosed", err)
	}
}

func TestRedisStream(t *testing.T) {
	srv := redistest.Start(t)
	key := srv.KeyPrefix() + "verdicts"
	s, err := sink.NewRedisStream(sink.RedisStreamConfig{URL: srv.URL(), Key: key, MaxLen: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	for i := range 500 {
		if err := s.Deliver(context.Background(), verdict(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	opt, _ := redis.ParseURL(srv.URL())
	c := redis.NewClient(opt)
	defer c.Close()
	n, err := c.XLen(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 || n >= 500 {
		t.Errorf("XLEN = %d, want trimmed to about 100", n)
	}
	last, err := c.XRevRangeN(context.Background(), key, "+", "-", 1).Result()
	if err != nil || len(last) != 1 {
		t.Fatal(err)
	}
	if last[0].Values["source"] != "msg-0499" || !strings.Contains(last[0].Values["verdict"].(string), "u499@dest.example") {
		t.Errorf("last entry = %v, want msg-0499", last[0].Values)
	}
}

// TestWebhookQueueDirInUse: two senders on one queue directory (serve,
// imap and logs started with the same webhook and the default
// --webhook-queue-dir) would number their items alike and overwrite or
// send each other's; the second is refused, and the directory is free
// again once the first is closed.
func TestWebhookQueueDirInUse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := sink.WebhookConfig{URL: srv.URL, QueueDir: dir, MinBackoff: time.Hour, Logger: quietLog}
	closeNow := func(w *sink.Webhook) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_ = w.Close(ctx)
	}
	w1, err := sink.NewWebhook(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w1.Deliver(context.Background(), verdict(t, 0)); err != nil {
		t.Fatal(err)
	}
	w2, err := sink.NewWebhook(cfg)
	if err == nil {
		_ = w2.Deliver(context.Background(), verdict(t, 1))
		closeNow(w2)
		closeNow(w1)
		ents, _ := filepath.Glob(filepath.Join(dir, "*.item"))
		t.Fatalf("a second webhook opened the queue in use (%d items on disk after 2 deliveries)", len(ents))
	}
	if !errors.Is(err, sink.ErrQueueInUse) {
		t.Errorf("second open = %v, want ErrQueueInUse", err)
	}
	closeNow(w1)
	w3, err := sink.NewWebhook(cfg)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	if st := w3.Stats(); st.Queued != 1 {
		t.Errorf("queued after reopen = %d, want 1", st.Queued)
	}
	closeNow(w3)
}

// TestWebhookDeadSurvivesRestart: after a restart with an empty queue the
// sequence numbers start again; an item refused then must not overwrite
// the one refused before the restart in dead/.
func TestWebhookDeadSurvivesRestart(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer srv.Close()
	dir := t.TempDir()
	for i := range 2 {
		w, err := sink.NewWebhook(sink.WebhookConfig{URL: srv.URL, QueueDir: dir, MinBackoff: time.Millisecond, Logger: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Deliver(context.Background(), verdict(t, i)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	dead, _ := filepath.Glob(filepath.Join(dir, "dead", "*.item"))
	if len(dead) != 2 {
		t.Fatalf("dead items after two refusals across a restart = %v, want 2", dead)
	}
}

// TestOpenErrorDoesNotWaitForQueue: when a later spec is wrong, Open
// closes the webhooks it opened without waiting for their queues to be
// sent (a receiver that is down would make it hang); the items stay on
// disk.
func TestOpenErrorDoesNotWaitForQueue(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	o := sink.Options{QueueDir: t.TempDir(), Logger: quietLog}
	m, err := sink.Open([]sink.Spec{sink.Spec("webhook:" + srv.URL)}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Deliver(context.Background(), verdict(t, 0)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	_ = m.Close(ctx)
	cancel()

	done := make(chan error, 1)
	go func() {
		_, err := sink.Open([]sink.Spec{sink.Spec("webhook:" + srv.URL), "nope:x"}, o)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Open with a wrong spec succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open with a wrong spec hangs waiting for a webhook queue to be sent")
	}
	m, err = sink.Open([]sink.Spec{sink.Spec("webhook:" + srv.URL)}, o)
	if err != nil {
		t.Fatal(err)
	}
	if q := m[0].(*sink.Webhook).Stats().Queued; q != 1 {
		t.Errorf("queued after the failed Open = %d, want 1 (kept on disk)", q)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	_ = m.Close(ctx)
	cancel()
}

// TestWebhookRedirectIsNotDelivery: a receiver that redirects with 301
// (a proxy sending http to https, a moved endpoint) must not count as
// delivered: the client would follow it with a GET without the body, and
// a 2xx to that GET would drop the verdict unsent.
func TestWebhookRedirectIsNotDelivery(t *testing.T) {
	var posts atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hook", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	w, err := sink.NewWebhook(sink.WebhookConfig{URL: srv.URL + "/old", QueueDir: t.TempDir(), MinBackoff: time.Hour, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Deliver(context.Background(), verdict(t, 0)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = w.Close(ctx)
	st := w.Stats()
	if st.Delivered != posts.Load() {
		t.Errorf("%d counted delivered, %d POSTs received: a redirect dropped the verdict", st.Delivered, posts.Load())
	}
	if st.Delivered+int64(st.Queued)+st.Dead != 1 {
		t.Errorf("stats = %+v: the verdict is neither delivered, queued nor dead", st)
	}
}
