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
  bounced version

Run "bounced serve -h" or "bounced parse -h" for the flags.
`

// errUsage is a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// errUnreadable is returned when some input could not be read (exit status 1).
var errUnreadable = errors.New("some inputs could not be read")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:])
	case "parse":
		return runParse(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
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
