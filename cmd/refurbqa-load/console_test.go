package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// consoleServer is the real console over a migrated database, with a technician.
func consoleServer(t *testing.T) *httptest.Server {
	t.Helper()
	st := storetest.Open(t, store.Config{})
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: ps, PasswordCost: bcrypt.MinCost})
	admin := audit.Principal{KeyID: "test", Role: audit.RoleAdmin}
	_, _, err = svc.CreateUser(context.Background(), admin, audit.NewUser{Email: "tech@lab.example", Name: "Tech",
		Role: audit.RoleTechnician, Password: "a long enough password"})
	require.NoError(t, err)
	con, err := console.New(console.Config{Service: svc, Sessions: memstore.New(), Reports: reports.NewBuilder(st)})
	require.NoError(t, err)
	srv := httptest.NewServer(con)
	t.Cleanup(srv.Close)
	return srv
}

// TestConsolePreviewForms: the generated forms are bench-test forms the console grades (none
// comes back "not graded yet"), sent in sessions of their own.
func TestConsolePreviewForms(t *testing.T) {
	srv := consoleServer(t)
	u, err := loopbackURL(srv.URL)
	require.NoError(t, err)
	r := newRunner(options{url: u, scenario: "console-preview", concurrency: 3, seed: 1, timeout: 10 * time.Second,
		email: "tech@lab.example", password: "a long enough password"}, io.Discard)
	require.NoError(t, r.prepare(context.Background()))
	assert.Len(t, r.cookies, 3)
	assert.NotEqual(t, r.cookies[0], r.cookies[1], "a session per client")
	var body bytes.Buffer
	for i := range 40 {
		req, _, err := r.request(context.Background(), newTestRand(), &body, i)
		require.NoError(t, err)
		res, err := r.client.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, string(b), "<dt>Status</dt>", "graded: %s", b)
	}
}

func TestConsolePagesScenario(t *testing.T) {
	srv := consoleServer(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--scenario", "console-pages", "--concurrency", "2",
		"--duration", "2s", "--requests", "20", "--path", "/console/,/console/bench-tests/new"},
		func(k string) string {
			return map[string]string{"REFURBQA_EMAIL": "tech@lab.example", "REFURBQA_PASSWORD": "a long enough password"}[k]
		}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "scenario           console-pages")
	assert.Contains(t, stdout.String(), "200")

	code = run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--scenario", "console-pages", "--path", "/api/v1/keys",
		"--email", "a@b.example", "--password", "x"}, func(string) string { return "" }, &stdout, &stderr)
	assert.Equal(t, 2, code, "only console pages")
}

// TestLotSamplePaths: the lots fill one after the other, each with exactly its sample size,
// and the scenario stops rather than send a sample beyond the last lot's.
func TestLotSamplePaths(t *testing.T) {
	r := &runner{paths: []string{"/a", "/b"}, lotSample: 2}
	var got []string
	for range 5 {
		p, ok := r.lotSamplePath()
		if !ok {
			p = "done"
		}
		got = append(got, p)
	}
	assert.Equal(t, []string{"/a", "/a", "/b", "/b", "done"}, got)
}
