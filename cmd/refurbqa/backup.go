package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/refurbqa/refurbqa/store"
)

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "backup --out FILE [flags]",
		"Writes a consistent copy of the SQLite database to FILE while the server keeps running (VACUUM INTO).\nFor PostgreSQL use pg_dump.")
	var db dbFlags
	db.register(fs, e)
	out := fs.String("out", "", "the backup file to create (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if db.driver != store.SQLite {
		return usagef("backup is for SQLite; back up PostgreSQL with pg_dump")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists; choose a new file", *out)
	}
	// SQLite's own message would name the file a second time.
	if _, err := os.Stat(filepath.Dir(*out)); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	info, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backup of %s written to %s (%d bytes, %s, integrity ok)\n", st.Path(), *out, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "restore [flags] FILE",
		"Replaces the SQLite database (REFURBQA_DSN) with the backup FILE. Stop the server first.\nIt refuses to overwrite an existing database without --force.")
	var db dbFlags
	db.register(fs, e)
	force := fs.Bool("force", false, "replace an existing database")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one backup file, got %d arguments", fs.NArg())
	}
	if db.driver != store.SQLite {
		return usagef("restore is for SQLite; restore PostgreSQL with pg_restore or psql")
	}
	dst := db.dsn
	if dst == "" {
		dst = "refurbqa.db"
	}
	if err := store.Restore(ctx, fs.Arg(0), dst, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "restored %s from %s\n", dst, fs.Arg(0))
	return nil
}
