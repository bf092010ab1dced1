package dsn

import "strings"

// maxTranscriptReplies caps the "<<<" lines kept from one transcript.
const maxTranscriptReplies = 200

// transcriptReply is one "<<< reply" line of an SMTP transcript and the
// command (">>> ...") it answered.
type transcriptReply struct {
	lower   string // the reply line, lower case
	command string
}

// transcriptMarkers are what a transcript readTranscript reads must hold
// (in its case; the marker filter, transcriptM, ignores case): a text
// whose filter saw neither has no transcript to read.
var transcriptMarkers = []string{"<<<", "smtp command"}

// readTranscript reads the SMTP session transcript that Sendmail and others
// print ("... while talking to host:", ">>> DATA", "<<< 550 ..."), and the
// m-FILTER block ("-------SMTP command" then the command on its own line).
// It returns the replies with their commands, the command named by a
// command block, and the index in replies where the last session starts.
func readTranscript(text string) (replies []transcriptReply, blockCommand string, lastSession int) {
	if !strings.Contains(text, "<<<") && !strings.Contains(text, "SMTP command") {
		return nil, "", 0
	}
	var st transcriptState
	commandNext := false // the line before named a command block: this line is its command
	for l := range strings.SplitSeq(text, "\n") {
		if commandNext {
			blockCommand, commandNext = smtpVerb(strings.TrimSpace(l)), false
		}
		t := strings.TrimSpace(l)
		if !st.line(t) && blockCommand == "" && isCommandBlock(t) {
			commandNext = true
		}
	}
	return st.replies, blockCommand, st.session
}

// transcriptState is what readTranscript knows between lines.
type transcriptState struct {
	replies []transcriptReply
	last    string // the command the next reply answers
	session int    // index in replies where the current session starts
}

// line reads one line of a transcript, trimmed; it reports whether the
// line was a session start, a command or a reply.
func (st *transcriptState) line(t string) bool {
	switch {
	case strings.HasPrefix(t, "... while talking to"):
		st.session = len(st.replies)
		// A reply before any command of the session answers the
		// connection: the greeting (RFC 5321 section 3.1).
		st.last = "CONN"
	case strings.HasPrefix(t, ">>>"):
		st.last = smtpVerb(strings.TrimSpace(t[3:]))
	case strings.HasPrefix(t, "<<<") && st.last != "" && len(st.replies) < maxTranscriptReplies:
		lt := toLower(t)
		if st.last == "DATA" && (strings.Contains(lt, "need rcpt") || strings.Contains(lt, "no valid recipients")) {
			// QUIRK: with PIPELINING (RFC 2920) Sendmail prints ">>> DATA"
			// after sending RCPT TO and DATA together; a DATA refused for
			// want of recipients shows that the replies before it
			// answered RCPT TO (samples lhost-sendmail-01, -52).
			for k := st.session; k < len(st.replies); k++ {
				if st.replies[k].command == "DATA" {
					st.replies[k].command = "RCPT"
				}
			}
		}
		st.replies = append(st.replies, transcriptReply{lower: lt, command: st.last})
	default:
		return false
	}
	return true
}

// isCommandBlock reports whether a trimmed line opens an m-FILTER command
// block ("-------SMTP command"): the next line is the command.
func isCommandBlock(t string) bool { return strings.EqualFold(strings.Trim(t, "- "), "smtp command") }

// smtpVerb names the command of a client line: "RCPT TO:<a@b>" is RCPT,
// "." (end of data) is DATA.
func smtpVerb(line string) string {
	if line == "." {
		return "DATA"
	}
	w, _, _ := strings.Cut(line, " ")
	w, _, _ = strings.Cut(w, ":")
	w = strings.ToUpper(w)
	switch w {
	case "RCPT", "MAIL", "DATA", "EHLO", "HELO", "LHLO", "STARTTLS", "AUTH", "QUIT", "RSET", "BDAT":
		return w
	}
	return ""
}

// commandsFromTranscript sets the command of recipients that have none
// from the transcript: the command before the "<<<" reply that names the
// recipient, or else the command of an m-FILTER command block when the
// report has a single recipient. lower holds text's markers (a view of
// the text it starts).
func commandsFromTranscript(text string, lower lowerText, list []Recipient) {
	need := false
	for i := range list {
		if list[i].Command == "" {
			need = true
		}
	}
	if !need || lower.lacks(transcriptM[0]) && lower.lacks(transcriptM[1]) {
		return // every command known, or no transcript
	}
	replies, block, lastSession := readTranscript(text)
	for i := range list {
		rc := &list[i]
		if rc.Command != "" || rc.Recipient == "" {
			continue
		}
		addr := toLower(rc.Recipient)
		for _, r := range replies {
			if strings.Contains(r.lower, addr) {
				rc.Command = r.command
				break
			}
		}
		if rc.Command == "" && block != "" && len(list) == 1 {
			rc.Command = block
		}
		if rc.Command == "" && len(list) == 1 {
			// One recipient: the first failure reply of the last session
			// answered its command (Sendmail names the address only in its
			// own summary line, not in the server's reply). Replies to QUIT
			// and RSET come after the failure and say nothing of it.
			for _, r := range replies[lastSession:] {
				if c := r.lower; len(c) > 4 && (c[4] == '4' || c[4] == '5') && r.command != "QUIT" && r.command != "RSET" {
					rc.Command = r.command
					break
				}
			}
		}
	}
}
