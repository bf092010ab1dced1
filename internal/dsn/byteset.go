package dsn

// byteSet is a set of ASCII bytes, built once, for the trims and searches
// the address and line readers do on every line: strings.TrimLeft and
// strings.IndexAny rebuild their set on each call. For an ASCII set the
// byte-wise answer is the same as theirs (a byte of a multibyte UTF-8
// sequence is never in it).
type byteSet [256]bool

func newByteSet(chars string) *byteSet {
	var s byteSet
	for i := 0; i < len(chars); i++ {
		if chars[i] >= 0x80 {
			panic("dsn: byteSet of a non-ASCII byte")
		}
		s[chars[i]] = true
	}
	return &s
}

// trimLeft is strings.TrimLeft(x, chars).
func (s *byteSet) trimLeft(x string) string {
	i := 0
	for i < len(x) && s[x[i]] {
		i++
	}
	return x[i:]
}

// trimRight is strings.TrimRight(x, chars).
func (s *byteSet) trimRight(x string) string {
	i := len(x)
	for i > 0 && s[x[i-1]] {
		i--
	}
	return x[:i]
}

// trim is strings.Trim(x, chars).
func (s *byteSet) trim(x string) string { return s.trimRight(s.trimLeft(x)) }

// indexAny is strings.IndexAny(x, chars).
func (s *byteSet) indexAny(x string) int {
	for i := 0; i < len(x); i++ {
		if s[x[i]] {
			return i
		}
	}
	return -1
}

// lastIndexAny is strings.LastIndexAny(x, chars).
func (s *byteSet) lastIndexAny(x string) int {
	for i := len(x) - 1; i >= 0; i-- {
		if s[x[i]] {
			return i
		}
	}
	return -1
}

// containsAny is strings.ContainsAny(x, chars).
func (s *byteSet) containsAny(x string) bool { return s.indexAny(x) >= 0 }

// The sets of the address and line readers.
var (
	setSpaceTab      = newByteSet(" \t")
	setAddrTrimRight = newByteSet(".,;:>]) \t")
	setAddrTrimLeft  = newByteSet("<[( \t")
	setAddrQuotes    = newByteSet("\"'`")
	setAddrTail      = newByteSet(".,;:'` \t")
	setDomainBad     = newByteSet(" \t<>@,;\"'")
	setAtomSpecials  = newByteSet("!#$%&'*+-/=?^_`{|}~")
	setAddrEnd       = newByteSet(" \t:;,<>()[]")
	setQuotedAddrEnd = newByteSet(" \t:;,>")
	setLeadTrim      = newByteSet(" \t:;'\"")
	setTokenSpecials = newByteSet("()<>@,;:\\\"/[]?=")
	// Those of strings.TrimLeft, TrimRight, IndexAny and ContainsAny calls
	// on every line or field (same answers, no set built per call).
	setDiagLead    = newByteSet(":;,.>) ")   // scanRecipients: before a recipient's diagnostic
	setColonSpace  = newByteSet(": \t")      // expandedFrom
	setSpaceTabLT  = newByteSet(" \t<")      // recipientOn: before "mailto:"
	setReplyTrail  = newByteSet(" -\t#('\"") // replyBefore: between a reply and its status
	setHostEnd     = newByteSet(" [(:\n\t")  // hostOf: the end of a host name
	setTypeBad     = newByteSet(" <@")       // typed: not in an address type
	setActionEnd   = newByteSet(" (;\t")     // parseAction: the end of the action word
	setHostTypeEnd = newByteSet(" (\t")      // hostOfRemoteMTA: the end of the host
)
