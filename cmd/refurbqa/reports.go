package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
)

func cmdReports(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "reports --scorecards approved|all --out DIR [flags]",
		"Writes the PDF feedback report of every chosen scorecard into DIR, in parallel. Files are written\nunder a temporary name and renamed when complete, so DIR never holds a half-written report.")
	var db dbFlags
	db.register(fs, e)
	which := fs.String("scorecards", "approved", "which scorecards: approved, or all current ones (approved and drafts; superseded drafts are left out)")
	from := fs.String("from", "", "only scorecards whose period starts on or after this date (YYYY-MM-DD)")
	to := fs.String("to", "", "only scorecards whose period ends on or before this date (YYYY-MM-DD)")
	out := fs.String("out", "", "directory to write the reports to (created if needed)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "reports rendered at once")
	date := fs.String("date", "", "generation date printed in the reports (YYYY-MM-DD; default today, UTC)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (for performance work)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var filter store.ScorecardFilter
	switch *which {
	case "approved":
		filter.Status = audit.Approved
	case "all":
	default:
		return usagef("--scorecards must be approved or all")
	}
	var err error
	if filter.From, err = parseDateFlag("from", *from); err != nil {
		return err
	}
	if filter.To, err = parseDateFlag("to", *to); err != nil {
		return err
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		return usagef("--from must be before --to")
	}
	generated := time.Now().UTC().Truncate(24 * time.Hour)
	if *date != "" {
		if generated, err = parseDateFlag("date", *date); err != nil {
			return err
		}
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *workers < 1 || *workers > 64 {
		return usagef("--workers must be between 1 and 64")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	renderer, err := reports.NewRenderer()
	if err != nil {
		return err
	}
	builder := reports.NewBuilder(st)

	cards, err := audit.All(func(p audit.Page) ([]audit.Scorecard, string, error) { return st.Scorecards(ctx, filter, p) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "reports: %d scorecards (%s) → %s with %d workers\n", len(cards), *which, *out, *workers)
	start := time.Now()
	progress := newCounter(e.stderr, isTerminal(e.stderr), "reports: %d/%d done", len(cards))
	jobs := make(chan audit.Scorecard)
	errs := make(chan error, len(cards))
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for sc := range jobs {
				if err := writeReport(ctx, builder, renderer, sc, *out, generated, &buf); err != nil {
					errs <- fmt.Errorf("scorecard %s: %w", sc.ID, err)
				}
				progress.add()
			}
		}()
	}
	for _, sc := range cards {
		if ctx.Err() != nil {
			break
		}
		jobs <- sc
	}
	close(jobs)
	wg.Wait()
	close(errs)
	progress.finish()
	// Each failed report gets a line of its own; the error that ends the command says how many.
	failed, cut := 0, 0
	for err := range errs {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			cut++ // cut short by the interruption, which the last line says
			continue
		}
		if failed < maxPrintedErrors {
			fmt.Fprintf(e.stderr, "reports: %s\n", oneLine(err))
		}
		failed++
	}
	if failed > maxPrintedErrors {
		fmt.Fprintf(e.stderr, "… and %d more\n", failed-maxPrintedErrors)
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted: %d of %d reports written, %d failed", progress.count()-cut-failed, len(cards), failed)
	case failed > 0:
		return fmt.Errorf("%d of %d reports could not be written (listed above)", failed, len(cards))
	}
	fmt.Fprintf(e.stdout, "%d reports written to %s in %s\n", len(cards), *out, time.Since(start).Round(time.Millisecond))
	return nil
}

// writeReport renders the report of one listed scorecard, as the operator sees it, and writes
// it atomically: a temporary file in the same directory, synced, then renamed to its final
// name.
func writeReport(ctx context.Context, b *reports.Builder, r *reports.Renderer, sc audit.Scorecard, dir string, generated time.Time, buf *bytes.Buffer) error {
	in, err := b.InputOf(ctx, cliPrincipal, sc)
	if err != nil {
		return err
	}
	buf.Reset()
	if err := r.Render(buf, reports.NewModel(in), generated); err != nil {
		return err
	}
	name := reports.FileName(in.Seller, in.Scorecard.Period)
	name = name[:len(name)-len(".pdf")] + "-" + sc.ID + ".pdf"
	tmp, err := os.CreateTemp(dir, ".report-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

func parseDateFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usagef("--%s must be a date YYYY-MM-DD, got %q", name, v)
	}
	return t, nil
}
