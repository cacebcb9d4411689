package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/refurbqa/refurbqa/audit"
)

// maxPrintedErrors bounds the invalid rows printed by kpis import; the rest are counted.
const maxPrintedErrors = 50

func cmdKpis(ctx context.Context, e *env, args []string) error {
	const synopsis = "kpis import [flags] FILE"
	return runVerb(ctx, e, args, synopsis,
		"Imports seller KPI months from a CSV file, with the rules of POST /api/v1/kpis/import.\n"+
			"refurbqa help kpis import (or kpis import --help) lists the columns and flags.\n",
		verb{"import", kpisImport})
}

func kpisImport(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "kpis import [flags] FILE",
		"Imports seller KPI months from a CSV file: a header row naming seller_id, month (YYYY-MM) and the\n"+
			"eleven monthly figures orders, shipped_late, valid_tracking, cancelled_before_shipment,\n"+
			"technical_returns_30d, defective_orders, messages_received, messages_answered_within_1bd,\n"+
			"warranty_claims, warranty_remedied_within_5bd and warranty_months, in any order, then one row\n"+
			"per seller and month, with the rules of POST /api/v1/kpis/import. Every row is checked\n"+
			"first; if any is invalid nothing is imported, each bad row is printed on standard error and\n"+
			"the exit status is 1. Months already stored are replaced. At most 100,000 rows.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one CSV file, got %d arguments", fs.NArg())
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	progress := func(rows int) { fmt.Fprintf(e.stderr, "kpis import: %d rows read\n", rows) }
	n, err := adminService(st).ImportKPIs(ctx, cliPrincipal, f, progress)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		for i, fe := range ve.Errors {
			if i == maxPrintedErrors {
				fmt.Fprintf(e.stderr, "… and %d more\n", len(ve.Errors)-maxPrintedErrors)
				break
			}
			fmt.Fprintf(e.stderr, "%s: %s\n", fe.Field, fe.Message)
		}
		return fmt.Errorf("%s: %d errors (listed above); nothing was imported", fs.Arg(0), len(ve.Errors))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d months\n", n)
	return nil
}
