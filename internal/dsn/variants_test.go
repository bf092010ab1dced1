package dsn

import (
	"strings"
	"testing"
)

// textBounces are text-only bounces (no delivery-status part) in the
// layouts of the MTAs' manuals; TestRecogniserSpacing rewrites their
// indentation and spacing.
var textBounces = []struct {
	name, msg, rcpt string
	reply           int
}{
	{"exim", "From: Mail Delivery System <Mailer-Daemon@mx.sender.example>\nTo: news@sender.example\n" +
		"Subject: Mail delivery failed: returning message to sender\n\n" +
		"This message was created automatically by mail delivery software.\n\n" +
		"A message that you sent could not be delivered to one or more of its\n" +
		"recipients. This is a permanent error. The following address(es) failed:\n\n" +
		"  user@dest.example\n    host mx.dest.example [192.0.2.1]\n" +
		"    SMTP error from remote mail server after RCPT TO:<user@dest.example>:\n" +
		"    550 5.1.1 <user@dest.example>: Recipient address rejected: User unknown\n\n" +
		"------ This is a copy of the message, including all the headers. ------\n\n" +
		"From: news@sender.example\nTo: user@dest.example\nSubject: hi\n\nbody\n",
		"user@dest.example", 550},
	{"qmail", "From: MAILER-DAEMON@mx.sender.example\nTo: news@sender.example\nSubject: failure notice\n\n" +
		"Hi. This is the qmail-send program at mx.sender.example.\n" +
		"I'm afraid I wasn't able to deliver your message to the following addresses.\n" +
		"This is a permanent error; I've given up. Sorry it didn't work out.\n\n" +
		"<user@dest.example>:\n192.0.2.1 does not like recipient.\n" +
		"Remote host said: 550 5.1.1 <user@dest.example>... User unknown\nGiving up on 192.0.2.1.\n\n" +
		"--- Below this line is a copy of the message.\n\nFrom: news@sender.example\nTo: user@dest.example\n\nbody\n",
		"user@dest.example", 550},
	{"postfix", "From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\nTo: news@sender.example\n" +
		"Subject: Undelivered Mail Returned to Sender\n\n" +
		"This is the mail system at host mx.sender.example.\n\n" +
		"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n" +
		"                   The mail system\n\n" +
		"<user@dest.example>: host mx.dest.example[192.0.2.1] said: 550 5.1.1\n" +
		"    <user@dest.example>: Recipient address rejected: User unknown (in reply to\n    RCPT TO command)\n",
		"user@dest.example", 550},
}

// spacings rewrite the indentation and spacing of a bounce's lines: MTA
// versions, gateways and mail clients change both (issue 10 item 1).
var spacings = []struct {
	name string
	f    func(string) string
}{
	{"as written", func(s string) string { return s }},
	{"tab indent", func(s string) string { return reindent(s, "\t") }},
	{"one-space indent", func(s string) string { return reindent(s, " ") }},
	{"eight-space indent", func(s string) string { return reindent(s, "        ") }},
	{"no indent", func(s string) string { return reindent(s, "") }},
	{"trailing spaces", func(s string) string { return strings.ReplaceAll(s, "\n", "  \n") }},
	{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
	{"double blank lines", func(s string) string { return strings.ReplaceAll(s, "\n\n", "\n\n\n") }},
}

// reindent replaces the leading white space of every indented body line
// with one or two copies of unit, keeping deeper lines deeper.
func reindent(s, unit string) string {
	head, body, _ := strings.Cut(s, "\n\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		switch n := len(l) - len(t); {
		case n == 0 || t == "":
		case n <= 2:
			lines[i] = unit + t
		default:
			lines[i] = unit + unit + t
		}
	}
	return head + "\n\n" + strings.Join(lines, "\n")
}

// TestRecogniserSpacing reads each text-only bounce in every spacing and
// wants the same recipient and reply code.
func TestRecogniserSpacing(t *testing.T) {
	for _, b := range textBounces {
		for _, sp := range spacings {
			rep, err := Parse([]byte(sp.f(b.msg)), Options{})
			if err != nil {
				t.Fatalf("%s, %s: %v", b.name, sp.name, err)
			}
			var got []string
			ok := false
			for _, rc := range rep.Recipients {
				got = append(got, rc.Recipient)
				if rc.Recipient == b.rcpt && int(rc.ReplyCode) == b.reply {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s, %s: recipients %v (codes %v), want %s with %d", b.name, sp.name, got, codes(rep), b.rcpt, b.reply)
			}
		}
	}
}

func codes(rep *Report) []int {
	var out []int
	for _, rc := range rep.Recipients {
		out = append(out, int(rc.ReplyCode))
	}
	return out
}

// TestNoFalseRecipients: addresses of the returned message's list headers
// (RFC 2369 mailto: links), of the sender and of prose are not failed
// recipients (issue 10 item 1).
func TestNoFalseRecipients(t *testing.T) {
	msg := "From: postmaster@odd.example\nTo: news@sender.example\nSubject: Undeliverable message\n\n" +
		"Your message could not be delivered to the following address:\n\n" +
		"    real.target@odd.example: 550 5.1.1 mailbox unavailable\n\n" +
		"If real.target@odd.example keeps failing, write to helpdesk@odd.example; we answer within a day.\n\n" +
		"======== original message ========\n" +
		"From: Sender News <news@sender.example>\nTo: real.target@odd.example\n" +
		"List-Unsubscribe:\n <mailto:unsubscribe@sender.example>\nList-Help:\n  <mailto:help@sender.example>\n" +
		"Subject: offers\n\nhello\n"
	rep, err := Parse([]byte(msg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(rep); len(got) != 1 || got[0] != "real.target@odd.example" {
		t.Errorf("Parse: recipients %v, want only real.target@odd.example", got)
	}
}

// TestRecogniserLayoutVariants reads layouts the MTAs' own samples do not
// show: an Exim report whose blocks are indented differently from each
// other, an Exim build that writes the address flush left, quoted, with a
// colon, and Mercury/32's "***" bullets. Every failed address must come out,
// and nothing else (issue 10 item 1: recipient recall).
func TestRecogniserLayoutVariants(t *testing.T) {
	eximHead := "From: Mail Delivery System <Mailer-Daemon@mx.sender.example>\nTo: news@sender.example\n" +
		"Subject: Mail delivery failed: returning message to sender\n\n" +
		"This message was created automatically by mail delivery software.\n\n" +
		"A message that you sent could not be delivered to one or more of\n" +
		"its recipients. This is a permanent error. The following address\nfailed:\n\n"
	tail := "\n------ This is a copy of the message, including all the headers. ------\n\n" +
		"From: news@sender.example\nTo: one@dest.example\nCc: boss@sender.example\nSubject: hi\n\nbody\n"
	cases := []struct {
		name, msg string
		want      []string
	}{
		{"exim blocks indented 2/4 then 3/5", eximHead +
			"  one@dest.example\n    host mx.dest.example [192.0.2.1]\n" +
			"    SMTP error from remote mail server after RCPT TO:<one@dest.example>:\n    550 5.1.1 User unknown\n\n" +
			"   two@dest.example\n     host mx.dest.example [192.0.2.1]\n" +
			"     SMTP error from remote mail server after end of data:\n     552 5.2.2 Over quota\n" + tail,
			[]string{"one@dest.example", "two@dest.example"}},
		{"exim blocks with a tab", eximHead +
			"\tone@dest.example\n\t  SMTP error from remote mail server after RCPT TO:<one@dest.example>:\n\t  550 5.1.1 User unknown\n\n" +
			"\ttwo@dest.example\n\t  SMTP error from remote mail server after RCPT TO:<two@dest.example>:\n\t  550 5.1.1 User unknown\n" + tail,
			[]string{"one@dest.example", "two@dest.example"}},
		{"exim flush left, quoted", eximHead +
			"\"one@dest.example\":\nSMTP error from remote server for RCPT TO command, host: mx.dest.example (192.0.2.1) " +
			"reason: 550 5.1.1 <one@dest.example>... User unknown\n" + tail,
			[]string{"one@dest.example"}},
		{"mercury bullets", "From: Mercury 32 Mail Transport System <postmaster@merc.example>\nTo: news@sender.example\n" +
			"Subject: Delivery failure\n\nThis message is an automatically-generated delivery failure report.\n\n" +
			"The following errors were encountered while delivering your message\nto the following recipients:\n\n" +
			" *** one@dest.example\n     550 5.1.1 <one@dest.example>: User unknown\n\n" +
			"--- Original message follows ---\nFrom: news@sender.example\nTo: one@dest.example\nCc: boss@sender.example\n",
			[]string{"one@dest.example"}},
	}
	for _, c := range cases {
		rep, err := Parse([]byte(c.msg), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := addresses(rep)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: recipients %v, want %v", c.name, got, c.want)
		}
		for _, rc := range rep.Recipients {
			if rc.Weak || rc.ReplyCode == 0 {
				t.Errorf("%s: %s weak=%v reply=%d, want a named recipient with its reply", c.name, rc.Recipient, rc.Weak, rc.ReplyCode)
			}
		}
	}
}

// TestOlderLayouts reads layouts of older MTAs found in multi-MTA
// collections: GroupWise's bare local user names, Domino R5's address on
// the marker's line, MailEnable's "[SMTP:a@b]" proxy form, a Korean
// recipient label. Each names its recipients, and none is weak (issue 10
// item 1: recipient recall).
func TestOlderLayouts(t *testing.T) {
	cases := []struct {
		name, msg string
		want      []string
	}{
		{"groupwise bare names", "From: Mail Delivery System <postmaster@gw.example>\nTo: news@sender.example\n" +
			"Subject: Message status - undeliverable\n\n" +
			"The message that you sent was undeliverable to the following:\n" +
			"\tann@gw.example (user not found)\n\tbob (mailbox full)\n\nPossible causes:\n\tThe user was moved or deleted\n\n" +
			"Original message header follows:\nFrom: news@sender.example\nTo: ann@gw.example, bob@gw.example, help@sender.example\n",
			[]string{"ann@gw.example", "bob@gw.example"}},
		{"domino r5 same line", "From: Postmaster@notes.example\nTo: news@sender.example\n" +
			"Subject: DELIVERY FAILURE: User not listed\n\n" +
			"Your document:    Newsletter\nwas not delivered to:    vera@notes.example\n" +
			"because:    User vera (vera@notes.example) not listed in public Name & Address Book\n",
			[]string{"vera@notes.example"}},
		{"mailenable proxy address", "From: postmaster@me.example\nTo: news@sender.example\nSubject: Message Delivery Failure\n\n" +
			"MailEnable: Message could not be delivered to some recipients.\n\n" +
			"\tRecipient: [SMTP:quinn@me-dest.example]\n\tReason: Remote SMTP Server Returned: 550 5.1.1 User unknown\n\n" +
			"Message headers follow:\nFrom: news@sender.example\nTo: quinn@me-dest.example\nCc: other@sender.example\n",
			[]string{"quinn@me-dest.example"}},
		{"delivery to, with prose addresses", "From: postmaster@dst.example\nTo: news@sender.example\nSubject: Delivery failure\n\n" +
			"Delivery to target2@dst.example failed: 550 5.1.1 user unknown.\n" +
			"If you believe this is an error, please write to helpdesk@dst.example.\n" +
			"You may also reply to news@sender.example.\n\n-- original headers --\nFrom: news@sender.example\n" +
			"To: target2@dst.example\nReply-To: replies@sender.example\n",
			[]string{"target2@dst.example"}},
		{"korean label", "From: mailer-daemon@kr.example\nTo: news@sender.example\nSubject: failure\n" +
			"Content-Type: text/plain; charset=utf-8\n\n메일 발송 실패 안내\n\n받는 사람: wendy@kr-dest.example\n" +
			"실패 사유: 550 5.1.1 <wendy@kr-dest.example>: Recipient address rejected: User unknown\n",
			[]string{"wendy@kr-dest.example"}},
	}
	for _, c := range cases {
		rep, err := Parse([]byte(c.msg), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := addresses(rep); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: recipients %v, want %v", c.name, got, c.want)
		}
		for _, rc := range rep.Recipients {
			if rc.Weak {
				t.Errorf("%s: %s is weak, want named by the bounce", c.name, rc.Recipient)
			}
		}
	}
}

// TestListedRecipientsShareDiagnostic: addresses listed one a line share
// the diagnostic after the list, so that each is classified by it, not
// only the last one.
func TestListedRecipientsShareDiagnostic(t *testing.T) {
	msg := "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: news@sender.example\n" +
		"Subject: Delivery Status Notification (Failure)\n\n" +
		"Delivery to the following recipients failed permanently:\n\n     ee@dst.example\n     ff@dst.example\n\n" +
		"Technical details of permanent failure:\nDNS Error: Domain name not found\n\n" +
		"   ----- Original message -----\n\nFrom: news@sender.example\nTo: ee@dst.example, ff@dst.example\n"
	rep, err := Parse([]byte(msg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(rep); strings.Join(got, " ") != "ee@dst.example ff@dst.example" {
		t.Fatalf("recipients %v, want ee and ff", got)
	}
	for _, rc := range rep.Recipients {
		if !strings.Contains(rc.Diagnostic, "Domain name not found") {
			t.Errorf("%s: diagnostic %q, want the list's shared one", rc.Recipient, rc.Diagnostic)
		}
	}
}
