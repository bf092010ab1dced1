package dsn

import "testing"

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
		commandsFromTranscript(c.text, list)
		if list[0].Command != c.want {
			t.Errorf("%s: command = %q, want %q", c.name, list[0].Command, c.want)
		}
	}
}
