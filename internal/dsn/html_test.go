package dsn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHTMLToText checks the HTML bodies that tag-prefix matching got wrong
// (issue 8 item 6): <pre> kept as a block, '>' inside an attribute, script
// and style dropped, entities decoded, and the output capped.
func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // each must appear
		not      []string // none may appear
	}{
		{"pre keeps its lines", "<p>Delivery failed:</p><pre>550 5.1.1 user unknown\n  (in reply to RCPT TO)</pre>",
			[]string{"Delivery failed:\n", "\n550 5.1.1 user unknown\n  (in reply to RCPT TO)\n"}, []string{"<pre"}},
		{"> in an attribute", `<a title="a > b" href="x">bob@example.com</a> unknown`,
			[]string{"bob@example.com unknown"}, []string{"b\" href", "title"}},
		{"script and style dropped", "<style>p{color:red}</style><script>if (a > b) alert(1)</script>Mailbox full",
			[]string{"Mailbox full"}, []string{"color", "alert"}},
		{"entities", "Recipient&nbsp;&lt;bob@example.com&gt; &amp; co", []string{"Recipient <bob@example.com> & co"}, nil},
		{"prefix is not the tag", "<preview>x</preview><pa>y</pa>", []string{"xy"}, []string{"\n"}},
	}
	for _, tt := range tests {
		got := htmlToText([]byte(tt.in))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: htmlToText(%q) = %q, want it to contain %q", tt.name, tt.in, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: htmlToText(%q) = %q, want no %q", tt.name, tt.in, got, n)
			}
		}
	}
	big := strings.Repeat("<p>é unknown user</p>", MaxTextBytes/10)
	if got := htmlToText([]byte(big)); len(got) > MaxTextBytes || !utf8.ValidString(got) {
		t.Errorf("htmlToText of %d bytes = %d bytes (valid UTF-8 %v), want at most %d", len(big), len(got), utf8.ValidString(got), MaxTextBytes)
	}
}
