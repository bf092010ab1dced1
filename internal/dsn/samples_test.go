package dsn

import (
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/smtpcode"
)

// TestOriginal checks that the returned original's headers are read from
// wherever the format puts them: an attached message/rfc822 or
// text/rfc822-headers part, inline after a marker line, quoted with '>',
// or the headers list of an Amazon SES notification.
func TestOriginal(t *testing.T) {
	cases := []struct {
		file                                 string // sample, see readSample
		messageID, from, to, subject, listID string
		xHeader, xValue                      string // one X- header that must be kept
	}{
		// Attached text/rfc822-headers (RFC 6522 section 4).
		{"samples/docomo-01.eml", "<news-20240515-0001@sender.example>", "News <news@sender.example>", "pseudo-user-2024@docomo.ne.jp", "May newsletter", "", "X-Campaign-Id", "may-2024"},
		// Inline after "------ This is a copy of the message, including all the headers. ------" (Exim).
		{"lhost-exim-61.eml", "<1602583415.xxxx@xxxx.net>", "", "xxxx@xxxx.net", "", "", "", ""},
		// Inline after "--- Below this line is a copy of the message." (qmail).
		{"lhost-qmail-01.eml", "", "", "", "", "", "", ""},
		// Quoted with "> " after "------ Original message ------".
		{"samples/quoted-original-01.eml", "<order-77@sender.example>", "Shop <shop@sender.example>", "erin@example.net", "Your order has shipped", "Orders <orders.sender.example>", "X-Order-Id", "77"},
		// The headers list of an SES notification (JSON).
		{"lhost-amazonses-09.eml", "01010157e48f9b9b-891e9a0e-9c9d-4773-9bfe-608f2ef4756d-000000", "kijitora@neko.example.org", "bounce@simulator.amazonses.com", "nyaan", "", "", ""},
		// Pasted after the report with no marker (Zoho).
		{"lhost-zoho-01.eml", "<14a3e1b4b5a.10b1a4c5610175.8588386083425091336@zoho.example.com>", "Nyanko <shironeko@zoho.example.com>", "<kijitora@example.co.jp>", "にゃーん", "", "", ""},
	}
	for _, c := range cases {
		rep, err := Parse(readSample(t, c.file), Options{})
		if err != nil {
			t.Fatalf("Parse(%s): %v", c.file, err)
		}
		o := rep.Original
		if c.messageID == "" && c.from == "" {
			if !o.Found {
				t.Errorf("Parse(%s).Original.Found = false, want true", c.file)
			}
			continue
		}
		got := []string{o.MessageID, o.From, o.To, o.Subject, o.ListID}
		want := []string{c.messageID, c.from, c.to, c.subject, c.listID}
		for i, name := range []string{"MessageID", "From", "To", "Subject", "ListID"} {
			if want[i] != "" && got[i] != want[i] {
				t.Errorf("Parse(%s).Original.%s = %q, want %q", c.file, name, got[i], want[i])
			}
		}
		if c.xHeader != "" {
			found := false
			for _, h := range o.Headers {
				if h.Name == c.xHeader && h.Value == c.xValue {
					found = true
				}
			}
			if !found {
				t.Errorf("Parse(%s).Original.Headers = %v, want %s: %s", c.file, o.Headers, c.xHeader, c.xValue)
			}
		}
	}
}

// TestCharsets checks that headers and bodies in other charsets, and
// HTML-only bodies, are decoded before the recognisers read them.
func TestCharsets(t *testing.T) {
	cases := []struct {
		file, subject, text string // text: a phrase the decoded Report.Text holds
	}{
		{"samples/koi8r-01.eml", "Недоставленное сообщение", "Ящик переполнен"},                                          // KOI8-R, 8bit
		{"samples/shiftjis-01.eml", "Returned mail: User unknown", "ユーザーが存在しません"},                                        // Shift_JIS, 8bit
		{"lhost-kddi-01.eml", "メールエラー通知", "送信先のメールボックスが一杯のため"},                                                           // declared ISO-2022-JP, is UTF-8
		{"lhost-ezweb-03.eml", "Mail System Error - Returned Mail", "送信先メールアドレスが見つかりませんでした"},                             // declared ISO-2022-JP, is EUC-JP
		{"lhost-exchange2007-04.eml", "Undeliverable: キジトラ・フラッシュ/ニャーン", ""},                                              // ISO-2022-JP words split mid-character, bad padding
		{"samples/html-only-01.eml", "Undeliverable: Quarterly report", "Your message couldn't be delivered."},           // HTML only, quoted-printable, entities
		{"lhost-mailru-01.eml", "Ваше сообщение не доставлено. Mail failure.", "К сожалению, Ваше письмо не может быть"}, // UTF-8 base64 words
	}
	for _, c := range cases {
		rep, err := Parse(readSample(t, c.file), Options{})
		if err != nil {
			t.Fatalf("Parse(%s): %v", c.file, err)
		}
		if !strings.HasPrefix(rep.Subject, c.subject) {
			t.Errorf("Parse(%s).Subject = %q, want %q", c.file, rep.Subject, c.subject)
		}
		if !strings.Contains(rep.Text, c.text) {
			t.Errorf("Parse(%s).Text = %q, want it to hold %q", c.file, rep.Text, c.text)
		}
	}
}

// TestMergeDSNAndText checks that a report with both a delivery-status part
// and richer text keeps the DSN's structure and takes the text's more
// specific codes and diagnostics.
func TestMergeDSNAndText(t *testing.T) {
	cases := []struct {
		file, decodedBy, recipient, status string
		reply                              int
		diag                               string // a phrase the diagnostic holds
	}{
		// Sendmail: Status 5.0.0, Diagnostic-Code X-Unix; 255; the transcript says 554 5.3.0.
		{"lhost-sendmail-18.eml", "sendmail", "kijitora@example.jp", "5.3.0", 554, "255"},
		// Sendmail: Status 5.1.1 is Sendmail's; the server said 550 5.7.1.
		{"lhost-sendmail-36.eml", "sendmail", "kijitora@nyaan.example.com", "5.7.1", 550, "IP address blacklisted"},
		// Exim: the DSN's Final-Recipient is a pipe; the text names the address.
		{"lhost-exim-44.eml", "exim", "kijitora@example.com", "5.0.0", 0, ""},
		// Amazon SES: "5.1.0 - Unknown address error 550-'5.7.1 ...'": the server's code.
		{"lhost-amazonses-01.eml", "amazonses", "shironeko@example.co.jp", "5.7.1", 550, "Access denied"},
		// Postfix with a DSN part: the name of the MTA comes from the text.
		{"lhost-postfix-02.eml", "postfix", "filtered@example.co.jp", "5.2.1", 550, "User Unknown"},
	}
	for _, c := range cases {
		rep, err := Parse(readSample(t, c.file), Options{})
		if err != nil {
			t.Fatalf("Parse(%s): %v", c.file, err)
		}
		if rep.DecodedBy != c.decodedBy || len(rep.Recipients) == 0 {
			t.Fatalf("Parse(%s) = %s with %d recipients, want %s", c.file, rep.DecodedBy, len(rep.Recipients), c.decodedBy)
		}
		r := rep.Recipients[0]
		if r.Recipient != c.recipient || specific(r).String() != c.status || int(r.ReplyCode) != c.reply || !strings.Contains(r.Diagnostic, c.diag) {
			t.Errorf("Parse(%s).Recipients[0] = {%s %s %d %q}, want {%s %s %d ...%s...}", c.file,
				r.Recipient, specific(r), r.ReplyCode, r.Diagnostic, c.recipient, c.status, c.reply, c.diag)
		}
	}
}

// TestDelayNotices checks that warnings read from text are delays, not failures.
func TestDelayNotices(t *testing.T) {
	for _, file := range []string{"lhost-exim-41.eml", "lhost-gmail-06.eml", "lhost-zoho-04.eml", "lhost-opensmtpd-04.eml"} {
		rep, err := Parse(readSample(t, file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != KindDelay || len(rep.Recipients) == 0 || rep.Recipients[0].Action != ActionDelayed {
			t.Errorf("Parse(%s) = kind %s, recipients %+v, want a delay", file, rep.Kind, rep.Recipients)
		}
	}
}

// TestFallbackRecipients checks the recipients of bounces whose text names
// none: X-Failed-Recipients, the VERP address, the original's To.
func TestFallbackRecipients(t *testing.T) {
	cases := []struct{ file, decodedBy, recipient string }{
		{"lhost-googlegroups-02.eml", "googlegroups", "libsisimai@googlegroups.com"}, // X-Failed-Recipients
		{"samples/verp-01.eml", "verp", "carol@example.org"},                         // To: bounces+carol=example.org@...
		{"lhost-v5sendmail-01.eml", "v5sendmail", "kijitora@example.com"},            // the original's To
	}
	for _, c := range cases {
		rep, err := Parse(readSample(t, c.file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.DecodedBy != c.decodedBy || len(rep.Recipients) != 1 || rep.Recipients[0].Recipient != c.recipient {
			t.Errorf("Parse(%s) = %s %+v, want %s %s", c.file, rep.DecodedBy, rep.Recipients, c.decodedBy, c.recipient)
		}
	}
}

// TestNotBounces checks that ordinary mail from the vendors the recognisers
// know (their X-Mailer, their users' domains) yields no failed recipient.
func TestNotBounces(t *testing.T) {
	cases := map[string]string{
		"Zoho user": "From: Hana <hana@zoho.example>\nTo: shop@sender.example\nSubject: Re: your order\nX-Mailer: Zoho Mail\n\n" +
			"Thanks. Please also send it to:\n\nbob@example.com\n",
		"SES-sent reply": "From: info@brand.example\nTo: shop@sender.example\nSubject: Re: invoice\nX-SES-Outgoing: 2024.05.01-1.2.3.4\n\n" +
			"This message could not be delivered. Just kidding: see you at\nalice@example.net tomorrow.\n",
		"docomo user": "From: taro@docomo.ne.jp\nTo: shop@sender.example\nSubject: question\n\nkijitora@example.jp: is this your address?\n",
	}
	for name, raw := range cases {
		rep, err := Parse([]byte(raw), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range rep.Recipients {
			if r.Action == ActionFailed {
				t.Errorf("%s: Parse = %s %+v, want no failed recipient", name, rep.DecodedBy, rep.Recipients)
			}
		}
	}
}

// specific returns the most specific code dsn reports for r: the server's
// code when it is specific, else the Status field. (Which one decides a
// verdict is classify's policy; these tests check that the code is read.)
func specific(r Recipient) smtpcode.Status {
	if !r.ServerStatus.IsZero() && !r.ServerStatus.Generic() {
		return r.ServerStatus
	}
	return r.Status
}
