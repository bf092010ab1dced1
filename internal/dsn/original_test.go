package dsn

import "testing"

// TestSelectedHeadersHoldOriginalFields: readOriginal sizes its arena by
// selectedHeaders and the X- names, so the fields it reads into Original's
// own fields must be among them, or their values would not be counted.
func TestSelectedHeadersHoldOriginalFields(t *testing.T) {
	for _, n := range []string{"message-id", "from", "to", "subject", "date", "return-path", "list-id"} {
		if !selectedHeaders[n] {
			t.Errorf("selectedHeaders[%q] = false, want true (readOriginal reads it)", n)
		}
	}
}

// TestSelectedCanonical: selectedCanonical names exactly the selected
// headers, each in its canonical form.
func TestSelectedCanonical(t *testing.T) {
	for n := range selectedHeaders {
		if got, want := selectedCanonical([]byte(n)), canonicalName([]byte(n)); got != want {
			t.Errorf("selectedCanonical(%q) = %q, want %q", n, got, want)
		}
	}
	for _, n := range []string{"", "x-mailer", "received", "dkim-signature", "message-ids", "fro", "content-type"} {
		if got := selectedCanonical([]byte(n)); got != "" {
			t.Errorf("selectedCanonical(%q) = %q, want \"\"", n, got)
		}
	}
}
