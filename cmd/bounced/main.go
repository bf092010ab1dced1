// Command bounced turns raw bounce emails into verdicts.
//
//	bounced serve [flags]                 run the gRPC service
//	bounced parse [flags] PATH...|-       read files, directories or mbox files
//
// Every flag can also be set with a BOUNCED_* environment variable; see
// config.go.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bounced:", err)
		os.Exit(exitCode(err))
	}
}
