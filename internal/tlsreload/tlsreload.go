// Package tlsreload serves TLS (RFC 8446, RFC 5246) from certificate and
// key files that may be replaced while the server runs, as cert-manager,
// certbot or a Kubernetes Secret volume do: each handshake looks at the
// files' modification times and sizes and, when they changed, reads them
// again. A pair that does not load (half written, key and certificate not
// matching) leaves the previous one in use until a later handshake finds
// the files whole.
//
// With a client CA file it requires and verifies client certificates
// (mutual TLS), and reloads that file the same way.
package tlsreload

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// ErrNoCA is wrapped when the client CA file holds no PEM certificate.
var ErrNoCA = errors.New("tlsreload: no CA certificate in file")

// Config names the files.
type Config struct {
	CertFile, KeyFile string // PEM certificate chain and private key (required)
	// ClientCAFile, when set, holds the PEM CA certificates that client
	// certificates must chain to; clients without one are refused.
	ClientCAFile string
	// OnReload, when set, is called after each reload attempt caused by a
	// changed file, with its error (nil on success).
	OnReload func(err error)
}

// Reloader holds the current certificate and client CA pool.
type Reloader struct {
	cfg Config

	mu      sync.Mutex
	cert    *tls.Certificate
	pool    *x509.CertPool
	stamps  [3]stamp // cert, key, CA
	lastErr error
}

type stamp struct {
	mod  time.Time
	size int64
}

// New loads the files once; an error here means the server should not start.
func New(cfg Config) (*Reloader, error) {
	if cfg.CertFile == "" || cfg.KeyFile == "" {
		return nil, errors.New("tlsreload: both a certificate and a key file are needed")
	}
	r := &Reloader{cfg: cfg}
	st, err := r.stat()
	if err != nil {
		return nil, err
	}
	if err := r.load(st); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Reloader) files() []string {
	return []string{r.cfg.CertFile, r.cfg.KeyFile, r.cfg.ClientCAFile}
}

func (r *Reloader) stat() ([3]stamp, error) {
	var st [3]stamp
	for i, f := range r.files() {
		if f == "" {
			continue
		}
		fi, err := os.Stat(f)
		if err != nil {
			return st, fmt.Errorf("tlsreload: %w", err)
		}
		st[i] = stamp{fi.ModTime(), fi.Size()}
	}
	return st, nil
}

// load reads the files; the caller holds mu or owns r.
func (r *Reloader) load(st [3]stamp) error {
	cert, err := tls.LoadX509KeyPair(r.cfg.CertFile, r.cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("tlsreload: %w", err)
	}
	var pool *x509.CertPool
	if r.cfg.ClientCAFile != "" {
		pem, err := os.ReadFile(r.cfg.ClientCAFile)
		if err != nil {
			return fmt.Errorf("tlsreload: %w", err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%w: %s", ErrNoCA, r.cfg.ClientCAFile)
		}
	}
	r.cert, r.pool, r.stamps = &cert, pool, st
	return nil
}

// current returns the certificate and pool, reloading changed files.
func (r *Reloader) current() (*tls.Certificate, *x509.CertPool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.stat()
	if err != nil || st == r.stamps {
		return r.cert, r.pool
	}
	err = r.load(st)
	if err != nil && r.lastErr != nil && err.Error() == r.lastErr.Error() {
		// Same failure as the previous handshake: report it once.
		return r.cert, r.pool
	}
	r.lastErr = err
	if r.cfg.OnReload != nil {
		r.cfg.OnReload(err)
	}
	return r.cert, r.pool
}

// Leaf returns the current certificate's leaf, for logging its subject and
// expiry.
func (r *Reloader) Leaf() *x509.Certificate {
	c, _ := r.current()
	if c.Leaf != nil {
		return c.Leaf
	}
	if len(c.Certificate) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}

// ServerConfig returns a server tls.Config (TLS 1.2 at least) that takes
// the current files at each handshake and offers the given ALPN protocols
// ("h2" for gRPC; "h2", "http/1.1" for HTTP).
func (r *Reloader) ServerConfig(alpn ...string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: alpn,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			cert, pool := r.current()
			c := &tls.Config{
				MinVersion:   tls.VersionTLS12,
				NextProtos:   alpn,
				Certificates: []tls.Certificate{*cert},
			}
			if pool != nil {
				c.ClientCAs = pool
				c.ClientAuth = tls.RequireAndVerifyClientCert
			}
			return c, nil
		},
	}
}
