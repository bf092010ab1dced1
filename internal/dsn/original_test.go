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

// TestSplitInlinePastedHeaders: an original's header block pasted after
// the report without a marker line is found by its Received or
// Return-Path field (the filter lets the search run only when the text
// has one at the start of a line), and a text without one is all report.
func TestSplitInlinePastedHeaders(t *testing.T) {
	report := "This message was created automatically by mail delivery software.\n\nbob@example.net: user unknown\n\n"
	for _, tt := range []struct {
		text, inline string
	}{
		{report + "Received: from a\nFrom: x@example.com\nTo: bob@example.net\nSubject: hi\n", "Received: from a\nFrom: x@example.com\nTo: bob@example.net\nSubject: hi\n"},
		{report + "RETURN-PATH: <x@example.com>\nFrom: x@example.com\nTo: bob@example.net\n", "RETURN-PATH: <x@example.com>\nFrom: x@example.com\nTo: bob@example.net\n"},
		{report + "The Received: header said so.\nFrom: x\nTo: y\nSubject: z\n", ""},
		{report, ""},
	} {
		gotReport, gotInline := splitInlineOriginal(tt.text, newLowerText(tt.text))
		if gotInline != tt.inline || gotReport+gotInline != tt.text {
			t.Errorf("splitInlineOriginal(%q) = %q, %q; want the original %q", tt.text, gotReport, gotInline, tt.inline)
		}
	}
}
