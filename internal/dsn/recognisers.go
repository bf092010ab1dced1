package dsn

import (
	"math/bits"
	"strings"

	"github.com/bounced/bounced/internal/phrase"
)

// recogniser reads one MTA's or provider's non-standard bounce format.
// A row applies when one of its markers is found (see matches); for a
// report without a delivery-status part the first applying row whose read
// returns recipients wins, for a report with one the first applying row
// names the format and adds its text (recognise.go).
type recogniser struct {
	name string
	// Markers, lower case: substrings of the bounce's From, Subject, its
	// X- header fields ("x-mailer: zoho mail", one "name: value" a line) or
	// its report text. A text, start or end marker that begins with '^'
	// must start a line and one that ends with '$' must end it (white
	// space around it aside): "^the mail system$".
	from, subject, header, text []string
	// unless lists text markers (lower case) that veto the row.
	unless []string
	// textM, unlessM, startM and endM are text, unless, start and end
	// compiled, by init; textKnown says the marker filter knows every text
	// marker.
	textM, unlessM, startM, endM []marker
	textKnown                    bool
	textMask, unlessMask         markerMask // maskOf textM and unlessM
	// fromK, subjectK and headerK are the ids of from, subject and header
	// in keySet, by init.
	fromK, subjectK, headerK []int
	// start and end cut the error block out of the text: the block starts
	// at the line of the first start marker found (the whole text when none
	// is given or found) and ends before the line of the first end marker
	// after it.
	start, end []string
	// lead lists phrases after which a recipient's address follows on the
	// same line ("could not be delivered to: <a@b>"); addresses that start
	// a line are always recipients.
	lead []string
	// leadOnly makes lead the only way a recipient is found: addresses
	// that start a line are not recipients (they name something else).
	leadOnly bool
	// parse reads the recipients of the block; nil means scanRecipients
	// with lead.
	parse func(m *msgView, block string) []Recipient
}

// matches reports whether the row applies. Text markers are wordings of
// bounces and suffice; From, Subject and header markers name a vendor whose
// ordinary mail carries them too (X-Mailer: Zoho Mail, X-SES-Outgoing), so
// they count only for a message that looks like a bounce (bounceLike).
func (rg *recogniser) matches(m *msgView) bool {
	keys := false
	if m.bounceLike {
		k := m.keyHits()
		keys = anyHit(k.from, rg.fromK) || anyHit(k.subject, rg.subjectK) || anyHit(k.header, rg.headerK)
	}
	if !keys && rg.textKnown && !m.lower.mayHaveMask(&rg.textMask, rg.textM) {
		// Neither key nor text can match: the row does not apply,
		// whatever its unless markers say.
		return false
	}
	if m.lower.mayHaveMask(&rg.unlessMask, rg.unlessM) && m.lower.containsAnyMarker(rg.unlessM) {
		return false
	}
	if m.lower.mayHaveMask(&rg.textMask, rg.textM) && m.lower.containsAnyMarker(rg.textM) {
		return true
	}
	return keys
}

// keySet is the matcher of every From, Subject and header marker of the
// recognisers, and of bounceSenders, bounceSubjects and delaySubjects, in
// any ASCII case, built by init: a message's From, Subject and X- fields
// are scanned once each (newMsgView, msgView.keyHits) and each row and
// bounceLike look their markers up, instead of each searching the three
// strings for its own.
var keySet *phrase.Matcher

// keyHits are the keySet markers found in a message's From, Subject and
// X- fields, a bit per marker id (keySet has at most maxKeys).
type keyHits struct {
	from, subject, header keyBits
}

// keyBits is a set of keySet ids.
type keyBits [maxKeys / 64]uint64

// maxKeys bounds the markers of keySet.
const maxKeys = 128

// keyBitsOf keeps the keySet ids of a scan's hits.
func keyBitsOf(h *phrase.Hits) (k keyBits) {
	copy(k[:], h[:len(k)])
	return k
}

// anyHit reports whether any of ids was found.
func anyHit(k keyBits, ids []int) bool {
	for _, id := range ids {
		if k[id>>6]&(1<<(id&63)) != 0 {
			return true
		}
	}
	return false
}

// compileKeys builds keySet and the rows' ids in it (markers.go's init).
func compileKeys() {
	var list []string
	for i := range recognisers {
		rg := &recognisers[i]
		list = append(append(append(list, rg.from...), rg.subject...), rg.header...)
	}
	list = append(append(append(list, bounceSenders...), bounceSubjects...), delaySubjects...)
	if len(list) > maxKeys {
		panic("dsn: more than maxKeys From, Subject and header markers")
	}
	var err error
	if keySet, err = phrase.CompileFold(list); err != nil {
		panic(err)
	}
	ids := func(l []string) []int {
		out := make([]int, len(l))
		for i, s := range l {
			out[i], _ = keySet.ID(s)
		}
		return out
	}
	for i := range recognisers {
		rg := &recognisers[i]
		rg.fromK, rg.subjectK, rg.headerK = ids(rg.from), ids(rg.subject), ids(rg.header)
	}
	bounceSenderK, bounceSubjectK, delaySubjectK = ids(bounceSenders), ids(bounceSubjects), ids(delaySubjects)
}

// bounceSenderK, bounceSubjectK and delaySubjectK are the keySet ids of
// bounceSenders, bounceSubjects and delaySubjects.
var bounceSenderK, bounceSubjectK, delaySubjectK []int

// rowSet is a set of rows of the recognisers table, bit i for
// recognisers[i].
type rowSet [2]uint64

func (s *rowSet) add(i int) { s[i>>6] |= 1 << (i & 63) }

// The rows a message's markers may select, by init (indexRows): a row
// that is in none of the sets its text and key markers pick for a
// message does not match it (matches returns false at its first test),
// so the table is walked over the rows they pick only (msgView.rows).
var (
	rowsAlways                              rowSet   // rows with a text marker the filter does not know
	rowsByMarker                            []rowSet // by markerSet id: the rows with that text marker
	rowsByFrom, rowsBySubject, rowsByHeader [maxKeys]rowSet
	markerWords                             int // the words of a Hits that hold markerSet's ids
)

// indexRows builds the row sets, after markerSet and keySet.
func indexRows() {
	if len(recognisers) > 64*len(rowSet{}) {
		panic("dsn: more recognisers rows than a rowSet holds")
	}
	rowsByMarker = make([]rowSet, markerSet.Len())
	markerWords = (markerSet.Len() + 63) / 64
	for i := range recognisers {
		rg := &recognisers[i]
		if !rg.textKnown {
			rowsAlways.add(i)
		}
		for _, mk := range rg.textM {
			if mk.id >= 0 {
				rowsByMarker[mk.id].add(i)
			}
		}
		for _, k := range []struct {
			ids []int
			by  *[maxKeys]rowSet
		}{{rg.fromK, &rowsByFrom}, {rg.subjectK, &rowsBySubject}, {rg.headerK, &rowsByHeader}} {
			for _, id := range k.ids {
				k.by[id].add(i)
			}
		}
	}
}

// rows returns the rows that may match m: the rows whose text markers
// the filter has seen, whose key markers m's From, Subject or X- fields
// hold when m looks like a bounce (as matches counts keys), and those the
// filter cannot rule out. Each still has to pass matches.
func (m *msgView) rows() rowSet {
	h := m.lower.hits
	if h == nil {
		return rowSet{^uint64(0), ^uint64(0)} // no filter: every row may match
	}
	c := rowsAlways
	for w := range markerWords {
		for x := h[w]; x != 0; x &= x - 1 {
			r := &rowsByMarker[w*64+bits.TrailingZeros64(x)]
			c[0], c[1] = c[0]|r[0], c[1]|r[1]
		}
	}
	if m.bounceLike {
		k := m.keyHits()
		for _, f := range [...]struct {
			bits *keyBits
			by   *[maxKeys]rowSet
		}{{&k.from, &rowsByFrom}, {&k.subject, &rowsBySubject}, {&k.header, &rowsByHeader}} {
			for w := range f.bits {
				for x := f.bits[w]; x != 0; x &= x - 1 {
					r := &f.by[w*64+bits.TrailingZeros64(x)]
					c[0], c[1] = c[0]|r[0], c[1]|r[1]
				}
			}
		}
	}
	return c
}

// all yields the rows of s in the table's order.
func (s rowSet) all(yield func(rg *recogniser) bool) {
	for w := range s {
		for x := s[w]; x != 0; x &= x - 1 {
			if i := w*64 + bits.TrailingZeros64(x); i < len(recognisers) && !yield(&recognisers[i]) {
				return
			}
		}
	}
}

// blockRange returns the offsets of the error block in m.text.
func (rg *recogniser) blockRange(m *msgView) (from, to int) {
	from, to = 0, len(m.text)
	for _, s := range rg.startM {
		if i := m.lower.indexMarker(s); i >= 0 {
			from = strings.LastIndexByte(m.lower.s[:i], '\n') + 1
			break
		}
	}
	rest := m.lower.from(from)
	for _, s := range rg.endM {
		if i := rest.indexMarker(s); i >= 0 {
			to = from + strings.LastIndexByte(rest.s[:i], '\n') + 1
			break
		}
	}
	return from, to
}

// read returns the recipients of the row's error block, and the block.
func (rg *recogniser) read(m *msgView) ([]Recipient, string) {
	from, to := rg.blockRange(m)
	if rg.parse != nil {
		return rg.parse(m, m.text[from:to]), m.text[from:to]
	}
	return scanRecipients(m, from, to, rg.lead, rg.leadOnly, false), m.text[from:to]
}

// firstMatch returns the first row whose markers match, or nil.
func firstMatch(m *msgView) *recogniser {
	for rg := range m.rows().all {
		if rg.matches(m) {
			return rg
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
	"delivery to", "deliver to", "delivering to",
	"user unknown", "no such user", "mailbox unavailable", "invalid recipient",
	// Translations: French, German, Spanish and Italian, Russian, Japanese, Chinese.
	"destinataire :",
	"destinataire:",
	"empfänger:",
	"destinatario:",
	"получатель:",
	"адресат:",
	"宛先:",
	"宛先：",
	"收件人:",
	"收件人：",
	// Korean, Portuguese, Dutch, Polish.
	"받는 사람:",
	"수신자:",
	"destinatário:",
	"ontvanger:",
	"odbiorca:",
}

// recognisers is the ordered table of known formats; first match wins.
// Providers and appliances that wrap another MTA's wording come before it
// (Yandex before Postfix, Mail.ru and GMX before Exim). Each row names the
// samples (testdata/bounces/maildir/bsd) it was written from.
var recognisers = []recogniser{
	{
		// Apple Mail's unsubscribe request, sent to a List-Unsubscribe mailto:
		// address (RFC 2369): an opt-out, read as a feedback report. Sample:
		// arf-26.
		name:   "unsubscribe",
		header: []string{"x-apple-unsubscribe: true"},
		text:   []string{"sent this email to unsubscribe"},
		parse:  readUnsubscribe,
	},
	{
		// Amazon SES notifications in JSON (SES event publishing, raw or in an
		// SNS envelope). Samples: lhost-amazonses-09, -10, -12.
		name:   "amazonses",
		from:   []string{"no-reply@sns.amazonaws.com"},
		text:   []string{`"notificationtype"`, `\"notificationtype\"`, `"eventtype"`},
		unless: []string{"final-recipient:"},
		parse:  readAmazonSES,
	},
	{
		// Amazon WorkMail: "An error occurred while trying to deliver the mail
		// to the following recipients:" with X-Mailer: Amazon WorkMail.
		// Samples: lhost-amazonworkmail-*.
		name:   "amazonworkmail",
		header: []string{"x-mailer: amazon workmail"},
		start:  []string{"following recipients:"},
		end:    []string{"technical report:"},
	},
	{
		// Amazon SES sending: "The following message to <a@b> was undeliverable."
		// or the WorkMail wording. Samples: lhost-amazonses-01..20.
		name:  "amazonses",
		from:  []string{"@email-bounces.amazonses.com", "amazonses.com"},
		start: []string{"the following message to", "following recipients:"},
		lead:  []string{"the following message to"},
	},
	{
		// Amazon SES receiving: "This message could not be delivered." from the
		// inbound SES of the recipient. Samples: lhost-receivingses-*.
		name:   "receivingses",
		header: []string{"x-ses-outgoing:"},
	},
	{
		// X3 (an unidentified MTA): "Delivery to the following recipients failed
		// permanently:\n * a@b" and "Technical details:". Samples: lhost-x3-*.
		name: "x3",
		text: []string{"delivery to the following recipients failed permanently",
			"delivery to the following recipients was aborted",
			"delevery to the following recipients"},
	}, {
		// Google Groups: "the group you tried to contact (name) may not exist";
		// the group's address is in X-Failed-Recipients. Samples: lhost-googlegroups-*.
		name:   "googlegroups",
		text:   []string{"the group you tried to contact", "groups.google.com/support"},
		unless: []string{"delivery to the following recipient"},
		parse:  readFailedRecipients,
	},
	{
		// Google Workspace "Send mail as" misconfiguration: "** Message not
		// delivered **" naming no recipient. Sample: lhost-googleworkspace-01.
		name:  "googleworkspace",
		text:  []string{"** message not delivered **"},
		parse: readFailedRecipients,
	},
	{
		// Gmail: "Delivery to the following recipient failed permanently:", the
		// newer "** Address not found **" / "Your message wasn't delivered to a@b",
		// and "Technical details of permanent failure:". Samples: lhost-gmail-*,
		// rhost-gsuite-*, rhost-google-*.
		name: "gmail",
		from: []string{"mailer-daemon@googlemail.com", "mailer-daemon@gmail.com"},
		text: []string{"technical details of permanent failure",
			"technical details of temporary failure",
			"** address not found **",
			"** message blocked **", "** delivery incomplete **", "the response from the remote server was"},
		start: []string{"delivery to the following recipient", "** "},
		lead:  []string{"wasn't delivered to", "wasn’t delivered to"},
	},

	{
		// Office 365 / Exchange Online: "Your message to a@b couldn't be
		// delivered", "Delivery has failed to these recipients or groups:" with
		// Office 365 wording, "Diagnostic information for administrators:".
		// Samples: lhost-office365-*, rhost-microsoft-*.
		name: "office365",
		from: []string{"microsoft outlook <postmaster@"},
		text: []string{"exchange online", "office 365"},
		start: []string{
			"delivery has failed to these recipients",
			"rejected your message to the following",
			"your message to",
			"couldn't be delivered",
			"diagnostic information for administrators",
		},
		lead: []string{"your message to", "wasn't delivered to", "couldn't be delivered to"},
	}, {
		// Outlook.com / Hotmail (before Office 365): "Delivery to the following
		// recipients failed." Samples: lhost-outlook-*, rhost-outlook-03.
		name: "outlook",
		from: []string{
			"postmaster@hotmail",
			"postmaster@outlook",
			"postmaster@mail.hotmail",
			"postmaster@mail.outlook",
			"postmaster@live",
		},
		text:  []string{"delivery to the following recipients failed"},
		start: []string{"delivery to the following recipients failed"},
	},
	{
		// Exchange 2007-2016: "Delivery has failed to these recipients or
		// groups:", then "Diagnostic information for administrators:" with
		// "#550 5.1.1 RESOLVER.ADR.RecipNotFound". Translated in many languages.
		// Samples: lhost-exchange2007-*.
		name: "exchange2007",
		text: []string{"diagnostic information for administrators",
			"informazioni di diagnostica per gli amministratori",
			"diagnoseinformationen für administratoren", "informations de diagnostic pour les administrateurs",
			"información de diagnóstico para administradores", "管理者向けの診断情報", "delivery has failed to these recipients"},
		start: []string{"diagnostic information for administrators",
			"informazioni di diagnostica",
			"diagnoseinformationen",
			"informations de diagnostic", "información de diagnóstico", "管理者向けの診断情報"},
		end: []string{"original message headers",
			"intestazioni originali del messaggio",
			"ursprüngliche nachrichtenkopfzeilen",
			"en-têtes de message d'origine", "encabezados originales del mensaje", "元のメッセージ ヘッダー"},
	},
	{
		// Exchange 2000/2003 and its Internet Mail Service: "did not reach the
		// following recipient(s):" with "MSEXCH:IMS" codes. Samples: lhost-exchange2003-*.
		name: "exchange2003",
		header: []string{
			"x-mailer: internet mail service",
			"microsoft exchange server internet mail connector",
			"x-ms-embedded-report",
		},
		text:  []string{"did not reach the following recipient", "msexch:"},
		start: []string{"did not reach the following recipient"},
	},
	{
		// Lotus Notes: "------- Failure Reasons --------" then the address.
		// Samples: lhost-notes-*.
		name:  "notes",
		text:  []string{"------- failure reasons", "lotus smtp mta"},
		start: []string{"------- failure reasons"},
		end:   []string{"------- returned message"},
	},
	{
		// IBM Domino: "Your message ... was not delivered to: a@b because: ...".
		// Sample: lhost-domino-03.
		name:  "domino",
		text:  []string{"was not delivered to:"},
		start: []string{"was not delivered to:"},
		// Domino R5 writes the address on the marker's line: "was not delivered to:    a@b".
		lead: []string{"was not delivered to:"},
	},
	{
		// Novell GroupWise (GWIA): "The message that you sent was undeliverable to
		// the following:" then one indented line a recipient, "a@b (user not
		// found)", a local user by name alone. GroupWise Internet Agent
		// documentation, undeliverable message status.
		name:  "groupwise",
		text:  []string{"was undeliverable to the following:"},
		start: []string{"was undeliverable to the following:"},
		end:   []string{"possible causes:", "original message header follows"},
		parse: readGroupWise,
	},
	{
		// Courier MTA: "Your message to the following recipients cannot be
		// delivered:" with ">>> RCPT TO" / "<<< 550" lines. Samples: lhost-courier-*.
		name:  "courier",
		text:  []string{"running the courier mail server", "courier mail server"},
		start: []string{"your message to the following recipients cannot be delivered", "undeliverable mail"},
	},
	{
		// OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY to this
		// e-mail." then "a@b: 550 ...". Samples: lhost-opensmtpd-*.
		name:  "opensmtpd",
		text:  []string{"this is the mailer-daemon, please do not reply"},
		start: []string{"following list of recipients", "for the following"},
		end: []string{
			"below is a copy of the original message",
			"please note that this is only a temporary failure report",
		},
	},
	{
		// Yandex (Postfix with a Russian preface). Samples: lhost-yandex-*.
		name:  "yandex",
		from:  []string{"mailer-daemon@yandex."},
		text:  []string{"почтовым сервером yandex"},
		start: []string{"^the mail system$", "this is the mail system at host"},
	},
	{
		// Postfix: "<a@b>: host x said: ..." after "The mail system". Samples:
		// lhost-postfix-*, most rhost-*.
		name: "postfix",
		text: []string{
			"this is the mail system at host",
			"this is the postfix program at host",
			"i'm sorry to have to inform you that your message could not",
			"i'm sorry to have to inform you that the message returned",
		},
		start: []string{"^the mail system$", "^the postfix program$", "could not be delivered to one or more"},
	},
	{
		// qmail-send: "<a@b>:\n<diagnostic>" blocks. Samples: lhost-qmail-*.
		name:  "qmail",
		text:  []string{"this is the qmail-send program", "i'm afraid i wasn't able to deliver your message"},
		start: []string{"i'm afraid i wasn't able to deliver", "this is the qmail-send program"},
		end:   []string{"--- below this line is a copy of the message", "--- enclosed are the original headers"},
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
		// Biglobe: "----- The following addresses had delivery problems -----"
		// and "----- Non-delivered information -----". Sample: lhost-biglobe-01.
		name:  "biglobe",
		from:  []string{"postmaster@biglobe.ne.jp"},
		text:  []string{"----- non-delivered information -----"},
		start: []string{"----- the following addresses had delivery problems"},
	}, {
		// McAfee / MXLogic appliances: "--- The following addresses had delivery
		// problems ---" then "<a@b>   (reason)". Samples: lhost-mcafee-*.
		name:   "mcafee",
		header: []string{"x-nai-header:"},
		text:   []string{"^--- the following addresses had delivery problems ---$"},
		start:  []string{"^--- the following addresses had delivery problems ---$"},
	},

	{
		// ActiveHunter (a Sendmail-like filter): ">>> a@b <a@b>" under the
		// Sendmail banner. Sample: lhost-activehunter-01.
		name:    "activehunter",
		subject: []string{"failure notice :"},
		start:   []string{"----- the following addresses had permanent fatal errors -----"},
		parse:   readSendmail,
	},
	{
		// Bigfoot (Sendmail-based forwarding service). Sample: lhost-bigfoot-02.
		name:  "bigfoot",
		from:  []string{"mailer-daemon@bigfoot.com"},
		start: []string{"----- the following addresses had", "----- transcript of session follows -----"},
		parse: readSendmail,
	},
	{
		// X1 (an unidentified MTA): "---The following addresses had delivery
		// errors---" then "a@b [reason]". Samples: lhost-x1-*.
		name:  "x1",
		text:  []string{"---the following addresses had delivery errors---"},
		start: []string{"---the following addresses had delivery errors---"},
		parse: readSendmail,
	},
	{
		// X5 (an unidentified MTA, Sendmail-like, with a DSN): "----- The
		// following addresses had permanent delivery errors -----". Sample: lhost-x5-01.
		name:  "x5",
		text:  []string{"following addresses had permanent delivery errors"},
		start: []string{"following addresses had permanent delivery errors"},
		parse: readSendmail,
	},
	{
		// Sendmail V8: "----- The following addresses had permanent fatal
		// errors -----", "(reason: ...)", the session transcript. Samples:
		// lhost-sendmail-*.
		name:    "sendmail",
		subject: []string{"see transcript for details", "warning: could not send message for past"},
		text:    []string{"----- transcript of session follows -----", "----- the following addresses had"},
		start:   []string{"----- the following addresses had", "----- transcript of session follows -----"},
		end: []string{"----- original message follows",
			"----- message header follows",
			"----- unsent message follows"},
		parse: readSendmail,
	},
	{
		// Zoho Mail: "a@b Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 ..." and
		// "[Status: Error, Address: <a@b>, ResponseCode 421, , Host not reachable.]".
		// Samples: lhost-zoho-*.
		name:   "zoho",
		from:   []string{"mailer-daemon@mail.zoho.com"},
		header: []string{"x-mailer: zoho mail"},
		lead:   []string{"address:"},
	},
	{
		// GMX and mail.com (an Exim look-alike): "The following address failed:
		// <a@b> Reason: ...". Sample: lhost-gmx-04.
		name:   "gmx",
		from:   []string{"mailer-daemon@mail.gmx", "mailer-daemon@gmx.", "mailer-daemon@mail.com"},
		header: []string{"x-gmx-"},
		start:  []string{"address failed:", "following address"},
	},
	{
		// Mail.ru (Exim with a Russian preface). Samples: lhost-mailru-*.
		name:  "mailru",
		from:  []string{"@corp.mail.ru", "@mail.ru"},
		text:  []string{"сервером mail.ru"},
		start: []string{"address(es) failed", "получателям:", "получателю:"},
		end:   []string{"рекомендуем вам проверить", "------ this is a copy of"},
		parse: readExim,
	},
	{
		// MXLogic (McAfee SaaS, Exim-based): "The following address failed:
		// <a@b>: 550 ...". Sample: lhost-mxlogic-02.
		name:   "mxlogic",
		header: []string{"x-mxl-", "mxlogic"},
		text:   []string{"a message that you have sent could not be delivered"},
		start:  []string{"following address failed", "following addresses failed"},
	},
	{
		// Exim: "  a@b\n    host x [ip]: 550 ...", pipes "generated by", delays
		// "has not yet been delivered". Samples: lhost-exim-*.
		name: "exim",
		text: []string{"this message was created automatically by mail delivery software",
			"a message that you sent could not be delivered",
			"a message that you sent has not yet been delivered",
			"contained one or more recipient addresses that were"},
		start: []string{"address(es) failed",
			"has not yet been delivered is",
			"addresses to which the message has not yet been delivered",
			"could not be delivered to one or more of its",
			"has not yet been delivered to one or more",
			"incorrectly constructed"},
		end: []string{
			"------ this is a copy of",
			"------ the body of the message is",
			"no action is required on your part",
		},
		parse: readExim,
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
	{
		// Yahoo! Mail: "Sorry, we were unable to deliver your message to the
		// following address." then "<a@b>:" and "Remote host said: 550 ...".
		// Samples: lhost-yahoo-*.
		name:  "yahoo",
		text:  []string{"sorry, we were unable to deliver your message to the following address"},
		start: []string{"sorry, we were unable to deliver your message"},
		end:   []string{"--- below this line is a copy of the message"},
	},
	{
		// AOL (HTML): "We were unable to deliver your message to the following
		// address" then the address and "because: ...". Samples: rhost-aol-01, -02.
		name:  "aol",
		from:  []string{"postmaster@aol.com"},
		text:  []string{"aol inc. - all rights reserved"},
		start: []string{"we were unable to deliver your message to the following address"},
		end:   []string{"send/receive log is attached"},
	},
	{
		// Symantec Email Security.cloud (MessageLabs): "I was unable to deliver
		// your message to the following addresses:" then "Reason: 550 ...".
		// Samples: rhost-messagelabs-*.
		name:  "messagelabs",
		text:  []string{"symantec email security.cloud", "messagelabs"},
		start: []string{"unable to deliver your message to the following addresses"},
		end:   []string{"the message subject was:"},
	},
	{
		// Mimecast: "an email you addressed to email address : -- a@b".
		// Samples: lhost-mimecast-02, rhost-mimecast-01.
		name:  "mimecast",
		text:  []string{"mimecast", "an email you addressed to email address"},
		start: []string{"an email you addressed to email address", "email address :"},
		lead:  []string{"-- "},
	},
	{
		// Sun/Oracle Messaging Server (iPlanet): "Recipient address: a@b",
		// "Reason:", "Diagnostic code: smtp;550 ...". Samples: lhost-messagingserver-*.
		name:  "messagingserver",
		text:  []string{"this report relates to a message you sent with the following header fields"},
		start: []string{"your message cannot be delivered to the following recipients", "recipient address:"},
		lead:  []string{"recipient address:"},
	},
	{
		// Trend Micro InterScan MSS: "Unable to deliver message to <a@b>", or
		// "Sent <<< RCPT TO:<a@b>" / "Received >>> 550 ...". Samples: lhost-trendmicro-*.
		name: "trendmicro",
		from: []string{"interscan", "trend micro"},
		text: []string{"interscan messaging security", "trend micro"},
		lead: []string{"unable to deliver message to", "rcpt to:"},
	},
	{
		// SurfControl E-mail Filter: "Addressed To: a@b", "Failed to send to
		// identified host, a@b: [ip], 550 ...". Sample: lhost-surfcontrol-01.
		name:   "surfcontrol",
		header: []string{"x-mailer: surfcontrol"},
		start:  []string{"failed to send to identified host"},
	},
	{
		// MailFoundry: "Unable to deliver message to: <a@b>" then "Delivery
		// failed for the following reason:". Sample: lhost-mailfoundry-02.
		name:  "mailfoundry",
		text:  []string{"delivery failed for the following reason:"},
		start: []string{"unable to deliver message to"},
		lead:  []string{"unable to deliver message to:"},
	},
	{
		// amavisd-new: "The message WAS NOT relayed to: <a@b>: [ip] said: 550 ...",
		// "A message from <x> to: -> a@b was considered unsolicited bulk e-mail".
		// Samples: lhost-amavis-*.
		name:  "amavis",
		from:  []string{"content-filter at"},
		text:  []string{"amavisd-new", "this nondelivery report was generated by the program amavisd"},
		start: []string{"was not relayed to", "to:"},
	},
	{
		// Barracuda Email Security Gateway / Spam Firewall: "Your message to:
		// a@b was blocked by our Spam Firewall" then "Reason: 550 ...".
		// Sample: testdata/samples/barracuda-01 (written for this package).
		name: "barracuda",
		from: []string{"barracuda"},
		text: []string{"blocked by our spam firewall", "barracuda email security"},
		lead: []string{"your message to:"},
		end:  []string{"if you believe this is an error"},
	},
	{
		// SendGrid: "local:id:<a@b> : ip : host:[ip] : 550 ... in RCPT TO".
		// Samples: lhost-sendgrid-*.
		name:  "sendgrid",
		text:  []string{"this is an automatically generated message from sendgrid"},
		parse: readSendGrid,
	},
	{
		// PowerMTA: "<a@b>  delivery failed; will not continue trying".
		// Sample: lhost-powermta-01.
		name: "powermta",
		text: []string{"delivery failed; will not continue trying", "delivery delayed; will continue trying"},
	},
	{
		// m-FILTER: "以下のメールアドレスへの送信に失敗しました。" then the address,
		// "-------server message" and "-------SMTP command". Samples: lhost-mfilter-*.
		name:   "mfilter",
		header: []string{"x-mailer: m-filter"},
		text:   []string{"m-filter"},
		end:    []string{"-------original message"},
	},
	{
		// IMail Server (SMTP32): "Unknown user: a@b", "undeliverable to a@b".
		// Samples: lhost-imailserver-*.
		name:   "imailserver",
		header: []string{"x-mailer: <smtp32", "x-mailer: <imail"},
		lead: []string{"unknown user:",
			"invalid final delivery userid:",
			"undeliverable to",
			"user mailbox exceeds allowed size:",
			"mail server for", "host unknown:", "unreachable:", "smtp error:"},
	},
	{
		// au one net / KDDI: "Could not be delivered to: <a@b>". Samples: lhost-kddi-*.
		name: "kddi",
		text: []string{"au one net", "could not be delivered to:"},
		lead: []string{"could not be delivered to:"},
	},
	{
		// EZweb (au): "Each of the following recipients was rejected by a remote
		// mail server." / "Recipient: <a@b>". Samples: lhost-ezweb-*.
		name: "ezweb",
		from: []string{"postmaster@ezweb.ne.jp"},
		lead: []string{"recipient:"},
	},
	{
		// NTT docomo: "<a@b>: Unknown user" after the docomo preface.
		// Samples: rhost-nttdocomo-* (via Postfix) and docomo's own notices.
		name: "docomo",
		from: []string{"mailer-daemon@docomo.ne.jp", "postmaster@docomo.ne.jp"},
	},
	{
		// Verizon Wireless MMS gateways: "Message could not be delivered to
		// mobile." and "RCPT TO: a@b". Samples: lhost-verizon-*.
		name:  "verizon",
		from:  []string{"post_master@vtext.com", "mmsc ndr administrator", "postmaster@vzwpix.com"},
		start: []string{"error:"},
		lead:  []string{"rcpt to:"},
	},
	{
		// fml mailing list manager: "You are not a member of this mailing list
		// <list@b>." The list refused the post. Sample: lhost-fml-02.
		name:     "fml",
		text:     []string{"you are not a member of this mailing list"},
		lead:     []string{"you are not a member of this mailing list"},
		leadOnly: true,
	},
	{
		// X6 (an unidentified MTA): "The following recipients returned permanent
		// errors: a@b. Reason: ...". Sample: lhost-x6-01.
		name: "x6",
		text: []string{"we had trouble delivering your message"},
		lead: []string{"returned permanent errors:", "returned temporary errors:"},
	},

	{
		// X2 (an unidentified MTA): "Unable to deliver message to the following
		// address(es)." / "Delivery failed: a@b". Samples: lhost-x2-*.
		name: "x2",
		text: []string{
			"unable to deliver message to the following address",
			"your delivery to the following address has been failed",
		},
		lead: []string{"delivery failed:"},
	},
}
