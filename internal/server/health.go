package server

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bounced/bounced/internal/domaincache"
)

// Readiness answers /readyz: ready when the domain cache answers a ping
// within the timeout, or when there is nothing to ping (no cache, the
// in-process one) or the cache is declared optional; never ready once
// shutdown has begun, so load balancers stop sending before the drain.
type Readiness struct {
	store    domaincache.Store
	optional bool
	timeout  time.Duration
	stopping atomic.Bool
}

// NewReadiness returns a Readiness for store (nil: no cache). optional
// means a cache that does not answer keeps the instance ready, since Parse
// never fails on a cache outage (the replies say cache_status=UNAVAILABLE).
func NewReadiness(store domaincache.Store, optional bool, timeout time.Duration) *Readiness {
	if timeout <= 0 {
		timeout = time.Second
	}
	return &Readiness{store: store, optional: optional, timeout: timeout}
}

// Stopping marks the instance not ready for good.
func (r *Readiness) Stopping() { r.stopping.Store(true) }

type pinger interface{ Ping(context.Context) error }

// Check returns nil when the instance should get traffic.
func (r *Readiness) Check(ctx context.Context) error {
	if r.stopping.Load() {
		return fmt.Errorf("shutting down")
	}
	s := r.store
	for {
		u, ok := s.(interface{ Unwrap() domaincache.Store })
		if !ok {
			break
		}
		s = u.Unwrap()
	}
	p, ok := s.(pinger)
	if !ok || r.optional {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := p.Ping(ctx); err != nil {
		return fmt.Errorf("domain cache: %w", err)
	}
	return nil
}

// OpsHandler serves the operator endpoints: GET /metrics (Prometheus),
// /healthz (the process answers: liveness) and /readyz (Readiness). When
// auth is set, paths it does not exempt need the bearer token.
func OpsHandler(m *Metrics, ready *Readiness, auth *Auth) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready.Check(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	if auth != nil {
		return auth.HTTP(mux)
	}
	return mux
}
