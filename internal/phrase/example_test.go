package phrase_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/phrase"
)

func ExampleMatcher_Scan() {
	m := phrase.MustCompile([]string{"user unknown", "mailbox full", "unknown"})
	var h phrase.Hits
	m.Scan("550 5.1.1 <bob@example.org>: user unknown", &h)
	for id := range m.Len() {
		fmt.Println(m.Phrase(id), h.Has(id))
	}
	// Output:
	// user unknown true
	// mailbox full false
	// unknown true
}
