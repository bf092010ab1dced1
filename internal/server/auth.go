package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// DefaultAuthExempt are the paths that need no token: gRPC health
// checking and reflection, and the HTTP health and metrics endpoints. An
// entry ending in "/" matches every method of a service (a path prefix);
// any other entry matches one gRPC method or HTTP path exactly.
var DefaultAuthExempt = []string{
	"/grpc.health.v1.Health/",
	"/grpc.reflection.v1.ServerReflection/",
	"/grpc.reflection.v1alpha.ServerReflection/",
	"/healthz",
	"/readyz",
	"/metrics",
	"/openapi.json",
}

// ErrNoToken is wrapped by NewAuth when the token file holds no token.
var ErrNoToken = errors.New("server: token file holds no token")

// tokenRecheck is how often the token file's modification time is looked
// at, so a rotated token is taken without a restart.
const tokenRecheck = time.Second

// AuthConfig configures NewAuth.
type AuthConfig struct {
	// TokenFile holds the accepted bearer tokens, one a line (two during a
	// rotation); blank lines and lines starting with # are skipped. It is
	// read again when it changes.
	TokenFile string
	// Exempt lists the paths that need no token (DefaultAuthExempt when nil).
	Exempt []string
	// Metrics counts refusals; nil counts nothing.
	Metrics *Metrics
	// Logger gets one line per refusal at info level, with the peer's
	// address masked; nil discards.
	Logger *slog.Logger
}

// Auth checks the "authorization: Bearer <token>" of every call that is
// not exempt, in constant time, over gRPC (interceptors) and HTTP
// (middleware).
type Auth struct {
	cfg     AuthConfig
	recheck time.Duration // tokenRecheck; tests shorten it

	mu      sync.Mutex
	digests [][sha256.Size]byte // SHA-256 of each accepted token
	modTime time.Time
	size    int64
	checked time.Time
}

// NewAuth reads the token file.
func NewAuth(cfg AuthConfig) (*Auth, error) {
	if cfg.Exempt == nil {
		cfg.Exempt = DefaultAuthExempt
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &Auth{cfg: cfg, recheck: tokenRecheck}
	if err := a.load(time.Now()); err != nil {
		return nil, err
	}
	return a, nil
}

// load reads the token file; the caller holds mu or owns a.
func (a *Auth) load(now time.Time) error {
	fi, err := os.Stat(a.cfg.TokenFile)
	if err != nil {
		return fmt.Errorf("server: auth token file: %w", err)
	}
	b, err := os.ReadFile(a.cfg.TokenFile)
	if err != nil {
		return fmt.Errorf("server: auth token file: %w", err)
	}
	var digests [][sha256.Size]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		digests = append(digests, sha256.Sum256([]byte(line)))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("server: auth token file: %w", err)
	}
	if len(digests) == 0 {
		return fmt.Errorf("%w: %s", ErrNoToken, a.cfg.TokenFile)
	}
	a.digests, a.modTime, a.size, a.checked = digests, fi.ModTime(), fi.Size(), now
	return nil
}

// tokens returns the accepted digests, reading the file again when it
// changed. A file that became unreadable or empty keeps the old tokens (a
// half-written rotation must not lock everyone out) and is logged.
func (a *Auth) tokens() [][sha256.Size]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if now.Sub(a.checked) < a.recheck {
		return a.digests
	}
	a.checked = now
	fi, err := os.Stat(a.cfg.TokenFile)
	if err != nil || (fi.ModTime().Equal(a.modTime) && fi.Size() == a.size) {
		return a.digests
	}
	old := a.digests
	if err := a.load(now); err != nil {
		a.cfg.Logger.Warn("auth token file unreadable; keeping the previous tokens", "err", err)
		a.digests = old
	} else {
		a.cfg.Logger.Info("auth token file reloaded", "tokens", len(a.digests))
	}
	return a.digests
}

// Exempt reports whether path (a gRPC full method or an HTTP path) needs
// no token.
func (a *Auth) Exempt(path string) bool {
	for _, e := range a.cfg.Exempt {
		if e == path || (strings.HasSuffix(e, "/") && strings.HasPrefix(path, e)) {
			return true
		}
	}
	return false
}

// check returns "" when the authorization value carries an accepted
// token, else the cause: "missing" or "wrong". Every accepted token is
// compared, in constant time, against a digest of the one presented, so
// neither the token's length nor which token matched shows in the timing.
func (a *Auth) check(authorization string) string {
	const prefix = "bearer "
	if len(authorization) < len(prefix) || !strings.EqualFold(authorization[:len(prefix)], prefix) {
		return "missing"
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(authorization[len(prefix):])))
	ok := 0
	for _, d := range a.tokens() {
		ok |= subtle.ConstantTimeCompare(got[:], d[:])
	}
	if ok == 1 {
		return ""
	}
	return "wrong"
}

func (a *Auth) refuse(ctx context.Context, transport, path, cause, remote string) {
	if a.cfg.Metrics != nil {
		a.cfg.Metrics.AuthFailed(transport, cause)
	}
	a.cfg.Logger.InfoContext(ctx, "call refused: bearer token "+cause, "transport", transport, "path", logPath(path), "peer", MaskAddr(remote))
}

// grpcCheck authorizes one gRPC call.
func (a *Auth) grpcCheck(ctx context.Context, method string) error {
	if a.Exempt(method) {
		return nil
	}
	var authz string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("authorization"); len(v) > 0 {
			authz = v[0]
		}
	}
	cause := a.check(authz)
	if cause == "" {
		return nil
	}
	remote := ""
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		remote = p.Addr.String()
	}
	a.refuse(ctx, "grpc", method, cause, remote)
	if cause == "missing" {
		return status.Error(codes.Unauthenticated, "missing bearer token: send metadata \"authorization: Bearer <token>\"")
	}
	return status.Error(codes.Unauthenticated, "bearer token not accepted")
}

// UnaryInterceptor refuses unary calls without an accepted token with
// Unauthenticated.
func (a *Auth) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := a.grpcCheck(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// StreamInterceptor refuses streams without an accepted token.
func (a *Auth) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := a.grpcCheck(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return h(srv, ss)
	}
}

// HTTP refuses requests without an accepted token with 401 and a
// WWW-Authenticate challenge (RFC 6750 section 3).
func (a *Auth) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		cause := a.check(r.Header.Get("Authorization"))
		if cause == "" {
			next.ServeHTTP(w, r)
			return
		}
		a.refuse(r.Context(), "http", r.URL.Path, cause, r.RemoteAddr)
		challenge := `Bearer realm="bounced"`
		if cause == "wrong" {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"code":16,"message":"bearer token %s"}`+"\n", cause)
	})
}
