package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// verifyServer is the real API over a migrated database holding bench tests, and the codes of
// those bench tests.
func verifyServer(t *testing.T) (*httptest.Server, []string) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, store.Config{})
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: ps})
	admin := audit.Principal{KeyID: "test", Role: audit.RoleAdmin}
	s, err := st.CreateSeller(ctx, admin, audit.Seller{Name: "S", Country: "FR", ContactEmail: "s@example.com"})
	require.NoError(t, err)
	gen, err := (&runner{o: options{seed: 1}}).generator(1)
	require.NoError(t, err)
	var codes []string
	for _, m := range gen.Months() {
		bts, err := gen.BenchTests(gen.Sellers()[0], "", m)
		require.NoError(t, err)
		for _, bt := range bts[:min(3, len(bts))] {
			bt.SellerID = s.ID
			rec, _, err := svc.RecordBenchTest(ctx, admin, audit.Input[audit.BenchTest]{Value: bt})
			require.NoError(t, err)
			require.NotEqual(t, grading.Status(""), rec.Grade.Status)
			codes = append(codes, rec.VerificationCode)
		}
	}
	api, err := httpapi.New(httpapi.Config{Service: svc, Reports: reports.NewBuilder(st), Ready: st.Ping})
	require.NoError(t, err)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, codes
}

// TestVerifyScenario: the scenario reads the codes (skipping blanks and comments), asks for
// them without a token, and counts the unknown ones as the 404s they are.
func TestVerifyScenario(t *testing.T) {
	srv, codes := verifyServer(t)
	require.NotEmpty(t, codes)
	file := filepath.Join(t.TempDir(), "codes.txt")
	lines := append([]string{"# codes of the test's bench tests", ""}, codes...)
	lines = append(lines, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	for _, accept := range []string{"json", "html"} {
		var stdout, stderr bytes.Buffer
		report := filepath.Join(t.TempDir(), "r.json")
		code := run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--scenario", "verify", "--codes", file,
			"--accept", accept, "--concurrency", "2", "--duration", "5s", "--requests", "200", "--json", report},
			func(string) string { return "" }, &stdout, &stderr)
		require.Equal(t, 0, code, stderr.String())
		assert.Contains(t, stderr.String(), "verification codes")
		b, err := os.ReadFile(report)
		require.NoError(t, err)
		var r Report
		require.NoError(t, json.Unmarshal(b, &r))
		assert.GreaterOrEqual(t, r.Requests, 200)
		assert.Positive(t, r.Status["200"], accept)
		assert.Positive(t, r.Status["404"], "the unknown code")
		assert.Equal(t, r.Requests, r.Status["200"]+r.Status["404"])
	}

	empty := filepath.Join(t.TempDir(), "empty.txt")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o600))
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--scenario", "verify", "--codes", empty,
		"--duration", "1s"}, func(string) string { return "" }, io.Discard, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "holds no verification code")
	for _, args := range [][]string{
		{"--scenario", "verify"},
		{"--scenario", "verify", "--codes", file, "--accept", "xml"},
	} {
		assert.Equal(t, 2, run(context.Background(), append([]string{"refurbqa-load", "--url", srv.URL, "--duration", time.Second.String()}, args...),
			func(string) string { return "" }, io.Discard, io.Discard), args)
	}
}
