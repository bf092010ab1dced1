package dsn

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/bounced/bounced/internal/phrase"
)

// recogniserCases are golden results of real samples: for each row of the
// recognisers table at least one sample of the corpus
// (testdata/bounces/maildir/bsd, whose file names name the MTA or the
// refusing provider) or, where the corpus has none, one written for this
// package (testdata/samples). Each gives the format named in DecodedBy
// and the first recipient's address, status, reply code and action. A
// status left empty where a corpus label has an X.0.9xx code is on
// purpose (see isPseudoStatus in corpus_test.go).
var recogniserCases = []struct {
	file, decodedBy, recipient, status string
	reply                              int
	action                             Action
}{
	{"arf-01.eml", "arf", "redacted@example.net", "", 0, ActionDelivered},
	{"arf-02.eml", "arf", "this-local-part-does-not-exist-on-yahoo@yahoo.com", "", 0, ActionDelivered},
	{"arf-26.eml", "unsubscribe", "example@icloud.com", "", 0, ActionDelivered},
	{"lhost-activehunter-01.eml", "activehunter", "kijitora@example.org", "5.1.1", 550, ActionFailed},
	{"lhost-amavis-01.eml", "amavis", "neko@example.co.jp", "5.1.1", 550, ActionFailed},
	{"lhost-amavis-03.eml", "amavis", "kijitora@example.com", "5.7.0", 554, ActionFailed},
	{"lhost-amazonses-01.eml", "amazonses", "shironeko@example.co.jp", "5.7.1", 550, ActionFailed},
	{"lhost-amazonses-03.eml", "amazonses", "kijitora@example.jp", "5.2.2", 550, ActionFailed},
	{"lhost-amazonworkmail-01.eml", "amazonworkmail", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-amazonworkmail-02.eml", "amazonworkmail", "sabineko@example.jp", "5.2.1", 550, ActionFailed},
	{"lhost-bigfoot-02.eml", "bigfoot", "kijitora@example.org", "5.7.1", 553, ActionFailed},
	{"lhost-biglobe-01.eml", "biglobe", "postmaster@mxr.biglobe.ne.jp", "", 0, ActionFailed},
	{"lhost-courier-01.eml", "courier", "kijitora@example.co.jp", "5.1.1", 550, ActionFailed},
	{"lhost-courier-03.eml", "courier", "kijitora@example.jp", "5.7.1", 550, ActionFailed},
	{"lhost-domino-03.eml", "domino", "kijitora@neko.example.org", "5.0.0", 0, ActionFailed},
	{"lhost-dragonfly-02.eml", "dragonfly", "pseudo-local-part@outlook.example.com", "5.7.509", 550, ActionFailed},
	{"lhost-dragonfly-03.eml", "dragonfly", "pseudo-local-part@yahoo-inc.example.com", "5.7.9", 554, ActionFailed},
	{"lhost-exchange2003-01.eml", "exchange2003", "kijitora@example.jp", "", 0, ActionFailed},
	{"lhost-exchange2003-03.eml", "exchange2003", "kijitora@example.jp", "", 0, ActionFailed},
	{"lhost-exchange2007-01.eml", "exchange2007", "mikeneko@example.co.jp", "5.1.1", 550, ActionFailed},
	// Original-Recipient neko-nyaan@cat.example.jp (the returned To) is reported; the mailbox stays in FinalRecipient (issue 10).
	{"lhost-exchange2007-04.eml", "exchange2007", "neko-nyaan@cat.example.jp", "5.7.1", 550, ActionFailed},
	{"lhost-exim-01.eml", "exim", "kijitora@example.ed.jp", "5.7.0", 550, ActionFailed},
	{"lhost-exim-02.eml", "exim", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-ezweb-01.eml", "ezweb", "this-message-rejected-by-the-domain-filter@ezweb.ne.jp", "", 0, ActionFailed},
	{"lhost-ezweb-03.eml", "ezweb", "this-local-part-does-not-exist-on-the-site@ezweb.ne.jp", "", 0, ActionFailed},
	{"lhost-fml-02.eml", "fml", "neko-nyaan@example.org", "", 0, ActionFailed},
	{"lhost-gmail-01.eml", "gmail", "userunknown@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-gmail-04.eml", "gmail", "kijitora@example.com", "5.7.1", 554, ActionFailed},
	{"lhost-gmx-04.eml", "gmx", "kijitora@6jo.example.co.jp", "", 0, ActionFailed},
	{"lhost-googlegroups-02.eml", "googlegroups", "libsisimai@googlegroups.com", "", 0, ActionFailed},
	{"lhost-googlegroups-06.eml", "googlegroups", "libsisimai@googlegroups.com", "", 0, ActionFailed},
	{"lhost-googleworkspace-01.eml", "googleworkspace", "neko-nyaan-cat-meeting@google-groups.example.com", "", 0, ActionFailed},
	{"lhost-imailserver-01.eml", "imailserver", "kijitora@example.com", "", 0, ActionFailed},
	{"lhost-imailserver-03.eml", "imailserver", "kijitora@neko.example.co.jp", "", 0, ActionFailed},
	{"lhost-kddi-01.eml", "kddi", "kijitora@x0000000000000.dion.ne.jp", "", 0, ActionFailed},
	{"lhost-kddi-03.eml", "kddi", "kijitora@00000000000000.dion.ne.jp", "", 0, ActionFailed},
	{"lhost-mailfoundry-02.eml", "mailfoundry", "kijitora@example.org", "5.1.1", 552, ActionFailed},
	{"lhost-mailru-01.eml", "mailru", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-mailru-03.eml", "mailru", "mikeneko@example.jp", "5.2.2", 550, ActionFailed},
	{"lhost-mcafee-01.eml", "mcafee", "kijitora@example.co.jp", "", 550, ActionFailed},
	{"lhost-mcafee-03.eml", "mcafee", "kijitora@example.or.jp", "5.1.1", 550, ActionFailed},
	{"lhost-messagingserver-01.eml", "messagingserver", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-messagingserver-04.eml", "messagingserver", "kijitora@example.jp", "5.2.2", 550, ActionFailed},
	{"lhost-mfilter-01.eml", "mfilter", "kijitora@example.com", "", 550, ActionFailed},
	{"lhost-mfilter-02.eml", "mfilter", "kijitora@example.co.jp", "5.1.1", 550, ActionFailed},
	{"lhost-mimecast-02.eml", "mimecast", "sabatora@example.net", "5.7.54", 550, ActionFailed},
	{"lhost-mxlogic-02.eml", "mxlogic", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-notes-01.eml", "notes", "kijitora@u1.example.co.jp", "", 0, ActionFailed},
	{"lhost-notes-02.eml", "notes", "kijitora@u1.example.co.jp", "", 0, ActionFailed},
	{"lhost-office365-01.eml", "office365", "kijitora@example.com", "5.1.10", 550, ActionFailed},
	{"lhost-office365-03.eml", "office365", "kijitora@example.com", "5.1.0", 550, ActionFailed},
	{"lhost-opensmtpd-02.eml", "opensmtpd", "mailboxfull@example.jp", "5.2.2", 550, ActionFailed},
	{"lhost-opensmtpd-03.eml", "opensmtpd", "kijitora@neko.example.jp", "", 0, ActionFailed},
	{"lhost-outlook-01.eml", "outlook", "kijitora@example.jp", "5.2.2", 550, ActionFailed},
	{"lhost-outlook-02.eml", "outlook", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-postfix-02.eml", "postfix", "filtered@example.co.jp", "5.2.1", 550, ActionFailed},
	{"lhost-postfix-07.eml", "postfix", "kijitora@user.example.or.jp", "", 550, ActionFailed},
	{"lhost-powermta-01.eml", "powermta", "kijitora@example.jp", "5.2.1", 550, ActionFailed},
	{"lhost-qmail-01.eml", "qmail", "kijitora@example.ne.jp", "5.5.0", 550, ActionFailed},
	{"lhost-qmail-02.eml", "qmail", "userunknown@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-receivingses-02.eml", "receivingses", "userunknown@neko.example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-receivingses-04.eml", "receivingses", "mailboxfull@neko.example.jp", "5.2.2", 552, ActionFailed},
	{"lhost-sendgrid-01.eml", "sendgrid", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-sendgrid-02.eml", "sendgrid", "this-local-part-does-not-exist-on-the-server@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-sendmail-01.eml", "sendmail", "userunknown@bouncehammer.jp", "5.1.1", 550, ActionFailed},
	{"lhost-sendmail-02.eml", "sendmail", "userunknown@example.org", "5.1.1", 550, ActionFailed},
	{"lhost-surfcontrol-01.eml", "surfcontrol", "kijitora@example.com", "5.0.0", 550, ActionFailed},
	{"lhost-trendmicro-01.eml", "trendmicro", "kijitora@example.co.jp", "5.1.1", 550, ActionFailed},
	{"lhost-trendmicro-02.eml", "trendmicro", "kijitora@neko.example.jp", "", 0, ActionFailed},
	{"lhost-v5sendmail-01.eml", "v5sendmail", "kijitora@example.com", "", 421, ActionFailed},
	{"lhost-v5sendmail-02.eml", "v5sendmail", "kijitora@neko.example.org", "", 550, ActionFailed},
	{"lhost-verizon-01.eml", "verizon", "0000000000@vzwpix.com", "", 0, ActionFailed},
	{"lhost-verizon-02.eml", "verizon", "may-be-straycat-nyaaaaaan@vtext.com", "", 550, ActionFailed},
	{"lhost-x1-02.eml", "x1", "kijitora@example.org", "", 0, ActionFailed},
	{"lhost-x1-03.eml", "x1", "kijitora@example.org", "", 0, ActionFailed},
	{"lhost-x2-01.eml", "x2", "kijitora@example.co.jp", "", 0, ActionFailed},
	{"lhost-x2-02.eml", "x2", "kijitora@example.com", "", 0, ActionFailed},
	{"lhost-x3-01.eml", "x3", "kijitora@example.com", "5.3.0", 553, ActionFailed},
	{"lhost-x3-02.eml", "x3", "kijitora@example.co.jp", "", 0, ActionFailed},
	{"lhost-x5-01.eml", "x5", "kijitora@neko.example.org", "5.1.1", 550, ActionFailed},
	{"lhost-x6-01.eml", "x6", "kijitora@nyaan.example.org", "5.4.6", 554, ActionFailed},
	{"lhost-yahoo-02.eml", "yahoo", "kijitora@example.ed.jp", "5.2.2", 550, ActionFailed},
	{"lhost-yahoo-03.eml", "yahoo", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-yandex-01.eml", "yandex", "kijitora@example.jp", "5.1.1", 550, ActionFailed},
	{"lhost-yandex-02.eml", "yandex", "mikeneko@example.jp", "5.2.1", 550, ActionFailed},
	{"lhost-zoho-01.eml", "zoho", "kijitora@example.co.jp", "5.1.1", 550, ActionFailed},
	{"lhost-zoho-03.eml", "zoho", "shironeko@example.org", "", 550, ActionFailed},
	{"rfc3464-37.eml", "generic", "kijitora@neko.nyaan.example.com", "", 0, ActionFailed},
	{"rfc3464-42.eml", "rfc3464", "jane.doe@some-domain.net", "5.0.0", 0, ActionFailed},
	{"rfc3834-01.eml", "rfc3834", "kijitora@example.net", "", 0, ActionDelivered},
	{"rfc3834-02.eml", "rfc3834", "nekonyaan@example.org", "", 0, ActionDelivered},
	{"rhost-aol-01.eml", "aol", "kijitora@example.jp", "5.4.4", 0, ActionFailed},
	{"rhost-messagelabs-01.eml", "messagelabs", "kijitora@example.messagelabs.com", "5.0.0", 550, ActionFailed},
	{"rhost-messagelabs-02.eml", "messagelabs", "kijitora@neko.example.org", "5.0.0", 550, ActionFailed},
	// Samples written for this package (testdata/samples), for formats the
	// corpus lacks and for charsets and layouts it does not cover.
	{"samples/barracuda-01.eml", "barracuda", "alice@example.com", "5.7.1", 550, ActionFailed},
	{"samples/docomo-01.eml", "docomo", "pseudo-user-2024@docomo.ne.jp", "", 550, ActionFailed},
	{"samples/verp-01.eml", "verp", "carol@example.org", "5.2.1", 550, ActionFailed},
	{"samples/html-only-01.eml", "exchange2007", "dave@example.net", "5.1.1", 550, ActionFailed},
	{"samples/koi8r-01.eml", "generic", "ivan@example.ru", "5.2.2", 550, ActionFailed},
	{"samples/shiftjis-01.eml", "generic", "taro@example.jp", "5.1.1", 550, ActionFailed},
	{"samples/quoted-original-01.eml", "postfix", "erin@example.net", "5.2.2", 552, ActionFailed},
	{"samples/office365-text-01.eml", "office365", "frank@contoso.example", "5.1.10", 550, ActionFailed},
	{"samples/gmail-text-01.eml", "gmail", "grace@example.org", "5.1.1", 550, ActionFailed},
	{"samples/groupwise-01.eml", "groupwise", "xavier@gw2.example", "", 0, ActionFailed},
}

// readSample reads a file of the corpus or of testdata/samples.
func readSample(t *testing.T, file string) []byte {
	t.Helper()
	p := filepath.Join(corpusDir, "maildir", "bsd", file)
	if strings.HasPrefix(file, "samples/") {
		p = filepath.Join("testdata", file)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestRecognisers(t *testing.T) {
	for _, c := range recogniserCases {
		t.Run(c.file, func(t *testing.T) {
			rep, err := Parse(readSample(t, c.file), Options{})
			if err != nil {
				t.Fatalf("Parse(%s): %v", c.file, err)
			}
			if rep.DecodedBy != c.decodedBy {
				t.Errorf("Parse(%s).DecodedBy = %q, want %q", c.file, rep.DecodedBy, c.decodedBy)
			}
			if len(rep.Recipients) == 0 {
				t.Fatalf("Parse(%s): no recipient, want %s", c.file, c.recipient)
			}
			r := rep.Recipients[0]
			if r.Recipient != c.recipient || specific(r).String() != c.status || int(r.ReplyCode) != c.reply || r.Action != c.action {
				t.Errorf("Parse(%s).Recipients[0] = {%s %s %d %s}, want {%s %s %d %s}", c.file,
					r.Recipient, specific(r), r.ReplyCode, r.Action, c.recipient, c.status, c.reply, c.action)
			}
		})
	}
}

// TestRecognisersCovered makes sure every row of the table has a golden
// sample above.
func TestRecognisersCovered(t *testing.T) {
	have := map[string]bool{}
	for _, c := range recogniserCases {
		have[c.decodedBy] = true
	}
	for _, rg := range recognisers {
		if !have[rg.name] {
			t.Errorf("recogniser %q has no golden sample in recogniserCases", rg.name)
		}
	}
}

// TestBlockLines checks blockLines against strings.Split and strings.Join.
func TestBlockLines(t *testing.T) {
	for _, s := range []string{"", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "\n\nx"} {
		b := newBlockLines(s, nil)
		want := strings.Split(s, "\n")
		if b.n() != len(want) {
			t.Errorf("newBlockLines(%q).n() = %d, want %d", s, b.n(), len(want))
			continue
		}
		for k := range want {
			if b.line(s, k) != want[k] {
				t.Errorf("newBlockLines(%q).line(%d) = %q, want %q", s, k, b.line(s, k), want[k])
			}
		}
		for a := 0; a <= len(want)+1; a++ {
			if got, w := b.joinFrom(s, a), strings.Join(want[min(a, len(want)):], "\n"); got != w {
				t.Errorf("joinFrom(%q, %d) = %q, want %q", s, a, got, w)
			}
			if a <= len(want) {
				if got, w := b.joinTo(s, a), strings.Join(want[:a], "\n"); got != w {
					t.Errorf("joinTo(%q, %d) = %q, want %q", s, a, got, w)
				}
			}
		}
	}
}

// TestFirstUpperASCII checks firstUpperASCII against a byte loop at every
// length and capital position, with bytes over 0x7f around.
func TestFirstUpperASCII(t *testing.T) {
	for n := 0; n < 40; n++ {
		for at := -1; at < n; at++ {
			for _, fill := range []byte{'a', 0xe3, '@', '[', 0xc1, 0xda, 0xff} { // 0xc1 and 0xda: 'A' and 'Z' with the high bit
				b := bytes.Repeat([]byte{fill}, n)
				if at >= 0 {
					b[at] = 'A' + byte(at%26)
				}
				if got, want := firstUpperASCII(string(b)), firstUpperLoop(b); got != want {
					t.Errorf("firstUpperASCII(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
	// Random strings of capitals, their neighbours and bytes over 0x7f.
	rnd := rand.New(rand.NewPCG(1, 2))
	const alpha = "AZaz@[`{x\xc1\xda\xe3\xff"
	for range 20000 {
		b := make([]byte, rnd.IntN(41))
		for i := range b {
			b[i] = alpha[rnd.IntN(len(alpha))]
			if rnd.IntN(3) > 0 && b[i] >= 'A' && b[i] <= 'Z' {
				b[i] = 'q' // capitals rarer, so that some come late or not at all
			}
		}
		if got, want := firstUpperASCII(string(b)), firstUpperLoop(b); got != want {
			t.Fatalf("firstUpperASCII(%q) = %d, want %d", b, got, want)
		}
	}
}

// firstUpperLoop is firstUpperASCII a byte at a time: the index of the
// first byte 'A' to 'Z' in b, or -1.
func firstUpperLoop(b []byte) int {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			return i
		}
	}
	return -1
}

// TestMayHaveMask checks mayHaveMask against mayHaveAny for every row's
// text and unless markers and the inline markers, on random hit sets.
func TestMayHaveMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	lists := [][]marker{inlineOnly}
	masks := []*markerMask{&inlineMask}
	for i := range recognisers {
		rg := &recognisers[i]
		lists = append(lists, rg.textM, rg.unlessM)
		masks = append(masks, &rg.textMask, &rg.unlessMask)
	}
	for range 2000 {
		var h phrase.Hits
		for range rng.IntN(6) {
			id := rng.IntN(markerSet.Len())
			h[id>>6] |= 1 << (id & 63)
		}
		l := lowerText{hits: &h}
		for k, list := range lists {
			if got, want := l.mayHaveMask(masks[k], list), l.mayHaveAny(list); got != want {
				t.Fatalf("mayHaveMask(list %d) = %v, mayHaveAny %v", k, got, want)
			}
		}
	}
}

// TestLeadingAddressNeedsAt checks what recipientOn's first look relies
// on: leadingAddress reads no address out of a string without an '@'
// (nor out of any bullet-stripped or lead-cut piece of one), on every
// corpus report line with its '@'s replaced, and on 20,000 random strings
// of address pieces.
func TestLeadingAddressNeedsAt(t *testing.T) {
	var lines []string
	for _, r := range corpusReports(t) {
		for _, l := range strings.Split(r.Text, "\n") {
			if strings.Contains(l, "@") {
				lines = append(lines, strings.ReplaceAll(l, "@", "＠"), strings.ReplaceAll(l, "@", " "))
			}
		}
	}
	if len(lines) < 500 {
		t.Fatalf("%d corpus lines with an address, want the corpus's", len(lines))
	}
	pieces := []string{"<", ">", `"`, "[SMTP:", "smtp:", "SMTP:", "user", "example.com", ".", " ", "\t", "-> ", "* ",
		"(expanded from", ")", ":", "mailto:", "recipient: ", "postmaster", "é", "]"}
	rnd := rand.New(rand.NewPCG(3, 5))
	for range 20000 {
		var b strings.Builder
		for range 1 + rnd.IntN(10) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		lines = append(lines, b.String())
	}
	for _, l := range lines {
		for i := range len(l) + 1 {
			if a, _, ok := leadingAddress(l[i:]); ok {
				t.Fatalf("leadingAddress(%q) = %q, a string without '@'", l[i:], a)
			}
		}
		if a, _, ok := leadingAddress(stripBullet(l)); ok {
			t.Fatalf("leadingAddress(stripBullet(%q)) = %q, a string without '@'", l, a)
		}
	}
}

// TestKeyBitsOfText checks newMsgView's scan of From and Subject, which
// lowers only a text that is not ASCII (keySet ignores ASCII case): each
// keySet marker is found exactly when strings.Contains finds it in the
// text's toLower, on every corpus From and Subject and on 3,000 random
// texts of markers in any case, non-ASCII capitals among them.
func TestKeyBitsOfText(t *testing.T) {
	texts := []string{"", "MAILER-DAEMON@EXAMPLE.COM", "НЕДОСТАВЛЕННОЕ СООБЩЕНИЕ", "\u212Aelvin Mail Delivery", "\xffBounce"}
	for _, r := range corpusReports(t) {
		texts = append(texts, r.From, r.Subject)
	}
	var markers []string
	for id := range keySet.Len() {
		markers = append(markers, keySet.Phrase(id))
	}
	rnd := rand.New(rand.NewPCG(11, 13))
	for range 3000 {
		var b strings.Builder
		for range 1 + rnd.IntN(4) {
			p := markers[rnd.IntN(len(markers))]
			switch rnd.IntN(3) {
			case 0:
				p = strings.ToUpper(p)
			case 1:
				p = p[:rnd.IntN(len(p)+1)] // a piece, maybe cut inside a rune
			}
			b.WriteString(p)
			b.WriteString([]string{" ", "", "É", "-"}[rnd.IntN(4)])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		got, low := keyBitsOfText(s), toLower(s)
		for _, p := range markers {
			id, _ := keySet.ID(p)
			if has, want := got[id>>6]&(1<<(id&63)) != 0, strings.Contains(low, p); has != want {
				t.Fatalf("keyBitsOfText(%q) has %q: %v, strings.Contains of its lower case: %v", s, p, has, want)
			}
		}
	}
}

// TestRowsCoverMatches checks the row sets the recognisers table is
// walked over (msgView.rows): every row that matches a message is among
// them, on every testdata message (as finish sees it, and as a bounce and
// not) and on 3,000 random texts, From and Subject values and X- fields of
// the table's markers; the sets leave most rows out.
func TestRowsCoverMatches(t *testing.T) {
	var views []*msgView
	files := testdataEML(t)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fields []headerField
		p := parser{opts: Options{}.withDefaults(), rep: &Report{}, fields: &fields}
		if p.run(normalizeNewlines(raw)) != nil {
			continue
		}
		for _, bounce := range []bool{false, true} {
			m := newMsgView(nil, nil, p.rep, p.rep.Text, newLowerText(p.rep.Text), p.xheaders, lazyText{}, 100)
			m.bounceLike = bounce
			views = append(views, m)
		}
	}
	var text, keys []string
	for i := range recognisers {
		rg := &recognisers[i]
		for _, l := range [][]string{rg.text, rg.unless, rg.start, rg.end, rg.lead} {
			for _, mk := range l {
				text = append(text, markerCore(mk))
			}
		}
		keys = append(append(append(keys, rg.from...), rg.subject...), rg.header...)
	}
	rnd := rand.New(rand.NewPCG(5, 8))
	pick := func(l []string, n int) string {
		var b strings.Builder
		for range rnd.IntN(n + 1) {
			s := l[rnd.IntN(len(l))]
			if rnd.IntN(4) == 0 {
				s = strings.ToUpper(s)
			}
			b.WriteString(s)
			b.WriteString([]string{" ", "\n", "\n  ", ": "}[rnd.IntN(4)])
		}
		return b.String()
	}
	for range 3000 {
		r := &Report{From: pick(keys, 2), Subject: pick(keys, 2)}
		txt := pick(text, 5)
		m := newMsgView(nil, nil, r, txt, newLowerText(txt), []byte(strings.ToLower(pick(keys, 3))), lazyText{}, 100)
		m.bounceLike = rnd.IntN(2) == 0
		views = append(views, m)
	}
	matched, left := 0, 0
	for _, m := range views {
		set := m.rows()
		for i := range recognisers {
			in := set[i>>6]&(1<<(i&63)) != 0
			if !in {
				left++
			}
			if recognisers[i].matches(m) {
				matched++
				if !in {
					t.Fatalf("row %s matches %q (From %q, Subject %q, X- fields %q) but is not among its rows", recognisers[i].name, m.text, m.rep.From, m.rep.Subject, m.header)
				}
			}
		}
	}
	if matched < len(views)/4 || left < len(views)*len(recognisers)/2 {
		t.Errorf("%d rows matched, %d left out, of %d views: want many of both", matched, left, len(views))
	}
}

// TestIndexFold checks the search of every marker lookup, indexFold,
// against strings.Index of the lower-cased text: every marker of the
// tables and random lower-case needles, at each of their candidate
// offsets k, in the corpus's report texts and 3,000 random texts of
// markers and their pieces in any case, with non-ASCII bytes and needles
// that end the text (k among the first eight bytes, and the last).
func TestIndexFold(t *testing.T) {
	var needles []string
	for id := range markerSet.Len() {
		needles = append(needles, markerSet.Phrase(id))
	}
	needles = append(needles, "", "a", "-", "é", ":x", "\nreceived:", "x-")
	var texts []string
	for _, r := range corpusReports(t) {
		texts = append(texts, r.Text)
	}
	corpus := len(texts)
	rnd := rand.New(rand.NewPCG(21, 34))
	for range 3000 {
		var b strings.Builder
		for range rnd.IntN(6) {
			p := needles[rnd.IntN(len(needles))]
			switch rnd.IntN(4) {
			case 0:
				p = strings.ToUpper(p)
			case 1:
				p = p[rnd.IntN(len(p)+1):]
			}
			b.WriteString(p)
			b.WriteString([]string{"", " ", "\n", "Ä", "Z"}[rnd.IntN(5)])
		}
		texts = append(texts, b.String())
	}
	check := func(s, needle string) {
		want := strings.Index(asciiLower(s), needle)
		for k := range max(len(needle), 1) {
			if k >= 8 && k < len(needle)-1 {
				continue // the callers' k: rarestLead's (the first eight bytes) or the first letter
			}
			if got := indexFold(s, needle, k); got != want {
				t.Fatalf("indexFold(%q, %q, %d) = %d, want %d", s, needle, k, got, want)
			}
		}
	}
	for i, s := range texts {
		if i >= corpus || i%8 == 0 { // the corpus texts with a sample of the needles
			for _, n := range needles {
				check(s, n)
			}
		} else {
			for range 8 {
				check(s, needles[rnd.IntN(len(needles))])
			}
		}
		if len(s) > 0 {
			a := rnd.IntN(len(s))
			check(s, asciiLower(s[a:min(len(s), a+1+rnd.IntN(12))])) // a piece of the text itself
		}
	}
}

// TestIndexMarkerEnds checks that indexMarker, which answers from where
// the scan found each marker first (lowerText.ends), says what the search
// without them says, for every marker of the tables (anchored ones too)
// in views of the text as finish and blockRange take them (a prefix, a
// view from an offset, both), on the corpus's report texts and 2,000
// random texts of markers in any case, one a line or not.
func TestIndexMarkerEnds(t *testing.T) {
	markers := append(append(append(append([]marker{finalRecipientM}, inlineM...), forwardM...), delayTextsM...), pastedFieldM...)
	for i := range recognisers {
		rg := &recognisers[i]
		markers = append(append(append(append(markers, rg.textM...), rg.unlessM...), rg.startM...), rg.endM...)
	}
	var texts []string
	for _, r := range corpusReports(t) {
		texts = append(texts, r.Text)
	}
	rnd := rand.New(rand.NewPCG(55, 89))
	for range 2000 {
		var b strings.Builder
		for range rnd.IntN(12) {
			p := markers[rnd.IntN(len(markers))].core
			if rnd.IntN(3) == 0 {
				p = strings.ToUpper(p)
			}
			b.WriteString([]string{"", " ", "\n", "x"}[rnd.IntN(4)])
			b.WriteString(p)
			b.WriteString([]string{"", " ", "\n", "\n\n", "é"}[rnd.IntN(5)])
		}
		texts = append(texts, b.String())
	}
	var sc scratch
	found := 0
	for _, text := range texts {
		sc.hits = phrase.Hits{}
		l := newLowerTextInto(text, &sc)
		views := []lowerText{l}
		for range 3 {
			n := rnd.IntN(len(text) + 1)
			i := rnd.IntN(n + 1)
			views = append(views, l.prefix(n), l.from(i), l.prefix(n).from(i))
		}
		for _, v := range views {
			plain := v
			plain.ends = nil
			for _, mk := range markers {
				got, want := v.indexMarker(mk), plain.indexMarker(mk)
				if got != want {
					t.Fatalf("indexMarker(%q) in %q (at %d) = %d, without the ends %d", mk.core, v.s, v.off, got, want)
				}
				if got >= 0 {
					found++
				}
			}
		}
	}
	if found < 10000 {
		t.Errorf("%d markers found: want many", found)
	}
}

// TestLowerIfASCII checks toLower's one pass, lowerIfASCII, against
// textIsASCII and asciiLower, and toLower against strings.ToLower, on
// 20,000 random strings of capitals, small letters, bytes over 0x7f and
// runes whose lower case is ASCII (U+212A), at every length to 40; an
// ASCII string without a capital comes back as it is.
func TestLowerIfASCII(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"A", "Z", "a", "z", "@", "[", "-", "\xc1", "\xda", "\xff", "é", "\u212a", "Ä"}
	for range 20000 {
		var b strings.Builder
		for b.Len() < rnd.IntN(41) {
			p := pieces[rnd.IntN(len(pieces))]
			if p[0] >= 0x80 && rnd.IntN(4) > 0 {
				p = "q" // mostly ASCII, so that a late byte over 0x7f shows
			}
			b.WriteString(p)
		}
		s := b.String()
		got, ok := lowerIfASCII(s)
		if ok != textIsASCII(s) || ok && got != asciiLower(s) {
			t.Fatalf("lowerIfASCII(%q) = %q, %v; want %q, %v", s, got, ok, asciiLower(s), textIsASCII(s))
		}
		if ok && got == s && unsafe.StringData(got) != unsafe.StringData(s) {
			t.Fatalf("lowerIfASCII(%q) copied a string with no capital", s)
		}
		if got := toLower(s); got != strings.ToLower(s) {
			t.Fatalf("toLower(%q) = %q, want %q", s, got, strings.ToLower(s))
		}
	}
}

// TestXFieldKeysAnyCase: the bounce's own X- fields are kept in the case
// they were written (appendUnfolded) and the key scan ignores ASCII case,
// so a header marker of the recognisers table is found in a field written
// in capitals, or folded with a tab between two words, as in lower case.
func TestXFieldKeysAnyCase(t *testing.T) {
	n := 0
	for _, rg := range recognisers {
		for _, h := range rg.header {
			name, value, ok := strings.Cut(h, ":")
			value = strings.TrimSpace(value)
			if !ok || !strings.HasPrefix(name, "x-") || value == "" {
				continue
			}
			fields := []string{name + ": " + value, strings.ToUpper(name) + ": " + strings.ToUpper(value)}
			if i := strings.LastIndexByte(value, ' '); i > 0 {
				fields = append(fields, strings.ToUpper(name[:1])+name[1:]+":  "+strings.ToUpper(value[:i])+"\r\n\t"+value[i+1:])
			}
			id, _ := keySet.ID(h)
			for _, field := range fields {
				raw := []byte("From: someone@example.org\r\nSubject: hello\r\n" + field + "\r\n\r\nbody\r\n")
				var sc scratch
				p := parser{opts: Options{}.withDefaults(), rep: &Report{}, raw: raw, fields: &sc.fields, scratch: &sc}
				hdr, _, _ := splitHeaderInto(raw, p.fields)
				p.readOwnHeaders(hdr)
				var hits phrase.Hits
				keySet.ScanBytes(p.xheaders, &hits)
				if k := keyBitsOf(&hits); k[id>>6]&(1<<(id&63)) == 0 {
					t.Errorf("%s: marker %q not found in the X- fields %q", rg.name, h, p.xheaders)
				}
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d fields tried", n)
	}
}
