package explain

import (
	"fmt"
	"slices"

	"github.com/bounced/bounced/internal/classify"
)

// A catalog is one language's texts: a table of entries keyed by reason,
// narrowed by side where the side changes the story, plus the variants for
// a bounce of an auto-reply. The tables live in text_<tag>.go, one file per
// language, and are compiled once at init.
//
// Lookup for a verdict (see resolve):
//
//  1. the returned original is an auto-reply: {reason, auto-reply}, then
//     {any reason, auto-reply};
//  2. {reason, side};
//  3. {reason} — the story of the side the reason usually has (storySide);
//  4. {undefined}.
//
// The English catalog decides which key is used; every other language must
// hold the same keys (a test checks it), and if one does not, the whole
// explanation is given in English rather than in a mix of languages.
//
// To add a language: copy text_en.go to text_<tag>.go, rename the variable,
// set tag and translate every string (slots and [[groups]] stay as they are,
// each text keeps its number of steps), then append it to langs.

// texts is what one audience reads about one key.
type texts struct {
	Headline string
	What     string // what happened
	Whose    string // whose side must act, and why
	Steps    []string
}

// entry is the explanation of one key for each audience.
type entry struct {
	Marketer, EndUser, Admin texts
}

// lines is one sentence per audience.
type lines struct {
	Marketer, EndUser, Admin string
}

// key selects an entry.
type key struct {
	Reason    classify.Reason // "" with AutoReply or Delay: any reason
	Side      classify.Side   // "": the reason's usual story
	AutoReply bool            // the bounce returned an auto-reply
	Delay     bool            // a delay notice: delivery is still being tried
}

func (k key) String() string {
	s := string(k.Reason)
	if s == "" {
		s = "*"
	}
	if k.Side != "" {
		s += "/" + string(k.Side)
	}
	if k.AutoReply {
		s += "/autoreply"
	}
	if k.Delay {
		s += "/delay"
	}
	return s
}

// lang is a language's catalog as written in text_<tag>.go, and its
// compiled form.
type lang struct {
	tag string // BCP 47 primary language subtag
	// fallback are the words written for a slot that has no value, outside
	// an optional group: "the receiving server".
	fallback [numSlots]string
	// whose says whose side must act, for a verdict whose side is not the
	// one the entry's story assumes.
	whose map[classify.Side]lines
	// entries is the table.
	//
	// compile drops whose and entries once it has compiled them: the
	// garbage collector would otherwise walk their thousands of strings
	// and step lists each cycle (7 % of a forced cycle's instructions in
	// the engine's benchmark). Tests read the compiled form.
	entries map[key]entry

	// The compiled form: entry k's texts are texts[compiled[k]], their
	// steps a range of steps, the sentences on whose side
	// whoses[cwhose[side]], and every part and literal of them is in
	// pool. None of it but the two small maps and the slices' headers
	// holds a pointer, so that a garbage collection cycle marks a few
	// objects here instead of thousands (see pool).
	id       uint8 // its index in langs
	pool     pool
	compiled map[key]int32
	texts    [][numAudiences]ctexts
	steps    []tmpl
	cwhose   map[classify.Side]int32
	whoses   [][numAudiences]tmpl
	choices  [][numChoiceSides][2][2]choice // see choose; by choiceReason, choiceSide, auto, delay
}

// ctexts is texts compiled; its steps are in its lang's steps.
type ctexts struct {
	headline, what, whose tmpl
	first, nsteps         uint32 // its steps: lang.steps[first:first+nsteps]
	// all counts the literal bytes and slots of headline, what and steps
	// together (no parts), so that one size call bounds them; the fixed
	// ones (tmpl.fixed) are not rendered, so not counted.
	all tmpl
}

// choice is what Explain writes for a verdict in a language: the texts
// of the resolved key and, when the key's story is not told for the
// verdict's side, the language's sentence on whose side must act.
type choice struct {
	lang  uint8 // the language used (its id): English when lang lacks the key
	texts int32 // the language's texts[texts]
	whose int32 // its whoses[whose]; -1: texts' own whose
}

// stepsOf returns the steps of c, one of l's texts.
func (l *lang) stepsOf(c *ctexts) []tmpl { return l.steps[c.first : c.first+c.nsteps] }

// choose returns the texts for a verdict (resolve, then the compiled
// entry and the sentence on whose side). The choices for every reason of
// the vocabulary (and its aliases) and every side are made once at init
// and kept in an array by reason number and side (lang.choices); others
// are made on each call.
func (l *lang) choose(reason classify.Reason, side classify.Side, autoReply, delay bool) choice {
	if r, ok := choiceReason[reason]; ok {
		if s := choiceSide(side); s >= 0 {
			return l.choices[r][s][b2i(autoReply)][b2i(delay)]
		}
	}
	return l.makeChoice(reason, side, autoReply, delay)
}

// choiceReasons are the reasons lang.choices holds, in its order:
// the vocabulary, then the aliases; choiceReason numbers them.
var choiceReasons = func() []classify.Reason {
	var reasons []classify.Reason
	for _, ri := range classify.Reasons {
		reasons = append(reasons, ri.Reason)
	}
	for a := range aliases {
		reasons = append(reasons, a)
	}
	slices.Sort(reasons[len(classify.Reasons):]) // the aliases in a fixed order
	return reasons
}()

var choiceReason = func() map[classify.Reason]int {
	m := make(map[classify.Reason]int, len(choiceReasons))
	for i, r := range choiceReasons {
		m[r] = i
	}
	return m
}()

// choiceSides are the sides lang.choices holds, in its order.
var choiceSides = [numChoiceSides]classify.Side{"", classify.SideSender, classify.SideRecipient, classify.SideNetwork, classify.SideUnknown}

const numChoiceSides = 5

// choiceSide is the index of side in choiceSides, -1 when none.
func choiceSide(side classify.Side) int {
	switch side {
	case "":
		return 0
	case classify.SideSender:
		return 1
	case classify.SideRecipient:
		return 2
	case classify.SideNetwork:
		return 3
	case classify.SideUnknown:
		return 4
	}
	return -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (l *lang) makeChoice(reason classify.Reason, side classify.Side, autoReply, delay bool) choice {
	auto := autoReply && !noAutoReplyVariant[reason]
	k, specific := resolve(reason, side, auto, delay)
	cl := l
	t, ok := l.compiled[k]
	if !ok {
		cl, t = english, english.compiled[k]
	}
	c := choice{lang: cl.id, texts: t, whose: -1}
	if !specific {
		if side == "" {
			side = classify.SideUnknown
		}
		if w, ok := cl.cwhose[side]; ok {
			c.whose = w
		}
	}
	return c
}

// makeChoices fills l.choices; the catalogs are compiled.
func (l *lang) makeChoices() {
	l.choices = make([][numChoiceSides][2][2]choice, len(choiceReasons))
	for r, reason := range choiceReasons {
		for s, side := range choiceSides {
			for auto := range 2 {
				for delay := range 2 {
					l.choices[r][s][auto][delay] = l.makeChoice(reason, side, auto == 1, delay == 1)
				}
			}
		}
	}
}

// storySide is the side the story of each reason's default entry assumes:
// the reason's DefaultSide in the one vocabulary (classify.Reasons). When a
// verdict names another side and no entry for that side exists, the
// explanation keeps the reason's story but says whose side from lang.whose,
// so it never contradicts the verdict. A reason whose default side is
// unknown tells the same story for any side ("" here), except norelaying,
// whose default story gives both hypotheses (DESIGN.md).
func storySide(r classify.Reason) classify.Side {
	ri, ok := classify.ReasonByName(string(r))
	switch {
	case !ok:
		return ""
	case ri.DefaultSide == classify.SideUnknown && r != classify.NoRelaying:
		return ""
	}
	return ri.DefaultSide
}

// aliases maps older names of the same classifier vocabulary, which the
// corpus labels still use, to the reason whose entry explains them.
var aliases = map[classify.Reason]classify.Reason{
	"exceedlimit": classify.EmailTooLarge,
	"mesgtoobig":  classify.EmailTooLarge,
	"speeding":    classify.RateLimited,
	"toomanyconn": classify.RateLimited,
}

// noAutoReplyVariant lists the reasons that are not failures, for which a
// returned auto-reply changes nothing.
var noAutoReplyVariant = map[classify.Reason]bool{
	classify.Delivered: true,
	classify.Feedback:  true,
	classify.Vacation:  true,
}

// langs are the catalogs, English first: it is the fallback and the
// reference every other language must match.
var langs = []*lang{english, french}

// Languages returns the primary language subtags of the catalogs ("en",
// "fr"), English first. Explain falls back to English for any other tag;
// callers that want to refuse an unknown language check it here.
func Languages() []string {
	out := make([]string, len(langs))
	for i, l := range langs {
		out[i] = l.tag
	}
	return out
}

func init() {
	for i, l := range langs {
		l.id = uint8(i)
		if err := l.compile(); err != nil {
			panic(err)
		}
	}
	for _, l := range langs { // English compiled first: resolve reads it
		l.makeChoices()
	}
}

func (l *lang) compile() error {
	l.compiled = make(map[key]int32, len(l.entries))
	l.texts = make([][numAudiences]ctexts, 0, len(l.entries))
	for k, e := range l.entries {
		var c [numAudiences]ctexts
		for a, t := range [numAudiences]*texts{Marketer: &e.Marketer, EndUser: &e.EndUser, Admin: &e.Admin} {
			ct, err := l.compileTexts(t)
			if err != nil {
				return fmt.Errorf("explain: %s %s %s: %w", l.tag, k, Audience(a), err)
			}
			c[a] = ct
		}
		l.compiled[k] = int32(len(l.texts))
		l.texts = append(l.texts, c)
	}
	l.cwhose = make(map[classify.Side]int32, len(l.whose))
	l.whoses = make([][numAudiences]tmpl, 0, len(l.whose))
	for side, w := range l.whose {
		var c [numAudiences]tmpl
		for a, s := range [numAudiences]string{Marketer: w.Marketer, EndUser: w.EndUser, Admin: w.Admin} {
			t, err := compile(s, &l.pool)
			if err != nil {
				return fmt.Errorf("explain: %s whose %s %s: %w", l.tag, side, Audience(a), err)
			}
			c[a] = t
		}
		l.cwhose[side] = int32(len(l.whoses))
		l.whoses = append(l.whoses, c)
	}
	l.pool.done()
	l.whose, l.entries = nil, nil
	return nil
}

// compileTexts compiles t into l's pool and steps.
func (l *lang) compileTexts(t *texts) (ctexts, error) {
	var c ctexts
	if len(t.Steps) == 0 || len(t.Steps) > maxSteps {
		return c, fmt.Errorf("%d steps, want 1..%d", len(t.Steps), maxSteps)
	}
	var err error
	if c.headline, err = compile(t.Headline, &l.pool); err != nil {
		return c, err
	}
	if c.what, err = compile(t.What, &l.pool); err != nil {
		return c, err
	}
	if c.whose, err = compile(t.Whose, &l.pool); err != nil {
		return c, err
	}
	c.first, c.nsteps = uint32(len(l.steps)), uint32(len(t.Steps))
	for _, s := range t.Steps {
		st, err := compile(s, &l.pool)
		if err != nil {
			return c, err
		}
		l.steps = append(l.steps, st)
	}
	for _, t := range append([]tmpl{c.headline, c.what}, l.stepsOf(&c)...) {
		if t.fixed {
			continue
		}
		c.all.static += t.static
		c.all.used |= t.used
		for s, n := range t.uses {
			c.all.uses[s] += n
		}
	}
	return c, nil
}

// resolve picks the English key for a verdict; specific is true when the
// key's story is told for the verdict's side (a side variant, an auto-reply
// or delay variant, or a reason whose story fits any side). A delay notice
// is never told as a final failure: its variant comes first.
func resolve(reason classify.Reason, side classify.Side, autoReply, delay bool) (k key, specific bool) {
	if r, ok := aliases[reason]; ok {
		reason = r
	}
	if side == "" {
		side = classify.SideUnknown
	}
	en := func(k key) bool { _, ok := english.compiled[k]; return ok }
	if delay && !noAutoReplyVariant[reason] {
		if k = (key{Reason: reason, Delay: true}); en(k) {
			return k, true
		}
		return key{Delay: true}, true
	}
	if autoReply && !noAutoReplyVariant[reason] {
		if k = (key{Reason: reason, AutoReply: true}); en(k) {
			return k, true
		}
		return key{AutoReply: true}, true
	}
	if k = (key{Reason: reason, Side: side}); en(k) {
		return k, true
	}
	if k = (key{Reason: reason}); !en(k) {
		k = key{Reason: classify.Undefined}
		reason = classify.Undefined
	}
	story := storySide(reason)
	return k, story == "" || story == side
}
