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
)

// tierOrder is the order of the summary table: best standing first, then the sellers the
// charter could not judge.
var tierOrder = []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation,
	checklist.TierSuspend, checklist.TierInsufficientData}

// cmdAudit scores sellers against the charter for a period, through the same service methods
// as POST /api/v1/audits and /api/v1/audits/batch: progress goes to stderr, the per-tier
// summary and the elapsed time to stdout.
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
	// The period is checked before the database is opened: a usage error. The service checks
	// it again as it checks every input of an audit.
	if _, errs := audit.ParsePeriod(*from, *to); len(errs) > 0 {
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
	svc := d.service(st)
	in := audit.AuditInput{PeriodStart: *from, PeriodEnd: *to, CharterVersion: *version}
	start := time.Now()
	progress := func(p audit.AuditProgress) {
		switch p.Phase {
		case audit.PhaseFacts:
			fmt.Fprintf(e.stderr, "audit %s to %s against charter %s\n", *from, *to, p.Charter)
			who := "every seller"
			if p.Sellers > 0 {
				who = fmt.Sprintf("%d seller(s)", p.Sellers)
			}
			fmt.Fprintf(e.stderr, "  loading facts of %s...\n", who)
		case audit.PhaseEvaluating:
			fmt.Fprintf(e.stderr, "  evaluating %d sellers... (%s)\n", p.Sellers, auditElapsed(start))
		case audit.PhaseSaving:
			fmt.Fprintf(e.stderr, "  saving... (%s)\n", auditElapsed(start))
		}
	}
	var res audit.AuditResult
	if *seller != "" {
		var sc audit.Scorecard
		sc, err = svc.AuditSeller(ctx, cliPrincipal, *seller, in, progress)
		res.Scorecards = []audit.Scorecard{sc}
	} else {
		res, err = svc.AuditSellers(ctx, cliPrincipal, nil, in, progress)
	}
	if err != nil {
		return auditFlagError(err, *seller, *version)
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

// auditFlagError says a refusal of the audit service in terms of the command's flags: what
// only the database can tell (an unknown seller or charter version) is a run-time failure that
// names the flag and its value. The period was checked before the database was opened.
func auditFlagError(err error, seller, version string) error {
	var ve *audit.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var msgs []string
	for _, fe := range ve.Errors {
		switch fe.Field {
		case "seller_id":
			msgs = append(msgs, fmt.Sprintf("--seller %s: %s", seller, fe.Message))
		case "charter_version":
			msgs = append(msgs, fmt.Sprintf("--charter %s: %s", version, fe.Message))
		default:
			msgs = append(msgs, fe.Field+": "+fe.Message)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// auditElapsed is the time elapsed since start, rounded for people.
func auditElapsed(start time.Time) time.Duration { return time.Since(start).Round(time.Millisecond) }
