package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/ingest"
	"github.com/bounced/bounced/internal/mtalog"
	"github.com/bounced/bounced/internal/server"
	"github.com/bounced/bounced/internal/sink"
)

// logsBatch is the number of log records a worker classifies at a time.
const logsBatch = 256

// runLogs reads Postfix, Exim or KumoMTA logs and prints (or sends to the
// sinks) one verdict per failed or deferred recipient.
func runLogs(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c Config
	var env envErrors
	fs := newFlagSet("logs", "bounced logs [--follow] [flags] FILE|-", stderr)
	follow := fs.Bool("follow", env.bool("FOLLOW", false), "keep reading as the file grows (and after it is rotated), like tail -F")
	audience := fs.String("audience", envOr("AUDIENCE", "marketer"), "explanations for, comma-separated: marketer, end_user, admin")
	language := fs.String("language", envOr("LANGUAGE", "en"), "language of the explanations ("+strings.Join(explain.Languages(), ", ")+")")
	bindLimits(fs, &c, &env)
	bindCache(fs, &c, &env)
	bindSinks(fs, &c, &env)
	if err := parseConfig(fs, args, &c, env); err != nil {
		return err
	}
	auds, err := parseAudiences(*audience)
	if err != nil {
		return err
	}
	if err := checkLanguage(*language); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: logs needs one FILE or -", errUsage)
	}
	path := fs.Arg(0)
	var in io.Reader = stdin
	name := "-"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, path
		if *follow {
			in = &follower{ctx: ctx, path: path, f: f, poll: 250 * time.Millisecond}
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine, closeEngine, err := openEngine(c)
	if err != nil {
		return err
	}
	defer closeEngine()
	sinks, err := openSinks(c, stdout, log)
	if err != nil {
		return err
	}
	defer closeSinks(sinks, 30*time.Second, log)

	lp := &logProcessor{engine: engine, audiences: auds, language: *language, name: name}
	sc := mtalog.NewScanner(in)
	next := func() ([]mtalog.Record, bool) {
		var batch []mtalog.Record
		for len(batch) < logsBatch && sc.Scan() {
			batch = append(batch, sc.Record())
			if *follow {
				break // a followed log: print each failure as it comes
			}
		}
		return batch, len(batch) > 0
	}
	var sum logSummary
	err = orderedMap(ctx, runtime.GOMAXPROCS(0), 4*runtime.GOMAXPROCS(0), next, lp.classify, func(out []logVerdict) error {
		for _, o := range out {
			sum.add(o.v)
			if err := sink.DeliverMarshalled(ctx, sinks, o.v, o.line); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	if serr := sc.Err(); serr != nil && err == nil {
		err = serr
	}
	sum.lines, sum.tooLong = sc.Lines(), sc.TooLong
	sum.print(stderr)
	return err
}

type logProcessor struct {
	engine    *bounce.Engine
	audiences []explain.Audience
	language  string
	name      string
}

type logVerdict struct {
	v    *pb.ParseResponse
	line []byte
}

// classify judges a batch of records; it runs on a worker.
func (p *logProcessor) classify(recs []mtalog.Record) []logVerdict {
	out := make([]logVerdict, 0, len(recs))
	for _, r := range recs {
		source := fmt.Sprintf("%s:%d", p.name, r.Line)
		res, err := p.engine.Classify(context.Background(), bounce.ClassifyRequest{
			Reply:     dsn.Reply{Text: r.Text, Recipient: r.Recipient, RemoteHost: r.RemoteHost, Command: r.Command, Deferred: r.Deferred},
			SendingIP: r.SendingIP, Audience: p.audiences[0], Language: p.language, Source: source,
		})
		var v *pb.ParseResponse
		if err != nil {
			v = ingest.ErrorVerdict(source, err)
		} else {
			v = server.ToProto(res, p.audiences, p.language)
			v.DecodedBy = r.Format
		}
		line, err := sink.MarshalLine(v)
		if err != nil {
			v, line = ingest.ErrorVerdict(source, err), nil
		}
		out = append(out, logVerdict{v, line})
	}
	return out
}

// logSummary counts what logs printed, for the line on stderr.
type logSummary struct {
	lines, records, failed, deferred, hard, errors, tooLong int
}

func (s *logSummary) add(v *pb.ParseResponse) {
	s.records++
	if v.GetError() != nil {
		s.errors++
		return
	}
	for _, r := range v.GetRecipients() {
		if r.GetAction() == pb.Action_ACTION_DELAYED {
			s.deferred++
		} else {
			s.failed++
		}
		if r.GetHardBounce() {
			s.hard++
		}
	}
}

func (s *logSummary) print(w io.Writer) {
	fmt.Fprintf(w, "bounced logs: %d lines, %d failures: %d failed (%d hard), %d deferred (soft), %d errors",
		s.lines, s.records, s.failed, s.hard, s.deferred, s.errors)
	if s.tooLong > 0 {
		fmt.Fprintf(w, ", %d lines over %d bytes skipped", s.tooLong, mtalog.MaxLineBytes)
	}
	fmt.Fprintln(w)
}

// follower reads a file and, at its end, waits for more like tail -F:
// a truncated file is read again from the start, a rotated one (a new
// file under the same name) from its start. It returns io.EOF when ctx ends.
type follower struct {
	ctx  context.Context
	path string
	f    *os.File
	poll time.Duration
}

func (r *follower) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if fi, err := os.Stat(r.path); err == nil {
			cur, cerr := r.f.Stat()
			switch {
			case cerr == nil && !os.SameFile(fi, cur):
				// Rotated: finish nothing more from the old file (it was
				// read to its end), continue with the new one.
				if nf, err := os.Open(r.path); err == nil {
					r.f.Close()
					r.f = nf
					continue
				}
			default:
				if pos, err := r.f.Seek(0, io.SeekCurrent); err == nil && fi.Size() < pos {
					r.f.Seek(0, io.SeekStart) // truncated
					continue
				}
			}
		}
		t := time.NewTimer(r.poll)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return 0, io.EOF
		case <-t.C:
		}
	}
}
