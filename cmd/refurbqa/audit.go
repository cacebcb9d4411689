package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
)

// tierOrder is the order of the summary table: best standing first, then the sellers the
// charter could not judge.
var tierOrder = []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation,
	checklist.TierSuspend, checklist.TierInsufficientData}

// cmdAudit scores sellers against the charter for a period, through the same store method as
// POST /api/v1/audits and /api/v1/audits/batch: progress goes to stderr, the per-tier summary
// and the elapsed time to stdout.
func cmdAudit(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "audit --from DATE --to DATE [--seller ID] [--charter VERSION] [flags]",
		"Scores every seller (or one, with --seller) against the charter for the period [--from, --to):\n"+
			"--to is exclusive, and the period is at most 366 days. Each seller gets a new draft scorecard;\n"+
			"a draft of the same period and charter version is kept but superseded by it, an approved one\n"+
			"never changes and stays beside the new draft. Prints the number of sellers per tier.")
	var db dbFlags
	db.register(fs, e)
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD (required)")
	to := fs.String("to", "", "day after the last day of the period, YYYY-MM-DD (required)")
	seller := fs.String("seller", "", "audit this seller only (default: every seller)")
	version := fs.String("charter", "", "charter version (default: the active charter)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required")
	}
	for flag, v := range map[string]string{"--seller": *seller, "--charter": *version} {
		if msg := audit.TextProblem(v, false); msg != "" {
			return usagef("%s %s", flag, msg)
		}
	}
	p, errs := audit.ParsePeriod(*from, *to)
	if len(errs) > 0 {
		// The domain names the API's fields; say the flags instead.
		flags := strings.NewReplacer("period_start", "--from", "period_end", "--to")
		var msgs []string
		for _, field := range []string{"period_start", "period_end"} { // in the order of the flags
			for _, fe := range errs {
				if fe.Field == field {
					msgs = append(msgs, flags.Replace(fe.Field+" "+fe.Message))
				}
			}
		}
		return usagef("%s", strings.Join(msgs, "; "))
	}
	if _, err := db.logger(e); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := loadDomain(ctx, st)
	if err != nil {
		return err
	}
	cv, err := st.ActiveCharter(ctx)
	if *version != "" {
		cv, err = st.Charter(ctx, *version)
		if errors.Is(err, audit.ErrNotFound) {
			return fmt.Errorf("--charter %s: no published charter has this version", *version)
		}
	}
	if err != nil {
		return err
	}
	compiled, err := d.programs.Get(cv.Charter)
	if err != nil {
		return fmt.Errorf("charter %s: %w", cv.Charter.Version, err)
	}
	var sellers []string
	if *seller != "" {
		if _, err := st.Seller(ctx, *seller); err != nil {
			if errors.Is(err, audit.ErrNotFound) {
				return fmt.Errorf("--seller %s: no seller has this id", *seller)
			}
			return err
		}
		sellers = []string{*seller}
	}

	fmt.Fprintf(e.stderr, "audit %s to %s against charter %s\n", *from, *to, cv.Charter.Version)
	start := time.Now()
	progress := func(phase store.AuditPhase, n int) {
		switch phase {
		case store.PhaseFacts:
			who := "every seller"
			if n > 0 {
				who = fmt.Sprintf("%d seller(s)", n)
			}
			fmt.Fprintf(e.stderr, "  loading facts of %s...\n", who)
		case store.PhaseEvaluating:
			fmt.Fprintf(e.stderr, "  evaluating %d sellers... (%s)\n", n, auditElapsed(start))
		case store.PhaseSaving:
			fmt.Fprintf(e.stderr, "  saving... (%s)\n", auditElapsed(start))
		}
	}
	res, err := st.AuditSellersProgress(ctx, cliPrincipal, p, compiled, sellers, progress)
	if err != nil {
		return err
	}

	counts := map[checklist.Tier]int{}
	for _, sc := range res.Scorecards {
		counts[sc.Result.Tier]++
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIER\tSELLERS")
	for _, t := range tierOrder {
		fmt.Fprintf(tw, "%s\t%d\n", t, counts[t])
	}
	fmt.Fprintf(tw, "total\t%d\n", len(res.Scorecards))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%d scorecards in %s\n", len(res.Scorecards), auditElapsed(start))
	return err
}

// auditElapsed is the time elapsed since start, rounded for people.
func auditElapsed(start time.Time) time.Duration { return time.Since(start).Round(time.Millisecond) }
