package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// sample is one bounce of the phrase base and its expected label.
type sample struct {
	set    string // "dev" (rules were written against it) or "heldout" (written after the rules froze)
	source string // folder: the vendor whose reply it carries
	name   string
	mta    string // the MTA that writes the bounce: postfix, exim, sendmail, qmail, exchange, gmail, raw

	rcpt       string // the failed recipient as the MTA saw it (final)
	origRcpt   string // the address the sender used, when an alias or list expanded it
	finalField string // Final-Recipient value when it is not rcpt (source routes, IDN)
	host, ip   string // the rejecting server
	stage      stage
	reply      string // the server's reply, lines split by "\n"; or the local text when stage is none
	delayed    bool
	dsnSt      string // Status field when the MTA writes one of its own
	headline   string // Exchange/Gmail headline
	raw        string // whole message, for mta "raw"

	// expected label
	reason, alt, side string
	hard              bool
	status, code      string // default: read from reply
	want              string // expected recipient when not origRcpt/rcpt
	sameFile          string // another recipient of the message written by the named case
	index             int    // position among the message's recipients (default 1)
	src               string // public documentation the reply is written from
}

type truth struct {
	File       string `json:"file"`
	Index      int    `json:"index"`
	Recipient  string `json:"recipient"`
	Status     string `json:"status"`
	ReplyCode  string `json:"replycode"`
	Reason     string `json:"reason"`
	AltReason  string `json:"alt_reason,omitempty"`
	HardBounce bool   `json:"hardbounce"`
	Side       string `json:"side,omitempty"`
	Stage      string `json:"stage,omitempty"`
	Source     string `json:"src"`
}

func main() {
	root := "testdata/samples"
	if _, err := os.Stat(root); err != nil {
		fmt.Fprintln(os.Stderr, "gen: run from the repository root")
		os.Exit(1)
	}
	bySet := map[string][]truth{}
	seen := map[string]bool{}
	all := append(append(append(append(append([]sample{}, devCases...), heldoutCases...), heldout2Cases...), heldout3Cases...), heldout4Cases...)
	for i := range all {
		c := &all[i]
		key := c.set + "/" + c.source + "/" + c.name
		if seen[key] {
			fmt.Fprintln(os.Stderr, "gen: duplicate", key)
			os.Exit(1)
		}
		seen[key] = true
		file := filepath.Join(c.source, c.name+".eml")
		if c.sameFile != "" {
			file = filepath.Join(c.source, c.sameFile+".eml")
		} else {
			path := filepath.Join(root, c.set, file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				panic(err)
			}
			if err := os.WriteFile(path, []byte(wrap(c)), 0o644); err != nil {
				panic(err)
			}
		}
		index := c.index
		if index == 0 {
			index = 1
		}
		want := c.want
		if want == "" {
			want = c.rcpt
			if c.origRcpt != "" {
				want = c.origRcpt
			}
		}
		st, code := c.status, c.code
		if st == "" {
			st = statusOf(c.reply)
			if st == "" && c.dsnSt != "" {
				st = c.dsnSt
			}
		}
		if code == "" && c.stage != none {
			code = codeOf(c.reply)
		}
		bySet[c.set] = append(bySet[c.set], truth{
			File: file, Index: index, Recipient: want, Status: st, ReplyCode: code,
			Reason: c.reason, AltReason: c.alt, HardBounce: c.hard, Side: c.side,
			Stage: stageShown(c), Source: c.src,
		})
	}
	for set, ts := range bySet {
		sort.SliceStable(ts, func(i, j int) bool {
			return ts[i].File < ts[j].File || ts[i].File == ts[j].File && ts[i].Index < ts[j].Index
		})
		var b strings.Builder
		for _, t := range ts {
			line, err := json.Marshal(t)
			if err != nil {
				panic(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(root, set, "truth.jsonl"), []byte(b.String()), 0o644); err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d samples\n", set, len(ts))
	}
}

// stageShown is the stage the bounce itself states: the MTAs that write the
// SMTP transcript or name the command; "" for Exchange and Gmail notices,
// which do not.
func stageShown(c *sample) string {
	switch c.mta {
	case "postfix", "exim", "sendmail", "qmail":
		return string(c.stage)
	}
	return ""
}
