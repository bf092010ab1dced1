package dsn

import "strings"

// recogniser reads one MTA's or provider's non-standard bounce format.
// A recogniser applies when any of its markers is found; the first one whose
// read returns recipients wins.
type recogniser struct {
	name string
	// Markers, lower case: substrings of the bounce's From, Subject or text.
	from, subject, text []string
	// start and end cut the error block out of the text: the block starts
	// after the first start marker found (whole text when none is given or
	// found) and ends before the first end marker after it.
	start, end []string
	// read reads the recipients; nil means the generic scanner on the block.
	parse func(m *msgView, block string) []Recipient
}

func (rg *recogniser) matches(m *msgView) bool {
	for _, s := range rg.from {
		if strings.Contains(m.from, s) {
			return true
		}
	}
	for _, s := range rg.subject {
		if strings.Contains(m.subject, s) {
			return true
		}
	}
	for _, s := range rg.text {
		if strings.Contains(m.lower, s) {
			return true
		}
	}
	return false
}

// block returns the error block of the text.
func (rg *recogniser) block(m *msgView) string {
	from, to := 0, len(m.text)
	for _, s := range rg.start {
		if i := strings.Index(m.lower, s); i >= 0 {
			from = i + len(s)
			if j := strings.IndexByte(m.text[from:], '\n'); j >= 0 {
				from += j + 1
			} else {
				from = len(m.text)
			}
			break
		}
	}
	for _, s := range rg.end {
		if i := strings.Index(m.lower[from:], s); i >= 0 {
			to = from + i
			break
		}
	}
	return m.text[from:to]
}

func (rg *recogniser) read(m *msgView) []Recipient {
	b := rg.block(m)
	if rg.parse != nil {
		return rg.parse(m, b)
	}
	return scanBlock(b, m.exclude)
}

// recognisers is the ordered table of known formats; first match wins.
var recognisers = []recogniser{
	{
		// qmail-send: "<a@b>:\n<diagnostic>" blocks. Sample: lhost-qmail-01.
		name:  "qmail",
		text:  []string{"this is the qmail-send program", "i'm afraid i wasn't able to deliver your message"},
		start: []string{"i'm afraid i wasn't able to deliver", "this is the qmail-send program"},
		end:   []string{"--- below this line is a copy of the message", "--- enclosed are the original headers"},
	},
	{
		// Postfix without a DSN part: "<a@b>: host x said: ...". Sample: lhost-postfix-*.
		name:  "postfix",
		text:  []string{"this is the mail system at host", "i'm sorry to have to inform you that your message could not"},
		start: []string{"could not be delivered to one or more recipients", "the mail system"},
	},
	{
		// Exim: "  a@b\n    host x [ip]: 550 ...". Sample: lhost-exim-*.
		name:  "exim",
		text:  []string{"this message was created automatically by mail delivery software", "a message that you sent could not be delivered"},
		start: []string{"could not be delivered to one or more of its", "a message that you sent has not yet been delivered"},
		end:   []string{"------ this is a copy of the message", "------ the body of the message is"},
	},
}
