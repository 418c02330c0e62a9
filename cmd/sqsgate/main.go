// Command sqsgate is the local platform: it runs the SAM application in
// template.yaml on this machine (see `sqsgate --help`).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sqsgate/sqsgate/internal/local/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
