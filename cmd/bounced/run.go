package main

import (
	"context"
	"errors"
	"fmt"
	"os"
)

const usage = `usage:
  bounced serve [flags]                       run the gRPC service
  bounced parse [--format=jsonl|text] [flags] PATH...|-
                                              parse files, directories, mbox files or stdin
  bounced logs [--follow] [flags] FILE|-      classify the failures in a Postfix, Exim or KumoMTA log
  bounced imap --url imaps://user@host/INBOX [flags]
                                              read bounces from a mailbox (password: --password-file
                                              or BOUNCED_IMAP_PASSWORD)
  bounced version

Run "bounced serve -h" or "bounced parse -h" for the flags.
`

// errUsage is a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// errFailed is returned by parse when some input failed: a path that
// could not be read, or a message that could not be parsed or printed
// (exit status 1; every other input was still printed).
var errFailed = errors.New("some inputs failed")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run runs one command. Exit statuses: 0 success (and -h), 1 a failure
// (parse: some input failed), 2 a usage error.
func run(ctx context.Context, args []string) error {
	err := runCommand(ctx, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func runCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:])
	case "parse":
		return runParse(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
	case "logs":
		return runLogs(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
	case "imap":
		return runIMAP(ctx, args[1:], os.Stdout, os.Stderr)
	case "version", "-version", "--version":
		fmt.Println("bounced", version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}
