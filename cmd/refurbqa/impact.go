package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// The operator's way to the impact factors (transparency.md §4): publish a version from a JSON
// file in the form of POST /api/v1/impact-factors, with the same rules, and list the versions.

func cmdImpactFactors(ctx context.Context, e *env, args []string) error {
	const synopsis = "impact-factors publish [flags] FILE\n       refurbqa impact-factors list [flags]"
	return runVerb(ctx, e, args, synopsis,
		"Publishes and lists the versions of the environmental impact factors per device, with the rules of\n"+
			"POST and GET /api/v1/impact-factors. refurbqa help impact-factors publish lists the file's format.\n",
		verb{"publish", impactFactorsPublish}, verb{"list", impactFactorsList})
}

func impactFactorsPublish(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "impact-factors publish [flags] FILE",
		"Publishes a version of the environmental impact factors from a JSON file in the form of\n"+
			"POST /api/v1/impact-factors, with its rules:\n\n"+
			`  {"version": "2027.1", "factors": [`+"\n"+
			`    {"category": "smartphone", "co2e_kg": 77.31, "ewaste_kg": 0.1783, "raw_materials_kg": 243.60,`+"\n"+
			`     "water_l": 77000, "source": "the marketplace's published figures"},`+"\n"+
			`    {"category": "laptop", "co2e_kg": ..., "ewaste_kg": ..., "raw_materials_kg": ..., "water_l": ..., "source": "..."}]}`+"\n\n"+
			"The figures are per refurbished device, in kilograms and litres. The new version is in force from\n"+
			"then on: estimates that name no version use it, and a category it leaves out is not estimated, so\n"+
			"list every category to estimate (smartphone, tablet, laptop). Versions are unique and never change.\n"+
			"Every invalid field is printed on standard error and the exit status is 1.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one JSON file, got %d arguments", fs.NArg())
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if len(body) > httpapi.MaxBodyBytes {
		return fmt.Errorf("%s: larger than %d bytes", fs.Arg(0), httpapi.MaxBodyBytes)
	}
	var doc audit.ImpactFactorsDocument
	typeErr, err := wire.Decode(body, &doc)
	if err != nil {
		return printProblems(e, fs.Arg(0), err)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	in := audit.Input[audit.ImpactFactorsDocument]{Value: doc}
	var ve *audit.ValidationError
	if errors.As(typeErr, &ve) {
		in.Problems = ve.Errors
	}
	f, err := adminService(st).PublishImpactFactors(ctx, cliPrincipal, in)
	if err != nil {
		return printProblems(e, fs.Arg(0), err)
	}
	cats := make([]string, len(f.Factors))
	for i, x := range f.Factors {
		cats[i] = string(x.Category)
	}
	fmt.Fprintf(e.stdout, "published impact factors %s, in force from now on: %s\n", f.Version, strings.Join(cats, ", "))
	return nil
}

// printProblems prints every field error of a validation error on stderr and returns the
// command's one-line failure; any other error is returned as it is.
func printProblems(e *env, file string, err error) error {
	var ve *audit.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for _, fe := range ve.Errors {
		fmt.Fprintf(e.stderr, "%s: %s\n", fe.Field, fe.Message)
	}
	return fmt.Errorf("%s: %d errors (listed above); nothing was published", file, len(ve.Errors))
}

func impactFactorsList(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "impact-factors list [flags]",
		"Lists every published version of the impact factors, in the order published; the last one is in force.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := adminService(st)
	versions, err := audit.All(func(p audit.Page) ([]audit.ImpactFactors, string, error) {
		return svc.ImpactFactorVersions(ctx, p)
	})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tPUBLISHED\tBY\tCATEGORIES\tSTATE")
	for i, f := range versions {
		cats := make([]string, len(f.Factors))
		for j, x := range f.Factors {
			cats[j] = string(x.Category)
		}
		state := "superseded"
		if i == len(versions)-1 {
			state = "in force"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Version, f.CreatedAt.Format(time.DateTime), f.CreatedBy, strings.Join(cats, ", "), state)
	}
	return tw.Flush()
}
