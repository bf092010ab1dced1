package dsn

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// quickWords decodes the RFC 2047 encoded words of header (section 4: B
// and Q encodings) as mime.WordDecoder.DecodeHeader does, appending to dst,
// when every word's charset is one that DecodeHeader converts itself
// (UTF-8, US-ASCII, ISO-8859-1, RFC 2047 section 3 and RFC 2046 section
// 4.1.2): the usual Subject or From of a bounce, without DecodeHeader's
// builder, its decoded word and its charset reader. ok is false for a
// header with a word in another charset, left to DecodeHeader
// (TestQuickWordsSame and FuzzQuickWordsSame hold the two equal).
func quickWords(dst []byte, header string) (out []byte, ok bool) {
	i := strings.Index(header, "=?")
	if i < 0 {
		return append(dst, header...), true
	}
	dst = append(dst, header[:i]...)
	header = header[i:]
	betweenWords := false
	for {
		start := strings.Index(header, "=?")
		if start < 0 {
			break
		}
		cur := start + 2
		q := strings.IndexByte(header[cur:], '?')
		if q < 0 {
			break
		}
		charset := header[cur : cur+q]
		cur += q + 1
		if len(header) < cur+len("Q??=") {
			break
		}
		encoding := header[cur]
		cur++
		if header[cur] != '?' {
			break
		}
		cur++
		j := strings.Index(header[cur:], "?=")
		if j < 0 {
			break
		}
		text := header[cur : cur+j]
		end := cur + j + 2

		cs := charsetOf(charset)
		if cs == csOther {
			return dst, false
		}
		// The word is decoded after what goes before it, which is
		// written only when it is not white space between two words: the
		// decoded bytes are moved back over it otherwise.
		mark := len(dst)
		var wordOK bool
		dst, wordOK = decodeWordInto(dst, encoding, text)
		if !wordOK {
			// As DecodeHeader: the word is kept as it is written.
			dst = append(dst[:mark], header[:end]...)
			header = header[end:]
			betweenWords = false
			continue
		}
		if start > 0 && (!betweenWords || notOnlyWordSpace(header[:start])) {
			dst = insertBefore(dst, mark, header[:start])
			mark += start
		}
		dst = convertWord(dst, mark, cs)
		header = header[end:]
		betweenWords = true
	}
	return append(dst, header...), true
}

// The charsets quickWords converts itself, as mime.WordDecoder does.
const (
	csOther = iota
	csUTF8
	csLatin1
	csASCII
)

func charsetOf(name string) int {
	switch {
	case strings.EqualFold(name, "utf-8"):
		return csUTF8
	case strings.EqualFold(name, "iso-8859-1"):
		return csLatin1
	case strings.EqualFold(name, "us-ascii"):
		return csASCII
	}
	return csOther
}

// decodeWordInto appends the decoding of an encoded word's text (B: the
// standard base64 alphabet with padding; Q: RFC 2047 section 4.2), false
// when it is not valid, as mime's decode refuses it.
func decodeWordInto(dst []byte, encoding byte, text string) ([]byte, bool) {
	switch encoding {
	case 'B', 'b':
		n := len(dst)
		out, err := base64.StdEncoding.AppendDecode(dst, unsafe.Slice(unsafe.StringData(text), len(text)))
		if err != nil {
			return out[:n], false
		}
		return out, true
	case 'Q', 'q':
		n := len(dst)
		for i := 0; i < len(text); i++ {
			switch c := text[i]; {
			case c == '_':
				dst = append(dst, ' ')
			case c == '=':
				if i+2 >= len(text) {
					return dst[:n], false
				}
				hi, ok1 := unhexWord(text[i+1])
				lo, ok2 := unhexWord(text[i+2])
				if !ok1 || !ok2 {
					return dst[:n], false
				}
				dst = append(dst, hi<<4|lo)
				i += 2
			case c >= ' ' && c <= '~' || c == '\n' || c == '\r' || c == '\t':
				dst = append(dst, c)
			default:
				return dst[:n], false
			}
		}
		return dst, true
	}
	return dst, false
}

// unhexWord reads a hex digit of a Q word, lower case accepted as mime
// accepts it.
func unhexWord(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// notOnlyWordSpace reports a byte other than the linear white space that
// may separate two encoded words (RFC 2047 section 6.2; not \v, as mime
// has it).
func notOnlyWordSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return true
		}
	}
	return false
}

// insertBefore inserts s into dst at i.
func insertBefore(dst []byte, i int, s string) []byte {
	n := len(dst)
	dst = append(dst, s...)
	copy(dst[i+len(s):], dst[i:n])
	copy(dst[i:], s)
	return dst
}

// convertWord converts dst[from:], a decoded word's bytes, from charset
// cs to UTF-8 as mime.WordDecoder does: UTF-8 as it is, ISO-8859-1 byte
// by byte, US-ASCII with bytes over 0x7f made U+FFFD.
func convertWord(dst []byte, from, cs int) []byte {
	if cs == csUTF8 {
		return dst
	}
	high := false
	for _, c := range dst[from:] {
		high = high || c >= utf8.RuneSelf
	}
	if !high {
		return dst
	}
	// The word is copied out, then converted back into its place.
	var tmp [128]byte
	src := append(tmp[:0], dst[from:]...)
	dst = dst[:from]
	for _, c := range src {
		switch {
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		case cs == csLatin1:
			dst = utf8.AppendRune(dst, rune(c))
		default:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
	}
	return dst
}

// decodedString keeps d, decoded text, in mem's memory when it has room,
// else in a new string.
func decodedString(mem *Mem, d []byte) string {
	if b := mem.bytes(len(d)); b != nil {
		b = append(b, d...)
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(d)
}

// hasRuneError is strings.ContainsRune(string(b), utf8.RuneError): a
// U+FFFD or an invalid sequence.
func hasRuneError(b []byte) bool { return bytes.ContainsRune(b, utf8.RuneError) }
