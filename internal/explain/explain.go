// Package explain turns a classifier verdict into words a person can act
// on: a one-line headline, what happened, whose side must act, and ordered
// steps, for one of three audiences (a marketer explaining a bounce to a
// client, the end user who sent the message, the administrator of a mail
// server) and in one of the languages of its catalogs (English, French).
//
// The texts are data: one table per language (text_en.go, text_fr.go) keyed
// by the reason vocabulary of testdata/bounces/REASONS.md, with variants
// where the side changes the story (relaying denied on the sender's or the
// recipient's side, or undecided) and for a bounce that returned an RFC 3834
// auto-reply. The facts of the bounce (recipient, domain, remote MTA, reply
// and enhanced status codes of RFC 5321 and RFC 3463, a diagnostic excerpt)
// are filled into the texts; see template.go for the template grammar and
// facts.go for the limits on each fact.
//
// A bounce whose returned original is an auto-reply is told as such
// whatever its reason (except delivered, feedback and vacation): the
// client's responder answered a platform address that refuses mail, and the
// client's mailbox is fine. "Returned original is an auto-reply" is
// classify.Verdict.OriginalIsAutoReply, the flag the wire carries, so the
// explanation and the flag always agree.
//
// A delay notice (action delayed, RFC 3464 2.3.3) is never explained as a
// final failure: its headline says delivery is still being tried and, when
// the report gives Will-Retry-Until, until when.
//
// Domain puts a domain assessment (classify.AssessDomain) into one line
// in every language of the catalogs.
//
// Deviations: language tags are matched on their primary subtag only
// ("fr-CA" is French), not by the full BCP 47 lookup of RFC 4647.
//
// Explain is pure: no I/O, no shared mutable state, safe for concurrent use.
// It is on the per-recipient hot path, so the tables are compiled once at
// init (the texts each verdict gets are chosen then too: lang.choices) and
// each call renders its texts into one buffer, except the fixed ones
// (without a slot or group: most steps) that are used as they are: two
// allocations at most (the text, the steps slice; one with ExplainInto and
// room for the steps) and about a microsecond (BenchmarkExplain).
package explain

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
)

// Audience is who an explanation is written for. The zero value is
// Marketer, as in the wire API where AUDIENCE_UNSPECIFIED means marketer.
type Audience int

const (
	// Marketer is an email marketer explaining a bounce to a client, in
	// plain words but with the detail a client asks about.
	Marketer Audience = iota
	// EndUser is the person who sent the message: short, no jargon.
	EndUser
	// Admin is the administrator of a mail server: configuration names,
	// commands, concrete checks.
	Admin

	numAudiences = 3
)

var audienceNames = [numAudiences]string{"MARKETER", "END_USER", "ADMIN"}

// String returns the wire name: "MARKETER", "END_USER" or "ADMIN".
func (a Audience) String() string {
	if a >= 0 && a < numAudiences {
		return audienceNames[a]
	}
	return "Audience(" + itoa(int(a)) + ")"
}

// Explanation is one recipient's verdict in words.
type Explanation struct {
	Audience     Audience // the audience written for
	Language     string   // language actually used ("en", "fr")
	Headline     string
	WhatHappened string
	WhoseSide    string
	Steps        []string // ordered
}

// Explain writes the explanation of v for one recipient. lang is a BCP 47
// tag ("fr", "fr-CA", "en-US"); unknown or empty falls back to English. An
// audience out of range is treated as Marketer. rep and rcpt may be nil;
// the texts then use general words for the missing facts.
func Explain(v classify.Verdict, rep *dsn.Report, rcpt *dsn.Recipient, aud Audience, lang string) Explanation {
	var e Explanation
	ExplainInto(&e, v, rep, rcpt, aud, lang)
	return e
}

// ExplainInto is Explain writing into *e, whose Steps, when they have room
// for the texts' steps, are written from Steps[:0] instead of into a new
// slice (so that a caller can keep them in an allocation of its own).
// Every other field of *e is replaced.
func ExplainInto(e *Explanation, v classify.Verdict, rep *dsn.Report, rcpt *dsn.Recipient, aud Audience, lang string) {
	ExplainIntoRoom(e, nil, v, rep, rcpt, aud, lang)
}

// ExplainIntoRoom is ExplainInto writing the texts into room when it has
// the capacity, instead of into a new allocation: the explanation's
// strings then share room's memory, which the caller must not write while
// they are in use (bounce.Engine.Release reuses it).
func ExplainIntoRoom(e *Explanation, room []byte, v classify.Verdict, rep *dsn.Report, rcpt *dsn.Recipient, aud Audience, lang string) {
	if aud < 0 || aud >= numAudiences {
		aud = Marketer
	}
	l := pickLang(lang)
	c := l.choose(v.Reason, v.Side, v.OriginalIsAutoReply, isDelay(rep, rcpt))
	l = langs[c.lang] // a language without the key: all of it in English
	t := &l.texts[c.texts][aud]
	whose := &t.whose
	if c.whose >= 0 {
		whose = &l.whoses[c.whose][aud]
	}
	p, tsteps := &l.pool, l.stepsOf(t)

	f := newFacts(rep, rcpt, v, l)
	n := t.all.size(&f)
	if !whose.fixed {
		n += whose.size(&f)
	}
	var b buffer
	switch {
	case n > 0 && cap(room) >= n:
		b.b = room[:0:n]
	case n > 0:
		b.b = make([]byte, 0, n)
	}
	// The texts that are not fixed go into one buffer; the fields are
	// slices of one string, which keeps an explanation at two allocations
	// (one with room for the steps), and the fixed texts are used as they
	// are.
	var ends [3 + maxSteps]int
	ends[0] = renderInto(&b, &t.headline, &f, p)
	ends[1] = renderInto(&b, &t.what, &f, p)
	ends[2] = renderInto(&b, whose, &f, p)
	for i := range tsteps {
		ends[3+i] = renderInto(&b, &tsteps[i], &f, p)
	}
	s := b.view() // b is not written again

	steps := e.Steps[:0]
	if cap(steps) < len(tsteps) {
		steps = make([]string, 0, len(tsteps))
	}
	start := 0
	text := func(t *tmpl, end int) string {
		if t.fixed {
			return t.text(p)
		}
		r := s[start:end]
		start = end
		return r
	}
	*e = Explanation{
		Audience:     aud,
		Language:     l.tag,
		Headline:     text(&t.headline, ends[0]),
		WhatHappened: text(&t.what, ends[1]),
		WhoseSide:    text(whose, ends[2]),
		Steps:        steps[:len(tsteps)],
	}
	for i := range e.Steps {
		e.Steps[i] = text(&tsteps[i], ends[3+i])
	}
	addDNS(e, v, l)
}

// renderInto renders t (of pool p) into b unless it is fixed, and
// returns where b then ends.
func renderInto(b *buffer, t *tmpl, f *facts, p *pool) int {
	if !t.fixed {
		t.render(b, f, p)
	}
	return b.Len()
}

// isDelay reports a recipient whose delivery is still being tried: action
// delayed (RFC 3464 2.3.3), or no action in a delay notice.
func isDelay(rep *dsn.Report, rcpt *dsn.Recipient) bool {
	if rcpt != nil && rcpt.Action != "" {
		return strings.EqualFold(string(rcpt.Action), string(dsn.ActionDelayed))
	}
	return rep != nil && rep.Kind == dsn.KindDelay
}

// maxSteps bounds the steps of one text; compile rejects a longer list.
const maxSteps = 16

// pickLang returns the catalog for a BCP 47 tag, English when none fits.
func pickLang(tag string) *lang {
	for _, l := range langs {
		if tag == l.tag { // the usual call: "", "en" or "fr"
			return l
		}
	}
	if tag == "" {
		return english
	}
	// QUIRK: "fr_CA" (POSIX locale style) and a leading list entry of an
	// Accept-Language value ("fr-CA,fr;q=0.9") are read too: only the
	// primary subtag before '-', '_', ',' or ';' is compared, without case.
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_,;"); i >= 0 {
		tag = tag[:i]
	}
	for _, l := range langs {
		if strings.EqualFold(tag, l.tag) {
			return l
		}
	}
	return english
}

func itoa(n int) string {
	var b buffer
	writeInt(&b, n)
	return b.String()
}

// buffer is what an explanation's texts are written into: a byte slice
// with the few writes the writers use, without a strings.Builder's copy
// check on each.
type buffer struct{ b []byte }

func (w *buffer) add(s string)   { w.b = append(w.b, s...) }
func (w *buffer) addByte(c byte) { w.b = append(w.b, c) }
func (w *buffer) addRune(r rune) { w.b = utf8.AppendRune(w.b, r) }
func (w *buffer) Len() int       { return len(w.b) }
func (w *buffer) String() string { return string(w.b) }
func (w *buffer) view() string   { return unsafe.String(unsafe.SliceData(w.b), len(w.b)) }
