package dsn

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// htmlToTextBoth returns what htmlToTextFast and the tokenizer make of b,
// and whether the fast path took it.
func htmlToTextBoth(b []byte) (fast, tok string, took bool) {
	var sb strings.Builder
	took = htmlToTextFast(b, &sb)
	return finishHTMLText(&sb), htmlToTextTokenizer(b), took
}

// corpusHTMLParts returns the decoded text/html parts of the corpus and
// the sample messages, as walk keeps them for htmlText.
func corpusHTMLParts(t testing.TB) [][]byte {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "maildir", "*", "*.eml"))
	samples, _ := filepath.Glob(filepath.Join("testdata", "samples", "*.eml"))
	var parts [][]byte
	for _, f := range append(files, samples...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fields []headerField
		p := parser{opts: Options{}.withDefaults(), rep: &Report{}, fields: &fields}
		p.run(normalizeNewlines(trimLeadingSpace(raw)))
		parts = append(parts, p.html...)
	}
	if len(parts) < 5 {
		t.Fatalf("only %d HTML parts in the corpus", len(parts))
	}
	return parts
}

// TestHTMLToTextFast checks that htmlToTextFast and the tokenizer agree on
// every HTML part of the corpus, on every prefix of the shorter ones (each
// state the input can end in), and on the edge cases of the states it
// follows.
func TestHTMLToTextFast(t *testing.T) {
	check := func(name string, b []byte) {
		t.Helper()
		fast, tok, took := htmlToTextBoth(b)
		if took && fast != tok {
			t.Errorf("%s: htmlToTextFast(%.200q)\n = %.300q\nthe tokenizer's: %.300q", name, b, fast, tok)
		}
	}
	parts := corpusHTMLParts(t)
	took := 0
	for i, b := range parts {
		check("corpus part", b)
		if fast, _, ok := htmlToTextBoth(b); ok && fast != "" {
			took++
		}
		if i%3 == 0 {
			step := max(1, len(b)/400)
			for n := 0; n < len(b); n += step {
				check("corpus prefix", b[:n])
			}
		}
		check("upper case", []byte(strings.ToUpper(string(b))))
		check("CRLF", []byte(strings.ReplaceAll(string(b), "\n", "\r\n")))
	}
	if took < len(parts)/2 {
		t.Errorf("the fast path took %d of %d corpus HTML parts", took, len(parts))
	}
	cases := []string{
		"", "<", "a<", "a</", "a<!", "a<!-", "a<?", "a<b", "<p", "<p ", "<p a", "<p a=", "<p a='x", `<p a="x" b`,
		"x<p>y", "x<1>y", "x<<p>y", "a</>b", "a</ p>b", "a</p x='>'>b", "a<!doctype html>b", "a<!DOCTYPE>b", "a<!>b",
		"a<?xml version='1.0'?>b", "a<!-->b", "a<!--->b", "a<!---->b", "a<!-- x -->b", "a<!-- x --!>b", "a<!-- x --!->b",
		"a<!-- x --!x-->b", "a<!-- -- >b-->c", "a<!-- x ->b", "a<!--x", "a<!--x--", "a<!--x--!",
		"<p =a>x</p>", "<p a = b>x", "<p a=b/>x", "<p/a>x", "<p a=>x", "<p a='>'>x", `<p a=">">x`, "<p a=b\tc=d>x",
		"<br/>x", "<BR>x", "<Div>x</DIV>y", "<td>1</td><td>2</td>", "<h1>t</h1><blockquote>q</blockquote>",
		"<style>p{}</style>x", "<style>a</stylex></style>b", "<STYLE>a</Style >b", "<style>a</style/>b", "<style>a",
		"<style>a</styl", "<style>a</style", "<style/>a</style>b", "<style a=/>a</style>b", "</style>x<style>y</style>z",
		"<title>T&amp;C</title>x", "<title>a\x00b</title>", "<title>a</titlex>b</title>c", "<title>x",
		"<script>a</script>b", "<textarea>a</textarea>", "<xmp>a</xmp>", "<noscript>a</noscript>",
		"a&amp;b&lt;c&gt;&nbsp;d&#233;&#x41;&unknown;&amp", "a\x00b", "a\r\nb\rc\r\r\nd", "<p>a\r\n</p>",
		"&nGt;&acE;&#128;&#0;", "<p>caf\xe9</p>", "<p>\xe2\x82</p>", "x<a href=\"http://e.com/?a=1&b=2\">l</a>",
		"<preview>x</preview><pa>y</pa>", "<p\x00>x", "<p a\x00=b>x", "<\x80>x", "a< b", "a <= b", "<a\nhref=x\n>y</a\n>",
	}
	for _, c := range cases {
		check("case", []byte(c))
	}
	if _, _, ok := htmlToTextBoth([]byte("<p>plain</p>")); !ok {
		t.Error("htmlToTextFast left a plain paragraph to the tokenizer")
	}
	if _, _, ok := htmlToTextBoth([]byte("<script>x</script>")); ok {
		t.Error("htmlToTextFast read a script")
	}
}

// FuzzHTMLToTextFast compares htmlToTextFast with the tokenizer.
func FuzzHTMLToTextFast(f *testing.F) {
	for _, b := range corpusHTMLParts(f) {
		f.Add(b)
	}
	f.Add([]byte("a<!-- x --!>b<p a='>'>c</p>&amp;<style>d</style><title>e</title>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, tok, took := htmlToTextBoth(b)
		if took && fast != tok {
			t.Errorf("htmlToTextFast(%q) = %q, the tokenizer's %q", b, fast, tok)
		}
	})
}

// TestHTMLToTextFastRandom compares htmlToTextFast with the tokenizer on
// inputs made of the pieces its states turn on, in random order.
func TestHTMLToTextFastRandom(t *testing.T) {
	pieces := []string{"<", ">", "/", "!", "?", "-", "--", "=", "'", `"`, " ", "\n", "\r", "\t", "\x00", "&", ";",
		"a", "p", "br", "div", "x", "style", "STYLE", "title", "Title", "doctype", "&amp;", "&lt", "&#65;", "&nbsp;",
		"é", "\xe9", "<p>", "</p>", "<!--", "-->", "--!>", "</style>", "</title>", "<style>", "<title>", "<a href=", "</"}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	seed := uint64(1)
	next := func(k int) int { // xorshift: the same inputs on every run
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(k))
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.Reset()
		for k := next(24); k > 0; k-- {
			sb.WriteString(pieces[next(len(pieces))])
		}
		b := []byte(sb.String())
		if fast, tok, took := htmlToTextBoth(b); took && fast != tok {
			t.Fatalf("htmlToTextFast(%q) = %q, the tokenizer's %q", b, fast, tok)
		}
	}
}

// TestFinishHTMLText: finishHTMLText, which turns no-break spaces into
// spaces in the builder's own memory, gives strings.ReplaceAll's text,
// lone 0xC2 and 0xA0 bytes and invalid UTF-8 included.
func TestFinishHTMLText(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pieces := []string{"a", " ", "\u00a0", "\xc2", "\xa0", "é", "\u00a0\u00a0", "\n", "\xc2\xc2\xa0"}
	for range 20000 {
		var in strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			in.WriteString(pieces[rng.IntN(len(pieces))])
		}
		want := strings.ReplaceAll(in.String(), "\u00a0", " ")
		var sb strings.Builder
		sb.WriteString(in.String())
		if got := finishHTMLText(&sb); got != want {
			t.Fatalf("finishHTMLText(%q) = %q, want %q", in.String(), got, want)
		}
	}
}
