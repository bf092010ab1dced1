package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/bounced/bounced/internal/explain"
	"github.com/bounced/bounced/internal/imapin"
	"github.com/bounced/bounced/internal/ingest"
)

// runIMAP watches a bounce mailbox and delivers each message's verdict to
// the sinks before marking, moving or deleting it.
func runIMAP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env envErrors
	fs := newFlagSet("imap", "bounced imap --url imaps://user@host/INBOX [flags]", stderr)
	fs.StringVar(&c.IMAPURL, "url", envOr("IMAP_URL", ""), "mailbox: imaps://user@host[:port]/MAILBOX (or imap:// with STARTTLS)")
	fs.StringVar(&c.IMAPPasswordFile, "password-file", envOr("IMAP_PASSWORD_FILE", ""), "file holding the password (else $BOUNCED_IMAP_PASSWORD)")
	fs.StringVar(&c.IMAPDoneFolder, "done-folder", envOr("IMAP_DONE_FOLDER", ""), "move handled messages here (created if missing)")
	fs.BoolVar(&c.IMAPDelete, "delete", env.bool("IMAP_DELETE", false), "delete handled messages (when no --done-folder); default: mark them \\Seen")
	fs.DurationVar(&c.IMAPPollInterval, "poll-interval", env.duration("IMAP_POLL_INTERVAL", imapin.DefaultPollInterval), "wait between searches when the server has no IDLE")
	fs.BoolVar(&c.IMAPAllowPlaintext, "allow-plaintext", env.bool("IMAP_ALLOW_PLAINTEXT", false), "allow imap:// without STARTTLS (trusted networks only)")
	once := fs.Bool("once", env.bool("ONCE", false), "handle what is unseen now, then exit")
	audience := fs.String("audience", envOr("AUDIENCE", "marketer"), "explanations for, comma-separated: marketer, end_user, admin")
	language := fs.String("language", envOr("LANGUAGE", "en"), "language of the explanations ("+strings.Join(explain.Languages(), ", ")+")")
	logLevel := fs.String("log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error")
	bindLimits(fs, &c, &env)
	bindCache(fs, &c, &env)
	bindSinks(fs, &c, &env)
	if err := parseConfig(fs, args, &c, env); err != nil {
		return err
	}
	if c.IMAPURL == "" {
		return fmt.Errorf("%w: imap needs --url imaps://user@host/INBOX", errUsage)
	}
	auds, err := parseAudiences(*audience)
	if err != nil {
		return err
	}
	if err := checkLanguage(*language); err != nil {
		return err
	}
	password := os.Getenv("BOUNCED_IMAP_PASSWORD")
	if c.IMAPPasswordFile != "" {
		b, err := os.ReadFile(c.IMAPPasswordFile)
		if err != nil {
			return fmt.Errorf("%w: --password-file: %v", errUsage, err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	if password == "" {
		return fmt.Errorf("%w: no password: --password-file or BOUNCED_IMAP_PASSWORD", errUsage)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level %q", errUsage, *logLevel)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))

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
	r, err := imapin.New(imapin.Config{
		URL: c.IMAPURL, Password: password, DoneFolder: c.IMAPDoneFolder, Delete: c.IMAPDelete,
		AllowPlaintext: c.IMAPAllowPlaintext, MaxMessageBytes: int64(c.MaxMessageBytes), PollInterval: c.IMAPPollInterval,
		Handler: &ingest.Handler{Engine: engine, Sink: sinks, Audiences: auds, Language: *language},
		Logger:  log,
	})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *once {
		err = r.Once(ctx)
	} else {
		err = r.Run(ctx)
	}
	s := r.Stats()
	log.Info("imap done", "delivered", s.Delivered, "acknowledged", s.Acked, "errors", s.Errors, "reconnects", s.Reconnects)
	return err
}
