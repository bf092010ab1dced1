package server

import (
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// Response budgets (issue 9): every answer fits a client with gRPC's
// default receive limit of 4 MiB, whatever the message held.
const (
	// MaxResponseBytes bounds one ParseResponse, encoded: 3.5 MiB, so that
	// a stream's framing and a unary call's trailers stay under 4 MiB.
	MaxResponseBytes = 3<<20 + 512<<10
	// MaxResponseFieldBytes bounds each string of a response (a header
	// value, a diagnostic, an explanation step). Longer ones are cut at a
	// UTF-8 boundary.
	MaxResponseFieldBytes = 16 << 10
	// smallResponse: a message of at most MaxResponseFieldBytes with at
	// most this many recipients cannot produce a string over the field cap
	// nor a response over the budget, so its response is not walked.
	smallResponse = 32
	// minFieldShare is the shortest a string is cut to so that all
	// recipients fit; below it recipients are left out instead.
	minFieldShare = 256
)

// capResponse enforces the response budgets on resp, built from a message
// of rawLen bytes: each string is cut to MaxResponseFieldBytes, then, if
// the encoded response is still over MaxResponseBytes, recipients are left
// out from the end. It reports whether anything was cut and how many
// recipients were left out; the caller marks the response with both.
//
// The common message, small and with few recipients, costs two
// comparisons: only large inputs are walked.
func capResponse(resp *pb.ParseResponse, rawLen int) (cut bool, omitted int) {
	if rawLen <= MaxResponseFieldBytes && len(resp.GetRecipients()) <= smallResponse {
		return false, 0
	}
	cut = capStrings(resp.ProtoReflect(), MaxResponseFieldBytes)
	size := proto.Size(resp)
	if size <= MaxResponseBytes {
		return cut, 0
	}
	// First give each recipient an equal share of the budget and cut the
	// strings of those over it shorter: every verdict is kept, with less
	// of its diagnostic. Then, if the response is still over budget, keep
	// the longest prefix of recipients that fits: the order is the
	// report's, so what is left out is its tail.
	rcs := resp.GetRecipients()
	rest := size
	for _, rc := range rcs {
		rest -= proto.Size(rc) + 3 // tag and length prefix of a field up to 2 MiB
	}
	if len(rcs) > 0 && rest < MaxResponseBytes {
		share := (MaxResponseBytes - rest) / len(rcs)
		for _, rc := range rcs {
			for limit := max(share/2, minFieldShare); proto.Size(rc)+3 > share; limit /= 2 {
				capStrings(rc.ProtoReflect(), limit)
				if limit == minFieldShare {
					break
				}
				limit = max(limit, 2*minFieldShare) // the last round cuts at minFieldShare
			}
		}
	}
	keep := 0
	for keep < len(rcs) {
		n := proto.Size(rcs[keep]) + 3
		if rest+n > MaxResponseBytes {
			break
		}
		rest += n
		keep++
	}
	resp.Recipients = rcs[:keep]
	return true, len(rcs) - keep
}

// capStrings cuts every string field of m, nested messages and lists
// included, to max bytes. It reports whether it cut any. A list of
// strings with one to cut is replaced by a cut copy, not changed in
// place: ToProto's lists may be the result's own (texts), which the
// caller still holds.
func capStrings(m protoreflect.Message, max int) bool {
	cut := false
	var cuts []protoreflect.FieldDescriptor // set after Range, which must not see the message change
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			// Map keys and values are short labels and counts here.
		case fd.IsList() && fd.Kind() == protoreflect.StringKind:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				if len(l.Get(i).String()) > max {
					cuts = append(cuts, fd)
					break
				}
			}
		case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				cut = capStrings(l.Get(i).Message(), max) || cut
			}
		case fd.Kind() == protoreflect.StringKind:
			if len(v.String()) > max {
				cuts = append(cuts, fd)
			}
		case fd.Kind() == protoreflect.MessageKind:
			cut = capStrings(v.Message(), max) || cut
		}
		return true
	})
	for _, fd := range cuts {
		if !fd.IsList() {
			m.Set(fd, protoreflect.ValueOfString(cutString(m.Get(fd).String(), max)))
			continue
		}
		old, l := m.Get(fd).List(), m.NewField(fd).List()
		for i := 0; i < old.Len(); i++ {
			l.Append(protoreflect.ValueOfString(cutString(old.Get(i).String(), max)))
		}
		m.Set(fd, protoreflect.ValueOfList(l))
	}
	return cut || len(cuts) > 0
}

// cutString cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
