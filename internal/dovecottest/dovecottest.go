// Package dovecottest starts a throwaway Dovecot IMAP server for tests:
// the Debian package dovecot-imapd, run as root with its own
// configuration, one passwd-file user and maildirs in a temporary
// directory, listening on a free loopback port. Without dovecot (or
// root) the test is skipped when CI is unset and fails in CI, where
// scripts/test.sh installs it.
package dovecottest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Server is a running Dovecot; Addr is its IMAP host:port (plain text).
type Server struct {
	bin    string
	cmd    *exec.Cmd
	exited chan struct{}
	t      *testing.T
	dir    string
	conf   string
	Addr   string
}

// The one user and its password.
const (
	User     = "bob"
	Password = "pw-for-tests"
)

// Start runs a Dovecot until the test ends.
func Start(t *testing.T) *Server { return StartWith(t, "") }

// StartWith is Start with more configuration lines appended, for example
// "imap_capability = IMAP4rev1 LITERAL+" to hide IDLE, MOVE and UIDPLUS.
func StartWith(t *testing.T, extra string) *Server {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot"
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") == "" {
				t.Skip("dovecot not installed (apt-get install dovecot-imapd; scripts/test.sh does it)")
			}
			t.Fatal("dovecot not installed; scripts/test.sh installs dovecot-imapd")
		}
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "" {
			t.Skip("starting a Dovecot instance needs root")
		}
		t.Fatal("starting a Dovecot instance needs root")
	}
	mailUser, err := user.Lookup("dovecot")
	if err != nil {
		t.Fatalf("user dovecot: %v", err)
	}
	// Short paths (unix sockets) that Dovecot's unprivileged processes can enter.
	dir, err := os.MkdirTemp("", "dvc")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	mail := filepath.Join(dir, "mail")
	os.Mkdir(mail, 0o755)
	uid, _ := strconv.Atoi(mailUser.Uid)
	gid, _ := strconv.Atoi(mailUser.Gid)
	os.Chown(mail, uid, gid)
	port := freePort(t)
	d := &Server{t: t, dir: dir, conf: filepath.Join(dir, "dovecot.conf"), Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
instance_name = bounced-test-%[2]d
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
}
`, dir, port) + extra + "\n"
	if err := os.WriteFile(d.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(User+":{PLAIN}"+Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.bin = bin
	d.start()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot.log:\n%s", b)
		}
		os.RemoveAll(dir)
	})
	return d
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (d *Server) start() {
	d.t.Helper()
	// -F keeps the master in the foreground, a child of the test that the
	// kernel kills with it (Pdeathsig) if the test binary dies.
	cmd := exec.Command(d.bin, "-F", "-c", d.conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("dovecot: %v", err)
	}
	d.cmd = cmd
	d.exited = make(chan struct{})
	go func() { cmd.Wait(); close(d.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", d.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-d.exited:
			b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
			d.t.Fatalf("dovecot exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("dovecot does not listen on %s: %v", d.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the master process (and with it every IMAP session) and
// waits until it is gone.
func (d *Server) stop() {
	if d.cmd == nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.exited
	}
	d.cmd = nil
	// Wait until the port is free again.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", d.Addr, 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// Restart drops every connection: the sessions are kicked, the master
// stops, then starts again on the same port.
func (d *Server) Restart() {
	d.t.Helper()
	// The master's exit leaves running IMAP sessions alone; kick them first.
	if out, err := exec.Command("doveadm", "-c", d.conf, "kick", User).CombinedOutput(); err != nil {
		d.t.Errorf("doveadm kick: %v: %s", err, out)
	}
	d.stop()
	d.start()
}

// Client returns a logged-in client.
func (d *Server) Client() *imapclient.Client {
	d.t.Helper()
	c, err := imapclient.DialInsecure(d.Addr, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := c.Login(User, Password).Wait(); err != nil {
		d.t.Fatal(err)
	}
	return c
}

// Append stores messages in a mailbox with APPEND, as a delivery would.
func (d *Server) Append(mailbox string, msgs ...[]byte) {
	d.t.Helper()
	c := d.Client()
	defer c.Close()
	for _, m := range msgs {
		cmd := c.Append(mailbox, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			d.t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			d.t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			d.t.Fatal(err)
		}
	}
}

// Count returns how many messages a mailbox holds, and how many are unseen.
func (d *Server) Count(mailbox string) (all, unseen int) {
	d.t.Helper()
	c := d.Client()
	defer c.Close()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		d.t.Fatalf("status %s: %v", mailbox, err)
	}
	return int(*st.NumMessages), int(*st.NumUnseen)
}
