package server

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bounced/bounced/internal/bounce"
)

// checkCommonDate: when commonDate reads s, otherDate (the rest of
// parseTime: time.Parse, mail.ParseDate) reads it too, to the same
// instant.
func checkCommonDate(t *testing.T, s string) bool {
	t.Helper()
	got, ok := commonDate(s)
	if !ok {
		return false
	}
	want, wok := otherDate(s)
	if !wok || got != want.Unix() || want.Nanosecond() != 0 {
		t.Errorf("commonDate(%q) = %d; otherDate: %v, %v", s, got, want, wok)
	}
	return true
}

// TestCommonDate compares commonDate with time.Parse over dates made of
// right and wrong parts (names in any case or misspelt, numbers of each
// width and beyond their range, days beyond the month, fractions of a
// second, every kind of zone), and over the dates of every testdata
// message: what it reads, time.Parse reads to the same instant, and it
// reads nearly every date of the corpus.
func TestCommonDate(t *testing.T) {
	days := []string{"", "Mon, ", "mon, ", "SUN, ", "Sat, ", "Thu, ", "Mon,", "Mox, ", "Mo, ", "Monday, ", "1, ", "ſun, "}
	dates := []string{"1", "01", "7", "29", "30", "31", "0", "00", "32", "001", "x"}
	months := []string{"Jan", "feb", "FEB", "Apr", "Jun", "Sep", "Nov", "dec", "Jux", "Janu", "Ja", "Máy"}
	years := []string{"2026", "2024", "21", "1970", "2100", "1969", "9999", "0999", "206", "20266", "+026", "69", "70", "99", "00", "7"}
	hours := []string{"0", "00", "7", "23", "24", "99", "", "123"}
	mins := []string{"00", "59", "07", "30", "60", "5", "x5"}
	secs := []string{"00", "59", "01", "30", "60", "5", "05.123", "05,5", "05."}
	zones := []string{"+0000", "-0000", "+0100", "-0800", "+0530", "+0545", "-0930", "+2359", "+2400", "+2360", "+0060",
		"+1400", "+05", "+05:00", "0100", "GMT", "gmt", "UT", "ut", "Z", "z", "EST", "edt", "PDT", "CET", "JST", "",
		"+00000", "Gmt", "ESt", "ſT"}
	r := rand.New(rand.NewPCG(9, 7))
	// Each list starts with four parts commonDate reads; they are picked
	// more often, so that many dates are read whole.
	pick := func(ss []string) string {
		if r.IntN(4) > 0 {
			return ss[r.IntN(4)]
		}
		return ss[r.IntN(len(ss))]
	}
	read := 0
	for range 300000 {
		s := pick(days) + pick(dates) + " " + pick(months) + " " + pick(years) + " " +
			pick(hours) + ":" + pick(mins) + ":" + pick(secs) + " " + pick(zones)
		if checkCommonDate(t, strings.TrimSpace(s)) {
			read++
		}
	}
	if read < 50000 {
		t.Errorf("commonDate read %d of the generated dates", read)
	}
	// The corpus: the dates the engine returns, as parseTime sees them.
	// Those commonDate leaves to otherDate are the odd ones
	// ("2012-10-31 04-46-42", no year, no zone).
	engine := bounce.New(bounce.Config{})
	all, common := 0, 0
	for _, f := range emlFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw})
		if err != nil {
			continue
		}
		ds := []string{res.Report.ArrivalDate, res.Report.Original.Date}
		for _, rc := range res.Recipients {
			ds = append(ds, rc.Facts.LastAttemptDate, rc.Facts.WillRetryUntil)
		}
		for _, d := range ds {
			s := singleSpaced(d)
			if i := strings.IndexByte(s, '('); i > 0 {
				s = strings.TrimSpace(s[:i])
			}
			if s == "" {
				continue
			}
			all++
			if checkCommonDate(t, s) {
				common++
			}
		}
	}
	if common < all*9/10 {
		t.Errorf("commonDate read %d of the corpus's %d dates", common, all)
	}
	t.Logf("generated: %d read; corpus: %d of %d dates read", read, common, all)
}

// TestParseTimeShortcut: parseTime, which tries commonDate before
// singleSpaced, reads every corpus date, and variants of it in white
// space, comments and length, as the slower order does: singleSpaced,
// the length limit, the comment dropped, then otherDate.
func TestParseTimeShortcut(t *testing.T) {
	slow := func(s string) (int64, bool) {
		s = singleSpaced(s)
		if s == "" || len(s) > 128 {
			return 0, false
		}
		tm, ok := otherDate(withoutComment(s))
		return tm.Unix(), ok
	}
	engine := bounce.New(bounce.Config{})
	seen := map[string]bool{}
	for _, f := range emlFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Parse(context.Background(), bounce.Request{Raw: raw})
		if err != nil {
			continue
		}
		seen[res.Report.ArrivalDate], seen[res.Report.Original.Date] = true, true
		for _, rc := range res.Recipients {
			seen[rc.Facts.LastAttemptDate], seen[rc.Facts.WillRetryUntil] = true, true
		}
	}
	long := strings.Repeat("x", 100)
	for d := range seen {
		for _, v := range []string{
			d, "  " + d, d + " \t", "(c) " + d, d + " (" + long + ")", d + "(UTC)", d + " \u00a0(UTC)",
			strings.Replace(d, " ", "  ", 1), strings.Replace(d, " ", "\t", 1), strings.Replace(d, " ", "\r\n ", 2),
			strings.Replace(d, " ", "\u00a0", 1), d + " (Pacific  Standard\tTime)",
		} {
			got, gok := parseTime(v)
			want, wok := slow(v)
			if gok != wok || (gok && got.Unix() != want) {
				t.Errorf("parseTime(%q) = %v, %v; the slower order: %v, %v", v, got.Unix(), gok, want, wok)
			}
		}
	}
}

// FuzzCommonDate: what commonDate reads, otherDate reads to the same
// instant, and parseTime reads any string as the slower order does.
func FuzzCommonDate(f *testing.F) {
	for _, s := range []string{"Sun, 29 Nov 2026 08:12:41 +0000 (UTC)", "3 Dec 26 08:12:41 GMT", "Thu 29 Apr 2010 23:34:45 +0900", "2012-10-31 04-46-42"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCommonDate(t, s)
		got, gok := parseTime(s)
		want, wok := func() (time.Time, bool) {
			s := singleSpaced(s)
			if s == "" || len(s) > 128 {
				return time.Time{}, false
			}
			return otherDate(withoutComment(s))
		}()
		if gok != wok || (gok && !got.Equal(want)) {
			t.Errorf("parseTime(%q) = %v, %v; the slower order: %v, %v", s, got, gok, want, wok)
		}
	})
}
