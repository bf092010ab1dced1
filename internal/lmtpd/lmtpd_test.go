package lmtpd_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/lmtpd"
	"github.com/bounced/bounced/internal/sink"
)

const limit = 64 << 10

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// start runs a server on l with a JSON lines file sink and returns its path.
func start(t *testing.T, l net.Listener, lmtp bool, tlsCfg *tls.Config) (string, *sink.JSONL) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "verdicts.jsonl")
	js, err := sink.OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := lmtpd.Config{
		Handler:         &ingest.Handler{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: limit}}), Sink: js},
		MaxMessageBytes: limit, Domain: "bounced.test", TLSConfig: tlsCfg, Logger: quietLog,
	}
	srv := lmtpd.NewLMTP(cfg)
	if !lmtp {
		srv = lmtpd.NewSMTP(cfg)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close(); js.Close(context.Background()) })
	return path, js
}

func shortSocket(t *testing.T) string {
	dir, err := os.MkdirTemp("", "lmtp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s")
}

// sendLMTP sends one message and returns the per-recipient replies.
func sendLMTP(t *testing.T, c *smtp.Client, rcpts []string, msg []byte) (map[string]*smtp.DataResponse, error) {
	t.Helper()
	if err := c.Mail("", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(msg); err != nil {
		t.Fatal(err)
	}
	return w.CloseWithLMTPResponse()
}

func TestLMTPUnixSocket(t *testing.T) {
	sock := shortSocket(t)
	l, err := lmtpd.Listen("unix:" + sock)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := start(t, l, true, nil)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mta.test"); err != nil {
		t.Fatal(err)
	}
	if size, ok := c.MaxMessageSize(); !ok || size != limit+1 {
		t.Errorf("SIZE = %d %v, want %d", size, ok, limit+1)
	}

	// A bounce to two VERP addresses: one 250 per recipient, one verdict each.
	rcpts := []string{"bounces+alice=dest.example@esp.test", "bounces+bob=dest.example@esp.test"}
	resp, err := sendLMTP(t, c, rcpts, ingesttest.Bounce("alice@dest.example", ""))
	if err != nil {
		t.Fatalf("bounce: %v", err)
	}
	if len(resp) != 2 {
		t.Errorf("bounce: %d replies, want one per recipient (RFC 2033)", len(resp))
	}
	// A malformed message is accepted (never bounced back) and recorded.
	if _, err := sendLMTP(t, c, rcpts[:1], ingesttest.Malformed()); err != nil {
		t.Errorf("malformed message: %v, want accepted", err)
	}
	// Exactly the limit passes; one byte over is refused with 552 5.3.4.
	if _, err := sendLMTP(t, c, rcpts[:1], append(ingesttest.Oversize(limit)[:limit-2], "\r\n"...)); err != nil {
		t.Errorf("message of exactly the limit: %v, want accepted", err)
	}
	_, err = sendLMTP(t, c, rcpts, ingesttest.Oversize(limit+1))
	var lerr smtp.LMTPDataError
	if !errors.As(err, &lerr) || len(lerr) != 2 {
		t.Fatalf("oversize: %v, want an LMTP error per recipient", err)
	}
	for rc, e := range lerr {
		var se *smtp.SMTPError
		if !errors.As(e, &se) || se.Code != 552 || se.EnhancedCode != (smtp.EnhancedCode{5, 3, 4}) {
			t.Errorf("oversize reply for %s = %v, want 552 5.3.4", rc, e)
		}
	}
	// The session goes on after the refusal.
	if _, err := sendLMTP(t, c, rcpts[:1], ingesttest.Bounce("carol@dest.example", "")); err != nil {
		t.Errorf("bounce after a refusal: %v", err)
	}
	c.Quit()

	got := ingesttest.ReadVerdicts(t, path)
	if len(got) != 5 {
		t.Fatalf("%d verdicts, want 5 (2 + malformed + at-limit + last): %+v", len(got), got)
	}
	for i, v := range got[:2] {
		if v.Error != nil || len(v.Recipients) != 1 || v.Recipients[0].Recipient != "alice@dest.example" || !v.Recipients[0].HardBounce {
			t.Errorf("verdict %d = %+v, want alice hard", i, v)
		}
		if !strings.HasPrefix(v.Source, "lmtp:") || !strings.HasSuffix(v.Source, rcpts[i]) {
			t.Errorf("verdict %d source = %q, want lmtp:...:%s", i, v.Source, rcpts[i])
		}
	}
	if got[2].Error == nil || !strings.Contains(got[2].Error.Message, "not an email message") {
		t.Errorf("malformed verdict = %+v, want an error verdict", got[2])
	}
	if got[4].Recipients[0].Recipient != "carol@dest.example" {
		t.Errorf("last verdict = %+v, want carol", got[4])
	}
}

// TestLMTPSinkFailure: when the sink cannot take the verdict, the MTA is
// told to retry (451 4.3.0) instead of losing it.
func TestLMTPSinkFailure(t *testing.T) {
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, js := start(t, l, true, nil)
	js.Close(context.Background())
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	_, err = sendLMTP(t, c, []string{"b@esp.test"}, ingesttest.Bounce("alice@dest.example", ""))
	var lerr smtp.LMTPDataError
	var se *smtp.SMTPError
	if !errors.As(err, &lerr) || !errors.As(lerr["b@esp.test"], &se) || se.Code != 451 || se.EnhancedCode != (smtp.EnhancedCode{4, 3, 0}) {
		t.Errorf("reply with a failed sink = %v, want 451 4.3.0", err)
	}
}

// testCert writes a self-signed certificate for localhost and 127.0.0.1.
func testCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestSMTPStartTLS(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	path, _ := start(t, l, false, &tls.Config{Certificates: []tls.Certificate{cert}})
	c, err := smtp.DialStartTLS(l.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send := func(msg []byte) error {
		if err := c.Mail("", nil); err != nil {
			return err
		}
		if err := c.Rcpt("bounces@esp.test", nil); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		w.Write(msg)
		return w.Close()
	}
	if err := send(ingesttest.Bounce("dave@dest.example", "")); err != nil {
		t.Fatalf("bounce over STARTTLS: %v", err)
	}
	if st, ok := c.TLSConnectionState(); !ok || !st.HandshakeComplete || st.Version < tls.VersionTLS12 {
		t.Fatalf("no TLS after STARTTLS")
	}
	if err := send(ingesttest.Malformed()); err != nil {
		t.Errorf("malformed over SMTP: %v, want accepted", err)
	}
	var se *smtp.SMTPError
	if err := send(ingesttest.Oversize(limit + 100)); !errors.As(err, &se) || se.Code != 552 || se.EnhancedCode != (smtp.EnhancedCode{5, 3, 4}) {
		t.Errorf("oversize over SMTP = %v, want 552 5.3.4", err)
	}
	c.Quit()
	got := ingesttest.ReadVerdicts(t, path)
	if len(got) != 2 || got[0].Recipients[0].Recipient != "dave@dest.example" || got[1].Error == nil || !strings.HasPrefix(got[0].Source, "smtp:") {
		t.Errorf("verdicts = %+v, want dave then an error verdict", got)
	}
}

func TestListenRefusesLiveSocket(t *testing.T) {
	sock := shortSocket(t)
	l, err := lmtpd.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := lmtpd.Listen(sock); err == nil {
		t.Errorf("second Listen on a live socket succeeded")
	}
}

// BenchmarkLMTPIngest: messages per second through a unix socket, the
// engine and a JSON lines sink, one connection, one recipient each.
func BenchmarkLMTPIngest(b *testing.B) {
	dir, _ := os.MkdirTemp("", "lmtpb")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	l, err := lmtpd.Listen(sock)
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	srv := lmtpd.NewLMTP(lmtpd.Config{
		Handler: &ingest.Handler{Engine: bounce.New(bounce.Config{}), Sink: sink.NewJSONL(&out)},
		Logger:  quietLog,
	})
	go srv.Serve(l)
	defer srv.Close()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	msg := ingesttest.Bounce("alice@dest.example", "c")
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for range b.N {
		c.Mail("", nil)
		c.Rcpt("bounces@esp.test", nil)
		w, _ := c.Data()
		w.Write(msg)
		if _, err := w.CloseWithLMTPResponse(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLMTPIngestParallel: as BenchmarkLMTPIngest with one connection
// per parallel goroutine (GOMAXPROCS of them), as an MTA's lmtp
// processes would.
func BenchmarkLMTPIngestParallel(b *testing.B) {
	dir, _ := os.MkdirTemp("", "lmtpb")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	l, err := lmtpd.Listen(sock)
	if err != nil {
		b.Fatal(err)
	}
	srv := lmtpd.NewLMTP(lmtpd.Config{
		Handler: &ingest.Handler{Engine: bounce.New(bounce.Config{}), Sink: sink.NewJSONL(io.Discard)},
		Logger:  quietLog,
	})
	go srv.Serve(l)
	defer srv.Close()
	msg := ingesttest.Bounce("alice@dest.example", "c")
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			b.Error(err)
			return
		}
		c := smtp.NewClientLMTP(conn)
		defer c.Close()
		for pb.Next() {
			c.Mail("", nil)
			c.Rcpt("bounces@esp.test", nil)
			w, _ := c.Data()
			w.Write(msg)
			if _, err := w.CloseWithLMTPResponse(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestLMTPLongLine: a bounce quoting an original whose HTML body has a
// line longer than 2000 bytes (Exim's LMTP transport does not fold lines)
// is accepted and parsed, not refused with a permanent 5xx, which would
// make the MTA bounce the bounce.
func TestLMTPLongLine(t *testing.T) {
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	path, _ := start(t, l, true, nil)
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	msg := ingesttest.Bounce("alice@dest.example", "")
	msg = append(msg, "<p>"+strings.Repeat("x", 5000)+"</p>\r\n"...)
	if _, err := sendLMTP(t, c, []string{"b@esp.test"}, msg); err != nil {
		t.Fatalf("bounce with a 5000-byte line: %v, want accepted", err)
	}
	// One line over the size limit is still 552 5.3.4.
	_, err = sendLMTP(t, c, []string{"b@esp.test"}, []byte("Subject: x\r\n\r\n"+strings.Repeat("y", limit+10)+"\r\n"))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 {
		t.Errorf("one line over the limit: %v, want 552", err)
	}
	// The session goes on.
	if _, err := sendLMTP(t, c, []string{"b@esp.test"}, ingesttest.Bounce("carol@dest.example", "")); err != nil {
		t.Fatalf("next bounce: %v", err)
	}
	c.Quit()
	got := ingesttest.ReadVerdicts(t, path)
	if len(got) != 2 || got[0].Error != nil || len(got[0].Recipients) != 1 || got[0].Recipients[0].Recipient != "alice@dest.example" {
		t.Fatalf("verdicts = %+v, want alice then carol", got)
	}
}

// TestLMTPBusyEngineTempFails: when the engine has no free slot before
// the delivery timeout, the bounce is not judged at all; it must be
// answered 451 (the MTA retries), not accepted as an error verdict
// ("context deadline exceeded"), which would lose its real verdict.
func TestLMTPBusyEngineTempFails(t *testing.T) {
	engine := bounce.New(bounce.Config{MaxParallel: 1, Limits: dsn.Options{MaxMessageBytes: limit}})
	// Hold the engine's only slot: Check runs while the slot is taken.
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = engine.Parse(context.Background(), bounce.Request{Raw: ingesttest.Bounce("x@dest.example", ""),
			Check: func(*bounce.Result) error { close(held); <-release; return nil }})
	}()
	<-held
	defer func() { close(release); <-done }()

	path := filepath.Join(t.TempDir(), "verdicts.jsonl")
	js, err := sink.OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := lmtpd.NewLMTP(lmtpd.Config{Handler: &ingest.Handler{Engine: engine, Sink: js}, MaxMessageBytes: limit,
		DeliverTimeout: 100 * time.Millisecond, Logger: quietLog})
	go srv.Serve(l)
	defer func() { srv.Close(); js.Close(context.Background()) }()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	_, err = sendLMTP(t, c, []string{"b@esp.test"}, ingesttest.Bounce("alice@dest.example", ""))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("reply with a busy engine = %v, want 451", err)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("verdict written while the engine was busy: %s", b)
	}
}

// With a limit of one connection, a second client is not greeted while the
// first is open, and is served as soon as the first leaves: connections,
// each of which may buffer a whole message, are bounded.
func TestLimitConnections(t *testing.T) {
	l, err := lmtpd.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	start(t, lmtpd.LimitConnections(l, 1), true, nil)
	greeting := func(c net.Conn, wait time.Duration) (string, error) {
		c.SetReadDeadline(time.Now().Add(wait))
		buf := make([]byte, 512)
		n, err := c.Read(buf)
		return string(buf[:n]), err
	}
	first, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if g, err := greeting(first, 5*time.Second); err != nil || !strings.HasPrefix(g, "220 ") {
		t.Fatalf("first client: greeting %q, %v", g, err)
	}
	second, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if g, err := greeting(second, 300*time.Millisecond); err == nil {
		t.Fatalf("second client greeted %q while the only slot was taken", g)
	}
	first.Close()
	if g, err := greeting(second, 5*time.Second); err != nil || !strings.HasPrefix(g, "220 ") {
		t.Fatalf("second client after the first left: greeting %q, %v", g, err)
	}
}
