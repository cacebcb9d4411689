package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/refurbqa/refurbqa/audit"
)

func cmdUsers(ctx context.Context, e *env, args []string) error {
	const synopsis = "users create --email E --name N --role R [--seller ID] [--password-stdin]\n" +
		"       refurbqa users list\n       refurbqa users disable ID|EMAIL\n       refurbqa users reset-password ID|EMAIL [--password-stdin]"
	return runVerb(ctx, e, args, synopsis,
		"Manages the accounts of people (API keys are for machines). create and reset-password print\n"+
			"a one-time password alone on standard output, or read the password as one line of standard\n"+
			"input with --password-stdin; passwords are at least 12 characters and only their hash is kept.\n"+
			"refurbqa help users create (or users create --help) lists the flags of each.\n",
		verb{"create", usersCreate}, verb{"list", usersList}, verb{"disable", usersDisable}, verb{"reset-password", usersResetPassword})
}

// readPassword reads the password given on standard input: its first line, without the line
// ending. Nothing else of the input is read.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(r, 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on standard input (--password-stdin reads one line)")
	}
	if p := audit.PasswordProblem(line); p != "" {
		return "", fmt.Errorf("the password on standard input %s", p)
	}
	return line, nil
}

func usersCreate(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "users create --email E --name N --role R [--seller ID] [flags]",
		"Creates a user account and prints its one-time password alone on standard output (only a\n"+
			"bcrypt hash is stored); with --password-stdin it reads the password as one line of\n"+
			"standard input instead, and prints nothing on standard output.")
	var db dbFlags
	db.register(fs, e)
	email := fs.String("email", "", "the email address the user signs in with (required)")
	name := fs.String("name", "", "the user's name, 1 to 200 characters (required)")
	role := fs.String("role", "", "role: admin, manager, technician or seller (required)")
	seller := fs.String("seller", "", "seller id (required for, and only for, the seller role)")
	fromStdin := fs.Bool("password-stdin", false, "read the password (at least 12 characters) from standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	r := audit.Role(*role)
	normalised, trimmed := audit.NormalizeEmail(*email), strings.TrimSpace(*name)
	switch {
	case *email == "":
		return usagef("--email is required")
	case audit.EmailProblem(normalised) != "":
		return usagef("--email %s", audit.EmailProblem(normalised))
	case audit.UserNameProblem(trimmed) != "":
		return usagef("--name %s", audit.UserNameProblem(trimmed))
	case !r.Valid():
		return usagef("--role must be admin, manager, technician or seller")
	case audit.TextProblem(*seller, false) != "":
		return usagef("--seller %s", audit.TextProblem(*seller, false))
	case r == audit.RoleSeller && *seller == "":
		return usagef("--seller is required for the seller role")
	case r != audit.RoleSeller && *seller != "":
		return usagef("--seller is only for the seller role")
	}
	in := audit.NewUser{Email: *email, Name: *name, Role: r, SellerID: *seller}
	if *fromStdin {
		password, err := readPassword(e.stdin)
		if err != nil {
			return err
		}
		in.Password = password
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	u, password, err := adminService(st).CreateUser(ctx, cliPrincipal, in)
	if err != nil {
		return err
	}
	if *fromStdin {
		fmt.Fprintf(e.stderr, "user %s created for %s\n", u.ID, u.Email)
		return nil
	}
	fmt.Fprintln(e.stdout, password)
	return nil
}

func usersList(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "users list [flags]", "Lists every user account (never a password or its hash).")
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
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSELLER\tCREATED\tDISABLED")
	users, err := audit.All(func(p audit.Page) ([]audit.User, string, error) { return svc.Users(ctx, cliPrincipal, p) })
	if err != nil {
		return err
	}
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, dash(u.SellerID),
			u.CreatedAt.Format(time.DateTime), timeOrDash(u.DisabledAt))
	}
	return tw.Flush()
}

// oneUser returns the one argument of a command that names a user (an id or an email).
func oneUser(fs *flags) (string, error) {
	if fs.NArg() != 1 {
		return "", usagef("want exactly one user id or email, got %d arguments", fs.NArg())
	}
	if p := audit.TextProblem(fs.Arg(0), false); p != "" {
		return "", usagef("the user %s", p)
	}
	return fs.Arg(0), nil
}

func usersDisable(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "users disable [flags] ID|EMAIL",
		"Disables a user account: its password is refused from then on. Disabling twice is a no-op.")
	var db dbFlags
	db.register(fs, e)
	if err := parse(fs, args); err != nil {
		return err
	}
	ref, err := oneUser(fs)
	if err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := adminService(st).DisableUser(ctx, cliPrincipal, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "user %s (%s) disabled\n", u.ID, u.Email)
	return nil
}

func usersResetPassword(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "users reset-password [flags] ID|EMAIL",
		"Gives a user a new password and prints it, a one-time password, alone on standard output;\n"+
			"with --password-stdin it reads the password as one line of standard input instead, and\n"+
			"prints nothing on standard output.")
	var db dbFlags
	db.register(fs, e)
	fromStdin := fs.Bool("password-stdin", false, "read the password (at least 12 characters) from standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	ref, err := oneUser(fs)
	if err != nil {
		return err
	}
	var password string
	if *fromStdin {
		if password, err = readPassword(e.stdin); err != nil {
			return err
		}
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	got, err := adminService(st).ResetPassword(ctx, cliPrincipal, ref, password)
	if err != nil {
		return err
	}
	if *fromStdin {
		fmt.Fprintf(e.stderr, "password of user %s reset\n", ref)
		return nil
	}
	fmt.Fprintln(e.stdout, got)
	return nil
}
