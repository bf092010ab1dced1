package dsn

import "strings"

// recogniser reads one MTA's or provider's non-standard bounce format.
// A row applies when any of its markers is found; for a report without a
// delivery-status part the first applying row whose read returns
// recipients wins (recognise.go).
type recogniser struct {
	name string
	// Markers, lower case: substrings of the bounce's From, Subject, own
	// header block or report text.
	from, subject, header, text []string
	// unless lists text markers (lower case) that veto the row.
	unless []string
	// start and end cut the error block out of the text: the block starts
	// at the line of the first start marker found (the whole text when none
	// is given or found) and ends before the line of the first end marker
	// after it.
	start, end []string
	// lead lists phrases after which a recipient's address follows on the
	// same line ("could not be delivered to: <a@b>"); addresses that start
	// a line are always recipients.
	lead []string
	// parse reads the recipients of the block; nil means scanRecipients
	// with lead.
	parse func(m *msgView, block string) []Recipient
}

func (rg *recogniser) matches(m *msgView) bool {
	if containsAny(m.lower, rg.unless) {
		return false
	}
	return containsAny(m.from, rg.from) || containsAny(m.subject, rg.subject) ||
		containsAny(m.header, rg.header) || containsAny(m.lower, rg.text)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
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
			from = strings.LastIndexByte(m.lower[:i], '\n') + 1
			break
		}
	}
	for _, s := range rg.end {
		if i := strings.Index(m.lower[from:], s); i >= 0 {
			to = from + strings.LastIndexByte(m.lower[from:from+i], '\n') + 1
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
	return scanRecipients(m, b, rg.lead, false)
}

// firstMatch returns the first row whose markers match, or nil.
func firstMatch(m *msgView) *recogniser {
	for i := range recognisers {
		if recognisers[i].matches(m) {
			return &recognisers[i]
		}
	}
	return nil
}

// genericLeads are the lead phrases of the generic scanner: wordings many
// MTAs use right before the failed address.
var genericLeads = []string{
	"could not be delivered to", "couldn't be delivered to", "delivery to the following recipient",
	"delivering your mail to", "your message to", "message to", "undeliverable to", "unknown user",
	"recipient:", "recipient address:", "failed recipient", "addressed to", "rcpt to:", "the following recipients",
	"user unknown", "no such user", "mailbox unavailable", "invalid recipient",
}

// recognisers is the ordered table of known formats; first match wins.
// Each row names the samples (testdata/bounces/maildir/bsd) it was
// written from.
var recognisers = []recogniser{
	{
		// qmail-send: "<a@b>:\n<diagnostic>" blocks. Samples: lhost-qmail-*.
		name:  "qmail",
		text:  []string{"this is the qmail-send program", "i'm afraid i wasn't able to deliver your message"},
		start: []string{"i'm afraid i wasn't able to deliver", "this is the qmail-send program"},
		end:   []string{"--- below this line is a copy of the message", "--- enclosed are the original headers"},
	},
	{
		// Postfix: "<a@b>: host x said: ..." after "The mail system". Samples: lhost-postfix-*.
		name:  "postfix",
		text:  []string{"this is the mail system at host", "i'm sorry to have to inform you that your message could not"},
		start: []string{"could not be delivered to one or more recipients", "the mail system"},
	},
	{
		// Sendmail V5 (no "original message was received" line, no DSN):
		// transcript lines "554 <a@b>... 550 Host unknown". Samples: lhost-v5sendmail-*.
		name:   "v5sendmail",
		text:   []string{"----- transcript of session follows -----"},
		unless: []string{"the original message was received at", "following addresses had"},
		start:  []string{"----- transcript of session follows -----"},
		parse:  readSendmail,
	},
	{
		// Sendmail V8: "----- The following addresses had permanent fatal errors -----",
		// "(reason: ...)", the session transcript. Samples: lhost-sendmail-*.
		name:    "sendmail",
		subject: []string{"see transcript for details", "warning: could not send message for past"},
		text:    []string{"----- transcript of session follows -----", "----- the following addresses had permanent fatal errors -----"},
		start:   []string{"----- the following addresses had", "----- transcript of session follows -----"},
		end:     []string{"----- original message follows", "----- message header follows", "----- unsent message follows"},
		parse:   readSendmail,
	},
	{
		// Exim: "  a@b\n    host x [ip]: 550 ...". Samples: lhost-exim-*.
		name:  "exim",
		text:  []string{"this message was created automatically by mail delivery software", "a message that you sent could not be delivered"},
		start: []string{"could not be delivered to one or more of its", "a message that you sent has not yet been delivered"},
		end:   []string{"------ this is a copy of the message", "------ the body of the message is"},
	},
	{
		// DragonFly Mail Agent: "There was an error delivering your mail to <a@b>." then the
		// remote answer. Samples: lhost-dragonfly-*.
		name:  "dragonfly",
		text:  []string{"this is the dragonfly mail agent"},
		start: []string{"there was an error delivering your mail to"},
		end:   []string{"message headers follow", "original message follows"},
		lead:  []string{"delivering your mail to"},
	},
}
