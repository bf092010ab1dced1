// Package swar reads and rewrites text eight ASCII bytes at a time in one
// uint64 (SIMD within a register), for the per-message text loops of
// classify (folding a diagnostic) and explain (cleaning a fact): most of a
// bounce's text is printable ASCII with single spaces, which these loops
// copy unchanged (or only lower-cased), and testing eight bytes at once
// costs about what testing one does.
//
// Words are little-endian: byte k of the text is bits 8k..8k+7.
package swar

import (
	"encoding/binary"
	"unsafe"
)

const (
	ones  uint64 = 0x0101010101010101
	highs uint64 = 0x8080808080808080
)

// Load returns s[i:i+8] as a word; i+8 must not exceed len(s).
func Load(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:i+8]), 8))
}

// Store writes x to b[:8].
func Store(b []byte, x uint64) { binary.LittleEndian.PutUint64(b, x) }

// Plain reports whether the eight bytes of x are all printable ASCII or
// spaces (no control character, DEL or byte above 0x7f) with no two
// spaces side by side; spaces has bit k set when byte k is a space.
func Plain(x uint64) (spaces uint8, ok bool) {
	// A byte >= 0x7f: its high bit is set in x or in x+1 (a carry crosses
	// into the next byte only from 0xff, which is caught anyway). A byte
	// < 0x20: x-0x20 borrows into its high bit (exact when no byte is
	// >= 0x80, which the first test has ruled out).
	if ((x+ones)|x)&highs != 0 || (x-ones*0x20)&^x&highs != 0 {
		return 0, false
	}
	// The spaces, exactly: the zero bytes of x^0x20..., found without
	// carries between bytes.
	z := x ^ ones*0x20
	m := ^((z&^highs + ^highs) | z | ^highs) // high bit set where z's byte is zero
	if m&(m>>8) != 0 {
		return 0, false // two spaces side by side
	}
	// The high bits gathered into one byte, bit k for byte k.
	return uint8((m >> 7) * 0x0102040810204080 >> 56), true
}

// Lower lower-cases the ASCII capitals among the eight bytes of x, which
// must all be below 0x80 (as Plain's are).
func Lower(x uint64) uint64 {
	ge := (x + ones*(0x80-'A')) & highs   // byte >= 'A'
	gt := (x + ones*(0x80-'Z'-1)) & highs // byte > 'Z'
	return x | (ge&^gt)>>2                // + 0x20 where a capital
}

// Printable reports whether every byte of b is printable ASCII or a
// space (0x20 to 0x7e: no control character, tab or line end, DEL or
// byte above 0x7f), eight bytes at a time.
func Printable(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// As Plain: a byte >= 0x7f sets a high bit in x or x+1, a byte
		// < 0x20 borrows into its high bit in x-0x20 (exact once the
		// first test has ruled out bytes >= 0x80).
		if ((x+ones)|x)&highs != 0 || (x-ones*0x20)&^x&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] > 0x7e {
			return false
		}
	}
	return true
}

// IsASCII reports whether s is all ASCII (no byte above 0x7f), 32 bytes
// at a time while it can, then eight, then the last eight at once (one
// at a time in a string shorter than that).
func IsASCII(s string) bool {
	i := 0
	for ; i+32 <= len(s); i += 32 {
		t := s[i : i+32] // one bounds check for the four loads
		if (Load(t, 0)|Load(t, 8)|Load(t, 16)|Load(t, 24))&highs != 0 {
			return false
		}
	}
	for ; i+8 <= len(s); i += 8 {
		if Load(s, i)&highs != 0 {
			return false
		}
	}
	if i < len(s) && len(s) >= 8 {
		// The last bytes in one word that ends with s (it overlaps
		// bytes already seen).
		return Load(s, len(s)-8)&highs == 0
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
