package dsn

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"mime"
	"mime/quotedprintable"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/phrase"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode every charset the way production does
)

// normalizeNewlines turns CRLF and lone CR into LF. It copies only when the
// input has a CR.
// QUIRK: RFC 5322 section 2.1 wants CRLF; stored bounces come with LF, and
// some old Mac tools wrote CR alone.
func normalizeNewlines(b []byte) []byte { return normalizeNewlinesInto(nil, b) }

// normalizeNewlinesInto is normalizeNewlines writing the copy, when there
// is one, into dst's memory if it has room for len(b) bytes.
func normalizeNewlinesInto(dst, b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	out := dst[:0]
	if cap(out) < len(b) {
		out = make([]byte, 0, len(b))
	}
	for i >= 0 {
		// Copy the run before the CR in one go, then its line end.
		out = append(out, b[:i]...)
		out = append(out, '\n')
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			i++
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			i += 2 // QUIRK: CR CR LF, a CRLF file converted once more
		}
		b = b[i+1:]
		i = bytes.IndexByte(b, '\r')
	}
	return append(out, b...)
}

// trimLeadingSpace drops blank lines before the first header.
func trimLeadingSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == '\n' || b[0] == '\r' || b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// stripMboxFrom drops an mbox "From " separator line if the message starts with one.
func stripMboxFrom(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[i+1:]
		}
	}
	return b
}

// splitHeaderInto reads a header block from the start of b and returns it
// with the rest of b. A header block ends at the first empty line. The
// fields are appended to *scratch, when not nil, instead of a slice of
// their own: the headers of one Parse share one pooled array (scratch).
// The header returned keeps its fields however *scratch grows later.
// QUIRK: lines that are neither fields nor continuations are skipped rather
// than ending the block (RFC 5322 section 2.2 has no such lines; broken
// gateways write them), and the continuation lines after such a line are
// dropped. A block whose first line is not a field is no header.
func splitHeaderInto(b []byte, scratch *[]headerField) (header, []byte, bool) {
	var all []headerField
	if scratch != nil {
		all = *scratch
	} else {
		all = make([]headerField, 0, 16)
	}
	start := len(all)
	rest := b
	consumed := 0
	first, junk := true, false
	vstart := 0 // offset in b of the last field's value
	for len(rest) > 0 {
		at := len(b) - len(rest)
		if c := rest[0]; c == ' ' || c == '\t' {
			// A continuation line (or a blank one), on one look:
			// fieldColon would find no name.
			line, next := cutLine(rest)
			rest = next
			consumed = len(b) - len(rest)
			if isBlank(line) {
				break
			}
			if len(all) > start && !junk {
				// The value runs on over this line, contiguous in b.
				all[len(all)-1].value = b[vstart : at+len(line)]
			}
			first = false
			if consumed > maxHeaderBytes {
				break
			}
			continue
		}
		// A field line is found by its name and colon, read once; only
		// then is its end looked for.
		if k, nameEnd := fieldColon(rest); k > 0 {
			line, next := cutLineFrom(rest, k)
			vstart = at + k + 1
			all = append(all, headerField{name: line[:nameEnd], value: line[k+1:]})
			junk = false
			first = false
			rest = next
			consumed = len(b) - len(rest)
			if consumed > maxHeaderBytes {
				break
			}
			continue
		}
		line, next := cutLine(rest)
		if isBlank(line) {
			rest = next
			consumed = len(b) - len(rest)
			break
		}
		if first {
			return header{}, b, false
		}
		junk = true
		first = false
		rest = next
		consumed = len(b) - len(rest)
		if consumed > maxHeaderBytes {
			break
		}
	}
	if len(all) == start {
		return header{}, b, false
	}
	if scratch != nil {
		*scratch = all
	}
	return header{fields: all[start:len(all):len(all)]}, b[consumed:], true
}

// scratch is the memory one Parse uses and drops, pooled (scratchPool):
// the message with its line ends made LF when it had CRs (norm), the
// header fields of every block (splitHeaderInto), the bounce's own X-
// fields (parser.xheaders) and the text's marker hits and
// their ends (newLowerTextInto). None of it is reachable from a Report:
// the strings a Report holds are copies (as of the caller's message,
// which the normalised one stands for).
type scratch struct {
	norm []byte
	// qp holds the decoded bodies (decodeQP's, a base64 body's, a
	// charset conversion's), the first qpUsed of them this Parse's
	// (qpBuf).
	qp       [][]byte
	qpUsed   int
	fields   []headerField
	xheaders []byte
	hits     phrase.Hits
	ends     phrase.Ends // where hits first end (newLowerTextInto), valid for hits' ids
	// dsnFields holds the fields of a delivery-status part while
	// readDeliveryStatus reads them (fieldBlocksInto); dsnUsed is the
	// most of them one Parse wrote, which release clears.
	dsnFields []field
	dsnUsed   int
	// rcpts is the memory of the list of recipients finish reads from a
	// DSN's text and drops (msgView.tmp), cleared after each use.
	rcpts [2]Recipient
	// view is finish's msgView (newMsgView), cleared by release: it
	// holds views of the message and the Report.
	view msgView
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{fields: make([]headerField, 0, 128)}
}}

// Bounds of what is put back in scratchPool: a message far over the usual
// leaves its memory to the garbage collector.
const (
	maxPooledFields = 4096
	maxPooledBytes  = MaxTextBytes
	// maxPooledNorm bounds the normalised message kept: most bounces are
	// a few KB, and a larger one's copy is dropped, not the scratch.
	maxPooledNorm = 64 << 10
	// maxPooledQP bounds the decodeQP outputs kept, and their size.
	maxPooledQP, maxPooledQPBytes = 4, 64 << 10
)

// qpBuf returns memory for a decoded body of n bytes (a decodeQP output,
// a base64 body, a charset conversion: quickDecoder), which the Parse
// holds until it returns: the next of s.qp, which the next Parse reuses,
// or nil (decodeQP allocates) when s is nil, n is over maxPooledQPBytes or
// maxPooledQP are in use. Like the message's bytes, a decoded body is
// read and never kept: a Report's strings are copies.
func (s *scratch) qpBuf(n int) []byte {
	if s == nil || n > maxPooledQPBytes || s.qpUsed >= maxPooledQP {
		return nil
	}
	if s.qpUsed == len(s.qp) {
		s.qp = append(s.qp, nil)
	}
	if cap(s.qp[s.qpUsed]) < n {
		s.qp[s.qpUsed] = make([]byte, n)
	}
	b := s.qp[s.qpUsed]
	s.qpUsed++
	return b
}

// normalize is normalizeNewlines for Parse's message: a message with CRs
// (as one that came over SMTP has on every line) is copied into s.norm,
// which the next Parse reuses, instead of a new allocation of its size.
// Nothing of the copy outlives the Parse, as nothing of the caller's
// message does: a Report's strings are copies (TestReportOwnsItsStrings
// checks both).
func (s *scratch) normalize(b []byte) []byte {
	out := normalizeNewlinesInto(s.norm, b)
	if len(b) > 0 && unsafe.SliceData(out) != unsafe.SliceData(b) {
		s.norm = out[:0]
	}
	return out
}

// release clears what points into the message and puts s back.
func (s *scratch) release() {
	if cap(s.fields) > maxPooledFields || cap(s.xheaders) > maxPooledBytes ||
		cap(s.dsnFields) > maxPooledFields {
		return
	}
	clear(s.dsnFields[:s.dsnUsed]) // views of the message
	s.dsnUsed = 0
	if cap(s.norm) > maxPooledNorm {
		s.norm = nil
	}
	s.qpUsed = 0
	clear(s.fields)
	s.fields = s.fields[:0]
	s.xheaders = s.xheaders[:0]
	s.hits = phrase.Hits{}
	s.view = msgView{}
	scratchPool.Put(s)
}

// isBlank reports a line of white space only.
func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// isFieldLine reports whether line starts with "name:" where name is
// printable ASCII without spaces (RFC 5322 section 3.6.8).
func isFieldLine(line []byte) bool {
	for i, c := range line {
		if c == ':' {
			return i > 0
		}
		if c <= ' ' || c > '~' {
			// QUIRK: "Name :" with a space before the colon occurs in the wild.
			if c == ' ' && i > 0 {
				rest := bytes.TrimLeft(line[i:], " ")
				return len(rest) > 0 && rest[0] == ':'
			}
			return false
		}
	}
	return false
}

// fieldColon is isFieldLine for the line that starts b, in one look at
// its name: it returns the offset of the colon (0 when the line is not a
// field) and the end of the name (before the spaces of "Name :").
func fieldColon(b []byte) (colon, nameEnd int) {
	if len(b) == 0 || !nameByte[b[0]] {
		return 0, 0 // a continuation or blank line, on one look
	}
	i := 1
	// Eight name bytes at a time: a word with a byte below '!', above
	// '~' or a ':' stops (names are printable ASCII but the colon).
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		z := x ^ 0x3a3a3a3a3a3a3a3a // a zero byte where x has ':'
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		if m := (x | (x + ones) | (x-ones*'!')&^x | (z-ones)&^z) & highs; m != 0 {
			// The lowest marked byte is the first that is not a name
			// byte (a borrow or carry only marks bytes above it).
			i += bits.TrailingZeros64(m) / 8
			goto found
		}
	}
	for i < len(b) && nameByte[b[i]] {
		i++
	}
found:
	switch {
	case i == len(b):
		return 0, 0
	case b[i] == ':':
		return i, i
	case b[i] == ' ' && i > 0:
		// QUIRK: "Name :" with a space before the colon occurs in the wild.
		j := i
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if j < len(b) && b[j] == ':' {
			return j, i
		}
	}
	return 0, 0
}

// nameByte marks the bytes of a field name: printable ASCII but the colon
// (RFC 5322 section 3.6.8).
var nameByte = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != ':'
	}
	return t
}()

// cutLineFrom is cutLine for a line whose first LF is not before b[from].
func cutLineFrom(b []byte, from int) ([]byte, []byte) {
	if i := bytes.IndexByte(b[from:], '\n'); i >= 0 {
		return b[:from+i], b[from+i+1:]
	}
	return b, nil
}

// cutLine returns the first line of b (without its LF) and the rest.
func cutLine(b []byte) ([]byte, []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	if message.CharsetReader == nil {
		return nil, fmt.Errorf("dsn: unknown charset %q", cs)
	}
	if br, ok := r.(*bytes.Reader); ok {
		// An encoded word's bytes (mime.WordDecoder hands them over in
		// a bytes.Reader), converted in one go (convertCharset) instead
		// of through transform.Reader and its two 4 KiB buffers.
		src := make([]byte, br.Len())
		br.Read(src)
		if enc, ok := charsetEncoding(cs); ok {
			if out, ok := convertCharset(enc, src, 1<<30); ok {
				return bytes.NewReader(out), nil
			}
		}
		r = bytes.NewReader(src)
	}
	cr, err := message.CharsetReader(cs, r)
	if err != nil || cr == nil {
		return cr, err
	}
	return smallCopy{cr}, nil
}}

// smallCopy gives a charset reader a WriteTo with a buffer the size of an
// encoded word: mime.WordDecoder io.Copies each word's conversion into a
// strings.Builder, and io.Copy would allocate 32 KiB for every word.
type smallCopy struct{ io.Reader }

func (r smallCopy) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 256)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// decodeWords decodes RFC 2047 encoded words; on failure the raw value is kept.
func decodeWords(s string) string { return decodeWordsIn(nil, s) }

// decodeWordsIn is decodeWords keeping a decoding of the usual charsets
// (quickWords) in mem's memory when it has room.
func decodeWordsIn(mem *Mem, s string) string {
	if !hasWordStart(s) {
		return s
	}
	var buf [256]byte
	if d, ok := quickWords(buf[:0], s); ok && !hasRuneError(d) && !bytes.Contains(d, []byte("?=")) {
		return decodedString(mem, d)
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err == nil && !strings.ContainsRune(d, utf8.RuneError) && !strings.Contains(d, "?=") {
		return d
	}
	// QUIRK: a multibyte text split across encoded words mid-character or
	// mid-escape-sequence (ISO-2022-JP, sample lhost-exchange2007-04),
	// which RFC 2047 section 5 forbids, or B words with bad padding: decode
	// the words of one charset together.
	if j, ok := joinEncodedWords(s); ok {
		if d2, err := wordDecoder.DecodeHeader(j); err == nil {
			return strings.TrimSpace(d2)
		}
	}
	if err != nil {
		return s
	}
	return d
}

// hasWordStart is strings.Contains(s, "=?"), which most values answer by
// one search for '=' (they have none). A value with one goes on with
// strings.Index from there: a loop of searches for '=' alone costs a
// call for each of a DKIM-Signature's or an ARC seal's many "tag=".
func hasWordStart(s string) bool {
	i := strings.IndexByte(s, '=')
	return i >= 0 && strings.Contains(s[i:], "=?")
}

// joinEncodedWords rewrites a run of adjacent B-encoded words of one
// charset as a single word; ok is false when s is not such a run.
func joinEncodedWords(s string) (string, bool) {
	var charset string
	var raw []byte
	rest := strings.TrimSpace(s)
	for rest != "" {
		if !strings.HasPrefix(rest, "=?") {
			return "", false
		}
		end := strings.Index(rest[2:], "?=")
		if end < 0 {
			return "", false
		}
		word := rest[2 : 2+end]
		rest = strings.TrimLeft(rest[2+end+2:], " \t\n")
		cs, enc, text, ok := splitWord(word)
		if !ok || !strings.EqualFold(enc, "b") || charset != "" && !strings.EqualFold(cs, charset) {
			return "", false
		}
		charset = cs
		// QUIRK: padding where none belongs ("...JUsl=", same sample).
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "="))
		if err != nil {
			return "", false
		}
		raw = append(raw, b...)
	}
	if charset == "" {
		return "", false
	}
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(raw) + "?=", true
}

// splitWord splits the inside of an encoded word, "charset?enc?text".
func splitWord(w string) (cs, enc, text string, ok bool) {
	cs, rest, ok1 := strings.Cut(w, "?")
	enc, text, ok2 := strings.Cut(rest, "?")
	return cs, enc, text, ok1 && ok2 && cs != "" && enc != ""
}

// mediaType returns the lower-case media type and its parameters; a missing
// or unreadable Content-Type is text/plain (RFC 2045 section 5.2).
//
// Both may be views of the message's bytes (header.getView): they are
// compared and decoded with, never kept in a Report.
func mediaType(h header) (string, mediaParams) { return mediaTypeIn(nil, h) }

// mediaTypeIn is mediaType unfolding a folded Content-Type in mem's memory
// when it has room (header.getViewIn).
func mediaTypeIn(mem *Mem, h header) (string, mediaParams) {
	v := h.getViewIn(mem, "Content-Type")
	if v == "" {
		return "text/plain", mediaParams{}
	}
	if t, params, ok := simpleMediaType(v); ok {
		// What isSimpleMediaType(v) says: the same reading, with at most
		// four parameters.
		params.simple = params.m == nil
		return t, params
	}
	t, m, err := mime.ParseMediaType(v)
	params := mediaParams{m: m}
	if err != nil {
		// QUIRK: salvage the type from values such as "text/plain; charset=" or
		// a boundary with bad quoting.
		t, _, _ = strings.Cut(v, ";")
		t = toLower(strings.TrimSpace(t))
		params = mediaParams{m: salvageParams(v)}
		if t == "" || !strings.Contains(t, "/") {
			t = "text/plain"
		}
	}
	return t, params
}

// simpleMediaType parses the common form of a Content-Type value, ASCII
// "type/subtype" and "; name=value" parameters with token or plain quoted
// values, the way mime.ParseMediaType does, without its allocations. ok
// is false for anything else (RFC 2231 continuations, escapes, duplicate
// names, non-ASCII), which mime.ParseMediaType reads instead.
func simpleMediaType(v string) (t string, params mediaParams, ok bool) {
	return scanMediaType(v, true)
}

// isSimpleMediaType reports whether simpleMediaType reads v, without
// building its result.
func isSimpleMediaType(v string) bool {
	_, _, ok := scanMediaType(v, false)
	return ok
}

// scanMediaType is simpleMediaType; with build false it only checks, and
// declines values with more than four parameters.
func scanMediaType(v string, build bool) (t string, params mediaParams, ok bool) {
	var names [4]string // the names seen, when not building
	n := 0
	i := 0
	skipSpace := func() {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
	}
	upper := false // a token read held a capital
	token := func() string {
		start := i
		for i < len(v) && mimeToken[v[i]] != 0 {
			upper = upper || mimeToken[v[i]] == tokenUpper
			i++
		}
		return v[start:i]
	}
	skipSpace()
	start := i
	major := token()
	if major == "" || i >= len(v) || v[i] != '/' {
		return "", mediaParams{}, false
	}
	i++
	minor := token()
	if minor == "" {
		return "", mediaParams{}, false
	}
	if build {
		if t = v[start:i]; upper {
			t = asciiLower(t)
		}
	}
	for {
		skipSpace()
		if i == len(v) {
			return t, params, true
		}
		if v[i] != ';' {
			return "", mediaParams{}, false
		}
		i++
		skipSpace()
		if i == len(v) {
			return t, params, true // a trailing ';', which mime.ParseMediaType allows too
		}
		upper = false
		name := token()
		nameUpper := upper
		if name == "" || strings.IndexByte(name, '*') >= 0 || i >= len(v) || v[i] != '=' {
			return "", mediaParams{}, false
		}
		i++
		var val string
		if i < len(v) && v[i] == '"' {
			end := strings.IndexByte(v[i+1:], '"')
			if end < 0 {
				return "", mediaParams{}, false
			}
			val = v[i+1 : i+1+end]
			for j := 0; j < len(val); j++ {
				if !quotedPlain[val[j]] {
					return "", mediaParams{}, false
				}
			}
			i += end + 2
		} else {
			val = token()
			if val == "" {
				return "", mediaParams{}, false
			}
		}
		if !build {
			if n == len(names) {
				return "", mediaParams{}, false
			}
			for _, seen := range names[:n] {
				if strings.EqualFold(seen, name) {
					return "", mediaParams{}, false
				}
			}
			names[n] = name
			n++
			continue
		}
		if nameUpper {
			name = asciiLower(name)
		}
		if _, dup := params.get(name); dup {
			return "", mediaParams{}, false
		}
		params.set(name, val)
	}
}

// mediaParams are the parameters of a Content-Type, names in lower case:
// the few of a usual value in an array, more (or those mime.ParseMediaType
// read) in a map.
type mediaParams struct {
	kv [4][2]string
	n  int
	m  map[string]string
	// simple is isSimpleMediaType of the Content-Type, set by mediaType.
	simple bool
}

// get returns the value of a parameter and whether it is there.
func (p *mediaParams) get(name string) (string, bool) {
	if p.m != nil {
		v, ok := p.m[name]
		return v, ok
	}
	for _, kv := range p.kv[:p.n] {
		if kv[0] == name {
			return kv[1], true
		}
	}
	return "", false
}

// value is get without the flag.
func (p *mediaParams) value(name string) string {
	v, _ := p.get(name)
	return v
}

// set adds a parameter that is not there yet.
func (p *mediaParams) set(name, v string) {
	if p.m == nil && p.n < len(p.kv) {
		p.kv[p.n] = [2]string{name, v}
		p.n++
		return
	}
	if p.m == nil {
		p.m = p.asMap()
	}
	p.m[name] = v
}

// asMap returns the parameters as a new map.
func (p *mediaParams) asMap() map[string]string {
	m := make(map[string]string, p.n+len(p.m))
	for k, v := range p.m {
		m[k] = v
	}
	for _, kv := range p.kv[:p.n] {
		m[kv[0]] = kv[1]
	}
	return m
}

// mimeToken sorts the bytes for scanMediaType: 0 for a byte that is not
// an RFC 2045 token character (isTokenByte), tokenUpper for an ASCII
// capital, tokenOther for the other token characters.
var mimeToken = func() (t [256]uint8) {
	for c := range t {
		switch {
		case !isTokenByte(byte(c)):
		case c >= 'A' && c <= 'Z':
			t[c] = tokenUpper
		default:
			t[c] = tokenOther
		}
	}
	return t
}()

const (
	tokenOther = 1
	tokenUpper = 2
)

// quotedPlain marks the bytes scanMediaType takes inside a quoted value
// as they are: printable ASCII and tab, but the backslash.
var quotedPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = !(c == '\\' || c >= 0x7f || c < ' ' && c != '\t')
	}
	return t
}()

// isTokenByte reports an RFC 2045 token character.
func isTokenByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !setTokenSpecials[c]
}

// salvageParams reads name=value pairs from a broken Content-Type.
func salvageParams(v string) map[string]string {
	params := map[string]string{}
	for _, p := range strings.Split(v, ";")[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		val = strings.Trim(val, `"'`)
		params[toLower(strings.TrimSpace(k))] = val
	}
	return params
}

// decodeBody undoes the transfer encoding and, for text/*, converts the
// charset to UTF-8, reading at most limit decoded bytes: the decoders stop
// there, so a large part costs its budget, not its size. A body with
// nothing to decode is returned as it is (cut to limit), without a copy.
// Unknown encodings and charsets leave the bytes as they are and return a
// warning. A quoted-printable body is decoded into sc's memory (qpBuf)
// when sc is not nil.
func decodeBody(sc *scratch, h header, t string, params *mediaParams, body []byte, limit int) ([]byte, string) {
	var cteBuf, csBuf [lowerBufBytes]byte
	cte := lowerView(&cteBuf, h.getView("Content-Transfer-Encoding")) // compared, never kept
	cs := lowerView(&csBuf, params.value("charset"))                  // compared, never kept
	if (cte == "" || cte == "7bit" || cte == "8bit" || cte == "binary") &&
		(!strings.HasPrefix(t, "text/") || cs == "" || cs == "us-ascii" || cs == "ascii" || cs == "utf-8" || cs == "utf8") {
		// Nothing to decode: the common case, without go-message.
		if len(body) > limit {
			body = body[:limit]
		}
		return body, ""
	}
	fix := eightBitIn7bit(t, cs, cte, body)
	r, direct, warn, ok := quickDecoder(sc, h, t, params, cte, fix, body, limit)
	if direct != nil {
		return direct, warn
	}
	if !ok {
		th := h.textHeader()
		if fix != "" {
			// QUIRK: a body declared in a 7-bit charset (ISO-2022-JP, US-ASCII)
			// whose bytes are 8-bit: converted on the way with the label kept
			// (UTF-8, sample lhost-kddi-01) or mislabelled by the sender
			// (EUC-JP, sample lhost-ezweb-03). Decoding it as declared would
			// garble it.
			p := params.asMap()
			p["charset"] = fix
			th.Set("Content-Type", mime.FormatMediaType(t, p))
		}
		e, err := message.New(message.Header{Header: th}, bytes.NewReader(body))
		if err != nil {
			if e == nil {
				return body, "dsn: " + err.Error()
			}
			warn = "dsn: " + err.Error()
		}
		r = e.Body
	}
	hint := len(body)
	if cte == "base64" {
		hint = len(body) / 4 * 3
	}
	out, _, rerr := readLimited(r, limit, hint)
	if rerr != nil {
		// QUIRK: a broken base64 or quoted-printable body keeps what decoded.
		if len(out) == 0 {
			out = body[:min(len(body), limit)]
		}
		if warn == "" {
			warn = "dsn: body decoding: " + rerr.Error()
		}
	}
	return out, warn
}

// quickDecoder is what go-message's message.New does for a body part,
// without building its header: the transfer decoder (RFC 2045 section 6)
// and, for text/*, the charset converter to UTF-8, with the same warnings.
// fix, when set, replaces the declared charset (see eightBitIn7bit). ok
// is false when the Content-Type is not of the simple form, whose reading
// go-message might not share; message.New reads those.
//
// A quoted-printable body is decoded in one pass by decodeQP when it can
// be; direct is then the decoded body, cut to limit, when no charset
// conversion follows.
func quickDecoder(sc *scratch, h header, t string, params *mediaParams, cte, fix string, body []byte, limit int) (r io.Reader, direct []byte, warn string, ok bool) {
	if !params.simple || strings.Contains(params.value("charset"), "=?") {
		return nil, nil, "", false
	}
	r = bytes.NewReader(body)
	var src []byte // the body without its transfer encoding, when it is in memory
	var err error
	// RFC 2046 section 4.1.2: a charset applies to text/* only.
	cs, has := params.get("charset")
	if fix != "" {
		cs, has = fix, true
	}
	convert := false
	if has && strings.HasPrefix(t, "text/") {
		var buf [lowerBufBytes]byte
		lc := lowerView(&buf, cs) // compared only
		convert = lc != "utf-8" && lc != "us-ascii"
	}
	switch cte { // the Content-Transfer-Encoding in lower case
	case "quoted-printable":
		if !convert {
			if b, ok := decodeQP(sc.qpBuf(min(len(body), limit+qpMaxLine+2)), body, limit); ok {
				return nil, b, "", true
			}
		} else if len(body) <= maxFastQPBytes {
			// The conversion reads the whole decoded body, which is never
			// longer than its encoding.
			if b, ok := decodeQP(sc.qpBuf(len(body)), body, len(body)); ok {
				r, src = bytes.NewReader(b), b
				break
			}
		}
		r = quotedprintable.NewReader(r)
	case "base64":
		// A body of base64 lines (no space or tab: StdEncoding skips
		// only CR and LF) is decoded in one go, into sc's memory; the
		// stream decoder reads any other, or one Decode calls corrupt,
		// for the same partial text and warning.
		if len(body) <= maxFastQPBytes && bytes.IndexAny(body, " \t") < 0 {
			n := base64.StdEncoding.DecodedLen(len(body))
			dst := sc.qpBuf(n)
			if dst == nil {
				dst = make([]byte, n)
			}
			if n, err := base64.StdEncoding.Decode(dst[:n], body); err == nil {
				if !convert {
					return nil, dst[:min(n, limit)], "", true
				}
				r, src = bytes.NewReader(dst[:n]), dst[:n]
				break
			}
		}
		// QUIRK: base64 lines indented by white space, as go-message allows.
		r = base64.NewDecoder(base64.StdEncoding, spaceToNewline{r})
	case "7bit", "8bit", "binary", "":
		src = body
	default:
		err = fmt.Errorf("encoding error: unhandled encoding %q", h.get("Content-Transfer-Encoding"))
	}
	if has && strings.HasPrefix(t, "text/") {
		switch cs = toLower(cs); {
		case cs == "utf-8" || cs == "us-ascii":
		case message.CharsetReader == nil:
			err = fmt.Errorf("unknown charset: unknown charset: message: unhandled charset %q", cs)
		default:
			if src != nil && err == nil {
				// The body is in memory: converted in one go (convertCharset).
				if enc, ok := charsetEncoding(cs); ok {
					// Into sc's memory, as decodeQP writes: a decoded
					// body is read and never kept.
					if out, ok := convertCharsetInto(sc.qpBuf(convertOutBytes(src, limit)), enc, src, limit); ok {
						return nil, out, "", true
					}
				}
			}
			if cr, cerr := message.CharsetReader(cs, r); cerr != nil {
				// Worded as message.New words it: its charset reader and
				// New itself both say "unknown charset".
				err = fmt.Errorf("unknown charset: unknown charset: %w", cerr)
			} else {
				r = cr
			}
		}
	}
	if err != nil {
		warn = "dsn: " + err.Error()
	}
	return r, nil, warn, true
}

// spaceToNewline turns spaces and tabs into line ends, which the base64
// decoder skips.
type spaceToNewline struct{ r io.Reader }

func (s spaceToNewline) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	for i, c := range p[:n] {
		if c == ' ' || c == '\t' {
			p[i] = '\n'
		}
	}
	return n, err
}

// eightBitIn7bit returns the charset of a text body that declares a 7-bit
// charset and no transfer encoding yet holds 8-bit bytes: "utf-8" when
// they are valid UTF-8, else for ISO-2022-JP the 8-bit Japanese charset
// they look like ("shift_jis" when a byte in 0x80..0xA0 occurs, as only
// Shift_JIS lead bytes do, else "euc-jp"). It returns "" otherwise.
func eightBitIn7bit(t, cs, cte string, body []byte) string {
	jp := strings.HasPrefix(cs, "iso-2022-jp")
	if !strings.HasPrefix(t, "text/") || !(jp || cs == "us-ascii" || cs == "ascii") {
		return ""
	}
	switch cte {
	case "", "7bit", "8bit", "binary":
	default:
		return ""
	}
	if len(body) == 0 || textIsASCII(unsafe.String(&body[0], len(body))) {
		return "" // the usual case, by words
	}
	eight, sjis := false, false
	for _, c := range body {
		if c >= 0x80 {
			eight = true
			if c <= 0xA0 {
				sjis = true
			}
		}
	}
	switch {
	case !eight:
		return ""
	case utf8.Valid(body):
		return "utf-8"
	case !jp:
		return ""
	case sjis:
		return "shift_jis"
	}
	return "euc-jp"
}

// splitMultipart cuts a multipart body into its parts (RFC 2046 section
// 5.1.1). It is lenient: a missing close delimiter ends at the end of the
// body, and delimiter lines may carry trailing white space.
func splitMultipart(body []byte, boundary string) [][]byte {
	return splitMultipartInto(nil, body, boundary)
}

// splitMultipartInto is splitMultipart appending the parts to out[:0]
// (a caller's array on its stack); nil still says no part was found.
func splitMultipartInto(out [][]byte, body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	var db [80]byte // the delimiter of a usual boundary, on the stack
	delim := append(append(db[:0], "--"...), boundary...)
	// The delimiter is searched for by its part after the leading dashes
	// (and '=', "----=_Part_1"): bytes.Index looks for its first byte, and
	// dashes fill bodies. Each occurrence of the delimiter holds one of
	// the tail at the same distance, so none is missed.
	lead := 0
	for lead < len(delim)-1 && (delim[lead] == '-' || delim[lead] == '=') {
		lead++
	}
	tail := delim[lead:]
	parts := out[:0]
	start := -1
	// Only the lines holding the delimiter are looked at: bytes.Index
	// finds each candidate, then its line is checked.
	for off := 0; off+len(delim) <= len(body); {
		t := bytes.Index(body[off+lead:], tail)
		if t < 0 {
			break
		}
		i := off + t // where the delimiter would start
		if !bytes.Equal(body[i:i+lead], delim[:lead]) {
			off = i + 1
			continue
		}
		lineStart := bytes.LastIndexByte(body[:i], '\n') + 1
		lineEnd := len(body)
		pos := len(body) // the start of the next line
		if j := bytes.IndexByte(body[i:], '\n'); j >= 0 {
			lineEnd, pos = i+j, i+j+1
		}
		off = pos
		// QUIRK: a delimiter line indented by white space, as in the RFC 3464
		// appendix sample rfc3464-35.
		if !onlySpaceTab(body[lineStart:i]) {
			continue
		}
		tail := bytes.TrimRight(body[i+len(delim):lineEnd], " \t")
		closing := bytes.Equal(tail, []byte("--"))
		if len(tail) != 0 && !closing {
			continue // a longer boundary that merely starts with ours
		}
		if start >= 0 {
			end := lineStart
			if end > start && body[end-1] == '\n' {
				end-- // the LF before the delimiter belongs to it
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if closing {
			return nilIfEmpty(parts)
		}
		start = pos
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return nilIfEmpty(parts)
}

func nilIfEmpty(parts [][]byte) [][]byte {
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// onlySpaceTab reports whether b holds nothing but spaces and tabs.
func onlySpaceTab(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
