package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
)

var jsonOpts = protojson.MarshalOptions{UseProtoNames: true}

// runParse prints one result per message. A message that cannot be
// parsed or printed prints one line with its source and error, and the run
// goes on; the exit status is 1 when any input failed that way or could
// not be read, 0 otherwise.
func runParse(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c Config
	var env envErrors
	fs := newFlagSet("parse", "bounced parse [flags] PATH...|-", stderr)
	format := fs.String("format", envOr("FORMAT", "jsonl"), "output format: jsonl (one protojson line per message) or text")
	audience := fs.String("audience", envOr("AUDIENCE", "marketer"), "explanations for, comma-separated: marketer, end_user, admin")
	language := fs.String("language", envOr("LANGUAGE", "en"), "language of the explanations ("+strings.Join(explain.Languages(), ", ")+")")
	bindLimits(fs, &c, &env)
	if err := parseConfig(fs, args, &c, env); err != nil {
		return err
	}
	if *format != "jsonl" && *format != "text" {
		return fmt.Errorf("%w: --format %q: want jsonl or text", errUsage, *format)
	}
	auds, err := parseAudiences(*audience)
	if err != nil {
		return err
	}
	if err := checkLanguage(*language); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: parse needs at least one PATH or -", errUsage)
	}

	engine := bounce.New(bounce.Config{Limits: c.limits()})
	out := &printer{w: stdout, text: *format == "text"}
	failed := false
	emit := func(source string, raw []byte) {
		res, err := engine.Parse(ctx, bounce.Request{Raw: raw, Source: source, Audience: auds[0], Language: *language})
		var resp *pb.ParseResponse
		if err != nil {
			resp = server.ErrorResponse(source, err)
		} else {
			resp = server.ToProto(res, auds, *language)
		}
		if !out.print(resp) {
			failed = true
		}
	}
	for _, arg := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if out.err != nil {
			break
		}
		if arg == "-" {
			raw, err := io.ReadAll(io.LimitReader(stdin, int64(c.MaxMessageBytes)*64+1))
			if err != nil {
				out.print(server.ErrorResponse("-", err))
				failed = true
				continue
			}
			readMessages("-", raw, emit)
			continue
		}
		if !walkPath(arg, c.MaxMessageBytes, emit, func(source string, err error) {
			out.print(server.ErrorResponse(source, err))
		}) {
			failed = true
		}
	}
	if out.err != nil {
		return out.err
	}
	if failed {
		return errFailed
	}
	return nil
}

// parseAudiences reads --audience: a comma-separated list of marketer,
// end_user (or end-user) and admin.
func parseAudiences(v string) ([]explain.Audience, error) {
	var as []pb.Audience
	for _, name := range strings.Split(v, ",") {
		name = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(name), "-", "_"))
		a, ok := pb.Audience_value["AUDIENCE_"+name]
		if !ok || a == 0 {
			return nil, fmt.Errorf("%w: --audience %q: want marketer, end_user or admin (comma-separated)", errUsage, v)
		}
		as = append(as, pb.Audience(a))
	}
	return server.ToAudiences(as), nil
}

// walkPath reads a file or every regular file below a directory, in
// lexical order, and reports each file it cannot read to fail as one
// failed input (its path and error). It returns false when anything
// failed. Files larger than 64 messages of the maximum size are refused
// (an mbox that large should be split first).
func walkPath(path string, maxBytes int, emit func(string, []byte), fail func(string, error)) bool {
	info, err := os.Stat(path)
	if err != nil {
		fail(path, err)
		return false
	}
	if !info.IsDir() {
		return readFile(path, maxBytes, emit, fail)
	}
	var files []string
	ok := true
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fail(p, err)
			ok = false
			return nil
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		fail(path, err)
		ok = false
	}
	sort.Strings(files)
	for _, f := range files {
		if !readFile(f, maxBytes, emit, fail) {
			ok = false
		}
	}
	return ok
}

func readFile(path string, maxBytes int, emit func(string, []byte), fail func(string, error)) bool {
	f, err := os.Open(path)
	if err != nil {
		fail(path, err)
		return false
	}
	defer f.Close()
	limit := int64(maxBytes) * 64
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		fail(path, err)
		return false
	}
	if int64(len(raw)) > limit {
		fail(path, fmt.Errorf("%w: file larger than %d bytes (64 messages of --max-message-bytes); split it", dsn.ErrTooLarge, limit))
		return false
	}
	readMessages(path, raw, emit)
	return true
}

// readMessages emits one message, or each message of an mbox file (one
// that starts with a "From " line and has more of them), as "path#N".
func readMessages(source string, raw []byte, emit func(string, []byte)) {
	msgs := dsn.SplitMbox(raw)
	if len(msgs) <= 1 {
		emit(source, raw)
		return
	}
	for i, m := range msgs {
		emit(fmt.Sprintf("%s#%d", source, i+1), m)
	}
}

// printer writes responses as JSON lines or readable text.
type printer struct {
	w    io.Writer
	text bool
	err  error // the first write error: output is gone, the run stops
}

// print writes one response and reports whether it was a success: false
// when it carries an error or could not be encoded, in which case a line
// with its source and the error was written instead.
func (p *printer) print(r *pb.ParseResponse) bool {
	if p.err != nil {
		return false
	}
	ok := r.GetError() == nil
	var b []byte
	if p.text {
		b = []byte(textOf(r))
	} else {
		var err error
		b, err = jsonOpts.Marshal(r)
		if err != nil {
			// QUIRK: should never happen (server.ToProto makes every string
			// valid UTF-8); if it does, the message still gets its line.
			r = server.ErrorResponse(r.GetSource(), fmt.Errorf("%w: %v", server.ErrUnencodable, err))
			ok = false
			if b, err = jsonOpts.Marshal(r); err != nil {
				p.err = err
				return false
			}
		}
		b = append(b, '\n')
	}
	_, p.err = p.w.Write(b)
	return ok && p.err == nil
}

// textOf is the readable form of a response: the facts that are there
// (never a 0 reply code or an empty field), whose side must act, and the
// steps of each explanation.
func textOf(r *pb.ParseResponse) string {
	var sb strings.Builder
	sb.WriteString(r.GetSource() + "\n")
	if e := r.GetError(); e != nil {
		fmt.Fprintf(&sb, "  error: %s (%s)\n", e.GetMessage(), codes.Code(e.GetCode()))
		return sb.String()
	}
	field := func(indent, name, value string) {
		if value != "" {
			fmt.Fprintf(&sb, "%s%s: %s\n", indent, name, value)
		}
	}
	field("  ", "kind", strings.ToLower(strings.TrimPrefix(r.GetKind().String(), "KIND_")))
	field("  ", "decoded by", r.GetDecodedBy())
	field("  ", "reporting MTA", r.GetReportingMta())
	if o := r.GetOriginal(); o != nil {
		field("  ", "original", o.GetMessageId())
		field("  ", "original subject", o.GetSubject())
	}
	for _, rc := range r.GetRecipients() {
		fmt.Fprintf(&sb, "  recipient: %s\n", rc.GetRecipient())
		field("    ", "action", strings.ToLower(strings.TrimPrefix(rc.GetAction().String(), "ACTION_")))
		status := rc.GetStatus()
		if m := rc.GetStatusMeaning(); status != "" && m != "" {
			status += " (" + m + ")"
		}
		field("    ", "status", status)
		if rc.GetReplyCode() != 0 {
			field("    ", "reply code", strconv.Itoa(int(rc.GetReplyCode())))
		}
		if rc.GetStage() != pb.Stage_STAGE_UNSPECIFIED {
			field("    ", "stage", strings.TrimPrefix(rc.GetStage().String(), "STAGE_"))
		}
		field("    ", "remote MTA", rc.GetRemoteMta())
		field("    ", "diagnostic", rc.GetDiagnosticCode())
		field("    ", "reason", server.ReasonName(rc.GetReason()))
		field("    ", "side", strings.ToLower(strings.TrimPrefix(rc.GetSide().String(), "SIDE_")))
		hard := "soft (may succeed later)"
		if rc.GetHardBounce() {
			hard = "hard (do not retry this address)"
		}
		field("    ", "bounce", hard)
		for _, e := range rc.GetExplanations() {
			fmt.Fprintf(&sb, "    [%s] %s\n", strings.ToLower(e.GetAudience().String()[len("AUDIENCE_"):]), e.GetHeadline())
			field("      ", "what happened", e.GetWhatHappened())
			field("      ", "whose side", e.GetWhoseSide())
			for i, st := range e.GetSteps() {
				fmt.Fprintf(&sb, "      %d. %s\n", i+1, st)
			}
		}
	}
	return sb.String()
}
