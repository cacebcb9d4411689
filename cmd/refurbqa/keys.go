package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// cli is the principal recorded in the event trail for work done from the command line by the
// operator of the machine.
var cliPrincipal = audit.Principal{KeyID: "cli", Role: audit.RoleAdmin}

// adminService returns the use cases over st that need neither the grading protocols nor a
// charter (keys, KPIs), so that these commands skip loadDomain's start-up work.
func adminService(st *store.Store) *audit.Service {
	return audit.NewService(audit.ServiceConfig{Store: st})
}

func cmdKeys(ctx context.Context, e *env, args []string) error {
	const synopsis = "keys create --role R [--seller ID] --name N [--expires 720h]\n       refurbqa keys list\n       refurbqa keys revoke ID"
	return runVerb(ctx, e, args, synopsis,
		"Manages API keys. create prints the new token alone on standard output; it is never shown again.\n"+
			"refurbqa help keys create (or keys create --help) lists the flags of each.\n",
		verb{"create", keysCreate}, verb{"list", keysList}, verb{"revoke", keysRevoke})
}

func keysCreate(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "keys create --role R [--seller ID] --name N [flags]",
		"Creates an API key and prints its token alone on standard output (only a hash is stored).")
	var db dbFlags
	db.register(fs, e)
	role := fs.String("role", "", "role: admin, manager, technician or seller (required)")
	seller := fs.String("seller", "", "seller id (required for, and only for, the seller role)")
	name := fs.String("name", "", "a name that says who holds the key (required)")
	expires := fs.Duration("expires", 0, "lifetime of the key, e.g. 720h (default: no expiry)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	r := audit.Role(*role)
	switch {
	case !r.Valid():
		return usagef("--role must be admin, manager, technician or seller")
	case *name == "" || len(*name) > 200:
		return usagef("--name is required (1 to 200 characters)")
	case audit.TextProblem(*name, false) != "":
		// The rule of every text the API takes, so that a key name is the same on every database.
		return usagef("--name %s", audit.TextProblem(*name, false))
	case audit.TextProblem(*seller, false) != "":
		return usagef("--seller %s", audit.TextProblem(*seller, false))
	case r == audit.RoleSeller && *seller == "":
		return usagef("--seller is required for the seller role")
	case r != audit.RoleSeller && *seller != "":
		return usagef("--seller is only for the seller role")
	case *expires < 0:
		return usagef("--expires must be positive")
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	in := audit.Key{Name: *name, Role: r, SellerID: *seller}
	if *expires > 0 {
		t := st.Now().Add(*expires)
		in.ExpiresAt = &t
	}
	_, token, err := adminService(st).CreateKey(ctx, cliPrincipal, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}

func keysList(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "keys list [flags]", "Lists every API key (never their tokens).")
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
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSELLER\tCREATED\tLAST USED\tEXPIRES\tSTATE")
	keys, err := audit.All(func(p audit.Page) ([]audit.Key, string, error) { return svc.Keys(ctx, cliPrincipal, p) })
	if err != nil {
		return err
	}
	for _, k := range keys {
		state := "active"
		switch {
		case k.RevokedAt != nil:
			state = "revoked"
		case k.ExpiresAt != nil && !st.Now().Before(*k.ExpiresAt):
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, dash(k.SellerID),
			k.CreatedAt.Format(time.DateTime), timeOrDash(k.LastUsedAt), timeOrDash(k.ExpiresAt), state)
	}
	return tw.Flush()
}

func keysRevoke(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "keys revoke [flags] ID", "Revokes an API key: its token is refused from the next request on.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one key id, got %d arguments", fs.NArg())
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := adminService(st).RevokeKey(ctx, cliPrincipal, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "key %s revoked\n", fs.Arg(0))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateTime)
}
