package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/redistest"
	"github.com/bounced/bounced/internal/tlsreload"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

func writeToken(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func withToken(tok string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

func TestAuthToken(t *testing.T) {
	path := writeToken(t, "# rotation: old and new\ns3cret-old\n\ns3cret-new\n")
	auth, err := NewAuth(AuthConfig{TokenFile: path})
	if err != nil {
		t.Fatal(err)
	}
	s := startOpsServer(t, auth)
	auth.cfg.Metrics = s.metrics
	raw := &pb.ParseRequest{Raw: []byte(relayDenied)}

	cases := []struct {
		name string
		ctx  context.Context
		want codes.Code
	}{
		{"missing token", context.Background(), codes.Unauthenticated},
		{"wrong token", withToken("s3cret"), codes.Unauthenticated},
		{"token with extra byte", withToken("s3cret-new!"), codes.Unauthenticated},
		{"not a bearer", metadata.AppendToOutgoingContext(context.Background(), "authorization", "Basic s3cret-new"), codes.Unauthenticated},
		{"new token", withToken("s3cret-new"), codes.OK},
		{"old token during rotation", withToken("s3cret-old"), codes.OK},
		{"scheme in lower case", metadata.AppendToOutgoingContext(context.Background(), "authorization", "bearer s3cret-new"), codes.OK},
	}
	for _, c := range cases {
		_, err := s.client.Parse(c.ctx, raw)
		if got := status.Code(err); got != c.want {
			t.Errorf("%s: Parse = %v, want %v", c.name, err, c.want)
		}
	}
	// Streams are checked too.
	st, err := s.client.ParseStream(withToken("nope"))
	if err == nil {
		_, err = st.Recv()
	}
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("stream with a wrong token: %v, want Unauthenticated", err)
	}
	// Health needs no token by default.
	if _, err := healthpb.NewHealthClient(s.conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health without a token: %v", err)
	}
	fams := scrape(t, s.opsURL) // /metrics exempt by default
	if got := sample(fams, MetricAuthFailures, map[string]string{"transport": "grpc", "cause": "wrong"}); got != 3 {
		t.Errorf("wrong-token refusals counted %v, want 3", got)
	}
	if got := sample(fams, MetricAuthFailures, map[string]string{"transport": "grpc", "cause": "missing"}); got != 2 {
		t.Errorf("missing-token refusals counted %v, want 2", got)
	}

	// Rotation: the file is read again when it changes.
	auth.recheck = 0
	if err := os.WriteFile(path, []byte("rotated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	_ = os.Chtimes(path, later, later)
	if _, err := s.client.Parse(withToken("s3cret-new"), raw); status.Code(err) != codes.Unauthenticated {
		t.Errorf("retired token after rotation: %v", err)
	}
	if _, err := s.client.Parse(withToken("rotated"), raw); err != nil {
		t.Errorf("rotated token: %v", err)
	}
	// A file emptied mid-rotation keeps the previous tokens.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	later = later.Add(2 * time.Second)
	_ = os.Chtimes(path, later, later)
	if _, err := s.client.Parse(withToken("rotated"), raw); err != nil {
		t.Errorf("token after the file was emptied: %v, want the previous token kept", err)
	}
}

func TestAuthExemptConfigurable(t *testing.T) {
	// Nothing exempt: even health and /metrics need the token.
	auth, err := NewAuth(AuthConfig{TokenFile: writeToken(t, "tok\n"), Exempt: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	s := startOpsServer(t, auth)
	if _, err := healthpb.NewHealthClient(s.conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("health with nothing exempt: %v, want Unauthenticated", err)
	}
	resp, err := http.Get(s.opsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("/metrics without a token = %d %q, want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest("GET", s.opsURL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/metrics with the token = %d", resp.StatusCode)
	}
	// One method exempt by name.
	auth2, _ := NewAuth(AuthConfig{TokenFile: writeToken(t, "tok\n"), Exempt: []string{"/bounced.v1.BounceService/GetDomainVerdict"}})
	if !auth2.Exempt("/bounced.v1.BounceService/GetDomainVerdict") || auth2.Exempt("/bounced.v1.BounceService/Parse") || auth2.Exempt("/grpc.health.v1.Health/Check") {
		t.Error("exact exemption matched the wrong methods")
	}
	if _, err := NewAuth(AuthConfig{TokenFile: writeToken(t, "# only a comment\n\n")}); err == nil {
		t.Error("a token file without a token was accepted")
	}
}

// tlsServer starts the gRPC server with TLS from files.
func tlsServer(t *testing.T, files certtest.Files, mtls bool) (*opsServer, *tlsreload.Reloader) {
	t.Helper()
	cfg := tlsreload.Config{CertFile: files.Cert, KeyFile: files.Key}
	if mtls {
		cfg.ClientCAFile = files.CA
	}
	var m *Metrics
	cfg.OnReload = func(err error) {
		if m != nil {
			m.TLSReloaded(err)
		}
	}
	r, err := tlsreload.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := startOpsServer(t, nil, grpc.Creds(credentials.NewTLS(r.ServerConfig())))
	m = s.metrics
	return s, r
}

// parseOver dials addr with the given client TLS config and calls Parse.
func parseOver(t *testing.T, addr string, tc *tls.Config) error {
	t.Helper()
	creds := insecure.NewCredentials()
	if tc != nil {
		creds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = pb.NewBounceServiceClient(conn).Parse(ctx, &pb.ParseRequest{Raw: []byte(relayDenied)})
	return err
}

func TestTLS(t *testing.T) {
	ca := certtest.NewCA(t, "test CA")
	dir := t.TempDir()
	files := certtest.Write(t, dir, "server", ca.Issue(t, certtest.Options{CN: "bounced"}), ca)
	s, _ := tlsServer(t, files, false)

	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool()}); err != nil {
		t.Errorf("TLS client: %v", err)
	}
	if err := parseOver(t, s.addr, nil); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext client against TLS: %v, want Unavailable", err)
	}
	other := certtest.NewCA(t, "someone else")
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: other.Pool()}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("client trusting another CA: %v, want a certificate error", err)
	}
}

func TestTLSExpiredServerCertificate(t *testing.T) {
	ca := certtest.NewCA(t, "test CA")
	files := certtest.Write(t, t.TempDir(), "server", ca.Issue(t, certtest.Options{CN: "bounced", Expired: true}), ca)
	s, _ := tlsServer(t, files, false)
	err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool()})
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired server certificate: %v, want an expiry error", err)
	}
}

func TestMutualTLS(t *testing.T) {
	ca := certtest.NewCA(t, "test CA")
	files := certtest.Write(t, t.TempDir(), "server", ca.Issue(t, certtest.Options{CN: "bounced"}), ca)
	s, _ := tlsServer(t, files, true)

	good := ca.Issue(t, certtest.Options{CN: "platform", Client: true})
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{good.TLS}}); err != nil {
		t.Errorf("client with a certificate: %v", err)
	}
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool()}); status.Code(err) != codes.Unavailable {
		t.Errorf("client without a certificate: %v, want Unavailable", err)
	}
	expired := ca.Issue(t, certtest.Options{CN: "platform", Client: true, Expired: true})
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{expired.TLS}}); status.Code(err) != codes.Unavailable {
		t.Errorf("client with an expired certificate: %v, want Unavailable", err)
	}
	stranger := certtest.NewCA(t, "stranger").Issue(t, certtest.Options{CN: "intruder", Client: true})
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{stranger.TLS}}); status.Code(err) != codes.Unavailable {
		t.Errorf("client certificate from another CA: %v, want Unavailable", err)
	}
}

// servedSerial is the serial number of the certificate the server presents.
func servedSerial(t *testing.T, addr string, roots *x509.CertPool) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func TestTLSReloadAfterRewrite(t *testing.T) {
	ca := certtest.NewCA(t, "test CA")
	dir := t.TempDir()
	first := ca.Issue(t, certtest.Options{CN: "first"})
	files := certtest.Write(t, dir, "server", first, ca)
	s, _ := tlsServer(t, files, false)
	if got := servedSerial(t, s.addr, ca.Pool()); got != first.Serial.String() {
		t.Fatalf("served serial %s, want %s", got, first.Serial)
	}

	// A half-written pair (new certificate, old key) keeps the old one.
	second := ca.Issue(t, certtest.Options{CN: "second"})
	certtest.Write(t, dir, "server", &certtest.Leaf{CertPEM: second.CertPEM, KeyPEM: first.KeyPEM}, nil)
	if got := servedSerial(t, s.addr, ca.Pool()); got != first.Serial.String() {
		t.Errorf("after a mismatched rewrite: serial %s, want the previous %s", got, first.Serial)
	}
	// The complete pair is taken without a restart, on live connections' next handshake.
	certtest.Write(t, dir, "server", second, nil)
	if got := servedSerial(t, s.addr, ca.Pool()); got != second.Serial.String() {
		t.Errorf("after the rewrite: serial %s, want %s", got, second.Serial)
	}
	if err := parseOver(t, s.addr, &tls.Config{RootCAs: ca.Pool()}); err != nil {
		t.Errorf("Parse after reload: %v", err)
	}
	fams := scrape(t, s.opsURL)
	if ok, bad := sample(fams, MetricTLSReloads, map[string]string{"result": "ok"}), sample(fams, MetricTLSReloads, map[string]string{"result": "error"}); ok != 1 || bad != 1 {
		t.Errorf("reloads counted ok=%v error=%v, want 1 and 1", ok, bad)
	}
}

func TestTLSReloadClientCA(t *testing.T) {
	oldCA, newCA := certtest.NewCA(t, "old CA"), certtest.NewCA(t, "new CA")
	dir := t.TempDir()
	serverLeaf := oldCA.Issue(t, certtest.Options{CN: "bounced"})
	files := certtest.Write(t, dir, "server", serverLeaf, oldCA)
	s, _ := tlsServer(t, files, true)
	roots := oldCA.Pool()
	newClient := newCA.Issue(t, certtest.Options{CN: "platform", Client: true})
	tc := &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{newClient.TLS}}
	if err := parseOver(t, s.addr, tc); err == nil {
		t.Fatal("client of a CA not yet trusted was accepted")
	}
	certtest.Write(t, dir, "server", serverLeaf, newCA)
	if err := parseOver(t, s.addr, tc); err != nil {
		t.Errorf("after the client CA file was replaced: %v", err)
	}
}

// TestLogsHoldNoAddresses parses a bounce with an unavailable cache and a
// refused token, logging at debug level, and looks for the recipient, the
// diagnostic text and the peer's full address in the log.
func TestLogsHoldNoAddresses(t *testing.T) {
	var buf lockedBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	auth, err := NewAuth(AuthConfig{TokenFile: writeToken(t, "tok\n"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.StartLocal(t)
	rc, _ := domaincache.ParseRedisURL(rs.URL())
	rc.KeyPrefix, rc.Timeout = rs.KeyPrefix(), 100*time.Millisecond
	store, err := domaincache.NewRedis(rc)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rs.Kill()
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: testMaxBytes}, Store: store})
	srv, _ := NewGRPCServer(Config{Engine: engine, Store: store, MaxMessageBytes: testMaxBytes, Logger: log, Auth: auth})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := pb.NewBounceServiceClient(conn)
	resp, err := c.Parse(withToken("tok"), &pb.ParseRequest{Raw: []byte(relayDenied)})
	if err != nil || resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_UNAVAILABLE {
		t.Fatalf("Parse with Redis down: %v %v", resp.GetCacheStatus(), err)
	}
	if _, err := c.Parse(withToken("nope"), &pb.ParseRequest{Raw: []byte(relayDenied)}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("wrong token: %v", err)
	}
	out := buf.String()
	if !strings.Contains(out, "domain cache unavailable") || !strings.Contains(out, "call refused") {
		t.Fatalf("expected log lines missing:\n%s", out)
	}
	for _, secret := range []string{"alice@broken.example", "news@sender.example", "Relay access denied", "November news", "127.0.0.1:"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"192.0.2.77:5000", "192.0.2.0/24"},
		{"[2001:db8:1:2::5]:443", "2001:db8:1::/48"},
		{"", ""},
	}
	for _, c := range cases {
		if got := MaskAddr(c.in); got != c.want {
			t.Errorf("MaskAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := MaskAddr("@"); !strings.HasPrefix(got, "h:") {
		t.Errorf("MaskAddr(unix) = %q", got)
	}
}
