package dsn

import (
	"bytes"
	"encoding/binary"
	nettextproto "net/textproto"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/swar"
	"github.com/emersion/go-message/textproto"
)

// header is one header block as read by splitHeader: its fields in order,
// each name and value referencing the message bytes (folded values are
// unfolded when asked for). It is lighter than go-message's textproto
// Header, which the bodies' decoding still uses (textHeader).
type header struct {
	fields []headerField
}

type headerField struct {
	name  []byte // as written, without surrounding white space
	value []byte // everything after the colon, folding included
}

// get returns the unfolded value of the first field named name (case
// insensitive), or "".
func (h header) get(name string) string {
	for _, f := range h.fields {
		if equalFoldBytes(f.name, name) {
			return unfoldBytes(f.value)
		}
	}
	return ""
}

// getView is get for a value that is read and dropped at once: a value of
// one line in valid UTF-8 (unfoldInto's first case) is returned as a view
// of the message's bytes, trimmed, instead of a copy. It must not be kept.
func (h header) getView(name string) string { return h.getViewIn(nil, name) }

// getViewIn is getView unfolding a folded value into mem's memory when it
// has room (a Report's: as long-lived as anything kept from it).
func (h header) getViewIn(mem *Mem, name string) string {
	for _, f := range h.fields {
		if equalFoldBytes(f.name, name) {
			v := f.value
			if swar.Printable(v) {
				// The usual value, checked at once: printable ASCII and
				// spaces, only spaces to trim.
				v = trimSpaces(v)
				return unsafe.String(unsafe.SliceData(v), len(v))
			}
			if bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\t') >= 0 || !utf8.Valid(v) {
				if mem == nil {
					return unfoldBytes(v)
				}
				var a strArena // not used for invalid UTF-8 (unfoldInto)
				a.grow(mem, len(v))
				return unfoldInto(&a, v)
			}
			if v = bytes.TrimSpace(v); len(v) == 0 {
				return ""
			}
			return unsafe.String(&v[0], len(v))
		}
	}
	return ""
}

// textHeader builds the go-message header that decodeBody needs: the
// content fields only.
func (h header) textHeader() textproto.Header {
	var t textproto.Header
	for _, k := range []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"} {
		if v := h.get(k); v != "" {
			t.Set(k, v)
		}
	}
	return t
}

// maxFieldName bounds the field names lowerName handles; longer names are
// none the package looks for.
const maxFieldName = 40

// lowerName lower-cases a field name into buf without allocating; a name
// longer than buf comes back empty.
// Eight bytes are lowered at a time (swar.Lower) where they are ASCII,
// as the names of fields are (fieldColon).
func lowerName(buf *[maxFieldName]byte, name []byte) []byte {
	if len(name) > len(buf) {
		return nil
	}
	i := 0
	for ; i+8 <= len(name); i += 8 {
		x := binary.LittleEndian.Uint64(name[i:])
		if x&0x8080808080808080 != 0 {
			break
		}
		binary.LittleEndian.PutUint64(buf[i:], swar.Lower(x))
	}
	if i < len(name) && i+8 > len(name) && len(name) >= 8 {
		// The last bytes in one word that ends with the name (it overlaps
		// bytes already lowered, which lower to the same).
		if x := binary.LittleEndian.Uint64(name[len(name)-8:]); x&0x8080808080808080 == 0 {
			binary.LittleEndian.PutUint64(buf[len(name)-8:], swar.Lower(x))
			return buf[:len(name)]
		}
	}
	for ; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(name)]
}

// canonicalName returns the field name in canonical form ("Message-Id").
func canonicalName(name []byte) string {
	return nettextproto.CanonicalMIMEHeaderKey(string(bytes.TrimSpace(name)))
}

// canonicalNameInto is canonicalName written into arena: a name of token
// bytes (RFC 7230 section 3.2.6, what net/textproto canonicalises) gets
// its first letter and each letter after a '-' in upper case, the others
// in lower case; any other name goes through canonicalName.
func canonicalNameInto(arena *strArena, name []byte) string {
	if len(name) == 0 || name[0] == ' ' || name[len(name)-1] == ' ' {
		return canonicalName(name)
	}
	for _, c := range name {
		if !tokenByte[c] {
			return canonicalName(name)
		}
	}
	start := arena.Len()
	upper := true
	for _, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		arena.WriteByte(c)
		upper = c == '-'
	}
	return arena.String()[start:]
}

// tokenByte marks the bytes of an RFC 7230 token (tchar).
var tokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// isLowerName reports whether name is lower, a lower-case ASCII field
// name, in any ASCII case, eight bytes at a time: a byte of name may
// differ from lower's only by the 0x20 bit, and only where lower has a
// letter.
func isLowerName(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	if n := len(name); n >= 4 && n < 8 {
		// Two words of four, overlapping (action, status).
		x := uint64(binary.LittleEndian.Uint32(name))<<32 | uint64(binary.LittleEndian.Uint32(name[n-4:]))
		w := uint64(load32(lower, 0))<<32 | uint64(load32(lower, n-4))
		return x|letterBits(w) == w
	}
	if len(name) < 8 {
		for i := 0; i < len(name); i++ {
			if lowerByte[name[i]] != lower[i] {
				return false
			}
		}
		return true
	}
	for i := 0; ; i += 8 {
		if i+8 > len(name) {
			i = len(name) - 8 // the last word, overlapping the one before
		}
		x := binary.LittleEndian.Uint64(name[i:])
		w := swar.Load(lower, i)
		if x|letterBits(w) != w {
			return false
		}
		if i+8 == len(name) {
			return true
		}
	}
}

// load32 returns s[i:i+4] as a little-endian word.
func load32(s string, i int) uint32 {
	return binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(s[i:i+4]), 4))
}

// letterBits has 0x20 in each byte where w, eight ASCII bytes, has a
// small letter (no carry crosses bytes below 0x80).
func letterBits(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return ((w + ones*(0x80-'a')) &^ (w + ones*(0x80-'z'-1)) & highs) >> 2
}

func equalFoldBytes(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if c == d {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// unfold joins folded lines and trims the value (RFC 5322 section 2.2.3),
// as valid UTF-8 (toUTF8: raw 8-bit bytes are read as Windows-1252).
func unfold(v string) string {
	v = toUTF8(v)
	if !strings.ContainsAny(v, "\n\t") {
		return strings.TrimSpace(v)
	}
	var sb strings.Builder
	sb.Grow(len(v))
	for part := range strings.SplitSeq(v, "\n") {
		part = strings.TrimSpace(strings.ReplaceAll(part, "\t", " "))
		if part == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(part)
	}
	return sb.String()
}
