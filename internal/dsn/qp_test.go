package dsn

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// qpStd decodes with mime/quotedprintable the way decodeBody did before
// decodeQP: at most limit bytes, and whether it failed.
func qpStd(body []byte, limit int) ([]byte, bool) {
	out, _, err := readLimited(quotedprintable.NewReader(bytes.NewReader(body)), limit, len(body))
	return out, err == nil
}

// TestDecodeQPSameAsStdlib checks decodeQP against mime/quotedprintable:
// where it accepts a body it must decode it to the same bytes, and it
// must accept every body the standard reader reads without error.
func TestDecodeQPSameAsStdlib(t *testing.T) {
	long := bytes.Repeat([]byte("a"), 5000)
	cases := []string{
		"", "plain", "plain\n", "a=3Db\n", "a=3db\n", "soft=\nbreak\n", "soft=  \nbreak", "trail   \nx",
		"crlf\r\nline\r\n", "soft=\r\nx", "lit=x\n", "=", "a=", "a==\n", "=A", "=A\n", "x=\rY\n", "ctl\x01\n",
		"hi\x80\xff\n", "tab\there\n", "a=\n", "=\n", "abc=4\n", "bad= x\n", "after= y", "a=0\n", "==41",
		"line\n\n\nend", "x \t \n", "a\rb\n", string(long), string(long[:4093]) + "\n", string(long[:4095]) + "\n",
		"e=C3=A9t=C3=A9\n", "=41=42=4", "=4G\n", "a= \t\n",
	}
	for _, c := range cases {
		for _, limit := range []int{0, 1, 3, 10, 1 << 20} {
			got, ok := decodeQP(nil, []byte(c), limit)
			want, wok := qpStd([]byte(c), limit)
			if ok && (!wok || !bytes.Equal(got, want)) {
				t.Errorf("decodeQP(%q, %d) = %q, true; mime/quotedprintable gives %q, %v", c, limit, got, want, wok)
			}
			if _, all := qpStd([]byte(c), 1<<20); !ok && all && len(c) < 4000 {
				t.Errorf("decodeQP(%q, %d) declined a body the standard reader reads (%q)", c, limit, want)
			}
		}
	}
}

// FuzzDecodeQP compares decodeQP with mime/quotedprintable on any input.
func FuzzDecodeQP(f *testing.F) {
	for _, s := range []string{"a=3Db\n", "soft=\nx", "=4", "x=\r\n", "\x01"} {
		f.Add([]byte(s), 5)
	}
	f.Fuzz(func(t *testing.T, b []byte, limit int) {
		if limit < 0 {
			limit = -limit
		}
		limit %= 1 << 20
		got, ok := decodeQP(nil, b, limit)
		if !ok {
			// Declined: only where the standard reader fails before the
			// limit or a line is longer than decodeQP reads itself.
			long := false
			for line := range bytes.Lines(b) {
				long = long || len(line) > qpMaxLine
			}
			if _, all := qpStd(b, 1<<20); all && !long && len(b) <= limit {
				t.Fatalf("decodeQP(%q, %d) declined a body the standard reader reads", b, limit)
			}
			return
		}
		// What decodeBody read before decodeQP: the standard reader up to
		// limit bytes (an error past them is never reached).
		want, wok := qpStd(b, limit)
		if !wok {
			t.Fatalf("decodeQP(%q, %d) accepted; the standard reader fails", b, limit)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("decodeQP(%q, %d) = %q, want %q", b, limit, got, want)
		}
	})
}

// TestQPPlainWord checks the eight-byte test against qpPlain byte by byte.
func TestQPPlainWord(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(b[i])
			}
			want := true
			for _, d := range b {
				want = want && d >= ' ' && d <= '~' && d != '='
			}
			if got := qpPlainWord(x); got != want {
				t.Errorf("qpPlainWord(%q) = %v, want %v", b, got, want)
			}
		}
	}
}

// TestQPStopLowest checks that the lowest byte qpStop marks is the first
// byte of the word that is not plain printable ASCII, on random words
// with several such bytes.
func TestQPStopLowest(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 200000 {
		var b [8]byte
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
			if rng.IntN(5) == 0 {
				b[i] = byte(rng.IntN(256))
			}
		}
		first := 8
		for i, d := range b {
			if d < ' ' || d > '~' || d == '=' {
				first = i
				break
			}
		}
		m := qpStop(binary.LittleEndian.Uint64(b[:]))
		if got := bits.TrailingZeros64(m) / 8; got != first {
			t.Fatalf("qpStop(%q) lowest mark at %d, want %d", b[:], got, first)
		}
	}
}

// TestDecodeQPInto: decodeQP decodes into dst's memory when it has room
// (the pooled buffers of qpBuf), the same bytes as into its own, and
// never returns nil for a body it reads (an empty one included: decodeBody
// takes a nil output for none).
func TestDecodeQPInto(t *testing.T) {
	var sc scratch
	for _, body := range []string{"", "\n", "a=3Db\n", "caf=C3=A9 =\nx\n", strings.Repeat("x=20", 40)} {
		want, ok := decodeQP(nil, []byte(body), 1000)
		if !ok || want == nil {
			t.Fatalf("decodeQP(nil, %q) = %q, %v", body, want, ok)
		}
		for _, dst := range [][]byte{sc.qpBuf(0), sc.qpBuf(len(body)), make([]byte, 2), make([]byte, 0, 512)} {
			got, ok := decodeQP(dst, []byte(body), 1000)
			if !ok || got == nil || string(got) != string(want) {
				t.Errorf("decodeQP(dst of %d, %q) = %q, %v; want %q", cap(dst), body, got, ok, want)
			}
			if len(got) > 0 && cap(dst) >= len(body) && &got[0] != &dst[:1][0] {
				t.Errorf("decodeQP(dst of %d, %q) did not write into dst", cap(dst), body)
			}
		}
	}
	if sc.qpUsed != maxPooledQP || len(sc.qp) != maxPooledQP || sc.qpBuf(1) != nil {
		t.Errorf("qpBuf handed out %d buffers (%d kept), want %d and then none", sc.qpUsed, len(sc.qp), maxPooledQP)
	}
}
