package dsn

import "bytes"

// SplitMbox splits an mbox (RFC 4155) at "From " lines that follow an
// empty line, undoing the ">From " quoting of mboxrd. Input that does not
// start with "From " returns nil: it is one message.
//
// QUIRK: lines may end in LF, CRLF or CR alone (RFC 4155 section 2 says
// the host's convention); each message keeps its own line endings.
func SplitMbox(raw []byte) [][]byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return nil
	}
	var msgs [][]byte
	var cur []byte
	prevEmpty := true
	for rest := raw; len(rest) > 0; {
		n := lineLen(rest)
		l := rest[:n]
		rest = rest[n:]
		if prevEmpty && bytes.HasPrefix(l, []byte("From ")) {
			if cur != nil {
				msgs = append(msgs, cur)
			}
			cur = []byte{}
			prevEmpty = false
			continue
		}
		body := bytes.TrimRight(l, "\r\n")
		if bytes.HasPrefix(body, []byte(">From ")) || bytes.HasPrefix(body, []byte(">>From ")) {
			l = l[1:]
		}
		cur = append(cur, l...)
		prevEmpty = len(body) == 0
	}
	if cur != nil {
		msgs = append(msgs, cur)
	}
	return msgs
}

// lineLen returns the length of the first line of b with its ending: LF,
// CRLF or CR.
func lineLen(b []byte) int {
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		return len(b)
	}
	if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
		return i + 2
	}
	return i + 1
}
