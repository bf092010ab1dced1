package dsn

import "bytes"

// SplitMbox splits an mbox (RFC 4155) at "From " lines that follow an
// empty line, undoing the ">From " quoting of mboxrd. Input that does not
// start with "From " returns nil: it is one message.
func SplitMbox(raw []byte) [][]byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return nil
	}
	var msgs [][]byte
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var cur []byte
	prevEmpty := true
	for _, l := range lines {
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
