package bounce

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/dnstest"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
)

// TestParseKeepsNoViewOfRaw is the promise the server's buffer reuse
// rests on (internal/server/rawbuf.go): once Parse has returned and its
// Result is no longer used, nothing the engine keeps refers to the bytes
// of Request.Raw. Two engines, each with its own domain memory and DNS
// resolver, parse the corpus in the same order; one is given fresh copies,
// the other one buffer that is overwritten with 0xFF after every message,
// as a reused receive buffer would be. Every verdict (which reads the
// history the earlier messages left) and, at the end, every domain's
// memory must be the same: a name or a string kept as a view of the
// buffer would read 0xFF bytes, or miss its entry. Parse must not write
// into Raw either (the server gives it gRPC's receive buffer).
//
// The same engine also releases every Result once it is read
// (Engine.Release, as the server does after sending the answer), with
// the released memory poisoned (dsn.PoisonReset): nothing the engine keeps
// (domain memory, DNS cache) may refer to a Result's memory either, and a
// released Result's memory must not leak into the next verdict.
func TestParseKeepsNoViewOfRaw(t *testing.T) {
	dsn.PoisonReset(true)
	defer dsn.PoisonReset(false)
	msgs := corpusMessages(t)
	type side struct {
		e     *Engine
		store *domaincache.Memory
		dns   *dnstest.Server
	}
	newSide := func() side {
		srv := dnstest.Start(t, dnstest.Zone{Records: relayZone})
		r, err := dnscheck.New(dnscheck.Config{Server: srv.Addr, Timeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		store := domaincache.NewMemory(100000, time.Hour)
		return side{New(Config{Store: store, CacheTimeout: time.Second, DNS: r}), store, srv}
	}
	fresh, reused := newSide(), newSide()

	ctx := context.Background()
	longest := 0
	for _, m := range msgs {
		longest = max(longest, len(m))
	}
	buf := make([]byte, 0, longest)
	domains := map[string]bool{}
	released := 0
	for i, m := range msgs {
		want, err := fresh.e.Parse(ctx, Request{Raw: slices.Clone(m), Audience: explain.Admin})
		if err != nil {
			continue // the same error on both sides: checked below
		}
		buf = append(buf[:0], m...)
		got, gerr := reused.e.Parse(ctx, Request{Raw: buf, Audience: explain.Admin})
		if gerr != nil {
			t.Fatalf("message %d: %v with the reused buffer, none with a copy", i, gerr)
		}
		if !bytes.Equal(buf, m) {
			// The server hands Parse a view of gRPC's read-only buffer.
			t.Fatalf("message %d: Parse wrote into Raw", i)
		}
		if w, g := render(t, want), render(t, got); w != g {
			t.Fatalf("message %d: verdicts differ with the reused buffer:\n got %s\nwant %s", i, g, w)
		}
		if got.mem != nil {
			released++
		}
		reused.e.Release(got)
		for _, rc := range want.Report.Recipients {
			if d := strings.ToLower(rc.Domain()); d != "" {
				domains[strings.Clone(d)] = true
			}
		}
		for j := range buf {
			buf[j] = 0xFF
		}
	}
	if released < len(msgs)/2 {
		t.Fatalf("only %d of %d Results had memory to release", released, len(msgs))
	}
	// A resolver cache keyed by a view of released memory would miss
	// (its keys turned to 0xFF) and ask again.
	if w, g := fresh.dns.Counts(), reused.dns.Counts(); !maps.Equal(w, g) || len(w) < 20 {
		t.Fatalf("DNS queries differ with released Results (%d names with fresh copies, %d):\n got %v\nwant %v", len(w), len(g), g, w)
	}
	if len(domains) < 50 {
		t.Fatalf("only %d recipient domains in the corpus: the check would prove little", len(domains))
	}
	names := make([]string, 0, len(domains))
	for d := range domains {
		names = append(names, d)
	}
	want, err := fresh.store.Get(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reused.store.Get(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 20 || len(got) != len(want) {
		t.Fatalf("domain memory holds %d of %d domains with the reused buffer, %d with copies", len(got), len(names), len(want))
	}
	for d, w := range want {
		g, ok := got[d]
		if !ok {
			t.Errorf("%s: not in the domain memory with the reused buffer", d)
			continue
		}
		if ws, gs := renderSummary(t, w), renderSummary(t, g); ws != gs {
			t.Errorf("%s: domain memory differs with the reused buffer:\n got %s\nwant %s", d, gs, ws)
		}
	}
}

// render is a Result's recipients as JSON, the history's times left out
// (the two engines record at different instants).
func render(t *testing.T, res *Result) string {
	t.Helper()
	type out struct {
		Recipient
		History string
	}
	var all []out
	for _, r := range res.Recipients {
		o := out{Recipient: r}
		if r.History != nil {
			o.History = renderSummary(t, *r.History)
		}
		o.Recipient.History = nil
		all = append(all, o)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func renderSummary(t *testing.T, s domaincache.Summary) string {
	t.Helper()
	s.FirstSeen, s.LastSeen = time.Time{}, time.Time{}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
