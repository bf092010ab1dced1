package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
)

var jsonOpts = protojson.MarshalOptions{UseProtoNames: true}

func runParse(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c Config
	var env envErrors
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "jsonl", "output format: jsonl (one protojson line per message) or text")
	audience := fs.String("audience", "marketer", "explanations for: marketer, end_user or admin")
	language := fs.String("language", "en", "language of the explanations (en, fr)")
	bindLimits(fs, &c, &env)
	if err := parseConfig(fs, args, &c, env); err != nil {
		return err
	}
	if *format != "jsonl" && *format != "text" {
		return fmt.Errorf("%w: --format must be jsonl or text", errUsage)
	}
	aud, ok := pb.Audience_value["AUDIENCE_"+strings.ToUpper(*audience)]
	if !ok {
		return fmt.Errorf("%w: --audience must be marketer, end_user or admin", errUsage)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: parse needs at least one PATH or -", errUsage)
	}

	engine := bounce.New(bounce.Config{Limits: c.limits()})
	out := &printer{w: stdout, text: *format == "text"}
	failed := false
	emit := func(source string, raw []byte) {
		res, err := engine.Parse(ctx, bounce.Request{Raw: raw, Source: source, Audience: server.ToAudience(pb.Audience(aud)), Language: *language})
		if err != nil {
			out.print(server.ErrorResponse(source, err))
			return
		}
		out.print(server.ToProto(res, []explain.Audience{server.ToAudience(pb.Audience(aud))}, *language))
	}
	for _, arg := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if arg == "-" {
			raw, err := io.ReadAll(io.LimitReader(stdin, int64(c.MaxMessageBytes)*64+1))
			if err != nil {
				fmt.Fprintf(stderr, "bounced: stdin: %v\n", err)
				failed = true
				continue
			}
			readMessages("-", raw, emit)
			continue
		}
		if err := walkPath(arg, c.MaxMessageBytes, emit); err != nil {
			fmt.Fprintf(stderr, "bounced: %v\n", err)
			failed = true
		}
	}
	if out.err != nil {
		return out.err
	}
	if failed {
		return errUnreadable
	}
	return nil
}

// walkPath reads a file or every regular file below a directory, in
// lexical order. Files larger than 64 messages of the maximum size are
// refused (an mbox that large should be split first).
func walkPath(path string, maxBytes int, emit func(string, []byte)) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return readFile(path, maxBytes, emit)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	var firstErr error
	for _, f := range files {
		if err := readFile(f, maxBytes, emit); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

func readFile(path string, maxBytes int, emit func(string, []byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	limit := int64(maxBytes) * 64
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(raw)) > limit {
		return fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	readMessages(path, raw, emit)
	return nil
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
	err  error
}

func (p *printer) print(r *pb.ParseResponse) {
	if p.err != nil {
		return
	}
	if !p.text {
		b, err := jsonOpts.Marshal(r)
		if err != nil {
			p.err = err
			return
		}
		b = append(b, '\n')
		_, p.err = p.w.Write(b)
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n", r.GetSource())
	if r.GetError() != nil {
		fmt.Fprintf(&sb, "  error: %s\n", r.GetError().GetMessage())
	} else {
		fmt.Fprintf(&sb, "  kind: %s  decoded_by: %s\n", strings.TrimPrefix(r.GetKind().String(), "KIND_"), r.GetDecodedBy())
		if o := r.GetOriginal(); o != nil && o.GetMessageId() != "" {
			fmt.Fprintf(&sb, "  original: %s\n", o.GetMessageId())
		}
	}
	for _, rc := range r.GetRecipients() {
		fmt.Fprintf(&sb, "  %s  %s %s %d  %s  side=%s hard=%v\n", rc.GetRecipient(),
			strings.TrimPrefix(rc.GetAction().String(), "ACTION_"), rc.GetStatus(), rc.GetReplyCode(),
			server.ReasonName(rc.GetReason()), strings.TrimPrefix(rc.GetSide().String(), "SIDE_"), rc.GetHardBounce())
		if d := rc.GetDiagnosticCode(); d != "" {
			fmt.Fprintf(&sb, "    %s\n", d)
		}
		for _, e := range rc.GetExplanations() {
			fmt.Fprintf(&sb, "    %s\n", e.GetHeadline())
		}
	}
	_, p.err = io.WriteString(p.w, sb.String())
}
