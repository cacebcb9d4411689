// Command refurbqa is the quality-audit and device-grading system of a marketplace for
// refurbished electronics: it serves the HTTP API and runs migrations, key management, demo
// data, audits, reports and backups from the command line. main only wires; see run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runIO(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
