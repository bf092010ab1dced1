package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/tlsreload"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

// startHTTP serves NewHTTPHandler on a loopback port (TLS when tc is set).
func startHTTP(t *testing.T, maxBytes int, auth *Auth, tc *tls.Config) (string, *Metrics) {
	t.Helper()
	store := domaincache.NewMemory(100, time.Hour)
	m := NewMetrics(MetricsConfig{})
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: maxBytes}, Store: store})
	h := NewHTTPHandler(Config{Engine: engine, Store: store, MaxMessageBytes: maxBytes, Metrics: m, Auth: auth})
	s := httptest.NewUnstartedServer(h)
	if tc != nil {
		s.TLS = tc
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s.URL, m
}

type httpReply struct {
	code int
	body map[string]any
	raw  string
}

func do(t *testing.T, c *http.Client, method, url, ctype string, body io.Reader, hdr ...string) httpReply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	r := httpReply{code: resp.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

// reason is the ErrorInfo reason of a google.rpc.Status JSON body.
func (r httpReply) reason() string {
	ds, _ := r.body["details"].([]any)
	for _, d := range ds {
		if m, ok := d.(map[string]any); ok && m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" {
			s, _ := m["reason"].(string)
			return s
		}
	}
	return ""
}

func (r httpReply) firstRecipient() map[string]any {
	rs, _ := r.body["recipients"].([]any)
	if len(rs) == 0 {
		return nil
	}
	m, _ := rs[0].(map[string]any)
	return m
}

func TestHTTPParse(t *testing.T) {
	url, m := startHTTP(t, testMaxBytes, nil, nil)

	raw := do(t, nil, "POST", url+"/v1/parse?audiences=AUDIENCE_ADMIN&audiences=AUDIENCE_END_USER&source=queue-7", "message/rfc822", strings.NewReader(relayDenied))
	if raw.code != http.StatusOK {
		t.Fatalf("raw body: %d %s", raw.code, raw.raw)
	}
	rc := raw.firstRecipient()
	if raw.body["source"] != "queue-7" || rc["recipient"] != "alice@broken.example" || rc["reason"] != "REASON_NO_RELAYING" || rc["reply_code"] != float64(554) {
		t.Errorf("raw body reply = %s", raw.raw)
	}
	if ex, _ := rc["explanations"].([]any); len(ex) != 2 || ex[0].(map[string]any)["audience"] != "AUDIENCE_ADMIN" || ex[1].(map[string]any)["audience"] != "AUDIENCE_END_USER" {
		t.Errorf("audiences from the query string not applied: %v", rc["explanations"])
	}

	js := fmt.Sprintf(`{"raw": %q, "source": "json-1", "skip_cache": true}`, base64.StdEncoding.EncodeToString([]byte(relayDenied)))
	j := do(t, nil, "POST", url+"/v1/parse", "application/json", strings.NewReader(js))
	if j.code != http.StatusOK || j.body["source"] != "json-1" || j.firstRecipient()["reason"] != "REASON_NO_RELAYING" || j.body["cache_status"] != "CACHE_STATUS_SKIPPED" {
		t.Errorf("JSON body: %d %s", j.code, j.raw)
	}

	cl := do(t, nil, "POST", url+"/v1/classify", "application/json", strings.NewReader(
		`{"reply": "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table", "recipient": "bob@example.org", "source": "maillog-3"}`))
	if res, _ := cl.body["result"].(map[string]any); cl.code != http.StatusOK || res["source"] != "maillog-3" {
		t.Errorf("POST /v1/classify: %d %s", cl.code, cl.raw)
	} else if rs, _ := res["recipients"].([]any); len(rs) != 1 || rs[0].(map[string]any)["reason"] != "REASON_USER_UNKNOWN" {
		t.Errorf("POST /v1/classify recipients: %s", cl.raw)
	}
	if r := do(t, nil, "POST", url+"/v1/classify", "application/json", strings.NewReader(`{"reply": "`+strings.Repeat("x", 2<<20)+`"}`)); r.code != http.StatusRequestEntityTooLarge || r.reason() != "MESSAGE_TOO_LARGE" {
		t.Errorf("2 MB classify body: %d %.200s, want 413", r.code, r.raw)
	}

	d := do(t, nil, "GET", url+"/v1/domains/broken.example", "", nil)
	if v, _ := d.body["verdict"].(map[string]any); d.code != http.StatusOK || v == nil {
		t.Errorf("GET /v1/domains/broken.example: %d %s", d.code, d.raw)
	}

	errs := []struct {
		name, ctype, body, path string
		code                    int
		reason                  string
	}{
		{"empty raw", "message/rfc822", "", "/v1/parse", 400, "EMPTY_MESSAGE"},
		{"empty JSON raw", "application/json", `{}`, "/v1/parse", 400, "EMPTY_MESSAGE"},
		{"broken JSON", "application/json", `{"raw": `, "/v1/parse", 400, ""},
		{"raw not base64", "application/json", `{"raw": "***"}`, "/v1/parse", 400, ""},
		{"unknown field", "application/json", `{"rawr": "AA=="}`, "/v1/parse", 400, ""},
		{"bad audience in query", "message/rfc822", relayDenied, "/v1/parse?audiences=AUDIENCE_NOBODY", 400, ""},
		{"over the limit", "message/rfc822", strings.Repeat("x", testMaxBytes+1), "/v1/parse", 413, "MESSAGE_TOO_LARGE"},
		{"not a domain", "", "", "/v1/domains/localhost", 400, ""},
	}
	for _, e := range errs {
		method := "POST"
		if strings.HasPrefix(e.path, "/v1/domains") {
			method = "GET"
		}
		r := do(t, nil, method, url+e.path, e.ctype, strings.NewReader(e.body))
		if r.code != e.code || r.reason() != e.reason || r.body["message"] == nil {
			t.Errorf("%s: %d reason %q (%s), want %d reason %q", e.name, r.code, r.reason(), r.raw, e.code, e.reason)
		}
	}
	if r := do(t, nil, "GET", url+"/v1/nothing", "", nil); r.code != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.code)
	}

	// /openapi.json is the generated document.
	o := do(t, nil, "GET", url+"/openapi.json", "", nil)
	gen, err := os.ReadFile("../gen/openapi/bounced.swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	if o.code != http.StatusOK || o.raw != string(gen) {
		t.Errorf("/openapi.json (%d) differs from internal/gen/openapi/bounced.swagger.json: run make generate", o.code)
	}
	paths, _ := o.body["paths"].(map[string]any)
	if paths["/v1/parse"] == nil || paths["/v1/domains/{domain}"] == nil || paths["/v1/classify"] == nil {
		t.Fatalf("OpenAPI paths: %v", paths)
	}
	post, _ := paths["/v1/parse"].(map[string]any)["post"].(map[string]any)
	if fmt.Sprint(post["consumes"]) != "[application/json message/rfc822]" || post["responses"].(map[string]any)["413"] == nil {
		t.Errorf("OpenAPI POST /v1/parse: consumes %v, responses %v", post["consumes"], post["responses"])
	}

	hs := httptest.NewServer(m.Handler())
	defer hs.Close()
	fams := scrape(t, hs.URL)
	if got := sample(fams, MetricHTTPRequests, map[string]string{"route": "parse", "code": "200"}); got != 2 {
		t.Errorf("HTTP parse requests counted %v, want 2", got)
	}
	if got := sample(fams, MetricHTTPRequests, map[string]string{"route": "classify", "code": "200"}); got != 1 {
		t.Errorf("HTTP classify requests counted %v, want 1", got)
	}
	if got := sample(fams, MetricHTTPRequests, map[string]string{"route": "parse", "code": "413"}); got != 1 {
		t.Errorf("HTTP 413 counted %v, want 1", got)
	}
	if got := sample(fams, MetricVerdicts, map[string]string{"reason": "norelaying"}); got != 2 {
		t.Errorf("verdicts through HTTP counted %v, want 2", got)
	}
}

// TestHTTPBodyOf30MB sends a 30 MB body against the default 25 MiB limit,
// with and without Content-Length, raw and as JSON: each gets a clean 413
// with MESSAGE_TOO_LARGE, and the server does not buffer the body.
func TestHTTPBodyOf30MB(t *testing.T) {
	url, _ := startHTTP(t, dsn.DefaultMaxMessageBytes, nil, nil)
	const size = 30 << 20
	big := bytes.Repeat([]byte("Received: from a.example by b.example; x\r\n"), size/42+1)[:size]
	jsonBig := append(append([]byte(`{"raw": "`), base64.StdEncoding.EncodeToString(big)...), `"}`...)

	// maxAlloc: with a length the body is refused unread; without one the
	// server reads up to the limit (25 MiB raw, its base64 size for JSON)
	// and stops: bounded by the limit, not by the body.
	cases := []struct {
		name, ctype string
		body        []byte
		chunked     bool
		maxAlloc    uint64
	}{
		{"raw with length", "message/rfc822", big, false, 1 << 20},
		{"raw chunked", "message/rfc822", big, true, 40 << 20},
		{"JSON with length", "application/json", jsonBig, false, 1 << 20},
		{"JSON chunked", "application/json", jsonBig, true, 48 << 20},
	}
	for _, c := range cases {
		var body io.Reader = bytes.NewReader(c.body)
		if c.chunked {
			body = io.MultiReader(body) // hides the length: Transfer-Encoding: chunked
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := do(t, nil, "POST", url+"/v1/parse", c.ctype, body)
		runtime.ReadMemStats(&after)
		if r.code != http.StatusRequestEntityTooLarge || r.reason() != "MESSAGE_TOO_LARGE" || r.body["code"] != float64(8) {
			t.Errorf("%s: %d reason %q %.200s, want 413 MESSAGE_TOO_LARGE code 8", c.name, r.code, r.reason(), r.raw)
		}
		t.Logf("%s: %d MB allocated", c.name, (after.TotalAlloc-before.TotalAlloc)>>20)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > c.maxAlloc {
			t.Errorf("%s: %d MB allocated while refusing the body", c.name, alloc>>20)
		}
	}
	// A message at the limit still gets through.
	pad := strings.Repeat("This is the mail system at host mail.sender.example.\n", (1<<20)/54)
	ok := []byte(strings.Replace(relayDenied, "This is the mail system at host mail.sender.example.\n", pad, 1))
	if r := do(t, nil, "POST", url+"/v1/parse", "message/rfc822", bytes.NewReader(ok)); r.code != http.StatusOK {
		t.Errorf("1 MiB message: %d %.200s", r.code, r.raw)
	}
}

func TestHTTPTokenAndTLS(t *testing.T) {
	ca := certtest.NewCA(t, "test CA")
	files := certtest.Write(t, t.TempDir(), "server", ca.Issue(t, certtest.Options{CN: "bounced"}), ca)
	rl, err := tlsreload.New(tlsreload.Config{CertFile: files.Cert, KeyFile: files.Key, ClientCAFile: files.CA})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := NewAuth(AuthConfig{TokenFile: writeToken(t, "tok\n")})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := startHTTP(t, testMaxBytes, auth, rl.ServerConfig("h2", "http/1.1"))
	client := certtest.Write(t, t.TempDir(), "client", ca.Issue(t, certtest.Options{CN: "platform", Client: true}), nil)
	cert, err := tls.LoadX509KeyPair(client.Cert, client.Key)
	if err != nil {
		t.Fatal(err)
	}
	mtls := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{cert}}, ForceAttemptHTTP2: true}}

	if r := do(t, mtls, "POST", url+"/v1/parse", "message/rfc822", strings.NewReader(relayDenied)); r.code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", r.code)
	}
	if r := do(t, mtls, "POST", url+"/v1/parse", "message/rfc822", strings.NewReader(relayDenied), "Authorization", "Bearer nope"); r.code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", r.code)
	}
	if r := do(t, mtls, "POST", url+"/v1/parse", "message/rfc822", strings.NewReader(relayDenied), "Authorization", "Bearer tok"); r.code != http.StatusOK {
		t.Errorf("token: %d %s", r.code, r.raw)
	}
	if r := do(t, mtls, "GET", url+"/openapi.json", "", nil); r.code != http.StatusOK {
		t.Errorf("/openapi.json is exempt by default: %d", r.code)
	}
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	if _, err := noCert.Get(url + "/openapi.json"); err == nil {
		t.Error("client without a certificate was served")
	}
}

// TestHTTPAdmittedBeforeRead: with the in-flight budget taken, a request
// is refused (429 SERVER_BUSY) on its Content-Length, before its body is
// read, so that bodies waiting for room do not pile up in memory.
func TestHTTPAdmittedBeforeRead(t *testing.T) {
	engine := bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 1 << 20}})
	cfg := Config{Engine: engine, MaxMessageBytes: 1 << 20, MaxInflightBytes: 1 << 20, AdmissionWait: 20 * time.Millisecond}
	cfg.Limits = NewLimits(cfg)
	hs := httptest.NewServer(NewHTTPHandler(cfg))
	t.Cleanup(hs.Close)
	release, err := cfg.Limits.l.admitBytes(context.Background(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, ctype := range []string{MIMERFC822, "application/json"} {
		c, err := net.Dial("tcp", strings.TrimPrefix(hs.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		// The headers and the first bytes of a body that never comes whole.
		fmt.Fprintf(c, "POST /v1/parse HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 500000\r\n\r\nFrom: a\r\n", ctype)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%s: no answer before the body was sent: %v", ctype, err)
		} else if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: status %d, want 429", ctype, resp.StatusCode)
		}
		c.Close()
	}
}
