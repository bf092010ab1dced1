package dsn

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
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
	t := enc.NewDecoder().Transformer
	t.Reset()
	out = make([]byte, 0, min(limit+1, len(src)+len(src)/2+16))
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
