package dsn

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// charsetEncoding finds a charset's decoder the way go-message's charset
// reader (github.com/emersion/go-message/charset, which Parse decodes
// bodies with) does: its two quirks, then the IANA MIME names, the same
// with "cs" in front, then the WHATWG names. ok is false for a charset it
// does not decode; the caller then asks go-message, for the same error.
// TestCharsetEncodingSameAsGoMessage keeps the two in step.
func charsetEncoding(cs string) (enc encoding.Encoding, ok bool) {
	switch strings.ToLower(cs) {
	case "ansi_x3.110-1983":
		return charmap.ISO8859_1, true
	case "x-utf_8j":
		return unicode.UTF8, true
	}
	enc, err := ianaindex.MIME.Encoding(cs)
	if enc == nil {
		enc, err = ianaindex.MIME.Encoding("cs" + cs)
	}
	if enc == nil {
		enc, err = htmlindex.Get(cs)
	}
	if err != nil || enc == nil {
		return nil, false
	}
	return enc, true
}

// convertCharset is what reading the charset reader of go-message over
// src up to limit bytes gives, in one buffer: the decoder is run over the
// whole of src at once (a transformer gives the same bytes however its
// input is cut) instead of through transform.Reader and its two 4 KiB
// buffers. ok is false when the decoder fails; the caller then reads the
// reader, for the same partial text and warning.
func convertCharset(enc encoding.Encoding, src []byte, limit int) (out []byte, ok bool) {
	return convertCharsetInto(nil, enc, src, limit)
}

// convertOutBytes is the room convertCharset starts with: 1.5 times src
// (ISO-2022-JP's two bytes a character become UTF-8's three), up to
// limit and a byte.
func convertOutBytes(src []byte, limit int) int {
	return min(limit+1, len(src)+len(src)/2+16)
}

// convertOut returns dst emptied when it has room for n bytes, else new
// memory for them.
func convertOut(dst []byte, n int) []byte {
	if cap(dst) >= n {
		return dst[:0]
	}
	return make([]byte, 0, n)
}

// convertCharsetInto is convertCharset writing into dst's memory when it
// has room for convertOutBytes (a text part's conversion into the Parse's
// scratch: read, never kept), into new memory otherwise. dst must not
// overlap src.
func convertCharsetInto(dst []byte, enc encoding.Encoding, src []byte, limit int) (out []byte, ok bool) {
	if enc == japanese.ISO2022JP {
		if out, ok := convertISO2022JPInto(dst, src, limit); ok {
			return out, true
		}
	}
	if cm, ok := enc.(*charmap.Charmap); ok && asciiCharmaps[cm] {
		return convertCharmapInto(dst, cm, src, limit), true
	}
	t := enc.NewDecoder().Transformer
	t.Reset()
	out = convertOut(dst, convertOutBytes(src, limit))
	for len(out) <= limit {
		n, m, err := t.Transform(out[len(out):cap(out)], src, true)
		out, src = out[:len(out)+n], src[m:]
		switch err {
		case nil:
			if len(out) > limit {
				out = out[:limit]
			}
			return out, true
		case transform.ErrShortDst:
			if len(out) > limit {
				break
			}
			// Room up to limit and a character beyond it: the reader
			// would have handed over the bytes up to limit of it.
			out = slices.Grow(out, min(limit+utf8.UTFMax+1, 2*cap(out)+16)-len(out))
		default:
			return nil, false
		}
	}
	return out[:limit], true
}

// convertISO2022JP is convertCharset for ISO-2022-JP (RFC 1468), whose
// text in bounces is mostly ASCII between escape sequences: the ASCII
// runs are copied as they are, and only the stretches from an escape
// sequence back to the ASCII state go through the decoder of x/text,
// which reads a stretch as it reads it inside the whole text (its state
// starts and ends in ASCII there, and it looks ahead only within the
// stretch, or says so by ErrShortSrc). ok is false when the text is not
// of that shape (a byte over 0x7F outside a stretch, a stretch the
// decoder does not end in the ASCII state); convertCharset then decodes
// it whole.
func convertISO2022JP(src []byte, limit int) (out []byte, ok bool) {
	return convertISO2022JPInto(nil, src, limit)
}

// convertISO2022JPInto is convertISO2022JP writing into dst's memory
// when it has room (convertCharsetInto).
func convertISO2022JPInto(dst, src []byte, limit int) (out []byte, ok bool) {
	t := japanese.ISO2022JP.NewDecoder().Transformer
	out = convertOut(dst, convertOutBytes(src, limit))
	var probe [4]byte
	for i := 0; i < len(src) && len(out) <= limit; {
		// An ASCII run, up to the next escape.
		j := bytes.IndexByte(src[i:], iso2022Esc)
		if j < 0 {
			j = len(src)
		} else {
			j += i
		}
		if !swar.IsASCII(unsafe.String(unsafe.SliceData(src[i:j]), j-i)) {
			return nil, false
		}
		out = append(out, src[i:j]...)
		if j == len(src) {
			break
		}
		e := iso2022JPStretch(src, j)
		seg := src[j:e]
		out = slices.Grow(out, 3*len(seg)+4)
		t.Reset()
		n, m, err := t.Transform(out[len(out):cap(out)], seg, e == len(src))
		if err != nil || m != len(seg) {
			return nil, false
		}
		out = out[:len(out)+n]
		if e < len(src) {
			// The decoder must be back in the ASCII state, where 'A'
			// reads as itself.
			if n, m, err := t.Transform(probe[:], []byte{'A'}, false); err != nil || n != 1 || m != 1 || probe[0] != 'A' {
				return nil, false
			}
		}
		i = e
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, true
}

const iso2022Esc = 0x1b

// iso2022JPStretch returns the end of the stretch of src that starts at
// the escape at src[i] in the ASCII state and ends where x/text's decoder
// is in the ASCII state again: after ESC ( B or ESC ( J, or after a line
// feed in a two-byte set; len(src) when it never is. It steps over src as
// that decoder does (iso2022JPDecoder.Transform): one byte for a byte over
// 0x7F or an escape it does not know, three or four for an escape
// sequence, two for a character of a two-byte set.
func iso2022JPStretch(src []byte, i int) int {
	const (
		ascii = iota
		katakana
		twoByte
	)
	state := ascii
	for i < len(src) {
		c := src[i]
		switch {
		case c >= 0x80:
			i++
		case c == iso2022Esc:
			if i+2 >= len(src) {
				i++
				continue
			}
			c1, c2 := src[i+1], src[i+2]
			switch {
			case c1 == '$' && (c2 == '@' || c2 == 'B'):
				state, i = twoByte, i+3
			case c1 == '$' && c2 == '(' && i+3 < len(src) && src[i+3] == 'D':
				state, i = twoByte, i+4
			case c1 == '(' && (c2 == 'B' || c2 == 'J'):
				return i + 3
			case c1 == '(' && c2 == 'I':
				state, i = katakana, i+3
			default:
				i++
			}
		case state == twoByte:
			if c == '\n' {
				return i + 1
			}
			if i+1 >= len(src) {
				i++
			} else {
				i += 2
			}
		default:
			i++
		}
	}
	return len(src)
}

// asciiCharmaps are the single-byte charsets of x/text that read every
// ASCII byte as itself (ISO 8859, Windows and most DOS code pages; not
// EBCDIC), for convertCharmap.
var asciiCharmaps = func() map[*charmap.Charmap]bool {
	m := map[*charmap.Charmap]bool{}
	for _, e := range charmap.All {
		cm, ok := e.(*charmap.Charmap)
		if !ok {
			continue
		}
		same := true
		for b := 0; b < utf8.RuneSelf; b++ {
			same = same && cm.DecodeByte(byte(b)) == rune(b)
		}
		m[cm] = same
	}
	return m
}()

// convertCharmap is convertCharset for a charset of asciiCharmaps, whose
// text in bounces is mostly ASCII: the ASCII runs are copied as they are,
// eight bytes a test, and each other byte is written as its code point in
// UTF-8, which is the bytes x/text's decoder writes for it.
func convertCharmap(cm *charmap.Charmap, src []byte, limit int) []byte {
	return convertCharmapInto(nil, cm, src, limit)
}

// convertCharmapInto is convertCharmap writing into dst's memory when it
// has room (convertCharsetInto).
func convertCharmapInto(dst []byte, cm *charmap.Charmap, src []byte, limit int) []byte {
	out := convertOut(dst, convertOutBytes(src, limit))
	for i := 0; i < len(src) && len(out) <= limit; {
		j := i
		for ; j+8 <= len(src); j += 8 {
			if binary.LittleEndian.Uint64(src[j:])&0x8080808080808080 != 0 {
				break
			}
		}
		for j < len(src) && src[j] < utf8.RuneSelf {
			j++
		}
		out = append(out, src[i:j]...)
		if j == len(src) {
			break
		}
		out = utf8.AppendRune(out, cm.DecodeByte(src[j]))
		i = j + 1
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
