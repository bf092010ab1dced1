package dsn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MboxReader reads the messages of an mbox (RFC 4155) one at a time, so
// that a file of any size is read in memory bounded by its largest
// message. It splits where SplitMbox does: at a "From " line that starts
// the input or follows an empty line, undoing ">From " quoting.
//
// QUIRK: lines end in LF or CRLF; an mbox whose lines end in CR alone is
// read as one message (SplitMbox, which holds the whole input, splits it).
type MboxReader struct {
	r   *bufio.Reader
	max int
	// fromLine is true when the next line read starts a message.
	started   bool
	prevEmpty bool
	cur       []byte
	tooLarge  bool
	size      int
	err       error
}

// NewMboxReader reads r; a message over maxBytes (default
// DefaultMaxMessageBytes) is skipped and reported by Next with an error
// wrapping ErrTooLarge.
func NewMboxReader(r io.Reader, maxBytes int) *MboxReader {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxMessageBytes
	}
	return &MboxReader{r: bufio.NewReaderSize(r, 64<<10), max: maxBytes, prevEmpty: true}
}

// IsMbox reports whether the start of a file looks like an mbox.
func IsMbox(head []byte) bool { return bytes.HasPrefix(head, []byte("From ")) }

// Next returns the next message. At the end it returns io.EOF. A message
// over the limit returns (nil, error wrapping ErrTooLarge) and the
// following call goes on with the next message.
func (m *MboxReader) Next() ([]byte, error) {
	for {
		if m.err != nil {
			return m.flush(true)
		}
		line, err := m.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // a long line: its rest follows; it is not a From line
			m.add(line)
			m.prevEmpty = false
			continue
		}
		if err != nil {
			m.err = err
			if len(line) == 0 {
				continue
			}
		}
		if m.prevEmpty && bytes.HasPrefix(line, []byte("From ")) {
			m.prevEmpty = false
			if m.started {
				msg, ferr := m.flush(false)
				return msg, ferr
			}
			m.started = true
			continue
		}
		body := bytes.TrimRight(line, "\r\n")
		if bytes.HasPrefix(body, []byte(">From ")) || bytes.HasPrefix(body, []byte(">>From ")) {
			line = line[1:]
		}
		m.prevEmpty = len(body) == 0
		m.started = true
		m.add(line)
	}
}

func (m *MboxReader) add(line []byte) {
	m.size += len(line)
	if m.size > m.max {
		m.tooLarge, m.cur = true, nil
		return
	}
	m.cur = append(m.cur, line...)
}

// flush returns the message gathered so far and starts the next one.
func (m *MboxReader) flush(atEnd bool) ([]byte, error) {
	msg, size, tooLarge := m.cur, m.size, m.tooLarge
	m.cur, m.size, m.tooLarge = nil, 0, false
	if atEnd && msg == nil && !tooLarge {
		if errors.Is(m.err, io.EOF) {
			return nil, io.EOF
		}
		return nil, m.err
	}
	if tooLarge {
		return nil, fmt.Errorf("%w: %d bytes or more, limit %d", ErrTooLarge, size, m.max)
	}
	if msg == nil {
		msg = []byte{}
	}
	return msg, nil
}
