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
