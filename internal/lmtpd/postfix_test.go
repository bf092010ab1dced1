package lmtpd_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
	"github.com/bounced/bounced/internal/lmtpd"
	"github.com/bounced/bounced/internal/mtalog"
	"github.com/bounced/bounced/internal/sink"
)

// TestPostfix runs a throwaway Postfix (the Debian package postfix) with
// its own configuration and queue in a temporary directory: it accepts
// mail for bounces.test on a loopback port and hands it to bounced over
// LMTP on a unix socket (transport_maps = lmtp:unix:...), as the README
// shows. A bounce becomes a verdict; a message over bounced's limit is
// refused (5.3.4), which Postfix logs as status=bounced, read back here
// with internal/mtalog.
func TestPostfix(t *testing.T) {
	if _, err := exec.LookPath("postfix"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("postfix not installed (scripts/test.sh installs the Debian package)")
		}
		t.Fatal("postfix not installed; scripts/test.sh installs it")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "" {
			t.Skip("a Postfix instance needs root")
		}
		t.Fatal("a Postfix instance needs root")
	}
	pu, err := user.Lookup("postfix")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(pu.Uid)
	dir, err := os.MkdirTemp("", "pfx")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	for _, d := range []string{"etc", "spool", "data"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	os.Chown(filepath.Join(dir, "data"), uid, -1)
	sock := filepath.Join(dir, "lmtp.sock")
	port := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}()
	mainCf := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/spool
data_directory = %[1]s/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.test
myorigin = mta.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = bounces.test
transport_maps = inline:{ bounces.test=lmtp:unix:%[2]s }
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
alias_maps =
alias_database =
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
default_transport = error:no delivery outside the test
smtp_dns_support_level = disabled
`, dir, sock)
	masterCf := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`, port)
	os.WriteFile(filepath.Join(dir, "etc", "main.cf"), []byte(mainCf), 0o644)
	os.WriteFile(filepath.Join(dir, "etc", "master.cf"), []byte(masterCf), 0o644)

	// bounced's LMTP side.
	path := filepath.Join(t.TempDir(), "verdicts.jsonl")
	js, err := sink.OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close(context.Background())
	l, err := lmtpd.Listen("unix:" + sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := lmtpd.NewLMTP(lmtpd.Config{
		Handler:         &ingest.Handler{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: limit}}), Sink: js},
		MaxMessageBytes: limit, Logger: quietLog,
	})
	go srv.Serve(l)
	defer srv.Close()

	cmd := exec.Command("postfix", "-c", filepath.Join(dir, "etc"), "start-fg")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		exec.Command("postfix", "-c", filepath.Join(dir, "etc"), "stop").Run()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Logf("postfix output: %s\nmaillog:\n%s", out, b)
		}
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "postfix smtpd", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	send := func(from, to string, msg []byte) {
		t.Helper()
		c, err := smtp.Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Mail(from, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(to, nil); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(msg)
		if err := w.Close(); err != nil {
			t.Fatalf("SMTP to postfix: %v", err)
		}
		c.Quit()
	}
	send("", "bounces+alice=dest.example@bounces.test", ingesttest.Bounce("alice@dest.example", "c-9"))
	send("sender@mta.test", "big@bounces.test", ingesttest.Oversize(limit+1000))

	waitFor(t, 30*time.Second, "the bounce's verdict", func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), "alice@dest.example")
	})
	var refused mtalog.Record
	waitFor(t, 30*time.Second, "postfix to log the 552", func() bool {
		f, err := os.Open(filepath.Join(dir, "maillog"))
		if err != nil {
			return false
		}
		defer f.Close()
		sc := mtalog.NewScanner(f)
		for sc.Scan() {
			if r := sc.Record(); r.Recipient == "big@bounces.test" {
				refused = r
				return true
			}
		}
		return false
	})
	// Postfix reads the SIZE bounced announces (RFC 1870) and refuses the
	// message itself with 5.3.4; without SIZE it would get bounced's 552 5.3.4.
	if refused.Deferred || !strings.Contains(refused.Text, "exceeds size limit") && !strings.Contains(refused.Text, "552 5.3.4") {
		t.Errorf("postfix logged %+v, want status=bounced, size limit", refused)
	}
	got := ingesttest.ReadVerdicts(t, path)
	if len(got) != 1 || got[0].Recipients[0].Recipient != "alice@dest.example" || !strings.HasSuffix(got[0].Source, "bounces+alice=dest.example@bounces.test") {
		t.Errorf("verdicts = %+v, want alice's only", got)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
