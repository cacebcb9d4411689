package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// runStdin runs the program to completion with stdin as its standard input.
func runStdin(t *testing.T, getenv func(string) string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runIO(context.Background(), append([]string{"refurbqa"}, args...), getenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// signIn asks the service, over the test's database, whether email signs in with password.
func signIn(t *testing.T, getenv func(string) string, email, password string) (audit.User, error) {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Driver: store.SQLite, DSN: getenv("REFURBQA_DSN")})
	require.NoError(t, err)
	defer st.Close()
	return adminService(st).CheckPassword(context.Background(), email, password)
}

var userID = regexp.MustCompile(`usr_[0-9a-z]{30}`)

func TestUsersCommands(t *testing.T) {
	getenv := testEnv(t)
	seller, _ := kpiTestDB(t, getenv)

	// create prints the one-time password alone on stdout, and it signs in.
	code, out, stderr := runCmd(t, getenv, "users", "create", "--email", " Ana@Lab.example", "--name", "Ana Técnica", "--role", "technician")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
	require.Regexp(t, `^\S{16,}\n$`, out, "the password alone, at least 16 characters")
	generated := strings.TrimSuffix(out, "\n")
	ana, err := signIn(t, getenv, "ana@lab.example", generated)
	require.NoError(t, err)
	assert.Equal(t, audit.RoleTechnician, ana.Role)

	// --password-stdin reads one line and prints nothing on stdout.
	code, out, stderr = runStdin(t, getenv, "seller password 1\nnot read\n", "users", "create", "--email", "sam@seller.example",
		"--name", "Sam", "--role", "seller", "--seller", seller, "--password-stdin")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, out)
	sam := userID.FindString(stderr)
	assert.Equal(t, "user "+sam+" created for sam@seller.example\n", stderr)
	got, err := signIn(t, getenv, "sam@seller.example", "seller password 1")
	require.NoError(t, err)
	assert.Equal(t, seller, got.SellerID)

	// list: a table with neither passwords nor hashes.
	code, out, stderr = runCmd(t, getenv, "users", "list")
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^ID\s+EMAIL\s+NAME\s+ROLE\s+SELLER\s+CREATED\s+DISABLED$`, lines[0])
	assert.Regexp(t, `^`+ana.ID+`\s+ana@lab\.example\s+Ana Técnica\s+technician\s+-\s+\S+ \S+\s+-$`, lines[1])
	assert.Regexp(t, `^`+sam+`\s+sam@seller\.example\s+Sam\s+seller\s+`+seller+`\s`, lines[2])
	for _, secret := range []string{generated, "seller password 1", "$2a$"} {
		assert.NotContains(t, out, secret)
	}

	// reset-password by email prints a new one-time password; the old one stops working.
	code, out, stderr = runCmd(t, getenv, "users", "reset-password", "ANA@lab.example")
	require.Equal(t, exitOK, code, stderr)
	fresh := strings.TrimSuffix(out, "\n")
	assert.NotEqual(t, generated, fresh)
	_, err = signIn(t, getenv, "ana@lab.example", generated)
	assert.ErrorIs(t, err, audit.ErrUnauthorized)
	_, err = signIn(t, getenv, "ana@lab.example", fresh)
	require.NoError(t, err)
	// ... or by id with --password-stdin, printing nothing on stdout.
	code, out, stderr = runStdin(t, getenv, "a chosen password\r\n", "users", "reset-password", ana.ID, "--password-stdin")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, out)
	assert.Equal(t, "password of user "+ana.ID+" reset\n", stderr)
	_, err = signIn(t, getenv, "ana@lab.example", "a chosen password")
	require.NoError(t, err)

	// disable by id: the password is refused from then on, and list says so.
	code, out, stderr = runCmd(t, getenv, "users", "disable", ana.ID)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, out)
	assert.Equal(t, "user "+ana.ID+" (ana@lab.example) disabled\n", stderr)
	_, err = signIn(t, getenv, "ana@lab.example", "a chosen password")
	assert.ErrorIs(t, err, audit.ErrUnauthorized)
	_, out, _ = runCmd(t, getenv, "users", "list")
	assert.Regexp(t, ana.ID+`\s.*technician\s+-\s+\S+ \S+\s+\S+ \S+\n`, out, "a disabled time")
}

func TestUsersCommandErrors(t *testing.T) {
	getenv := testEnv(t)
	seller, _ := kpiTestDB(t, getenv)
	code, _, stderr := runCmd(t, getenv, "users", "create", "--email", "taken@lab.example", "--name", "T", "--role", "admin")
	require.Equal(t, exitOK, code, stderr)

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		err   string // the whole of stderr
	}{
		{"no subcommand", []string{"users"}, "", 2,
			"refurbqa users: missing subcommand: create, list, disable or reset-password (see refurbqa help users)"},
		{"unknown subcommand", []string{"users", "delete"}, "", 2,
			`refurbqa users: unknown subcommand "delete": want create, list, disable or reset-password (see refurbqa help users)`},
		{"no email", []string{"users", "create", "--name", "A", "--role", "admin"}, "", 2,
			"refurbqa users create: --email is required (see refurbqa help users create)"},
		{"not an email", []string{"users", "create", "--email", "ana", "--name", "A", "--role", "admin"}, "", 2,
			"refurbqa users create: --email must be an email address such as name@example.com (see refurbqa help users create)"},
		{"no name", []string{"users", "create", "--email", "a@lab.example", "--role", "admin"}, "", 2,
			"refurbqa users create: --name must be 1 to 200 characters (see refurbqa help users create)"},
		{"no role", []string{"users", "create", "--email", "a@lab.example", "--name", "A"}, "", 2,
			"refurbqa users create: --role must be admin, manager, technician or seller (see refurbqa help users create)"},
		{"seller user without seller", []string{"users", "create", "--email", "a@lab.example", "--name", "A", "--role", "seller"}, "", 2,
			"refurbqa users create: --seller is required for the seller role (see refurbqa help users create)"},
		{"manager with a seller", []string{"users", "create", "--email", "a@lab.example", "--name", "A", "--role", "manager", "--seller", seller}, "", 2,
			"refurbqa users create: --seller is only for the seller role (see refurbqa help users create)"},
		{"disable without user", []string{"users", "disable"}, "", 2,
			"refurbqa users disable: want exactly one user id or email, got 0 arguments (see refurbqa help users disable)"},
		{"reset two users", []string{"users", "reset-password", "a", "b"}, "", 2,
			"refurbqa users reset-password: want exactly one user id or email, got 2 arguments (see refurbqa help users reset-password)"},
		{"list with an argument", []string{"users", "list", "x"}, "", 2,
			`refurbqa users list: unexpected argument "x" (see refurbqa help users list)`},

		// Run-time failures: exit status 1.
		{"a seller that does not exist", []string{"users", "create", "--email", "a@lab.example", "--name", "A", "--role", "seller", "--seller", "sl_nope"}, "", 1,
			"refurbqa users create: seller sl_nope: not found"},
		{"a taken email", []string{"users", "create", "--email", "TAKEN@lab.example", "--name", "A", "--role", "admin"}, "", 1,
			"refurbqa users create: user taken@lab.example: conflict"},
		{"a password of 11 characters", []string{"users", "create", "--email", "a@lab.example", "--name", "A", "--role", "admin", "--password-stdin"}, "12345678901\n", 1,
			"refurbqa users create: the password on standard input must be at least 12 characters"},
		{"no password on stdin", []string{"users", "reset-password", "taken@lab.example", "--password-stdin"}, "", 1,
			"refurbqa users reset-password: no password on standard input (--password-stdin reads one line)"},
		{"disable an unknown user", []string{"users", "disable", "usr_nope"}, "", 1, "refurbqa users disable: user usr_nope: not found"},
		{"reset an unknown email", []string{"users", "reset-password", "nobody@lab.example"}, "", 1,
			"refurbqa users reset-password: user nobody@lab.example: not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runStdin(t, getenv, tt.stdin, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Equal(t, tt.err+"\n", stderr, "exactly one line")
			assert.Empty(t, out)
		})
	}

	// A password of exactly 12 characters is taken.
	code, out, stderr := runStdin(t, getenv, "123456789012\n", "users", "create", "--email", "a@lab.example", "--name", "A", "--role", "admin", "--password-stdin")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, out)
	_, err := signIn(t, getenv, "a@lab.example", "123456789012")
	assert.NoError(t, err)
}
