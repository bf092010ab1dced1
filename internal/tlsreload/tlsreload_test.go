package tlsreload_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bounced/bounced/internal/tlsreload"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

func TestNewRefusesBadFiles(t *testing.T) {
	ca := certtest.NewCA(t, "CA")
	dir := t.TempDir()
	f := certtest.Write(t, dir, "s", ca.Issue(t, certtest.Options{CN: "s"}), ca)
	notPEM := filepath.Join(dir, "junk")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := certtest.Write(t, dir, "o", ca.Issue(t, certtest.Options{CN: "o"}), nil)
	cases := []struct {
		name string
		cfg  tlsreload.Config
		is   error
	}{
		{"no key", tlsreload.Config{CertFile: f.Cert}, nil},
		{"missing file", tlsreload.Config{CertFile: filepath.Join(dir, "absent"), KeyFile: f.Key}, os.ErrNotExist},
		{"key of another certificate", tlsreload.Config{CertFile: f.Cert, KeyFile: other.Key}, nil},
		{"CA file without a certificate", tlsreload.Config{CertFile: f.Cert, KeyFile: f.Key, ClientCAFile: notPEM}, tlsreload.ErrNoCA},
	}
	for _, c := range cases {
		_, err := tlsreload.New(c.cfg)
		if err == nil {
			t.Errorf("%s: New succeeded", c.name)
			continue
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v, want %v", c.name, err, c.is)
		}
	}
	r, err := tlsreload.New(tlsreload.Config{CertFile: f.Cert, KeyFile: f.Key, ClientCAFile: f.CA})
	if err != nil {
		t.Fatal(err)
	}
	if leaf := r.Leaf(); leaf == nil || leaf.Subject.CommonName != "s" {
		t.Errorf("Leaf = %v, want CN s", leaf)
	}
}

func TestReloadReportsOnce(t *testing.T) {
	ca := certtest.NewCA(t, "CA")
	dir := t.TempDir()
	leaf := ca.Issue(t, certtest.Options{CN: "a"})
	f := certtest.Write(t, dir, "s", leaf, nil)
	var calls []error
	r, err := tlsreload.New(tlsreload.Config{CertFile: f.Cert, KeyFile: f.Key, OnReload: func(err error) { calls = append(calls, err) }})
	if err != nil {
		t.Fatal(err)
	}
	// Garbage in the key file: the old certificate stays, the failure is
	// reported once however many handshakes see it.
	certtest.Write(t, dir, "s", &certtest.Leaf{CertPEM: leaf.CertPEM, KeyPEM: []byte("junk")}, nil)
	for range 3 {
		if l := r.Leaf(); l == nil || l.Subject.CommonName != "a" {
			t.Fatalf("Leaf after a broken rewrite = %v, want the old one", l)
		}
	}
	if len(calls) != 1 || calls[0] == nil {
		t.Errorf("OnReload calls = %v, want one error", calls)
	}
	b := ca.Issue(t, certtest.Options{CN: "b"})
	certtest.Write(t, dir, "s", b, nil)
	if l := r.Leaf(); l == nil || l.Subject.CommonName != "b" {
		t.Errorf("Leaf after a good rewrite = %v, want b", l)
	}
	if len(calls) != 2 || calls[1] != nil {
		t.Errorf("OnReload calls = %v, want error then nil", calls)
	}
}
