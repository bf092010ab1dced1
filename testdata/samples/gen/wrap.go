// Command gen writes the public phrase base of bounced: whole bounce
// messages, as the MTAs named in each case write them, that carry the SMTP
// replies vendors document, plus their expected labels in truth.jsonl
// (the format of ../shared/corpus, scored by ../shared/tools/score.sh
// -corpus testdata/samples/dev).
//
// Run from the repository root:
//
//	go run ./testdata/samples/gen
//
// The reply texts are written from each vendor's public documentation
// (the src of each case names it); no other bounce parser's fixture or
// pattern list was used. Addresses use the reserved example domains and
// the documentation address blocks of RFC 5737.
package main

import (
	"fmt"
	"strings"
)

// stage is the SMTP step a reply answered.
type stage string

const (
	conn stage = "CONN" // the greeting
	helo stage = "HELO"
	mail stage = "MAIL"
	rcpt stage = "RCPT"
	data stage = "DATA" // end of data
	none stage = ""     // no reply: a network failure or a local decision
)

const (
	sender   = "news@sender.example"
	senderMX = "mail.sender.example"
	date     = "Mon, 16 Nov 2026 09:14:02 +0000"
)

// replyLines splits a multi-line reply written with "\n".
func replyLines(reply string) []string { return strings.Split(reply, "\n") }

// joined is a multi-line reply on one line, as Postfix writes it.
func joined(reply string) string { return strings.Join(replyLines(reply), " ") }

// fold folds a long header value at spaces, RFC 5322 2.2.3.
func fold(name, value string) string {
	var b strings.Builder
	line := name + ": "
	for i, w := range strings.Fields(value) {
		if i > 0 && len(line)+1+len(w) > 76 {
			b.WriteString(line + "\n")
			line = "    " + w
			continue
		}
		if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}

// returned is the returned message's headers: a newsletter with list
// headers whose mailto links must never become failed recipients.
func returned(c *sample) string {
	to := c.rcpt
	if c.origRcpt != "" {
		to = c.origRcpt
	}
	return fmt.Sprintf(`Return-Path: <%s>
Received: from app1.sender.example (app1.sender.example [198.51.100.7])
	by %s (Postfix) with ESMTPS id 4Rk2Qb0Zx7z9t
	for <%s>; %s
From: Sender News <%s>
To: <%s>
Subject: November offers
Date: %s
Message-ID: <20261116091401.%s@sender.example>
List-Unsubscribe: <mailto:unsubscribe+%s@sender.example>, <https://sender.example/u/%s>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
List-Id: Sender News <news.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
`, sender, senderMX, to, date, sender, to, date, c.id(), c.id(), c.id())
}

func (c *sample) id() string {
	return strings.NewReplacer(".", "", "-", "", "_", "").Replace(c.name)
}

func statusOf(reply string) string {
	for _, f := range strings.Fields(strings.ReplaceAll(reply, "-", " ")) {
		if len(f) >= 5 && (f[0] == '4' || f[0] == '5' || f[0] == '2') && f[1] == '.' && strings.Count(f, ".") == 2 {
			return strings.Trim(f, ".,;")
		}
	}
	return ""
}

func codeOf(reply string) string {
	if len(reply) >= 3 && reply[0] >= '2' && reply[0] <= '5' {
		return reply[:3]
	}
	return ""
}

// wrap renders the whole bounce for c.
func wrap(c *sample) string {
	switch c.mta {
	case "postfix":
		return postfix(c)
	case "exim":
		return exim(c)
	case "sendmail":
		return sendmail(c)
	case "qmail":
		return qmail(c)
	case "exchange":
		return exchange(c)
	case "gmail":
		return gmail(c)
	case "raw":
		return c.raw
	}
	panic("unknown mta " + c.mta)
}

func boundary(c *sample) string { return "=_bnd_" + c.id() }

func postfixSaid(c *sample) string {
	host := fmt.Sprintf("%s[%s]", c.host, c.ip)
	switch c.stage {
	case conn:
		return fmt.Sprintf("host %s refused to talk to me: %s", host, joined(c.reply))
	case helo:
		return fmt.Sprintf("host %s said: %s (in reply to EHLO command)", host, joined(c.reply))
	case mail:
		return fmt.Sprintf("host %s said: %s (in reply to MAIL FROM command)", host, joined(c.reply))
	case rcpt:
		return fmt.Sprintf("host %s said: %s (in reply to RCPT TO command)", host, joined(c.reply))
	case data:
		return fmt.Sprintf("host %s said: %s (in reply to end of DATA command)", host, joined(c.reply))
	}
	return c.reply // a local or network text
}

func postfix(c *sample) string {
	b := boundary(c)
	action, subj, intro := "failed", "Undelivered Mail Returned to Sender", `I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.`
	st := c.dsnStatus()
	if c.delayed {
		action, subj = "delayed", "Delayed Mail (still being retried)"
		intro = `This is a delivery status notification, NOT AN ERROR.

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

For further assistance, please send mail to postmaster.`
	}
	shown := c.rcpt
	if c.origRcpt != "" {
		shown = fmt.Sprintf("%s (expanded from <%s>)", c.rcpt, c.origRcpt)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `Return-Path: <>
Received: by %s (Postfix)
	id 4Rk2Qc3Hn1z9v; %s
Date: %s
From: MAILER-DAEMON@%s (Mail Delivery System)
Subject: %s
To: %s
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="%s"
Content-Transfer-Encoding: 8bit
Message-Id: <20261116091402.4Rk2Qc3Hn1z9v@%s>

This is a MIME-encapsulated message.

--%s
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host %s.

%s

                   The mail system

<%s>: %s

--%s
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; %s
X-Postfix-Queue-ID: 4Rk2Qb0Zx7z9t
X-Postfix-Sender: rfc822; %s
Arrival-Date: %s

`, senderMX, date, date, senderMX, subj, sender, b, senderMX, b, senderMX, intro, shown, postfixSaid(c), b, senderMX, sender, date)
	fr := c.rcpt
	if c.finalField != "" {
		fr = c.finalField
	}
	fmt.Fprintf(&s, "Final-Recipient: rfc822; %s\n", fr)
	if c.origRcpt != "" {
		fmt.Fprintf(&s, "Original-Recipient: rfc822;%s\n", c.origRcpt)
	}
	fmt.Fprintf(&s, "Action: %s\nStatus: %s\n", action, st)
	if c.stage != none {
		fmt.Fprintf(&s, "Remote-MTA: dns; %s\n", c.host)
		s.WriteString(fold("Diagnostic-Code", "smtp; "+joined(c.reply)))
	} else {
		s.WriteString(fold("Diagnostic-Code", "X-Postfix; "+c.reply))
	}
	if c.delayed {
		s.WriteString("Will-Retry-Until: Sat, 21 Nov 2026 09:14:01 +0000\n")
	}
	fmt.Fprintf(&s, `
--%s
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

%s
--%s--
`, b, returned(c), b)
	return s.String()
}

// dsnStatus is the Status field the reporting MTA writes.
func (c *sample) dsnStatus() string {
	if c.dsnSt != "" {
		return c.dsnSt
	}
	if st := statusOf(c.reply); st != "" {
		return st
	}
	if strings.HasPrefix(c.reply, "4") || c.delayed {
		return "4.0.0"
	}
	return "5.0.0"
}

func eximAfter(c *sample) string {
	switch c.stage {
	case conn:
		return "after initial connection"
	case helo:
		return "after EHLO " + senderMX
	case mail:
		return fmt.Sprintf("after MAIL FROM:<%s> SIZE=4821", sender)
	case rcpt:
		return fmt.Sprintf("after RCPT TO:<%s>", c.rcpt)
	case data:
		return "after end of data"
	}
	return ""
}

func exim(c *sample) string {
	b := "1763284442-eximdsn-" + c.id()
	var block strings.Builder
	block.WriteString("  " + c.rcpt + "\n")
	if c.origRcpt != "" {
		block.WriteString("    (ultimately generated from " + c.origRcpt + ")\n")
	}
	if c.stage != none {
		fmt.Fprintf(&block, "    host %s [%s]\n    SMTP error from remote mail server %s:\n", c.host, c.ip, eximAfter(c))
		for _, l := range replyLines(c.reply) {
			block.WriteString("    " + l + "\n")
		}
	} else {
		for _, l := range replyLines(c.reply) {
			block.WriteString("    " + l + "\n")
		}
	}
	intro := "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n" + block.String()
	subj := "Mail delivery failed: returning message to sender"
	status := "5.0.0"
	action := "failed"
	if c.delayed {
		// Exim's default warn_message_file wording.
		intro = "A message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on " + senderMX + ".\n\n" +
			"The message identifier is:     1tX9aQ-000Kq2-3c\nThe subject of the message is: November offers\n\n" +
			"The address to which the message has not yet been delivered is:\n\n" +
			strings.Replace(block.String(), "    SMTP error", "    Delay reason: SMTP error", 1) +
			"\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\nand when that happens, the message will be returned to you.\n"
		subj = "Warning: message 1tX9aQ-000Kq2-3c delayed 24 hours"
		status = "4.0.0"
		action = "delayed"
	}
	if c.dsnSt != "" {
		status = c.dsnSt
	}
	var s strings.Builder
	fmt.Fprintf(&s, `Return-path: <>
Envelope-to: %s
Delivery-date: %s
Received: from Debian-exim by %s with local (Exim 4.97)
	id 1tX9aR-000Kr1-0V
	for %s; %s
X-Failed-Recipients: %s
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@%s>
To: %s
Content-Type: multipart/report; report-type=delivery-status; boundary=%s
MIME-Version: 1.0
Subject: %s
Message-Id: <E1tX9aR-000Kr1-0V@%s>
Date: %s

--%s
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

%s
--%s
Content-type: message/delivery-status

Reporting-MTA: dns; %s

Action: %s
Final-Recipient: rfc822;%s
Status: %s
`, sender, date, senderMX, sender, date, c.rcpt, senderMX, sender, b, subj, senderMX, date, b, intro, b, senderMX, action, c.rcpt, status)
	if c.stage != none {
		fmt.Fprintf(&s, "Remote-MTA: dns; %s\n", c.host)
		// Exim continues a multi-line reply on folded lines.
		for i, l := range replyLines(c.reply) {
			if i == 0 {
				s.WriteString(fold("Diagnostic-Code", "smtp; "+l))
			} else {
				s.WriteString("  " + strings.TrimPrefix(fold("X", l), "X: "))
			}
		}
	}
	fmt.Fprintf(&s, `
--%s
Content-type: text/rfc822-headers

%s
--%s--
`, b, returned(c), b)
	if c.delayed {
		return strings.Replace(s.String(), "X-Failed-Recipients: "+c.rcpt+"\n", "", 1)
	}
	return s.String()
}

func sendmailCmd(c *sample) string {
	switch c.stage {
	case conn:
		return ""
	case helo:
		return ">>> EHLO " + senderMX + "\n"
	case mail:
		return fmt.Sprintf(">>> MAIL From:<%s> SIZE=4821\n", sender)
	case rcpt:
		return fmt.Sprintf(">>> RCPT To:<%s>\n", c.rcpt)
	case data:
		return ">>> DATA\n<<< 354 Enter mail, end with \".\" on a line by itself\n>>> .\n"
	}
	return ""
}

func sendmail(c *sample) string {
	b := "4AG9E2xK018211.1763284442/" + senderMX
	lines := replyLines(c.reply)
	last := lines[len(lines)-1]
	var s strings.Builder
	heading := "----- The following addresses had permanent fatal errors -----"
	subj := "Returned mail: see transcript for details"
	action := "failed"
	if c.delayed {
		heading = "**********************************************\n   **      THIS IS A WARNING MESSAGE ONLY      **\n   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n   **********************************************\n\n   The original message was received at " + date + "\n\n   ----- Transcript of session follows -----"
		subj = "Warning: could not send message for past 4 hours"
		action = "delayed"
	}
	fmt.Fprintf(&s, `Return-Path: <MAILER-DAEMON>
Received: from localhost (localhost)
	by %s (8.18.1/8.18.1) id 4AG9E2xK018211;
	%s
Date: %s
From: Mail Delivery Subsystem <MAILER-DAEMON@%s>
Message-Id: <202611160914.4AG9E2xK018211@%s>
To: <%s>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="%s"
Subject: %s
Auto-Submitted: auto-generated (failure)

This is a MIME-encapsulated message

--%s

The original message was received at %s
from app1.sender.example [198.51.100.7]

   %s
`, senderMX, date, date, senderMX, senderMX, sender, b, subj, b, date, heading)
	if !c.delayed {
		fmt.Fprintf(&s, "<%s>\n    (reason: %s)\n\n   ----- Transcript of session follows -----\n", c.rcpt, last)
	}
	if c.stage != none {
		fmt.Fprintf(&s, "... while talking to %s.:\n%s", c.host, sendmailCmd(c))
		for i, l := range lines {
			if i == len(lines)-1 {
				s.WriteString("<<< " + l + "\n")
			} else {
				s.WriteString("<<< " + l + "\n")
			}
		}
		if c.stage == rcpt || c.stage == mail {
			// sendmail repeats the reply against the address it refused
			who := c.rcpt
			if c.stage == mail {
				who = sender
			}
			text := strings.TrimSpace(strings.TrimPrefix(last, codeOf(last)))
			text = strings.TrimSpace(strings.TrimPrefix(text, statusOf(last)))
			fmt.Fprintf(&s, "%s %s <%s>... %s\n", codeOf(last), statusOf(last), who, text)
		}
	} else {
		fmt.Fprintf(&s, "%s... %s\n", c.rcpt, c.reply)
	}
	fmt.Fprintf(&s, `
--%s
Content-Type: message/delivery-status

Reporting-MTA: dns; %s
Received-From-MTA: DNS; app1.sender.example
Arrival-Date: %s

Final-Recipient: RFC822; %s
Action: %s
Status: %s
`, b, senderMX, date, c.rcpt, action, c.dsnStatus())
	if c.stage != none {
		fmt.Fprintf(&s, "Remote-MTA: DNS; %s\n", c.host)
		s.WriteString(fold("Diagnostic-Code", "SMTP; "+last))
	}
	s.WriteString("Last-Attempt-Date: " + date + "\n")
	fmt.Fprintf(&s, `
--%s
Content-Type: text/rfc822-headers

%s
--%s--
`, b, returned(c), b)
	return s.String()
}

func qmailSaid(c *sample) string {
	var s strings.Builder
	switch c.stage {
	case conn:
		fmt.Fprintf(&s, "Connected to %s but greeting failed.\n", c.ip)
	case helo:
		fmt.Fprintf(&s, "Connected to %s but my name was rejected.\n", c.ip)
	case mail:
		fmt.Fprintf(&s, "Connected to %s but sender was rejected.\n", c.ip)
	case rcpt:
		fmt.Fprintf(&s, "%s does not like recipient.\n", c.ip)
	case data:
		fmt.Fprintf(&s, "%s failed after I sent the message.\n", c.ip)
	case none:
		return c.reply + "\n"
	}
	for i, l := range replyLines(c.reply) {
		if i == 0 {
			s.WriteString("Remote host said: " + l + "\n")
		} else {
			s.WriteString(l + "\n")
		}
	}
	if c.stage != rcpt && c.stage != data {
		fmt.Fprintf(&s, "Giving up on %s.\n", c.ip)
	}
	return s.String()
}

func qmail(c *sample) string {
	return fmt.Sprintf(`Return-Path: <>
Received: (qmail 21754 invoked for bounce); 16 Nov 2026 09:14:02 -0000
Date: 16 Nov 2026 09:14:02 -0000
From: MAILER-DAEMON@%s
To: %s
Subject: failure notice

Hi. This is the qmail-send program at %s.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<%s>:
%s
--- Below this line is a copy of the message.

%s
Thanks for reading.
`, senderMX, sender, senderMX, c.rcpt, qmailSaid(c), returned(c))
}

func exchange(c *sample) string {
	b := "_000_" + c.id() + "_"
	gen := "AM9PR01MB7421.eurprd01.prod.exchangelabs.com"
	remote := ""
	if c.stage != none {
		remote = fmt.Sprintf("\nRemote server returned '%s'", joined(c.reply))
	} else {
		remote = "\n" + c.reply
	}
	var s strings.Builder
	fmt.Fprintf(&s, `Received: from %s (2603:10a6:20b:4a0::9) by
 AM9PR01MB7421.eurprd01.prod.exchangelabs.com with Microsoft SMTP Server id
 15.20.8158.12 via Mailbox Transport; %s
From: <postmaster@sendercorp.onmicrosoft.com>
To: <%s>
Date: %s
Content-Type: multipart/report; report-type=delivery-status;
	boundary="%s"
Content-Language: en-US
Message-ID: <1e5a9f2c-0c7e-4a43-9a77-%012d@%s>
Subject: Undeliverable: November offers
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--%s
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Your message to %s couldn't be delivered.

%s

Diagnostic information for administrators:

Generating server: %s

%s%s

Original message headers:

Received: from app1.sender.example (198.51.100.7) by %s
 with Microsoft SMTP Server; %s

--%s
Content-Type: message/delivery-status

Reporting-MTA: dns;%s
Received-From-MTA: dns;app1.sender.example
Arrival-Date: %s

Final-Recipient: rfc822;%s
Action: %s
Status: %s
`, gen, date, sender, date, b, len(c.name), gen, b, c.rcpt, c.exchangeHeadline(), gen, c.rcpt, remote, gen, date, b, gen, date, c.rcpt, map[bool]string{true: "delayed", false: "failed"}[c.delayed], c.dsnStatus())
	if c.stage != none {
		fmt.Fprintf(&s, "Remote-MTA: dns;%s\n", c.host)
		s.WriteString(fold("Diagnostic-Code", "smtp;"+joined(c.reply)))
	} else {
		s.WriteString(fold("Diagnostic-Code", "smtp;"+c.reply))
	}
	fmt.Fprintf(&s, `X-Display-Name: %s

--%s
Content-Type: text/rfc822-headers

%s
--%s--
`, c.rcpt, b, returned(c), b)
	return s.String()
}

func (c *sample) exchangeHeadline() string {
	if c.headline != "" {
		return c.headline
	}
	return "The recipient's email system rejected the message. Contact the recipient\nby some other means to let them know."
}

func gmail(c *sample) string {
	b := "000000000000a1b2c3" + c.id()
	head := "** Message not delivered **"
	if c.headline != "" {
		head = c.headline
	}
	var s strings.Builder
	fmt.Fprintf(&s, `Return-Path: <>
Received: by 2002:a05:6402:1d4f:b0:5c2:1f4 with SMTP id x15csp812;
        %s
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: %s
Auto-Submitted: auto-replied
Message-ID: <6738a1f2.050a0220.%s@mx.google.com>
Date: %s
Subject: Delivery Status Notification (Failure)
References: <20261116091401.%s@sender.example>
In-Reply-To: <20261116091401.%s@sender.example>
X-Failed-Recipients: %s
MIME-Version: 1.0
Content-Type: multipart/report; boundary="%s"; report-type=delivery-status

--%s
Content-Type: multipart/related; boundary="%s_r"

--%s_r
Content-Type: text/plain; charset="UTF-8"


%s

There was a problem delivering your message to %s. See the technical details below.

The response was:

%s

--%s_r--

--%s
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; news@sender.example
Arrival-Date: %s

Final-Recipient: rfc822; %s
Action: failed
Status: %s
`, date, "news@sender.example", c.id(), date, c.id(), c.id(), c.rcpt, b, b, b, b, head, c.rcpt, joined(c.reply), b, b, date, c.rcpt, c.dsnStatus())
	if c.stage != none {
		fmt.Fprintf(&s, "Remote-MTA: dns; %s. (%s, the server for the domain %s.)\n", c.host, c.ip, domainOf(c.rcpt))
	}
	s.WriteString(fold("Diagnostic-Code", "smtp; "+joined(c.reply)))
	fmt.Fprintf(&s, "Last-Attempt-Date: %s\n\n--%s\nContent-Type: text/rfc822-headers\n\n%s\n--%s--\n", date, b, returned(c), b)
	return s.String()
}

func domainOf(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[i+1:]
	}
	return a
}
