package dsn

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// autoReplyByLower is autoReplyBy as it was written first, with lower-cased
// copies: the reference the copy-free comparison must agree with.
func autoReplyByLower(a AutoReplyMarkers, subject string) bool {
	if strings.HasPrefix(a.AutoSubmitted, "auto-replied") || a.XAutoreply != "" ||
		a.Precedence == "auto_reply" || strings.Contains(strings.ToLower(a.Other), "vacation") {
		return true
	}
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range autoReplySubjects {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if a.Other == "" && a.AutoSubmitted == "" && a.Precedence != "bulk" && a.Precedence != "junk" {
		return false
	}
	for _, p := range autoReplyWords {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestAutoReplyByFoldsLikeToLower(t *testing.T) {
	subjects := []string{"", " ", "Out of Office: back monday", "OUT OF OFFICE", "out of office", "Auto:",
		"AUTOREPLY", "Vacation deals", "VACATION", "Away", "Réponse automatique", "RÉPONSE AUTOMATIQUE",
		"自動応答: 不在", "不在です", "Автоответ", "АВТООТВЕТ", "\u212Aey", "Undelivered Mail", "auto",
		"OOO: x", "\xff\xfeauto:", "Abwesenheitsnotiz", "  Automatic Reply: hi"}
	markers := []AutoReplyMarkers{{}, {Precedence: "bulk"}, {Other: "X-Auto-Response-Suppress: All"},
		{Other: "X-Mailer: VACATION 1.0"}, {Other: "X-Note: Vacation\u212A"}, {Other: "x: VAC\u212Ation"},
		{AutoSubmitted: "auto-replied"}, {AutoSubmitted: "auto-generated"}, {Precedence: "junk"}}
	for _, a := range markers {
		for _, s := range subjects {
			if got, want := autoReplyBy(a, s), autoReplyByLower(a, s); got != want {
				t.Errorf("autoReplyBy(%+v, %q) = %v, strings.ToLower gives %v", a, s, got, want)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		autoReplyBy(AutoReplyMarkers{Other: "X-Auto-Response-Suppress: All"}, "Out of Office: back monday")
	}); n != 0 {
		t.Errorf("autoReplyBy on ASCII allocates %v times", n)
	}
}

// TestCanonicalNameInto: canonicalNameInto gives canonicalName's answer.
func TestCanonicalNameInto(t *testing.T) {
	names := []string{"x-mailer", "X-MAILER", "message-id", "MESSAGE-ID", "x--y", "-x", "x-", "a", "Z",
		"x_y.z!#$%&'*+^`|~9", "x y", " x", "x ", "x\ty", "x(y)", "x@y", "x\xc3\xa9", "List-Unsubscribe-Post",
		"content-TYPE", "x-ms-exchange-organization-scl", "X-Auto-Response-Suppress"}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "aZz-_.!(@ \t\x80\xffQ9"
	for range 20000 {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	var arena strArena
	for _, n := range names {
		if got, want := canonicalNameInto(&arena, []byte(n)), canonicalName([]byte(n)); got != want {
			t.Fatalf("canonicalNameInto(%q) = %q, canonicalName gives %q", n, got, want)
		}
	}
}

// TestASCIILowerInto compares asciiLowerInto with asciiLower.
func TestASCIILowerInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := "aZq\tX-: 09\x80\xff\x7f@AM\xc3\xa9"
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var buf [32]byte
		if got, want := asciiLowerInto(buf[:0], string(b)), asciiLower(string(b)); got != want {
			t.Fatalf("asciiLowerInto(%q) = %q, want %q", b, got, want)
		}
	}
}

// TestIndexSpaced compares indexSpaced with strings.Index.
func TestIndexSpaced(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	alphabet := "by  xb y"
	for _, m := range []string{" by ", " b", "by ", " ", "x"} {
		for range 20000 {
			b := make([]byte, rng.IntN(20))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if got, want := indexSpaced(string(b), m), strings.Index(string(b), m); got != want {
				t.Fatalf("indexSpaced(%q, %q) = %d, want %d", b, m, got, want)
			}
		}
	}
}

// TestIndexBy compares indexBy with strings.Index.
func TestIndexBy(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := "in reply to after fa"
	for _, c := range []struct {
		m string
		k int
	}{{"in reply to ", 3}, {"after ", 1}, {"ab", 1}, {"aa", 1}, {"in r", 3}} {
		for range 20000 {
			b := make([]byte, rng.IntN(30))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if got, want := indexBy(string(b), c.m, c.k), strings.Index(string(b), c.m); got != want {
				t.Fatalf("indexBy(%q, %q, %d) = %d, want %d", b, c.m, c.k, got, want)
			}
		}
	}
}
