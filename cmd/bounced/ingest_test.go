package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bounced/bounced/internal/dovecottest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/redistest"
)

// Log lines written after the Postfix, Exim and KumoMTA log formats
// (see internal/mtalog); the second and fifth are not failures.
var sampleLog = []string{
	`Nov 29 10:00:01 mail postfix/smtp[1234]: 4F3A21234: to=<alice@dest.example>, relay=mx.dest.example[192.0.2.10]:25, delay=1.2, dsn=5.1.1, status=bounced (host mx.dest.example[192.0.2.10] said: 550 5.1.1 <alice@dest.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`,
	`Nov 29 10:00:01 mail postfix/qmgr[99]: 4F3A21234: removed`,
	`2026-11-29 10:00:05 1tABCE-000124-CD == erin@grey.example R=dnslookup T=remote_smtp defer (-44) H=mx.grey.example [203.0.113.5]: SMTP error from remote mail server after RCPT TO:<erin@grey.example>: 452 4.2.2 Mailbox full`,
	`{"type":"Bounce","id":"1d98","sender":"b@esp.example","recipient":"grace@dest.example","response":{"code":550,"enhanced_code":{"class":5,"subject":7,"detail":1},"content":"Client host [198.51.100.2] blocked using zen.spamhaus.org","command":"RCPT TO"},"peer_address":{"name":"mx.dest.example.","addr":"192.0.2.10"},"timestamp":1795953601}`,
	`{"type":"Delivery","id":"1d99","recipient":"ok@dest.example","response":{"code":250,"content":"OK"}}`,
}

func TestLogsCommand(t *testing.T) {
	bin := buildBinary(t)
	p := filepath.Join(t.TempDir(), "mail.log")
	os.WriteFile(p, []byte(strings.Join(sampleLog, "\n")+"\n"), 0o644)
	cmd := exec.Command(bin, "logs", p)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("logs: %v\n%s", err, stderr.String())
	}
	lines := readLines(t, out)
	want := []struct{ source, kind, rcpt string }{
		{p + ":1", "KIND_BOUNCE", "alice@dest.example"},
		{p + ":3", "KIND_DELAY", "erin@grey.example"},
		{p + ":4", "KIND_BOUNCE", "grace@dest.example"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		l := lines[i]
		if l.Source != w.source || l.Kind != w.kind || len(l.Recipients) != 1 || l.Recipients[0].Recipient != w.rcpt {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
		}
	}
	if !strings.Contains(stderr.String(), "5 lines, 3 failures: 2 failed (1 hard), 1 deferred (soft)") {
		t.Errorf("summary = %q", stderr.String())
	}

	// Limits: a line over mtalog.MaxLineBytes is skipped and counted, a
	// reply over dsn.MaxReplyBytes is an error line; the run goes on.
	long := strings.Repeat("x", 300<<10)
	huge := strings.Replace(sampleLog[0], "User unknown", strings.Repeat("y", 20<<10), 1)
	cmd = exec.Command(bin, "logs", "-")
	cmd.Stdin = strings.NewReader(long + "\n" + huge + "\n" + sampleLog[0] + "\n")
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	lines = readLines(t, out)
	if err != nil || len(lines) != 2 || lines[0].Error == nil || !strings.Contains(lines[0].Error.Message, "too large") || lines[1].Error != nil {
		t.Errorf("limits: %v, lines %+v, want an error line then alice", err, lines)
	}
	if !strings.Contains(stderr.String(), "1 lines over") {
		t.Errorf("limits summary = %q, want the skipped line counted", stderr.String())
	}

	// Standard input.
	cmd = exec.Command(bin, "logs", "-")
	cmd.Stdin = strings.NewReader(sampleLog[0] + "\n")
	out, err = cmd.Output()
	if err != nil || len(readLines(t, out)) != 1 || !strings.HasPrefix(readLines(t, out)[0].Source, "-:1") {
		t.Errorf("logs -: %v\n%s", err, out)
	}
}

// TestLogsFollow: lines appended later, then a rotated file, are read;
// SIGTERM ends the command cleanly.
func TestLogsFollow(t *testing.T) {
	bin := buildBinary(t)
	p := filepath.Join(t.TempDir(), "mail.log")
	os.WriteFile(p, []byte(sampleLog[0]+"\n"), 0o644)
	cmd := exec.Command(bin, "logs", "--follow", p)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(rcpt string) {
		t.Helper()
		select {
		case l := <-lines:
			if !strings.Contains(l, rcpt) {
				t.Errorf("line %.100s, want %s", l, rcpt)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no line for %s", rcpt)
		}
	}
	expect("alice@dest.example")
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(sampleLog[2] + "\n")
	f.Close()
	expect("erin@grey.example")
	// Rotation: the old file moves away, a new one takes its name.
	os.Rename(p, p+".1")
	os.WriteFile(p, []byte(sampleLog[3]+"\n"), 0o644)
	expect("grace@dest.example")
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("logs --follow did not stop")
	}
}

// TestServeLMTP: serve with --lmtp-listen hands each message to the sink.
func TestServeLMTP(t *testing.T) {
	bin := buildBinary(t)
	dir, _ := os.MkdirTemp("", "lm")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "lmtp.sock")
	out := filepath.Join(dir, "verdicts.jsonl")
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ml.Addr().String()
	ml.Close()
	cmd := exec.Command(bin, "serve", "--listen=127.0.0.1:0", "--lmtp-listen=unix:"+sock, "--sink", "jsonl:"+out,
		"--max-message-bytes=65536", "--metrics-listen="+metricsAddr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var conn net.Conn
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no LMTP socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := smtp.NewClientLMTP(conn)
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
		_, err = w.CloseWithLMTPResponse()
		return err
	}
	if err := send(ingesttest.Bounce("alice@dest.example", "")); err != nil {
		t.Fatal(err)
	}
	if err := send(ingesttest.Malformed()); err != nil {
		t.Errorf("malformed: %v, want accepted", err)
	}
	var se *smtp.SMTPError
	if err := send(ingesttest.Oversize(70000)); !errors.As(err, &se) || se.Code != 552 {
		t.Errorf("oversize: %v, want 552", err)
	}
	c.Quit()
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"bounced_ingest_delivered_total 2", "bounced_ingest_error_verdicts_total 1", "bounced_ingest_too_large_total 1", "bounced_webhook_queued 0"} {
		if !strings.Contains(string(mb), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	b, _ := os.ReadFile(out)
	lines := readLines(t, b)
	if len(lines) != 2 || lines[0].Recipients[0].Recipient != "alice@dest.example" || lines[1].Error == nil {
		t.Errorf("sink = %+v, want alice then an error verdict", lines)
	}
}

// TestParseMboxStream: an mbox streams, in order, with the summary on stderr.
func TestParseMboxStream(t *testing.T) {
	bin := buildBinary(t)
	var b strings.Builder
	const n = 300
	for i := range n {
		b.WriteString("From MAILER-DAEMON Sun Nov 29 10:00:00 2026\n")
		if i%3 == 2 {
			b.WriteString("X: not a bounce\n\nhello\n\n")
			continue
		}
		b.WriteString(strings.ReplaceAll(string(ingesttest.Bounce(fmt.Sprintf("u%d@d%d.example", i, i%7), "")), "\r\n", "\n"))
		b.WriteString("\n")
	}
	p := filepath.Join(t.TempDir(), "bounces.mbox")
	os.WriteFile(p, []byte(b.String()), 0o644)
	cmd := exec.Command(bin, "parse", p)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, stderr.String())
	}
	lines := readLines(t, out)
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l.Source != fmt.Sprintf("%s#%d", p, i+1) {
			t.Fatalf("line %d source %q, want #%d (input order)", i, l.Source, i+1)
		}
		if i%3 != 2 && (len(l.Recipients) != 1 || l.Recipients[0].Recipient != fmt.Sprintf("u%d@d%d.example", i, i%7)) {
			t.Fatalf("line %d = %+v", i, l)
		}
	}
	s := stderr.String()
	for _, want := range []string{"300 messages", "userunknown", "200", "top remote domains", "hard vs soft"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// TestIngestHelp: logs and imap -h list every flag with its variable, and
// serve lists the ingest and sink flags.
func TestIngestHelp(t *testing.T) {
	bin := buildBinary(t)
	for cmd, flags := range map[string][]string{
		"logs":  {"follow", "sink", "webhook-secret-file", "redis", "max-message-bytes", "audience", "language"},
		"imap":  {"url", "password-file", "done-folder", "delete", "poll-interval", "allow-plaintext", "once", "sink"},
		"serve": {"lmtp-listen", "smtp-listen", "smtp-tls-cert", "smtp-tls-key", "sink", "sink-redis", "webhook-queue-dir", "webhook-queue-max"},
	} {
		out, err := exec.Command(bin, cmd, "-h").CombinedOutput()
		if err != nil {
			t.Errorf("%s -h: %v", cmd, err)
		}
		for _, f := range flags {
			if !strings.Contains(string(out), "--"+f) || !strings.Contains(string(out), envName(f)) {
				t.Errorf("%s -h does not list --%s with %s", cmd, f, envName(f))
			}
		}
	}
	// The IMAP password is never a flag.
	if out, _ := exec.Command(bin, "imap", "-h").CombinedOutput(); strings.Contains(string(out), "--password=") {
		t.Errorf("imap has a --password flag")
	}
}

// TestParseRedisMemory: parse --redis reads and updates the same domain
// memory as serve: the second run over a bounce finds the first one's.
func TestParseRedisMemory(t *testing.T) {
	bin := buildBinary(t)
	srv := redistest.Start(t)
	if srv.External() {
		t.Skip("needs its own Redis (keys are not prefixed by the CLI)")
	}
	p := filepath.Join(t.TempDir(), "b.eml")
	os.WriteFile(p, ingesttest.Bounce("alice@memory.example", ""), 0o644)
	var status []string
	for range 2 {
		out, err := exec.Command(bin, "parse", "--redis", srv.URL(), "--cache-flush-every=0", p).Output()
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			CacheStatus string `json:"cache_status"`
		}
		json.Unmarshal(bytes.TrimSpace(out), &v)
		status = append(status, v.CacheStatus)
	}
	if status[0] != "CACHE_STATUS_MISS" || status[1] != "CACHE_STATUS_HIT" {
		t.Errorf("cache status of two runs = %v, want MISS then HIT", status)
	}
}

// TestIMAPCommand: bounced imap --once against a throwaway Dovecot, the
// password from a file, then from BOUNCED_IMAP_PASSWORD.
func TestIMAPCommand(t *testing.T) {
	d := dovecottest.Start(t)
	bin := buildBinary(t)
	d.Append("INBOX", ingesttest.Bounce("alice@dest.example", ""), ingesttest.Malformed())
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(dovecottest.Password+"\n"), 0o600)
	url := "imap://" + dovecottest.User + "@" + d.Addr + "/INBOX"
	cmd := exec.Command(bin, "imap", "--url", url, "--allow-plaintext", "--once", "--password-file", pwFile, "--done-folder", "Done")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("imap: %v\n%s", err, stderr.String())
	}
	lines := readLines(t, out)
	if len(lines) != 2 || len(lines[0].Recipients) != 1 || lines[0].Recipients[0].Recipient != "alice@dest.example" || lines[1].Error == nil {
		t.Errorf("imap printed %+v, want alice then an error verdict", lines)
	}
	if all, _ := d.Count("INBOX"); all != 0 {
		t.Errorf("INBOX holds %d, want 0 (moved to Done)", all)
	}
	if all, _ := d.Count("Done"); all != 2 {
		t.Errorf("Done holds %d, want 2", all)
	}

	d.Append("INBOX", ingesttest.Bounce("bob@dest.example", ""))
	cmd = exec.Command(bin, "imap", "--url", url, "--allow-plaintext", "--once")
	cmd.Env = append(os.Environ(), "BOUNCED_IMAP_PASSWORD="+dovecottest.Password)
	out, err = cmd.Output()
	if err != nil || len(readLines(t, out)) != 1 {
		t.Errorf("imap with BOUNCED_IMAP_PASSWORD: %v\n%s", err, out)
	}
	if _, unseen := d.Count("INBOX"); unseen != 0 {
		t.Errorf("INBOX has %d unseen, want 0 (marked \\Seen)", unseen)
	}

	// No password, or one in the URL: usage errors.
	if err := exec.Command(bin, "imap", "--url", url, "--once").Run(); exitStatus(err) != 2 {
		t.Errorf("imap without a password: %v, want exit status 2", err)
	}
	cmd = exec.Command(bin, "imap", "--url", "imaps://bob:secret@"+d.Addr+"/INBOX", "--once")
	cmd.Env = append(os.Environ(), "BOUNCED_IMAP_PASSWORD=x")
	if out, err := cmd.CombinedOutput(); exitStatus(err) != 2 || strings.Contains(string(out), "secret") {
		t.Errorf("password in the URL: %v %s, want exit status 2 without echoing it", err, out)
	}
}

// TestParseMboxLimits: in a streamed mbox, a message over
// --max-message-bytes and a malformed one each get an error line; the
// messages after them are still read.
func TestParseMboxLimits(t *testing.T) {
	bin := buildBinary(t)
	bounceMsg := strings.ReplaceAll(string(ingesttest.Bounce("alice@dest.example", "")), "\r\n", "\n")
	mbox := "From a Sun Nov 29 10:00:00 2026\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 70)+"\n", 200) + "\n" +
		"From b Sun Nov 29 10:00:00 2026\nno header here\n\n" +
		"From c Sun Nov 29 10:00:00 2026\n" + bounceMsg + "\n"
	p := filepath.Join(t.TempDir(), "m.mbox")
	os.WriteFile(p, []byte(mbox), 0o644)
	out, err := exec.Command(bin, "parse", "--max-message-bytes=8000", p).Output()
	if exitStatus(err) != 1 {
		t.Errorf("exit: %v, want status 1 (some messages failed)", err)
	}
	lines := readLines(t, out)
	if len(lines) != 3 || lines[0].Error == nil || !strings.Contains(lines[0].Error.Message, "too large") ||
		lines[1].Error == nil || lines[2].Error != nil || lines[2].Source != p+"#3" {
		t.Errorf("lines = %+v, want too large, malformed, then #3 parsed", lines)
	}
}
