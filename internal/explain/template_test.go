package explain

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/smtpcode"
)

// testFacts are the facts of lhost-sendmail-07.eml with English fallbacks.
func testFacts() facts {
	return facts{
		rcpt:     "kijitora@example.org",
		domain:   "example.org",
		mta:      "mailin-01.mx.example.com",
		command:  "RCPT",
		diag:     "554 5.7.1 <kijitora@example.org>: Relay access denied",
		status:   smtpcode.MustStatus("5.7.1"),
		reply:    554,
		fallback: &english.fallback,
	}
}

func render(t *testing.T, src string, f facts) string {
	t.Helper()
	var p pool
	tm, err := compile(src, &p)
	if err != nil {
		t.Fatalf("compile(%q): %v", src, err)
	}
	p.done()
	var b buffer
	tm.render(&b, &f, &p)
	if n := tm.size(&f); b.Len() > n {
		t.Errorf("render(%q) wrote %d bytes, size() promised at most %d", src, b.Len(), n)
	}
	return b.String()
}

func TestRender(t *testing.T) {
	full := testFacts()
	empty := facts{fallback: &english.fallback}
	tests := []struct {
		src  string
		f    facts
		want string
	}{
		// Grammar in template.go: literal, slot, group.
		{"plain text", full, "plain text"},
		{"{rcpt}", full, "kijitora@example.org"},
		{"to {rcpt} at {mta}.", full, "to kijitora@example.org at mailin-01.mx.example.com."},
		{"{code}|{reply}|{status}|{command}", full, "554 5.7.1|554|5.7.1|RCPT"},
		// An empty slot outside a group takes the language's words.
		{"to {rcpt} at {mta}.", empty, "to the recipient at the remote server."},
		// A group with an empty slot disappears whole.
		{"refused[[ ({code})]].", full, "refused (554 5.7.1)."},
		{"refused[[ ({code})]].", empty, "refused."},
		{"a[[ {mta} and {diag}]]b", facts{mta: "mx", fallback: &english.fallback}, "ab"},
		{"a[[ {mta} and {diag}]]b", facts{mta: "mx", diag: "d", fallback: &english.fallback}, "a mx and db"},
		// A group of literals only is always written.
		{"a[[b]]c", empty, "abc"},
		// Lone brackets are text (host names in diagnostics look like mx[192.0.2.1]).
		{"host [192.0.2.1] said", full, "host [192.0.2.1] said"},
		{"[x] [[{rcpt}]] [y]", full, "[x] kijitora@example.org [y]"},
		{"end]", full, "end]"},
		// Values are written as they are: a brace inside a fact is not a slot.
		{"{diag}", facts{diag: "say {rcpt} [[x]]", fallback: &english.fallback}, "say {rcpt} [[x]]"},
		// Codes without the other half.
		{"{code}", facts{reply: 421, fallback: &english.fallback}, "421"},
		{"{code}", facts{status: smtpcode.MustStatus("4.4.7"), fallback: &english.fallback}, "4.4.7"},
		{"{status}", facts{status: smtpcode.Status{Class: 5, Subject: 0, Detail: 909}, fallback: &english.fallback}, "5.0.909"},
	}
	for _, tt := range tests {
		if got := render(t, tt.src, tt.f); got != tt.want {
			t.Errorf("render(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		src  string
		want error
	}{
		{"{rcpt", errUnclosedSlot},        // no closing brace
		{"{nosuch}", errUnknownSlot},      // not in slotNames
		{"{}", errUnknownSlot},            // empty name
		{"{{rcpt}}", errUnknownSlot},      // text/template syntax is not ours
		{"a } b", errStrayBrace},          // closing brace alone
		{"[[a [[b]] c]]", errNestedGroup}, // groups do not nest
		{"[[a", errUnclosedGroup},         // no closing ]]
		{"a]]", errStrayGroupEnd},         // ]] alone
	}
	for _, tt := range tests {
		if _, err := compile(tt.src, new(pool)); !errors.Is(err, tt.want) {
			t.Errorf("compile(%q) error = %v, want %v", tt.src, err, tt.want)
		}
	}
	// The catalogs compile (init would have panicked otherwise); an invalid
	// table is reported with its language, key and audience.
	bad := &lang{tag: "xx", entries: map[key]entry{{Reason: "r"}: {Admin: texts{Headline: "{nope}", Steps: []string{"s"}}}}}
	if err := bad.compile(); err == nil || !strings.Contains(err.Error(), "xx r") {
		t.Errorf("compile of a bad catalog: error = %v, want one naming \"xx r\"", err)
	}
	if err := (&lang{tag: "xx", entries: map[key]entry{{Reason: "r"}: {}}}).compile(); err == nil {
		t.Errorf("compile of a text without steps: no error, want one")
	}
}

func TestWriteClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"ok", 10, "ok"},                                // fast path
		{"  a \t b\r\n c  ", 10, "a b c"},               // white space folded and trimmed
		{"a\x00b\x1bc\x7fd", 10, "a b c d"},             // C0 controls and DEL
		{"a\u0085b\u2028c\ufeffd", 10, "a b c d"},       // NEL, LINE SEPARATOR, BOM
		{"a\xffb", 10, "a\ufffdb"},                      // invalid UTF-8 replaced
		{"0123456789abc", 10, "0123456789…"},            // cut at max bytes
		{"01234567 9abc", 10, "01234567 9…"},            // the space counts
		{"012345678 abc", 10, "012345678…"},             // no space before the ellipsis
		{"ééééééé", 10, "ééééé…"},                       // cut on a rune boundary (2 bytes each)
		{"\xff\xff\xff\xff", 10, "\ufffd\ufffd\ufffd…"}, // replacement runes count 3 bytes
		{"", 10, ""},
	}
	for _, tt := range tests {
		var b buffer
		writeClean(&b, tt.in, tt.max)
		got := b.String()
		if got != tt.want {
			t.Errorf("writeClean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("writeClean(%q, %d) = %q, not UTF-8", tt.in, tt.max, got)
		}
		if n := len(strings.TrimSuffix(got, ellipsis)); n > tt.max {
			t.Errorf("writeClean(%q, %d) wrote %d bytes before the ellipsis", tt.in, tt.max, n)
		}
	}
}

// cleanRuneByRune is writeClean as first written, one rune at a time: the
// reference its run-at-a-time ASCII path must agree with.
func cleanRuneByRune(s string, max int) string {
	var b strings.Builder
	n, space, started := 0, false, false
	for _, r := range s { // an invalid byte is U+FFFD here, as in writeClean
		if isSpace(r) {
			space = started
			continue
		}
		extra := 0
		if space {
			extra = 1
		}
		if n+extra+utf8.RuneLen(r) > max {
			b.WriteString(ellipsis)
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		n += extra + utf8.RuneLen(r)
		started = true
	}
	return b.String()
}

// FuzzWriteClean: writeClean agrees with the rune-at-a-time reference at
// every cut.
func FuzzWriteClean(f *testing.F) {
	for _, s := range []string{"550 5.1.1  user  unknown", "  a \t b\r\n c  ", "ééé x\xffy", "01234567 9abc"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max&0xff + 1
		var b buffer
		writeClean(&b, s, max)
		if got, want := b.String(), cleanRuneByRune(s, max); got != want {
			t.Errorf("writeClean(%q, %d) = %q, want %q", s, max, got, want)
		}
	})
}

func TestFactLimits(t *testing.T) {
	// Each limit, crossed: a 1000-byte address and a 1000-byte diagnostic.
	long := strings.Repeat("x", 1000)
	f := facts{rcpt: long + "@example.org", diag: long, fallback: &english.fallback}
	tests := []struct {
		src string
		max int
	}{
		{"{rcpt}", MaxFactBytes},
		{"{diag}", MaxExcerptBytes},
	}
	for _, tt := range tests {
		got := render(t, tt.src, f)
		if want := strings.Repeat("x", tt.max) + ellipsis; got != want {
			t.Errorf("render(%q) = %d bytes %q..., want %d x and an ellipsis", tt.src, len(got), got[:min(len(got), 20)], tt.max)
		}
	}
	// Blank facts count as missing.
	blank := facts{rcpt: " \t\r\n", diag: "\x00", fallback: &english.fallback}
	if got := render(t, "{rcpt}[[ “{diag}”]]", blank); got != "the recipient" {
		t.Errorf("render of blank facts = %q, want %q", got, "the recipient")
	}
}

// TestWriteCleanChunks: strings of the bytes at the edges of swar.Plain's
// tests, and mostly plain ones, at every alignment and cut, agree with the
// rune-at-a-time reference.
func TestWriteCleanChunks(t *testing.T) {
	alphabet := []string{" ", " ", " ", "\t", "\n", "\x00", "\x1f", "!", "a", "Z", "~", "\x7f", "é", "\u0085", "\xff"}
	// Mostly plain text too, so that plainWords's words end at every
	// position of a break in it.
	plain := []string{"a", "Z", "!", "5", "@", " ", "a", "Z", "!", "5", "@", " ", "  ", "\t", "\x7f", "é", "\xff"}
	rng := rand.New(rand.NewPCG(5, 6))
	for k := range 300000 {
		abc := alphabet
		if k%3 == 2 {
			abc = plain
		}
		var sb strings.Builder
		for n := rng.IntN(48); n > 0; n-- {
			sb.WriteString(abc[rng.IntN(len(abc))])
		}
		s, max := sb.String(), 1+rng.IntN(40)
		var b buffer
		writeClean(&b, s, max)
		if got, want := b.String(), cleanRuneByRune(s, max); got != want {
			t.Fatalf("writeClean(%q, %d) = %q, want %q", s, max, got, want)
		}
	}
}

// TestWriteInt: the digit-by-digit path for codes agrees with strconv.
func TestWriteInt(t *testing.T) {
	for _, n := range []int{-1000, -1, 0, 1, 9, 10, 99, 100, 550, 999, 1000, 12345} {
		var b buffer
		writeInt(&b, n)
		if got, want := b.String(), strconv.Itoa(n); got != want {
			t.Errorf("writeInt(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFixedTexts checks the texts ExplainInto uses without rendering them
// (tmpl.fixed): every compiled text of every catalog renders, with the
// facts given or with none, exactly as its kept text, and a text that is
// not fixed has a slot or a group (so that the slow path is not taken for
// nothing).
func TestFixedTexts(t *testing.T) {
	check := func(where string, tm *tmpl, p *pool) {
		t.Helper()
		hasSlot := false
		for _, q := range p.parts[tm.first:tm.end] {
			hasSlot = hasSlot || q.slot != slotNone || q.group
		}
		if tm.fixed == hasSlot {
			t.Errorf("%s: fixed = %v with slots or groups %v", where, tm.fixed, hasSlot)
		}
		if !tm.fixed {
			return
		}
		for _, f := range []facts{testFacts(), {fallback: &english.fallback}} {
			var b buffer
			tm.render(&b, &f, p)
			if b.String() != tm.text(p) {
				t.Errorf("%s: renders %q, kept text %q", where, b.String(), tm.text(p))
			}
		}
	}
	fixed, all := 0, 0
	for _, l := range langs {
		for k, i := range l.compiled {
			c := &l.texts[i]
			for a := range c {
				ct := &c[a]
				where := l.tag + " " + k.String() + " " + Audience(a).String()
				for _, tm := range append([]*tmpl{&ct.headline, &ct.what, &ct.whose}, func() []*tmpl {
					var ps []*tmpl
					steps := l.stepsOf(ct)
					for i := range steps {
						ps = append(ps, &steps[i])
					}
					return ps
				}()...) {
					check(where, tm, &l.pool)
					all++
					if tm.fixed {
						fixed++
					}
				}
			}
		}
		for side, i := range l.cwhose {
			c := &l.whoses[i]
			for a := range c {
				check(l.tag+" whose "+string(side)+" "+Audience(a).String(), &c[a], &l.pool)
			}
		}
	}
	t.Logf("%d of %d texts fixed", fixed, all)
	if fixed == 0 {
		t.Error("no text is fixed: the catalogs' steps are mostly plain sentences")
	}
}

// TestCompiledHoldsNoPointers: the compiled form's element types (a
// text, its parts, an entry's texts, a choice) hold no pointer, so that
// the garbage collector marks the few arrays of a catalog, not an object
// per text (lang.pool).
func TestCompiledHoldsNoPointers(t *testing.T) {
	var hasPointers func(reflect.Type) bool
	hasPointers = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Array:
			return hasPointers(ty.Elem())
		case reflect.Struct:
			for i := range ty.NumField() {
				if hasPointers(ty.Field(i).Type) {
					return true
				}
			}
			return false
		case reflect.Pointer, reflect.UnsafePointer, reflect.Slice, reflect.String, reflect.Map,
			reflect.Interface, reflect.Func, reflect.Chan:
			return true
		}
		return false
	}
	for _, v := range []any{tmpl{}, part{}, [numAudiences]ctexts{}, [numAudiences]tmpl{}, choice{}} {
		if ty := reflect.TypeOf(v); hasPointers(ty) {
			t.Errorf("%v holds a pointer", ty)
		}
	}
	if !hasPointers(reflect.TypeOf(srcPart{})) {
		t.Error("hasPointers misses srcPart's string")
	}
}
