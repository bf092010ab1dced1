package dsn

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// htmlToTextFast is htmlToText without a tokenizer: it follows the
// tokenization states of the HTML Living Standard (section 13.2.5) that
// htmlToText's answer depends on (data, tag open, tag name, attribute
// name and value, comment, bogus comment, RAWTEXT for <style> and RCDATA
// for <title>) the way golang.org/x/net/html's Tokenizer reads them, and
// finds the ends of tags, comments and attribute values with one search
// each instead of a call per byte. It writes into sb what htmlToText would
// return before finishHTMLText, and reports false, leaving sb in any
// state, for what it leaves to the tokenizer: a body of MaxTextBytes or
// more (the tokenizer's buffer limit), <script> (its escape states), the
// other raw-text elements (iframe, noembed, noframes, noscript, plaintext,
// textarea, xmp) and a self-closing <style/>. TestHTMLToTextFast and
// FuzzHTMLToText compare the two.
func htmlToTextFast(b []byte, sb *strings.Builder) bool {
	if len(b) >= MaxTextBytes {
		return false
	}
	skip := 0          // inside script or style (as htmlToText counts them)
	rawTag := ""       // "style" or "title": the text up to its end tag is raw
	start, pos := 0, 0 // the current text token starts at start; the scan is at pos
	// text writes a text token as Tokenizer.Text returns it: newlines
	// converted, NUL replaced in raw text and RCDATA, character
	// references decoded except in raw text.
	text := func(t []byte, raw, rcdata bool) {
		if skip > 0 || len(t) == 0 || sb.Len() >= MaxTextBytes {
			return
		}
		cr := bytes.IndexByte(t, '\r') >= 0
		nul := (raw || rcdata) && bytes.IndexByte(t, 0) >= 0
		amp := !raw && bytes.IndexByte(t, '&') >= 0
		if cr || nul || amp {
			s := string(t)
			if cr {
				s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
			}
			if nul {
				s = strings.ReplaceAll(s, "\x00", "\ufffd")
			}
			if amp {
				s = html.UnescapeString(s)
			}
			t = []byte(s)
		}
		sb.Write(cutUTF8(t, MaxTextBytes-sb.Len()))
	}
	for {
		if rawTag != "" {
			// RAWTEXT or RCDATA: up to "</" and the tag's name, in any
			// case, followed by white space, '/' or '>'.
			end := rawTextEnd(b, pos, rawTag)
			text(b[pos:end], rawTag == "style", rawTag == "title")
			if end == len(b) {
				return true
			}
			rawTag, start, pos = "", end, end
		}
		i := bytes.IndexByte(b[pos:], '<')
		if i < 0 || pos+i+1 == len(b) {
			// The rest is text, a '<' at the very end included.
			text(b[start:], false, false)
			return true
		}
		lt := pos + i
		c := b[lt+1]
		switch {
		case isASCIILetter(c), c == '/', c == '!', c == '?':
		default:
			pos = lt + 1 // not a tag: the '<' is text
			continue
		}
		text(b[start:lt], false, false)
		switch {
		case isASCIILetter(c):
			name, end := tagEnd(b, lt+1)
			if end < 0 {
				return true // the input ends inside the tag
			}
			switch tagKind(name) {
			case tagStyle:
				if b[end-2] == '/' {
					return false // <style/>: the tokenizer's rule for self-closing
				}
				skip++
				rawTag = "style"
			case tagTitle:
				rawTag = "title"
			case tagScript, tagRawOther:
				return false
			case tagBlock:
				blockBreak(sb)
			}
			start, pos = end, end
		case c == '/':
			if lt+2 == len(b) {
				text(b[lt:], false, false) // "</" at the end is text
				return true
			}
			c2 := b[lt+2]
			var end int
			switch {
			case c2 == '>':
				end = lt + 3 // "</>" is nothing
			case isASCIILetter(c2):
				var name []byte
				name, end = tagEnd(b, lt+2)
				if end < 0 {
					return true
				}
				switch tagKind(name) {
				case tagScript, tagStyle:
					skip = max(0, skip-1)
				case tagBlock:
					blockBreak(sb)
				}
			default:
				end = closeAngle(b, lt+2) // a bogus comment
			}
			if end < 0 {
				return true
			}
			start, pos = end, end
		case c == '!':
			var end int
			switch {
			case lt+3 >= len(b):
				return true // a comment to the end
			case b[lt+2] == '-' && b[lt+3] == '-':
				end = commentEnd(b, lt+4)
			default:
				end = closeAngle(b, lt+2) // a DOCTYPE or a bogus comment
			}
			if end < 0 {
				return true
			}
			start, pos = end, end
		default: // '?': a bogus comment
			end := closeAngle(b, lt+2)
			if end < 0 {
				return true
			}
			start, pos = end, end
		}
	}
}

// The tags htmlToText looks at, by tagKind.
const (
	tagOther    = iota
	tagBlock    // a line break at its start and end tags
	tagStyle    // RAWTEXT, dropped
	tagTitle    // RCDATA, kept
	tagScript   // dropped; its states are left to the tokenizer
	tagRawOther // another raw-text element, left to the tokenizer
)

// tagKind sorts a tag by its name in any ASCII case, without allocating.
func tagKind(name []byte) int {
	if len(name) > len("blockquote") {
		return tagOther
	}
	var buf [len("blockquote")]byte
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(name)]) {
	case "br", "p", "div", "tr", "li", "table", "td", "th", "pre",
		"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "ul", "ol":
		return tagBlock
	case "style":
		return tagStyle
	case "title":
		return tagTitle
	case "script":
		return tagScript
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "textarea", "xmp":
		return tagRawOther
	}
	return tagOther
}

// blockBreak writes the line break of a block element's tag, as
// htmlToText does, when the text is not full.
func blockBreak(sb *strings.Builder) {
	if sb.Len() < MaxTextBytes {
		sb.WriteByte('\n')
	}
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// tagEnd reads a start or end tag whose name starts at b[i] (a letter):
// the name, up to white space, '/' or '>', then its attributes (names,
// '=', quoted or unquoted values) up to the '>' that ends it. It returns
// the name and the offset after the '>', or -1 when b ends inside the tag.
func tagEnd(b []byte, i int) ([]byte, int) {
	n := len(b)
	j := i + 1
	for j < n && !isHTMLSpace(b[j]) && b[j] != '/' && b[j] != '>' {
		j++
	}
	if j == n {
		return nil, -1
	}
	name := b[i:j]
	if isHTMLSpace(b[j]) {
		j++
	}
	skipSpace := func() {
		for j < n && isHTMLSpace(b[j]) {
			j++
		}
	}
	skipSpace()
	for {
		if j >= n {
			return nil, -1
		}
		if b[j] == '>' {
			return name, j + 1
		}
		// The attribute's name: a leading '=' belongs to it.
		k := j
		for {
			if k >= n {
				return nil, -1
			}
			c := b[k]
			if c == '=' && k > j || isHTMLSpace(c) || c == '/' || c == '>' {
				break
			}
			k++
		}
		j = k
		// Its value.
		skipSpace()
		if j >= n {
			return nil, -1
		}
		switch c := b[j]; c {
		case '/':
			j++
		case '=':
			j++
			skipSpace()
			if j >= n {
				return nil, -1
			}
			switch q := b[j]; q {
			case '>':
			case '"', '\'':
				e := bytes.IndexByte(b[j+1:], q)
				if e < 0 {
					return nil, -1
				}
				j += 1 + e + 1
			default:
				for {
					j++
					if j >= n {
						return nil, -1
					}
					if isHTMLSpace(b[j]) {
						j++
						break
					}
					if b[j] == '>' {
						break
					}
				}
			}
		}
		skipSpace()
	}
}

// closeAngle returns the offset after the first '>' from b[i], or -1.
func closeAngle(b []byte, i int) int {
	if e := bytes.IndexByte(b[i:], '>'); e >= 0 {
		return i + e + 1
	}
	return -1
}

// commentEnd returns the offset after the end of a comment whose text
// starts at b[i] (after "<!--"): "-->", "--!>", or a '>' right at the
// start after at most one '-' ("<!-->", "<!--->"); -1 when b ends first.
func commentEnd(b []byte, i int) int {
	dashes, beginning := 0, true
	for i < len(b) {
		c := b[i]
		i++
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i
			}
		case '!':
			if dashes >= 2 {
				if i >= len(b) {
					return -1
				}
				c = b[i]
				i++
				if c == '>' {
					return i
				}
				if c == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		// Nothing ends a comment from here but a '-' first.
		dashes, beginning = 0, false
		e := bytes.IndexByte(b[i:], '-')
		if e < 0 {
			return -1
		}
		i += e
	}
	return -1
}

// rawTextEnd returns the offset of the "</" that ends the RAWTEXT or
// RCDATA from b[i] of element tag (lower case), or len(b).
func rawTextEnd(b []byte, i int, tag string) int {
	for {
		e := bytes.Index(b[i:], []byte("</"))
		if e < 0 {
			return len(b)
		}
		lt := i + e
		j := lt + 2
		k := 0
		for k < len(tag) && j+k < len(b) && b[j+k]|0x20 == tag[k] {
			k++
		}
		if k == len(tag) && j+k < len(b) {
			if c := b[j+k]; isHTMLSpace(c) || c == '/' || c == '>' {
				return lt
			}
		}
		i = lt + 1
	}
}
