package bounce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/redistest"
)

// relayDenied returns a Postfix bounce from sender for a relay denial by
// the recipient domain's own MX.
func relayDenied(sender, rcpt string) []byte {
	return []byte(`From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)
To: ` + sender + `
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XX"

--XX
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.example

Final-Recipient: rfc822; ` + rcpt + `
Action: failed
Status: 5.7.1
Remote-MTA: dns; mx.broken.example
Diagnostic-Code: smtp; 554 5.7.1 <` + rcpt + `>: Relay access denied

--XX
Content-Type: text/rfc822-headers

Message-ID: <m-1@sender.example>
From: ` + sender + `
To: ` + rcpt + `

--XX--
`)
}

func redisStore(t testing.TB, srv *redistest.Server) *domaincache.Redis {
	t.Helper()
	cfg, err := domaincache.ParseRedisURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.KeyPrefix = srv.KeyPrefix()
	cfg.Timeout = 100 * time.Millisecond
	r, err := domaincache.NewRedis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// runHistory checks, for one store, that each Parse reads what the earlier
// ones wrote and that many distinct senders refused with relay denied push
// the verdict towards the recipient's side.
func runHistory(t *testing.T, store domaincache.Store) {
	e := New(Config{Store: store, CacheTimeout: 200 * time.Millisecond})
	ctx := context.Background()
	first, err := e.Parse(ctx, Request{Raw: relayDenied("a0@s0.example", "u@broken.example")})
	if err != nil {
		t.Fatal(err)
	}
	if first.CacheStatus != CacheMiss {
		t.Fatalf("first status = %v, want miss (%v)", first.CacheStatus, first.CacheErr)
	}
	for i := 1; i < 12; i++ {
		s := "a@s" + string(rune('a'+i)) + ".example"
		if _, err := e.Parse(ctx, Request{Raw: relayDenied(s, "u@broken.example")}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := e.Parse(ctx, Request{Raw: relayDenied("z@sz.example", "u@broken.example")})
	if err != nil {
		t.Fatal(err)
	}
	if last.CacheStatus != CacheHit {
		t.Fatalf("last status = %v, want hit (%v)", last.CacheStatus, last.CacheErr)
	}
	h := last.Recipients[0].History
	if h == nil || h.Total != 12 || h.Reasons[string(classify.NoRelaying)] != 12 || h.DistinctSenders < 11 {
		t.Fatalf("history = %+v, want 12 norelaying from ~12 senders", h)
	}
	v := last.Recipients[0].Verdict
	if v.Reason != classify.NoRelaying || v.Side != classify.SideRecipient || v.Hard {
		t.Errorf("verdict with history = %+v, want norelaying, recipient side, soft", v)
	}
	usedHistory := false
	for _, ev := range v.Evidence {
		if ev.Signal == classify.SignalDomainHistory {
			usedHistory = true
		}
	}
	if !usedHistory {
		t.Errorf("evidence %+v does not mention the domain history", v.Evidence)
	}
	skip, err := e.Parse(ctx, Request{Raw: relayDenied("z@sz.example", "u@broken.example"), SkipCache: true})
	if err != nil || skip.CacheStatus != CacheSkipped || skip.Recipients[0].History != nil {
		t.Errorf("skip: %v %v", err, skip.CacheStatus)
	}
}

func TestHistoryMemory(t *testing.T) {
	runHistory(t, domaincache.NewMemory(1000, time.Hour))
}

func TestHistoryRedis(t *testing.T) {
	runHistory(t, redisStore(t, redistest.Start(t)))
}

// TestRedisOutage kills Redis mid-test: Parse still answers, within the
// cache timeout, with CacheUnavailable; after a restart the same engine
// uses the cache again.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Skip("outage test needs a server it started itself")
	}
	e := New(Config{Store: redisStore(t, srv), CacheTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	raw := relayDenied("a@s.example", "u@down.example")
	if r, err := e.Parse(ctx, Request{Raw: raw}); err != nil || r.CacheStatus != CacheMiss {
		t.Fatalf("before outage: %v %v", err, r.CacheStatus)
	}
	srv.Kill()
	start := time.Now()
	r, err := e.Parse(ctx, Request{Raw: raw})
	if err != nil {
		t.Fatalf("Parse during outage: %v", err)
	}
	if r.CacheStatus != CacheUnavailable || r.CacheErr == nil || len(r.Recipients) != 1 || r.Recipients[0].Verdict.Reason == "" {
		t.Errorf("during outage: status %v err %v recipients %d", r.CacheStatus, r.CacheErr, len(r.Recipients))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Parse during outage took %v", d)
	}
	srv.Restart()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err = e.Parse(ctx, Request{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		if r.CacheStatus == CacheMiss || r.CacheStatus == CacheHit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cache did not come back: %v", r.CacheErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// corpusMessages reads the corpus once for the benchmarks.
func corpusMessages(tb testing.TB) [][]byte {
	files, _ := filepath.Glob("../../testdata/bounces/maildir/*/*.eml")
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		tb.Fatal("no corpus")
	}
	return out
}

func benchParse(b *testing.B, store domaincache.Store, batched, keep bool) {
	msgs := corpusMessages(b)
	cfg := Config{Store: store, CacheTimeout: time.Second, Limits: dsn.Options{}}
	if batched {
		w := domaincache.NewBatcher(store, 10*time.Millisecond, 0)
		defer w.Close(context.Background())
		cfg.Writer = w
	}
	e := New(cfg)
	ctx := context.Background()
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	b.SetBytes(bytes / int64(len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r, err := e.Parse(ctx, Request{Raw: msgs[i%len(msgs)]})
		if err == nil && r.CacheStatus == CacheUnavailable {
			b.Fatal(r.CacheErr)
		}
		if !keep {
			e.Release(r)
		}
	}
}

// BenchmarkParse is parse + classify + explain per corpus message (round
// robin), without a cache, with the in-process cache, with Redis (one read
// and one write round trip per message) and with Redis and batched writes
// (one read round trip per message, writes grouped off the path). Each
// Result is released once read, as the server does; nocache-kept keeps
// them, as the CLI does (each message's memory then goes to the collector).
func BenchmarkParse(b *testing.B) {
	b.Run("nocache", func(b *testing.B) { benchParse(b, nil, false, false) })
	b.Run("nocache-kept", func(b *testing.B) { benchParse(b, nil, false, true) })
	b.Run("memory", func(b *testing.B) { benchParse(b, domaincache.NewMemory(100000, time.Hour), false, false) })
	b.Run("redis", func(b *testing.B) { benchParse(b, redisStore(b, redistest.Start(b)), false, false) })
	b.Run("redis-batched", func(b *testing.B) { benchParse(b, redisStore(b, redistest.Start(b)), true, false) })
}

func TestObservationsRecordRejectingHost(t *testing.T) {
	store := domaincache.NewMemory(100, time.Hour)
	e := New(Config{Store: store})
	raw := relayDenied("a@s.example", "u@broken.example") // Remote-MTA mx.broken.example: same domain
	other := []byte(strings.Replace(string(raw), "Remote-MTA: dns; mx.broken.example", "Remote-MTA: dns; mx3.hoster.example.net", 1))
	for _, m := range [][]byte{raw, other} {
		if _, err := e.Parse(context.Background(), Request{Raw: m}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.Get(context.Background(), []string{"broken.example", "example.net", "hoster.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	if got["broken.example"].Total != 2 {
		t.Errorf("recipient domain total = %d, want 2", got["broken.example"].Total)
	}
	if got["example.net"].Total != 1 {
		t.Errorf("rejecting host's registered domain total = %d, want 1 (got %v)", got["example.net"].Total, got)
	}
}

// TestBatchedWrites runs the history test's first steps with writes queued
// on a domaincache.Batcher: Parse does not wait for them, and after a
// flush the next Parse sees them.
func TestBatchedWrites(t *testing.T) {
	store := redisStore(t, redistest.Start(t))
	b := domaincache.NewBatcher(store, time.Hour, 0) // flushed by hand below
	defer b.Close(context.Background())
	e := New(Config{Store: store, Writer: b, CacheTimeout: 200 * time.Millisecond})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		r, err := e.Parse(ctx, Request{Raw: relayDenied("a@s"+string(rune('a'+i))+".example", "u@batched.example")})
		if err != nil || r.CacheStatus != CacheMiss {
			t.Fatalf("parse %d: %v %v %v", i, err, r.CacheStatus, r.CacheErr)
		}
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := e.Parse(ctx, Request{Raw: relayDenied("z@sz.example", "u@batched.example")})
	if err != nil || r.CacheStatus != CacheHit || r.Recipients[0].History.Total != 3 {
		t.Fatalf("after flush: %v %v %+v", err, r.CacheStatus, r.Recipients[0].History)
	}
	// Each message is remembered under the recipient's domain and the
	// rejecting MTA's (mx.broken.example): 3 messages, 6 observations.
	if st := b.Stats(); st.Flushes != 1 || st.Written != 6 {
		t.Errorf("batcher stats = %+v, want one flush of 6", st)
	}
}

// TestCheckRefusesBeforeWrite: a result the caller's Check refuses is an
// error and nothing of it reaches the domain memory (issue 8: a result the
// transport cannot encode must not be remembered).
func TestCheckRefusesBeforeWrite(t *testing.T) {
	store := domaincache.NewMemory(10, time.Hour)
	e := New(Config{Store: store})
	ctx := context.Background()
	refused := errors.New("cannot encode")
	_, err := e.Parse(ctx, Request{Raw: relayDenied("a@s.example", "u@broken.example"), Check: func(*Result) error { return refused }})
	if !errors.Is(err, refused) {
		t.Fatalf("Parse with a refusing Check: err = %v, want it to wrap %v", err, refused)
	}
	got, err := store.Get(ctx, []string{"broken.example"})
	if err != nil || len(got) != 0 {
		t.Fatalf("after a refused result the memory holds %v (%v), want nothing", got, err)
	}
	res, err := e.Parse(ctx, Request{Raw: relayDenied("a@s.example", "u@broken.example"), Check: func(*Result) error { return nil }})
	if err != nil || res.CacheStatus != CacheMiss {
		t.Fatalf("Parse with an accepting Check: %v, %v", res, err)
	}
	if got, _ := store.Get(ctx, []string{"broken.example"}); got["broken.example"].Total != 1 {
		t.Errorf("after an accepted result the memory holds %v, want one recipient", got)
	}
}
