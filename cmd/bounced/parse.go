package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bounced/bounced/internal/bounce"
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
	summary := fs.Bool("summary", env.bool("SUMMARY", true), "print a summary table on stderr at the end")
	bindLimits(fs, &c, &env)
	bindCache(fs, &c, &env)
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

	if c.Redis == "" {
		c.NoCache = true // the domain memory is used only when --redis names one
	}
	engine, closeEngine, err := openEngine(c)
	if err != nil {
		return err
	}
	defer closeEngine()
	out := &printer{w: stdout, text: *format == "text"}
	type parsed struct {
		line []byte
		ok   bool
		resp *pb.ParseResponse
	}
	items := streamMessages(ctx, fs.Args(), stdin, c.MaxMessageBytes)
	next := func() (batchItem, bool) {
		it, ok := <-items
		return it, ok
	}
	// Parsing and encoding run on every core; printing keeps input order.
	work := func(it batchItem) parsed {
		var resp *pb.ParseResponse
		if it.err != nil {
			resp = server.ErrorResponse(it.source, it.err)
		} else if res, err := engine.Parse(ctx, bounce.Request{Raw: it.raw, Source: it.source, Audience: auds[0], Language: *language}); err != nil {
			resp = server.ErrorResponse(it.source, err)
		} else {
			resp = server.ToProto(res, auds, *language)
		}
		line, ok := out.format(resp)
		return parsed{line, ok, resp}
	}
	bar := newProgress(stderr)
	sum := newBatchSummary()
	start := time.Now()
	failed := false
	err = orderedMap(ctx, runtime.GOMAXPROCS(0), 8*runtime.GOMAXPROCS(0), next, work, func(p parsed) error {
		bar.add()
		sum.add(p.resp, p.resp.GetError().GetMessage())
		failed = failed || !p.ok
		return out.write(p.line)
	})
	bar.finish()
	if *summary {
		sum.print(stderr, time.Since(start))
	}
	if err != nil {
		return err
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
	b, ok := p.format(r)
	return p.write(b) == nil && ok
}

// format encodes one response (safe on any goroutine); ok is false when it
// carries an error or could not be encoded.
func (p *printer) format(r *pb.ParseResponse) (b []byte, ok bool) {
	ok = r.GetError() == nil
	if p.text {
		return []byte(textOf(r)), ok
	}
	b, err := jsonOpts.Marshal(r)
	if err != nil {
		// QUIRK: should never happen (server.ToProto makes every string
		// valid UTF-8); if it does, the message still gets its line.
		r = server.ErrorResponse(r.GetSource(), fmt.Errorf("%w: %v", server.ErrUnencodable, err))
		ok = false
		if b, err = jsonOpts.Marshal(r); err != nil {
			b = []byte(fmt.Sprintf(`{"source":%q,"error":{"code":13,"message":"unencodable"}}`, r.GetSource()))
		}
	}
	return append(b, '\n'), ok
}

// write writes encoded bytes; the first error stops the output.
func (p *printer) write(b []byte) error {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
	return p.err
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
		printDNS(field, rc.GetDns())
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
