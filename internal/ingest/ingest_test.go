package ingest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/ingest/ingesttest"
)

func TestHandleVerdicts(t *testing.T) {
	h := &ingest.Handler{Engine: bounce.New(bounce.Config{Limits: dsn.Options{MaxMessageBytes: 64 << 10}})}
	ctx := context.Background()

	v, err := h.Handle(ctx, "ok", ingesttest.Bounce("alice@dest.example", "c-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.GetRecipients()) != 1 || v.GetRecipients()[0].GetRecipient() != "alice@dest.example" || !v.GetRecipients()[0].GetHardBounce() {
		t.Errorf("bounce verdict = %v, want one hard recipient alice@dest.example", v)
	}
	found := false
	for _, hd := range v.GetOriginal().GetHeaders() {
		if hd.GetName() == "X-Listmonk-Campaign" && hd.GetValue() == "c-1" {
			found = true
		}
	}
	if !found {
		t.Errorf("original headers = %v, want X-Listmonk-Campaign: c-1", v.GetOriginal().GetHeaders())
	}

	v, _ = h.Handle(ctx, "bad", ingesttest.Malformed())
	if !strings.Contains(v.GetError().GetMessage(), "not an email") {
		t.Errorf("malformed verdict error = %q, want not an email message", v.GetError())
	}
	v, _ = h.Handle(ctx, "big", ingesttest.Oversize(65<<10))
	if !strings.Contains(v.GetError().GetMessage(), "too large") {
		t.Errorf("oversize verdict error = %q, want too large", v.GetError())
	}
}
