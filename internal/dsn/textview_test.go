package dsn

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// addTextOracle is what addText keeps of plain text parts, written the
// slow way: each part valid UTF-8 (as toUTF8 reads it), cut to the room
// left, and a line end after a part that lacks one.
func addTextOracle(parts [][]byte) string {
	var sb strings.Builder
	for _, b := range parts {
		if sb.Len() >= MaxTextBytes {
			break
		}
		s := strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\r", "\n")
		s = toUTF8(s)
		s = string(cutUTF8([]byte(s), MaxTextBytes-1-sb.Len()))
		sb.WriteString(s)
		if s != "" && !strings.HasSuffix(s, "\n") {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// TestAddTextView checks addText, which keeps a first part as a view of
// its bytes (textView) and copies from the second part on, against
// addTextOracle: parts cut out of a message (ending on a line end, before
// one, or inside a line), copies of them (not in the message), parts with
// CRs, bytes over 0x7f and empty ones, one to four at a time, and a part
// over MaxTextBytes.
func TestAddTextView(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 9))
	words := []string{"delivery", "failed", "to", "a@b.example", "550 5.1.1", "caf\u00e9", "\xe9t\xe9", "\r\n", "\n", " ", "\n\n"}
	var msg strings.Builder
	for msg.Len() < 4096 {
		msg.WriteString(words[rnd.IntN(len(words))])
	}
	raw := []byte(strings.ReplaceAll(msg.String(), "\r", ""))
	for range 3000 {
		p := parser{raw: raw}
		var parts [][]byte
		for range 1 + rnd.IntN(4) {
			i := rnd.IntN(len(raw))
			j := i + rnd.IntN(len(raw)-i+1)
			switch rnd.IntN(5) {
			case 0: // up to a line end
				if k := strings.IndexByte(string(raw[j:]), '\n'); k >= 0 {
					j += k + 1
				}
			case 1: // up to the byte before a line end
				if k := strings.IndexByte(string(raw[j:]), '\n'); k >= 0 {
					j += k
				}
			case 2: // a copy, with CRs
				parts = append(parts, []byte(strings.ReplaceAll(string(raw[i:j]), "\n", "\r\n")))
				continue
			case 3: // a copy
				parts = append(parts, append([]byte(nil), raw[i:j]...))
				continue
			}
			parts = append(parts, raw[i:j])
		}
		for _, b := range parts {
			p.addText(b, false)
		}
		if got, want := p.textString(), addTextOracle(parts); got != want {
			t.Fatalf("addText of %q = %q, want %q", parts, got, want)
		}
		if p.textLen() != len(p.textString()) {
			t.Fatalf("textLen() = %d, want %d", p.textLen(), len(p.textString()))
		}
	}
	// A part over the budget, alone and after a view.
	big := []byte(strings.Repeat("line of text\n", MaxTextBytes/13+10))
	for _, parts := range [][][]byte{{big}, {raw[:100], big}, {big, raw[:100]}} {
		p := parser{raw: raw}
		for _, b := range parts {
			p.addText(b, false)
		}
		if got, want := p.textString(), addTextOracle(parts); got != want {
			t.Errorf("addText of %d parts over the budget: %d bytes, want %d", len(parts), len(got), len(want))
		}
	}
}
