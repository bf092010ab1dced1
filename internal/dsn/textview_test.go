package dsn

import (
	"github.com/bounced/bounced/internal/phrase"
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

// TestScanFoldSame checks that scanFold (ScanLower, two or four chains
// for a long text) finds what Scan finds, for each matcher that ignores
// case, on texts made of its phrases in random case, with bytes over 0x7f
// and filler around them, at lengths around the two- and four-chain
// splits, and on the corpus's texts, diagnostics and X- fields.
func TestScanFoldSame(t *testing.T) {
	sets := map[string]*phrase.Matcher{"keySet": keySet, "diagSet": diagSet, "stageSet": stageSet}
	var texts []string
	for _, r := range corpusReports(t) {
		texts = append(texts, r.Text, r.From, r.Subject)
		for _, rc := range r.Recipients {
			texts = append(texts, rc.Diagnostic)
		}
	}
	rnd := rand.New(rand.NewPCG(21, 23))
	for name, m := range sets {
		for range 400 {
			n := []int{40, 255, 256, 300, 1023, 1024, 1100, 5000}[rnd.IntN(8)]
			var sb strings.Builder
			for sb.Len() < n {
				switch rnd.IntN(3) {
				case 0:
					p := []byte(m.Phrase(rnd.IntN(m.Len())))
					for i := range p {
						if rnd.IntN(2) == 0 && p[i] >= 'a' && p[i] <= 'z' {
							p[i] -= 'a' - 'A'
						}
					}
					sb.Write(p)
				case 1:
					sb.WriteString([]string{" ", "\n", "x-mailer: ", "\u00e9", "\xff", "0123456789"}[rnd.IntN(6)])
				default:
					sb.WriteString("filler text ")
				}
			}
			texts = append(texts, sb.String())
		}
		for _, text := range texts {
			checkScanFold(t, name, m, text)
		}
	}
}

// FuzzScanFold compares scanFold with Scan for each matcher that ignores
// case.
func FuzzScanFold(f *testing.F) {
	f.Add("X-Mailer: Zoho Mail\nX-SES-Outgoing: 2024\n", 3)
	f.Add(strings.Repeat("550 5.1.1 RCPT TO: user unknown ", 40), 1)
	f.Fuzz(func(t *testing.T, text string, reps int) {
		text = strings.Repeat(text, 1+min(max(reps, 0), 40)) // long enough for two or four chains
		for name, m := range map[string]*phrase.Matcher{"keySet": keySet, "diagSet": diagSet, "stageSet": stageSet} {
			checkScanFold(t, name, m, text)
		}
	})
}

// checkScanFold fails t when scanFold finds other phrases of m in text
// than Scan.
func checkScanFold(t *testing.T, name string, m *phrase.Matcher, text string) {
	t.Helper()
	var got, want phrase.Hits
	scanFold(m, text, &got)
	m.Scan(text, &want)
	if got != want {
		t.Fatalf("%s: scanFold(%q) found other phrases than Scan", name, text)
	}
}

// FuzzAddTextView compares addText with addTextOracle on a message cut
// into up to three parts at the fuzzer's offsets, each a view of the
// message, a view up to before a line end, or a copy.
func FuzzAddTextView(f *testing.F) {
	f.Add([]byte("Delivery failed\nto a@b.example\n550 5.1.1 unknown\n"), uint16(5), uint16(30), uint8(0))
	f.Add([]byte("caf\xe9\r\nline\n"), uint16(0), uint16(3), uint8(7))
	f.Fuzz(func(t *testing.T, raw []byte, i, j uint16, how uint8) {
		raw = []byte(strings.ReplaceAll(string(raw), "\r", "")) // a message's line ends are normalised
		if len(raw) == 0 {
			return
		}
		a, b := int(i)%len(raw), int(j)%len(raw)
		if a > b {
			a, b = b, a
		}
		var parts [][]byte
		for k, part := range [][]byte{raw[:a], raw[a:b], raw[b:]} {
			switch how >> (2 * k) & 3 {
			case 1:
				part = append([]byte(nil), part...)
			case 2:
				if n := strings.IndexByte(string(part), '\n'); n >= 0 {
					part = part[:n]
				}
			}
			parts = append(parts, part)
		}
		p := parser{raw: raw}
		for _, b := range parts {
			p.addText(b, false)
		}
		if got, want := p.textString(), addTextOracle(parts); got != want {
			t.Fatalf("addText of %q = %q, want %q", parts, got, want)
		}
	})
}
