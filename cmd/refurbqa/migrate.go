package main

import (
	"context"
	"fmt"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "migrate [flags]", "Applies every pending schema migration to the database and exits.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, err := db.logger(e); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(e.stderr, "database %s is up to date\n", st.Driver())
	return nil
}
