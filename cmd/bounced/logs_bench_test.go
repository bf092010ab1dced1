package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genLog writes n lines of mixed Postfix, Exim and KumoMTA records
// (failures, deferrals and lines that are not failures) and returns its path.
func genLog(tb testing.TB, n int) string {
	tb.Helper()
	tpl := []string{
		`Nov 29 10:00:01 mail postfix/smtp[1234]: 4F3A2%05X: to=<u%[1]d@d%[2]d.example>, relay=mx.d%[2]d.example[192.0.2.10]:25, delay=1.2, dsn=5.1.1, status=bounced (host mx.d%[2]d.example[192.0.2.10] said: 550 5.1.1 <u%[1]d@d%[2]d.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`,
		`Nov 29 10:00:01 mail postfix/smtp[1235]: 5A1B2%05X: to=<u%[1]d@d%[2]d.example>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.d%[2]d.example[198.51.100.7]:25: Connection timed out)`,
		`Nov 29 10:00:01 mail postfix/smtp[1236]: 6B2C3%05X: to=<u%[1]d@d%[2]d.example>, relay=mx.d%[2]d.example[192.0.2.10]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)`,
		`2026-11-29 10:00:04 1tABCD-%06d-AB ** u%[1]d@d%[2]d.example R=dnslookup T=remote_smtp H=mx.d%[2]d.example [192.0.2.10]: SMTP error from remote mail server after RCPT TO:<u%[1]d@d%[2]d.example>: 550 5.7.1 Service unavailable; client [198.51.100.2] blocked using zen.spamhaus.org`,
		`2026-11-29 10:00:05 1tABCE-%06d-CD == u%[1]d@d%[2]d.example R=dnslookup T=remote_smtp defer (-44) H=mx.d%[2]d.example [203.0.113.5]: SMTP error from remote mail server after RCPT TO:<u%[1]d@d%[2]d.example>: 452 4.2.2 Mailbox full`,
		`{"type":"Bounce","id":"%x","sender":"b@esp.example","recipient":"u%[1]d@d%[2]d.example","response":{"code":554,"enhanced_code":{"class":5,"subject":7,"detail":1},"content":"Relay access denied","command":"RCPT TO"},"peer_address":{"name":"mx.d%[2]d.example.","addr":"192.0.2.10"},"timestamp":1795953601}`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, tpl[r.IntN(len(tpl))]+"\n", i, r.IntN(5000))
	}
	p := filepath.Join(tb.TempDir(), "mail.log")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkLogs: `bounced logs FILE > /dev/null` over a generated log;
// lines/s is b.N*lines / elapsed (reported as lines/s).
func BenchmarkLogs(b *testing.B) {
	const lines = 20000
	p := genLog(b, lines)
	b.ResetTimer()
	for range b.N {
		if err := runLogs(context.Background(), []string{p}, nil, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*lines)/b.Elapsed().Seconds(), "lines/s")
}
