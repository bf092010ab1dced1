package dsn

import (
	"bytes"
	"math/rand"
	"testing"
)

// splitHeaderLines is splitHeaderInto read line by line, as its doc
// says (RFC 5322 section 2.2 and its QUIRKs): the reference of
// TestSplitHeaderRandom.
func splitHeaderLines(b []byte) (names, values []string, body []byte, ok bool) {
	rest := b
	first, junk := true, false
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if isBlank(line) {
			rest = next
			break
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if len(values) > 0 && !junk {
				values[len(values)-1] += "\n" + string(line)
			}
		case isFieldLine(line):
			colon := bytes.IndexByte(line, ':')
			nameEnd := colon
			if sp := bytes.IndexByte(line[:colon], ' '); sp >= 0 {
				nameEnd = sp
			}
			names = append(names, string(line[:nameEnd]))
			values = append(values, string(line[colon+1:]))
			junk = false
		case first:
			return nil, nil, b, false
		default:
			junk = true
		}
		first = false
		rest = next
	}
	if len(names) == 0 {
		return nil, nil, b, false
	}
	return names, values, rest, true
}

// TestSplitHeaderRandom compares splitHeaderInto with the line-by-line
// reading on 20,000 random blocks of fields, continuation lines (after a
// field, after a junk line, first), junk lines, blank lines of spaces and
// CR line ends.
func TestSplitHeaderRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	lines := []string{
		"From: a@example.com", "Subject: hello", "X-Long-Field-Name-Here: v", "Name : spaced", "A:",
		" continued", "\tcontinued with tab", "  ", "\t", "", "junk line without colon", ":no name",
		"Received: from x\r", " by y\r", "Bad Name: x", "Date:\tMon", "k:v:w", "\x80bin: x",
	}
	var scratch []headerField
	for i := 0; i < 20000; i++ {
		var b bytes.Buffer
		for n := rng.Intn(8); n >= 0; n-- {
			b.WriteString(lines[rng.Intn(len(lines))])
			b.WriteByte('\n')
		}
		if rng.Intn(2) == 0 {
			b.WriteString("body text\n")
		}
		in := b.Bytes()
		scratch = scratch[:0]
		h, body, ok := splitHeaderInto(in, &scratch)
		names, values, wantBody, wantOK := splitHeaderLines(in)
		if ok != wantOK || !bytes.Equal(body, wantBody) || len(h.fields) != len(names) {
			t.Fatalf("splitHeaderInto(%q) = %d fields, body %q, %v; want %d, %q, %v", in, len(h.fields), body, ok, len(names), wantBody, wantOK)
		}
		for k, f := range h.fields {
			if string(f.name) != names[k] || string(f.value) != values[k] {
				t.Fatalf("splitHeaderInto(%q) field %d = %q: %q, want %q: %q", in, k, f.name, f.value, names[k], values[k])
			}
		}
	}
}
