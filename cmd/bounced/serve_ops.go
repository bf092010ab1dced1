package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/bounced/bounced/internal/server"
	"github.com/bounced/bounced/internal/tlsreload"
)

// opsConfig holds the operator settings of serve: transport security, the
// bearer token and readiness. Each field has a flag and a BOUNCED_*
// variable, as in Config.
type opsConfig struct {
	// TLSCert and TLSKey are PEM files; when set, gRPC (and the HTTP API)
	// speak TLS only, and the files are read again when they change
	// (BOUNCED_TLS_CERT, BOUNCED_TLS_KEY).
	TLSCert, TLSKey string
	// TLSClientCA is a PEM file of CAs; when set, clients must present a
	// certificate signed by one of them (mutual TLS) (BOUNCED_TLS_CLIENT_CA).
	TLSClientCA string
	// AuthTokenFile holds the accepted bearer tokens, one a line; when set,
	// every call not exempt needs "authorization: Bearer <token>"
	// (BOUNCED_AUTH_TOKEN_FILE).
	AuthTokenFile string
	// AuthExempt is the comma-separated list of gRPC methods, services
	// (ending in "/") and HTTP paths that need no token; empty means the
	// default list, "none" means nothing is exempt (BOUNCED_AUTH_EXEMPT).
	AuthExempt string
	// CacheOptional keeps /readyz ready while Redis does not answer
	// (BOUNCED_CACHE_OPTIONAL); Parse works without it either way.
	CacheOptional bool
	// MaxConnectionAge closes each client connection (with GOAWAY, calls
	// in flight finish) after about this long, so clients balancing over
	// DNS (dns:///bounced-headless:50051) find new replicas; 0 = never
	// (BOUNCED_MAX_CONNECTION_AGE).
	MaxConnectionAge time.Duration
	// HTTPListen serves the HTTP/JSON API (POST /v1/parse,
	// GET /v1/domains/{domain}, GET /openapi.json) when set; TLS and the
	// token apply as on gRPC (BOUNCED_HTTP_LISTEN).
	HTTPListen string
}

// revision is the VCS revision, set with -ldflags "-X main.revision=..."
// when the build has no .git (container builds); otherwise read from the
// binary's build information.
var revision = ""

// bindOps registers the operator flags of serve.
func bindOps(fs *flag.FlagSet, c *opsConfig, env *envErrors) {
	fs.StringVar(&c.TLSCert, "tls-cert", envOr("TLS_CERT", ""), "PEM certificate chain: serve gRPC and HTTP over TLS (reloaded when the file changes)")
	fs.StringVar(&c.TLSKey, "tls-key", envOr("TLS_KEY", ""), "PEM private key of --tls-cert")
	fs.StringVar(&c.TLSClientCA, "tls-client-ca", envOr("TLS_CLIENT_CA", ""), "PEM CA certificates: require client certificates signed by them (mutual TLS)")
	fs.StringVar(&c.AuthTokenFile, "auth-token-file", envOr("AUTH_TOKEN_FILE", ""), "file of accepted bearer tokens, one a line: require \"authorization: Bearer <token>\"")
	fs.StringVar(&c.AuthExempt, "auth-exempt", envOr("AUTH_EXEMPT", strings.Join(server.DefaultAuthExempt, ",")), "comma-separated gRPC methods, services (ending in /) and HTTP paths that need no token; \"none\" for none")
	fs.BoolVar(&c.CacheOptional, "cache-optional", env.bool("CACHE_OPTIONAL", false), "stay ready (/readyz) while Redis does not answer")
	fs.StringVar(&c.HTTPListen, "http-listen", envOr("HTTP_LISTEN", ""), "HTTP/JSON API address (POST /v1/parse, POST /v1/classify, GET /v1/domains/{domain}, /openapi.json); empty = off")
	fs.DurationVar(&c.MaxConnectionAge, "max-connection-age", env.duration("MAX_CONNECTION_AGE", 0), "close client connections after about this long so DNS-balancing clients find new replicas; 0 = never")
}

// grpcCreds is the transport security of gRPC: TLS with the files, or
// nil (plaintext); server.Config.Creds.
func grpcCreds(tlsFiles *tlsreload.Reloader) credentials.TransportCredentials {
	if tlsFiles == nil {
		return nil
	}
	return credentials.NewTLS(tlsFiles.ServerConfig())
}

// grpcOptions are the server options of the operator settings.
func (c opsConfig) grpcOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if c.MaxConnectionAge > 0 {
		opts = append(opts, grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionAge:      c.MaxConnectionAge,
			MaxConnectionAgeGrace: 30 * time.Second,
		}))
	}
	return opts
}

func (c opsConfig) check() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	if c.MaxConnectionAge < 0 {
		return fmt.Errorf("%w: --max-connection-age must not be negative", errUsage)
	}
	if c.TLSClientCA != "" && c.TLSCert == "" {
		return fmt.Errorf("%w: --tls-client-ca needs --tls-cert and --tls-key", errUsage)
	}
	return nil
}

// exemptList splits --auth-exempt.
func (c opsConfig) exemptList() []string {
	switch strings.TrimSpace(c.AuthExempt) {
	case "":
		return server.DefaultAuthExempt
	case "none":
		return []string{}
	}
	out := []string{}
	for _, e := range strings.Split(c.AuthExempt, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// openTLS loads the certificate files, or returns nil without TLS.
func openTLS(c opsConfig, m *server.Metrics, log *slog.Logger) (*tlsreload.Reloader, error) {
	if c.TLSCert == "" {
		return nil, nil
	}
	r, err := tlsreload.New(tlsreload.Config{
		CertFile: c.TLSCert, KeyFile: c.TLSKey, ClientCAFile: c.TLSClientCA,
		OnReload: func(err error) {
			m.TLSReloaded(err)
			if err != nil {
				log.Warn("TLS files changed but do not load; keeping the previous certificate", "err", err)
				return
			}
			log.Info("TLS certificate reloaded")
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if leaf := r.Leaf(); leaf != nil {
		log.Info("TLS on", "subject", leaf.Subject.String(), "not_after", leaf.NotAfter.Format(time.RFC3339), "client_certificates", c.TLSClientCA != "")
		if time.Now().After(leaf.NotAfter) {
			log.Warn("TLS certificate has expired; clients will refuse it", "not_after", leaf.NotAfter.Format(time.RFC3339))
		}
	}
	return r, nil
}

// openAuth reads the token file, or returns nil without a token.
func openAuth(c opsConfig, m *server.Metrics, log *slog.Logger) (*server.Auth, error) {
	if c.AuthTokenFile == "" {
		return nil, nil
	}
	a, err := server.NewAuth(server.AuthConfig{TokenFile: c.AuthTokenFile, Exempt: c.exemptList(), Metrics: m, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return a, nil
}

// warnPlaintext logs a warning when an API listener is reachable beyond
// this host without TLS.
func warnPlaintext(log *slog.Logger, name string, addr net.Addr, tlsOn, tokenOn bool) {
	if tlsOn || isLoopback(addr) {
		return
	}
	msg := name + " listens beyond loopback WITHOUT TLS: anyone who can reach it can call it and read the replies in plaintext; set --tls-cert/--tls-key"
	if tokenOn {
		msg += " (the bearer token also travels in plaintext)"
	}
	log.Warn(msg, "listener", name, "port", port(addr))
}

func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func port(addr net.Addr) int {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.Port
	}
	return 0
}

// serveAPI serves the HTTP/JSON API on addr, over TLS when tlsFiles is
// set, until the returned func is called; that func lets requests in
// flight finish for up to timeout.
func serveAPI(addr string, h http.Handler, tlsFiles *tlsreload.Reloader, tokenOn bool, log *slog.Logger) (func(context.Context), error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 25 MiB body on a slow link
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	if tlsFiles != nil {
		hs.TLSConfig = tlsFiles.ServerConfig("h2", "http/1.1")
		lis = tls.NewListener(lis, hs.TLSConfig)
	}
	warnPlaintext(log, "HTTP API", lis.Addr(), tlsFiles != nil, tokenOn)
	go func() { _ = hs.Serve(lis) }()
	log.Info("HTTP API serving", "addr", lis.Addr().String(), "tls", tlsFiles != nil)
	return func(ctx context.Context) {
		if err := hs.Shutdown(ctx); err != nil {
			_ = hs.Close()
		}
	}, nil
}
