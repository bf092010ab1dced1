package explain

import "github.com/bounced/bounced/internal/classify"

// french is the French catalog; see english for the keys it must hold.
var french = &lang{
	tag:     "fr",
	whose:   map[classify.Side]lines{},
	entries: map[key]entry{},
}
