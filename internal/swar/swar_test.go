package swar

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// plainBytes is Plain one byte at a time.
func plainBytes(b []byte) (uint8, bool) {
	var spaces uint8
	for k, c := range b {
		if c < ' ' || c >= 0x7f {
			return 0, false
		}
		if c == ' ' {
			if k > 0 && b[k-1] == ' ' {
				return 0, false
			}
			spaces |= 1 << k
		}
	}
	return spaces, true
}

// TestPlainAndLower compares Plain and Lower with byte-by-byte versions on
// words made of the bytes at the edges of their tests, and on random words.
func TestPlainAndLower(t *testing.T) {
	edges := []byte{0x00, 0x01, 0x1f, ' ', '!', '@', 'A', 'M', 'Z', '[', '`', 'a', 'z', '{', '~', 0x7f, 0x80, 0xc3, 0xfe, 0xff}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 1_000_000; n++ {
		var b [8]byte
		for k := range b {
			if n%2 == 0 {
				b[k] = edges[rng.IntN(len(edges))]
			} else {
				b[k] = byte(rng.Uint32())
			}
		}
		x := binary.LittleEndian.Uint64(b[:])
		gs, gok := Plain(x)
		ws, wok := plainBytes(b[:])
		if gs != ws || gok != wok {
			t.Fatalf("Plain(%q) = %08b, %v; want %08b, %v", b[:], gs, gok, ws, wok)
		}
		if wok {
			var got [8]byte
			Store(got[:], Lower(x))
			if want := strings.ToLower(string(b[:])); string(got[:]) != want {
				t.Fatalf("Lower(%q) = %q, want %q", b[:], got[:], want)
			}
		}
	}
	if Load("0123456789", 2) != binary.LittleEndian.Uint64([]byte("23456789")) {
		t.Errorf("Load at 2 is not bytes 2-9")
	}
}

// TestIsASCII: one byte above 0x7f anywhere, in strings of every length
// around the 8- and 32-byte steps, is found; without it the text is ASCII.
func TestIsASCII(t *testing.T) {
	for n := 0; n <= 70; n++ {
		b := []byte(strings.Repeat("aZ ~\x7f\x00", 12)[:n])
		if !IsASCII(string(b)) {
			t.Fatalf("length %d: ASCII text reported as not ASCII", n)
		}
		for i := 0; i < n; i++ {
			c := append([]byte(nil), b...)
			c[i] = 0x80 | byte(i)
			if IsASCII(string(c)) {
				t.Fatalf("length %d: byte %#x at %d not found", n, c[i], i)
			}
		}
	}
}

// TestPrintable compares Printable with a byte loop at every length up to
// 24 and every byte value at every position.
func TestPrintable(t *testing.T) {
	want := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		return true
	}
	for n := 0; n <= 24; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(i%26)
		}
		if !Printable(b) {
			t.Errorf("Printable(%q) = false", b)
		}
		for i := 0; i < n; i++ {
			for c := 0; c < 256; c++ {
				b[i] = byte(c)
				if got := Printable(b); got != want(b) {
					t.Fatalf("Printable(%q) = %v, want %v", b, got, !got)
				}
			}
			b[i] = 'a'
		}
	}
}
