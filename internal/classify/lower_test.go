package classify

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// TestLowerRune checks lowerRune against unicode.ToLower for every rune.
func TestLowerRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if got, want := lowerRune(r), unicode.ToLower(r); got != want {
			t.Fatalf("lowerRune(%U) = %U, want %U", r, got, want)
		}
	}
}

// TestToLower checks toLower and appendLower against strings.ToLower,
// invalid UTF-8 included (strings.ToLower writes U+FFFD for a bad byte).
func TestToLower(t *testing.T) {
	cases := []string{
		"", "abc", "ABC 550 5.1.1", "Ünbekannter Empfänger", "ADRESSE INVALIDE: ÉCHEC",
		"宛先不明 User Unknown", "İSTANBUL Kelvin \u212a", "\u023a\u023e", "ＦＵＬＬＷＩＤＴＨ",
		"bad \xff\xfe bytes \xc3", "\xe3\x81", "ok\uFFFDok", "𐐀 Deseret", "\xf0\x90\x90",
	}
	// Every rune with a case mapping, and one of each UTF-8 length.
	var all strings.Builder
	for r := rune(0x80); r < 0x3000; r++ {
		if unicode.ToLower(r) != r {
			all.WriteRune(r)
		}
	}
	cases = append(cases, all.String())
	for _, s := range cases {
		want := strings.ToLower(s)
		if got := toLower(s); got != want {
			t.Errorf("toLower(%q) = %q, want %q", s, got, want)
		}
		if got := string(appendLower([]byte("x"), s)); got != "x"+want {
			t.Errorf("appendLower(%q) = %q, want %q", s, got, "x"+want)
		}
		if !utf8.ValidString(toLower(s)) {
			t.Errorf("toLower(%q) is not valid UTF-8", s)
		}
	}
}

// FuzzToLower: toLower agrees with strings.ToLower on any input.
func FuzzToLower(f *testing.F) {
	f.Add("Ünbekannter Empfänger \xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := toLower(s), strings.ToLower(s); got != want {
			t.Errorf("toLower(%q) = %q, want %q", s, got, want)
		}
	})
}

// collapseLowerRef is collapseLower as first written: strings.ToLower,
// then white space folded byte by byte.
func collapseLowerRef(s string) string {
	s = strings.ToLower(s)
	var b []byte
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// FuzzCollapseLower: collapseLower agrees with the two-pass reference.
func FuzzCollapseLower(f *testing.F) {
	for _, s := range []string{"550 5.1.1  User\tUnknown\r\n", "  A  ", "Ünbekannter\n Empfänger \xff", "\x00\x7f\xfe\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(collapseLower(nil, s)), collapseLowerRef(s); got != want {
			t.Errorf("collapseLower(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestIsASCII: every length around the eight-byte steps, a non-ASCII byte
// at every position.
func TestIsASCII(t *testing.T) {
	for n := 0; n < 20; n++ {
		s := strings.Repeat("a", n)
		if !isASCII(s) {
			t.Errorf("isASCII(%q) = false", s)
		}
		for i := 0; i < n; i++ {
			b := []byte(s)
			b[i] = 0x80
			if isASCII(string(b)) {
				t.Errorf("isASCII(%q) = true", b)
			}
		}
	}
}

// FuzzRound2: the remembered answers are the formatted and parsed ones,
// asked twice (the second from the cache).
func FuzzRound2(f *testing.F) {
	for _, x := range []float64{0.125, 0.625, 0.85 - 0.15, (0.85 + 0.4) / 2, 1.005, -0.005, 0} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		want, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
		for range 2 {
			if got := round2(x); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("round2(%v) = %v, want %v", x, got, want)
			}
		}
	})
}

// TestScanReportText: scanning a one-recipient ASCII text as it is (the
// matcher folds case) finds what scanning its lower-cased copy finds.
func TestScanReportText(t *testing.T) {
	texts := []string{
		"The Mail Server REJECTED your message: USER UNKNOWN.",
		"Delivery to the following recipient failed permanently:\n\n    Mailbox FULL, Quota Exceeded",
		"HOST MAIL.RSPAMD-USER.EXAMPLE said: Spam detected",
		strings.Repeat("x", MaxTextBytes-5) + " MAILBOX FULL",
	}
	for _, text := range append(texts, phraseList...) {
		rep := &dsn.Report{Text: strings.ToUpper(text), Recipients: []dsn.Recipient{{Recipient: "a@example.org"}}}
		var got, want hitSet
		if !scanReportText(rep, &rep.Recipients[0], &got) {
			t.Fatalf("scanReportText(%q) = false", text)
		}
		phrases.ScanWords(reportText(rep, &rep.Recipients[0]), &want)
		if got != want {
			t.Errorf("scanReportText(%q) found other phrases than scanning the lower-cased text", rep.Text)
		}
	}
}

// normalizeDiagRef is normalizeDiag as first written (collapseLowerRef,
// then the patterns built by concatenation): the reference it must agree
// with.
func normalizeDiagRef(s string, reply smtpcode.ReplyCode, st smtpcode.Status) string {
	out := collapseLowerRef(s)
	if reply == 0 {
		return out
	}
	r := reply.String()
	if !st.IsZero() {
		if s := st.String(); strings.Contains(out, r+"-"+s+" ") || strings.Contains(out, r+" "+s+" ") {
			return dropRepeats(dropRepeats(out, r+"-"+s+" ", ""), r+" "+s+" ", "")
		}
	}
	if strings.HasPrefix(out, r) {
		return strings.ReplaceAll(strings.ReplaceAll(out, " "+r+"-", " "), " "+r+" ", " ")
	}
	return dropRepeats(dropRepeats(out, " "+r+"-", " "), " "+r+" ", " ")
}

// FuzzNormalizeDiag: normalizeDiag agrees with the reference.
func FuzzNormalizeDiag(f *testing.F) {
	f.Add("550-5.7.1 Messages with multiple\r\n550-5.7.1 addresses in from:\r\n550 5.7.1 are refused", 550, 5, 7, 1)
	f.Add("550 user unknown 550 550-", 550, 0, 0, 0)
	f.Add("<a@b> 505 50505 x 505-y", 505, 5, 0, 5)
	f.Fuzz(func(t *testing.T, s string, reply, c, sub, d int) {
		rc := smtpcode.ReplyCode(reply & 0x3ff)
		st := smtpcode.Status{Class: c & 7, Subject: sub & 0x3ff, Detail: d & 0x3ff}
		want := normalizeDiagRef(s, rc, st)
		if got := normalizeDiag(new([]byte), s, rc, st); got != want {
			t.Errorf("normalizeDiag(%q, %v, %v) = %q, want %q", s, rc, st, got, want)
		}
		// A buffer used before, holding other text, gives the same.
		buf := []byte(strings.Repeat("Z", len(s)+10))
		if got := normalizeDiag(&buf, s, rc, st); got != want {
			t.Errorf("normalizeDiag(%q, %v, %v) with a used buffer = %q, want %q", s, rc, st, got, want)
		}
	})
}

// FuzzScanReportText: the phrases scanReportText finds in a report with
// one recipient, whatever its text (any script, invalid UTF-8, the capped
// length), are those of the lower-cased copy (strings.ToLower), which it
// scans without making unless the text has a rune whose lower case is
// ASCII.
func FuzzScanReportText(f *testing.F) {
	for _, s := range []string{"User Unknown", "宛先不明 User Unknown", "ÜSER UNKNOWN", "bad \xff USER UNKNOWN", "\xe3\x81", "ok\uFFFD", "ＦＵＬＬ",
		"Mailbox FULL", "ÉMAILBOX FULL", "вітаємо MAILBOX FULL", "Вітаємо", "\xd0A", "\u0130stanbul", "UNKNOWN USER \u0130", "over quota \u212a",
		"relay access denied", "RELAY ACCESS DENİED", "SPAM \u212aILLED", "xUSER UNKNOWN", "\u0130USER UNKNOWN", "\u00e9USER UNKNOWN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rep := &dsn.Report{Text: s, Recipients: []dsn.Recipient{{Recipient: "a@example.org"}}}
		var got, want hitSet
		ok := scanReportText(rep, &rep.Recipients[0], &got)
		if ok != (s != "") {
			t.Fatalf("scanReportText(%q) = %v", s, ok)
		}
		if ok {
			phrases.ScanWords(strings.ToLower(s[:min(len(s), MaxTextBytes)]), &want)
		}
		if got != want {
			t.Errorf("scanReportText(%q) found other phrases than scanning strings.ToLower of it", s)
		}
	})
}

// TestLowerIntoASCII: the runes whose lower case is ASCII are the two
// lowersIntoASCII looks for.
func TestLowerIntoASCII(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		l := unicode.ToLower(r)
		want := r == 0x130 || r == 0x212a
		if (l < utf8.RuneSelf) != want {
			t.Errorf("unicode.ToLower(%U) = %U", r, l)
		}
		if want && !lowersIntoASCII(string(r)) {
			t.Errorf("lowersIntoASCII(%q) = false", string(r))
		}
	}
	if lowersIntoASCII("Ünbekannt ÉTÉ вітаємо \xff") {
		t.Error("lowersIntoASCII of text without U+0130 or U+212A = true")
	}
}

// TestCollapseLowerChunks: strings made of the bytes at the edges of
// plainChunk's tests (space, tab, CR, LF, controls, '@', 'A', 'Z', '[',
// '`', 'a', 'z', '{', '~', DEL, non-ASCII), and runes that grow, shrink or
// keep their length when lower-cased, at every alignment, agree with the
// reference.
func TestCollapseLowerChunks(t *testing.T) {
	alphabet := []string{" ", " ", "\t", "\r", "\n", "\x00", "\x1f", "!", "@", "A", "Z", "[", "`", "a", "z", "{", "~", "\x7f", "é", "É", "\xff",
		// Runes whose lower case is longer (U+023A) or shorter (U+0130,
		// U+212A), caseless ones of two and three bytes, four-byte ones
		// with and without a case, U+FFFD, and broken or invalid forms
		// (truncated, overlong, surrogate, stray continuation).
		"\u023a", "\u0130", "\u212a", "\u05d0", "\u0915", "\u3042", "\u03a3", "\u0416", "\U00010400", "\U0001f600", "\ufffd",
		"\xe3\x81", "\xc3", "\xe0\x80\x80", "\xed\xa0\x80", "\x80", "\xf0\x90\x90"}
	// Mostly plain text (letters, single spaces), so that plainLower's
	// words end at every position of a break in it.
	plain := []string{"a", "B", "z", "Q", "5", ".", "@", " ", " ", "a", "B", "z", "Q", "5", ".", "@", " ", " ", "  ", "\t", "\r\n", "É", "\u3042", "\xff"}
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for k := range 300000 {
		abc := alphabet
		if k%3 == 2 {
			abc = plain
		}
		var sb strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			sb.WriteString(abc[rng.IntN(len(abc))])
		}
		s := sb.String()
		buf = collapseLower(buf[:0], s)
		if got, want := string(buf), collapseLowerRef(s); got != want {
			t.Fatalf("collapseLower(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestLowerTrim: lowerTrim is strings.ToLower(strings.TrimSpace(s)).
func TestLowerTrim(t *testing.T) {
	for _, s := range []string{"", " ", "failed", "Failed", " failed", "failed\t", "\u0085failed", "failed\u00a0", "SMTP", "x-unix", "DÉLIVRÉ", "a\xffb", "\xff"} {
		if got, want := lowerTrim(s), strings.ToLower(strings.TrimSpace(s)); got != want {
			t.Errorf("lowerTrim(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestFirstOfList: the one-pass search of each fixed list gives firstOf's
// answer (the first phrase of the list in the text), on texts made of
// pieces of the list's phrases, whole phrases and other words.
func TestFirstOfList(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, l := range []firstOfList{temporaryFirst, relaySenderFirst, relayRecipientFirst, blocklistFirst} {
		var pieces []string
		for _, p := range l.list {
			pieces = append(pieces, p, p[:len(p)/2], p[len(p)/2:], " ")
		}
		pieces = append(pieces, "550 5.7.1", "relay access denied", "x")
		for range 20000 {
			var sb strings.Builder
			for n := rng.IntN(8); n > 0; n-- {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			s := sb.String()
			if got, want := l.first(s), firstOf(s, l.list); got != want {
				t.Fatalf("first(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

// FuzzScansAsIs: when scansAsIs says so, the phrases of a diagnostic are
// those of its folded form (normalizeDiag), whatever the status; and
// gather, which then scans the diagnostic as it is, finds the phrases of
// the folded form and folds it the same way when asked (lowDiag).
func FuzzScansAsIs(f *testing.F) {
	for _, s := range []string{"550 5.1.1 <A@B>: User Unknown", "550-5.7.1 Messages with multiple\r\n550-5.7.1 addresses", "USER  UNKNOWN",
		" user unknown", "user unknown ", "\u0130USER UNKNOWN", "RELAY ACCESS DENİED", "Γεια σας USER UNKNOWN", "ÜSER UNKNOWN", "bad \xff USER UNKNOWN",
		"550 user unknown 550", "5550 user unknown", "user\tunknown", "MAILBOX FULL\x01", "over quota \u212a", "a  b", "ab", " ", "x "} {
		f.Add(s, 550, 5, 1, 1)
	}
	f.Fuzz(func(t *testing.T, s string, reply, c, sub, d int) {
		rc := smtpcode.ReplyCode(reply & 0x3ff)
		st := smtpcode.Status{Class: c & 7, Subject: sub & 0x3ff, Detail: d & 0x3ff}
		folded := normalizeDiag(new([]byte), s, rc, st)
		var want hitSet
		phrases.ScanWords(folded, &want)
		if scansAsIs(s, rc) {
			var got hitSet
			phrases.ScanWords(s, &got)
			if got != want {
				t.Errorf("scansAsIs(%q, %v) = true, but its phrases differ from those of %q", s, rc, folded)
			}
		}
		if len(s) > MaxDiagnosticBytes {
			return // gather caps it
		}
		var fa facts
		fa.gather(&dsn.Report{}, &dsn.Recipient{Diagnostic: s, ReplyCode: rc, Status: st}, new([]byte))
		if fa.hits != want {
			t.Errorf("gather(%q) found other phrases than those of %q", s, folded)
		}
		if got := fa.lowDiag(); got != folded {
			t.Errorf("lowDiag(%q) = %q, want %q", s, got, folded)
		}
	})
}

// TestScansAsIsCorpus: the corpus's diagnostics mostly take the shortcut,
// and gather finds in each the phrases of its folded form.
func TestScansAsIsCorpus(t *testing.T) {
	n, asIs := 0, 0
	for file, rep := range corpusReports(t) {
		for i := range rep.Recipients {
			rc := &rep.Recipients[i]
			var fa facts
			fa.gather(rep, rc, new([]byte))
			var want hitSet
			phrases.ScanWords(normalizeDiag(new([]byte), fa.rawDiag, fa.reply, fa.status), &want)
			if fa.hits != want {
				t.Errorf("%s: gather(%q) found other phrases than those of the folded diagnostic", file, rc.Diagnostic)
			}
			n++
			if scansAsIs(fa.rawDiag, fa.reply) {
				asIs++
			}
		}
	}
	t.Logf("%d of %d diagnostics scanned as they are", asIs, n)
	if n == 0 || asIs < n/2 {
		t.Errorf("%d of %d diagnostics scanned as they are, want most", asIs, n)
	}
}
