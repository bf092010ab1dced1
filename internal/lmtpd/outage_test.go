package lmtpd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/lmtpd"
	"github.com/bounced/bounced/internal/sink"
)

// TestLMTPIngestDuringWebhookOutage: the webhook receiver is down (503,
// then hanging) while an MTA keeps handing bounces over LMTP. Every
// message is accepted (its verdict is queued on disk), and when the
// receiver comes back every verdict arrives, once, in order.
// BOUNCED_TEST_OUTAGE sets the outage (default 1.5 s; the 30 s
// with BOUNCED_TEST_OUTAGE=30s).
func TestLMTPIngestDuringWebhookOutage(t *testing.T) {
	out := 1500 * time.Millisecond
	if v := os.Getenv("BOUNCED_TEST_OUTAGE"); v != "" {
		var err error
		if out, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	var mode atomic.Value
	mode.Store("fail")
	var mu sync.Mutex
	var got []string
	seen := map[string]bool{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch mode.Load() {
		case "fail":
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		case "hang":
			<-r.Context().Done()
			return
		}
		var v struct {
			Recipients []struct{ Recipient string } `json:"recipients"`
		}
		json.Unmarshal(body, &v)
		mu.Lock()
		defer mu.Unlock()
		if id := r.Header.Get(sink.DeliveryHeader); !seen[id] && len(v.Recipients) > 0 {
			seen[id] = true
			got = append(got, v.Recipients[0].Recipient)
		}
	}))
	defer rcv.Close()
	wh, err := sink.NewWebhook(sink.WebhookConfig{URL: rcv.URL, QueueDir: filepath.Join(t.TempDir(), "q"),
		Timeout: 200 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close(context.Background())
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := lmtpd.NewLMTP(lmtpd.Config{Handler: &ingest.Handler{Engine: bounce.New(bounce.Config{}), Sink: wh}, Logger: quietLog})
	go srv.Serve(l)
	defer srv.Close()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()

	start := time.Now()
	var want []string
	for i := 0; time.Since(start) < out; i++ {
		if i == 50 {
			mode.Store("hang")
		}
		rcpt := fmt.Sprintf("u%d@dest.example", i)
		want = append(want, rcpt)
		if _, err := sendLMTP(t, c, []string{"bounces@esp.test"}, ingesttest.Bounce(rcpt, "")); err != nil {
			t.Fatalf("message %d during the outage: %v", i, err)
		}
		time.Sleep(out / 200)
	}
	mu.Lock()
	if len(got) != 0 {
		t.Errorf("%d verdicts arrived during the outage", len(got))
	}
	mu.Unlock()
	mode.Store("ok")
	waitFor(t, 60*time.Second, "every verdict after the outage", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == len(want)
	})
	mu.Lock()
	defer mu.Unlock()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("verdict %d = %s, want %s (in order)", i, got[i], want[i])
		}
	}
	t.Logf("%d messages over a %s outage: all delivered, in order, %d retries", len(want), out, wh.Stats().Retries)
}
