package dsn

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestCommandsFromTranscript(t *testing.T) {
	cases := []struct {
		name, text, rcpt, want string
	}{
		{
			// lhost-sendmail-19: the reply to DATA names the recipient.
			name: "reply after DATA",
			text: "... while talking to mx.example.jp.:\n>>> DATA\n<<< 550 Unknown user kijitora@example.jp\n554 5.0.0 Service unavailable\n",
			rcpt: "kijitora@example.jp", want: "DATA",
		},
		{
			// lhost-sendmail-01: PIPELINING; DATA refused for want of recipients,
			// so the reply before it answered RCPT TO.
			name: "pipelined RCPT",
			text: "... while talking to mx.example.jp.:\n>>> DATA\n<<< 550 5.1.1 <u@example.jp>... User Unknown\n<<< 503 5.0.0 Need RCPT (recipient)\n",
			rcpt: "u@example.jp", want: "RCPT",
		},
		{
			// A transcript with the RCPT command spelled out.
			name: "explicit RCPT",
			text: ">>> RCPT To:<u@example.net>\n<<< 550 5.1.1 <u@example.net>... User unknown\n",
			rcpt: "u@example.net", want: "RCPT",
		},
		{
			// lhost-mfilter-01: m-FILTER's command block, one recipient.
			name: "m-FILTER block",
			text: "-------server message\n550 unknown user <k@example.com>\n\n-------SMTP command\nDATA\n\n-------original message\n",
			rcpt: "k@example.com", want: "DATA",
		},
		{
			// No transcript: nothing is made up.
			name: "no transcript",
			text: "The mail system said no.\n",
			rcpt: "u@example.net", want: "",
		},
	}
	for _, c := range cases {
		list := []Recipient{{Recipient: c.rcpt}}
		commandsFromTranscript(c.text, newLowerText(c.text), list)
		if list[0].Command != c.want {
			t.Errorf("%s: command = %q, want %q", c.name, list[0].Command, c.want)
		}
	}
}

func TestOriginalIsAutoReply(t *testing.T) {
	cases := []struct {
		name string
		o    Original
		want bool
	}{
		// RFC 3834 section 5.
		{"auto-submitted", Original{Found: true, AutoReply: AutoReplyMarkers{AutoSubmitted: "auto-replied"}, Subject: "Re: hello"}, true},
		// Exchange's subject prefix alone.
		{"exchange subject", Original{Found: true, Subject: "Automatic reply: November news"}, true},
		// A newsletter about holidays is not an auto-reply.
		{"newsletter", Original{Found: true, Subject: "Vacation deals for November"}, false},
		// The same word beside a vendor marker is.
		{"word with marker", Original{Found: true, Subject: "Vacation", AutoReply: AutoReplyMarkers{Other: "X-Auto-Response-Suppress: All"}}, true},
		// Nothing found, nothing claimed.
		{"not found", Original{Subject: "Automatic reply: x"}, false},
	}
	for _, c := range cases {
		if got := c.o.IsAutoReply(); got != c.want {
			t.Errorf("%s: IsAutoReply() = %v, want %v", c.name, got, c.want)
		}
	}
}

// readTranscriptSplit is readTranscript as it was, over strings.Split's
// lines with a look at the next one for a command block's command: the
// oracle of TestReadTranscriptSame (both read each line with
// transcriptState.line; what differs is how the lines are walked).
func readTranscriptSplit(text string) (replies []transcriptReply, blockCommand string, lastSession int) {
	if !strings.Contains(text, "<<<") && !strings.Contains(text, "SMTP command") {
		return nil, "", 0
	}
	var st transcriptState
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !st.line(t) && blockCommand == "" && isCommandBlock(t) && i+1 < len(lines) {
			blockCommand = smtpVerb(strings.TrimSpace(lines[i+1]))
		}
	}
	return st.replies, blockCommand, st.session
}

// TestReadTranscriptSame: readTranscript, which reads its lines one at a
// time, gives what reading them all first gave, on texts made of
// transcript lines, command blocks (the last line among them too) and
// empty lines.
func TestReadTranscriptSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"<<< 550 5.1.1 User unknown", "<<< 554 need RCPT", ">>> DATA", ">>> RCPT To:<a@b.example>",
		"... while talking to mx.example.com.:", "-------SMTP command", "SMTP command", "RCPT TO:<a@b>", "DATA", "", "  ", "text"}
	for range 20000 {
		var sb strings.Builder
		for n := rng.IntN(8); n > 0; n-- {
			if sb.Len() > 0 {
				sb.WriteByte('\n')
			}
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if rng.IntN(2) == 0 {
			sb.WriteByte('\n')
		}
		sameTranscript(t, sb.String())
	}
}

func sameTranscript(t *testing.T, text string) {
	t.Helper()
	r1, c1, s1 := readTranscript(text)
	r2, c2, s2 := readTranscriptSplit(text)
	if !reflect.DeepEqual(r1, r2) || c1 != c2 || s1 != s2 {
		t.Fatalf("readTranscript(%q) = %v, %q, %d; want %v, %q, %d", text, r1, c1, s1, r2, c2, s2)
	}
}

// FuzzReadTranscriptSame: readTranscript agrees with its oracle.
func FuzzReadTranscriptSame(f *testing.F) {
	f.Add("-------SMTP command\nRCPT TO:<a@b>\n<<< 550 no")
	f.Add(">>> DATA\n<<< 554 need RCPT\nSMTP command")
	f.Fuzz(func(t *testing.T, text string) { sameTranscript(t, text) })
}
