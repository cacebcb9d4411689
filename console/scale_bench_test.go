package console_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
)

// BenchmarkScalePages renders the quality managers' and the sellers' pages on the server over
// the marketplace-scale data set (console.md: every page in at most 50 ms p95, none over 200
// KB of HTML), in process: the console's whole handler (sessions, guard, services, store,
// templates) without the network. It needs a database made by
//
//	refurbqa demo --scale --sellers 1800 --from 2025-12-01 --to 2026-12-01   (REFURBQA_DSN=scale.db)
//
// named by REFURBQA_CONSOLE_SCALE_DB (a SQLite file), or REFURBQA_CONSOLE_SCALE_PG (a
// PostgreSQL URL, made with --db postgres). The benchmark changes that database: the first
// run migrates it and gives the sellers a history as the demo's reviewers would, auditing
// every month of the data and approving every scorecard but the last month's, then auditing
// the whole year (drafts, the largest scorecards); a few minutes. Later runs find it done. Each sub-benchmark reports the p50, p95 and largest server time of
// its requests and the size of the largest page:
//
//	REFURBQA_CONSOLE_SCALE_DB=/tmp/scale.db go test -run '^$' -bench ScalePages -benchtime 200x ./console/
func BenchmarkScalePages(b *testing.B) {
	cfg := store.Config{Driver: store.SQLite, DSN: os.Getenv("REFURBQA_CONSOLE_SCALE_DB")}
	if dsn := os.Getenv("REFURBQA_CONSOLE_SCALE_PG"); dsn != "" {
		cfg = store.Config{Driver: store.Postgres, DSN: dsn}
	}
	if cfg.DSN == "" {
		b.Skip("neither REFURBQA_CONSOLE_SCALE_DB nor REFURBQA_CONSOLE_SCALE_PG names a demo --scale database")
	}
	db := openRaw(b, cfg)
	if cfg.Driver == store.SQLite {
		cfg.DSN += "?_synchronous=NORMAL"
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	_, err = st.Migrate(ctx)
	require.NoError(b, err)
	protocols, err := checklist.LoadProtocols()
	require.NoError(b, err)
	svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols, PasswordCost: bcrypt.MinCost})
	admin := audit.Principal{KeyID: "bench-scale", Role: audit.RoleAdmin}
	scaleHistory(b, db, svc, admin)

	c, err := console.New(console.Config{Service: svc, Sessions: memstore.New(), Reports: reports.NewBuilder(st),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(b, err)

	sample := scaleSample(b, db)
	manager := scaleSignIn(b, c, svc, admin, audit.NewUser{Email: "bench-manager@refurbqa.test", Name: "Bench manager", Role: audit.RoleManager})
	seller := scaleSignIn(b, c, svc, admin, audit.NewUser{Email: "bench-seller@refurbqa.test", Name: "Bench seller",
		Role: audit.RoleSeller, SellerID: sample.richSeller})

	secondPage := func() string {
		rec := serve(c, manager, "/console/sellers")
		body := rec.Body.String()
		i := strings.Index(body, `rel="next"`)
		require.Positive(b, i, "the seller list has a next page")
		j := strings.LastIndex(body[:i], `href="`)
		return strings.ReplaceAll(body[j+len(`href="`):i-2], "&amp;", "&")
	}()
	pages := []struct {
		name  string
		who   string
		paths []string
	}{
		{"overview", manager, []string{"/console/"}},
		{"sellers/name", manager, []string{"/console/sellers"}},
		{"sellers/page2", manager, []string{secondPage}},
		{"sellers/-score", manager, []string{"/console/sellers?sort=-score"}},
		{"sellers/tier", manager, []string{"/console/sellers?sort=tier"}},
		{"sellers/search", manager, []string{"/console/sellers?q=refurb", "/console/sellers?q=tech&sort=score", "/console/sellers?tier=watch&sort=-score"}},
		{"seller", manager, prefixed("/console/sellers/", sample.sellers)},
		{"scorecard/approved", manager, prefixed("/console/scorecards/", sample.approved)},
		{"scorecard/draft", manager, prefixed("/console/scorecards/", sample.drafts)},
		{"scorecard/most-evidence", manager, []string{"/console/scorecards/" + sample.largest}},
		{"review", manager, reviewPaths(sample.periods)},
		{"seller-home", seller, []string{"/console/"}},
		{"seller-scorecard", seller, prefixed("/console/scorecards/", sample.richApproved)},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var times []time.Duration
			largest := 0
			i := 0
			for b.Loop() {
				path := p.paths[i%len(p.paths)]
				i++
				start := time.Now()
				rec := serve(c, p.who, path)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
				}
				largest = max(largest, rec.Body.Len())
			}
			slices.Sort(times)
			q := func(f float64) float64 {
				return float64(times[min(len(times)-1, int(f*float64(len(times))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.95), "p95-ms")
			b.ReportMetric(float64(times[len(times)-1])/float64(time.Millisecond), "max-ms")
			b.ReportMetric(float64(largest)/1024, "max-KiB")
			if largest > 200*1024 {
				b.Errorf("%s: a page of %d bytes, over 200 KB", p.name, largest)
			}
		})
	}
}

func prefixed(prefix string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = prefix + id
	}
	return out
}

func reviewPaths(ps []audit.Period) []string {
	var out []string
	for _, p := range ps {
		out = append(out, reviewPath(p, ""), reviewPath(p, "-score"), reviewPath(p, "name"))
	}
	return out
}

func reviewPath(p audit.Period, sort string) string {
	v := url.Values{"period_start": {p.Start.Format(time.DateOnly)}, "period_end": {p.End.Format(time.DateOnly)}}
	if sort != "" {
		v.Set("sort", sort)
	}
	return "/console/review?" + v.Encode()
}

// serve runs one GET of path through the console with the session cookie.
func serve(c *console.Console, cookie, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: console.CookieName, Value: cookie})
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	return rec
}

// scaleSignIn makes (or finds) the user and signs it in, returning its session cookie.
func scaleSignIn(b *testing.B, c *console.Console, svc *audit.Service, admin audit.Principal, in audit.NewUser) string {
	ctx := context.Background()
	in.Password = password
	if _, _, err := svc.CreateUser(ctx, admin, in); err != nil && !errors.Is(err, audit.ErrConflict) {
		require.NoError(b, err)
	}
	if _, err := svc.ResetPassword(ctx, admin, in.Email, password); err != nil {
		require.NoError(b, err)
	}
	form := url.Values{"email": {in.Email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/console/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	require.Equal(b, http.StatusSeeOther, rec.Code, rec.Body.String())
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == console.CookieName {
			return ck.Value
		}
	}
	b.Fatal("no session cookie")
	return ""
}

// scaleHistory audits every month of the data set and approves every scorecard but the last
// month's, once: a database that has approved scorecards already is left as it is.
func scaleHistory(b *testing.B, db *rawConn, svc *audit.Service, admin audit.Principal) {
	ctx := context.Background()
	var approved int
	require.NoError(b, db.QueryRow("SELECT COUNT(*) FROM scorecard_reviews").Scan(&approved))
	if approved > 0 {
		return
	}
	var first, last string
	require.NoError(b, db.QueryRow("SELECT MIN(tested_at), MAX(tested_at) FROM bench_tests").Scan(&first, &last))
	analyze := func() {
		if db.pg {
			// Right after a bulk load PostgreSQL has no statistics and plans as if the tables
			// were empty (docs/performance.md); autovacuum would see to it in service.
			for _, t := range []string{"sellers", "bench_tests", "mystery_orders", "kpi_months", "scorecards", "scorecard_reviews",
				"scorecard_drafts", "scorecard_supersessions", "seller_standings", "corrective_actions"} {
				_, err := db.db.Exec("VACUUM ANALYZE " + t)
				require.NoError(b, err)
			}
		}
	}
	analyze()
	from, err := time.Parse(time.DateOnly, first[:10])
	require.NoError(b, err)
	to, err := time.Parse(time.DateOnly, last[:10])
	require.NoError(b, err)
	start := time.Now()
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		in := audit.AuditInput{PeriodStart: m.Format(time.DateOnly), PeriodEnd: m.AddDate(0, 1, 0).Format(time.DateOnly)}
		res, err := svc.AuditSellers(ctx, admin, nil, in, nil)
		require.NoError(b, err)
		if !m.AddDate(0, 1, 0).After(to) {
			for _, sc := range res.Scorecards {
				_, _, err := svc.ApproveScorecard(ctx, admin, sc.ID, "")
				require.NoError(b, err)
			}
		}
		b.Logf("history: %s audited (%d scorecards), %.0fs", in.PeriodStart, len(res.Scorecards), time.Since(start).Seconds())
	}
	// And the whole year in one audit, left as drafts: the largest scorecards, with the most
	// evidence, as `refurbqa audit` over the year makes them.
	year := audit.AuditInput{PeriodStart: time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		PeriodEnd: time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0).Format(time.DateOnly)}
	_, err = svc.AuditSellers(ctx, admin, nil, year, nil)
	require.NoError(b, err)
	analyze()
	b.Logf("history: the year audited, %.0fs", time.Since(start).Seconds())
}

// rawConn reads the database directly, for the benchmark's choice of records; its queries
// are written with ? placeholders, rewritten for PostgreSQL.
type rawConn struct {
	db *sql.DB
	pg bool
}

func openRaw(b *testing.B, cfg store.Config) *rawConn {
	driver, dsn := "sqlite3", "file:"+cfg.DSN+"?mode=ro"
	if cfg.Driver == store.Postgres {
		driver, dsn = "pgx", cfg.DSN
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	return &rawConn{db: db, pg: cfg.Driver == store.Postgres}
}

func (r *rawConn) rebind(q string) string {
	if !r.pg {
		return q
	}
	var sb strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func (r *rawConn) QueryRow(q string, args ...any) *sql.Row {
	return r.db.QueryRow(r.rebind(q), args...)
}

func (r *rawConn) Query(q string, args ...any) (*sql.Rows, error) {
	return r.db.Query(r.rebind(q), args...)
}

// scaleRecords are the records the pages are rendered for: sellers and scorecards spread over
// the data set, the scorecard with the most evidence, and a seller with a long history.
type scaleRecords struct {
	sellers, approved, drafts []string
	largest                   string
	richSeller                string
	richApproved              []string
	periods                   []audit.Period // those with drafts waiting

}

func scaleSample(b *testing.B, db *rawConn) scaleRecords {
	var r scaleRecords
	ids := func(q string, args ...any) []string {
		rows, err := db.Query(q, args...)
		require.NoError(b, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			require.NoError(b, rows.Scan(&id))
			out = append(out, id)
		}
		require.NoError(b, rows.Err())
		require.NotEmpty(b, out, q)
		return out
	}
	// Every 36th seller: 50 sellers across the data set.
	r.sellers = ids("SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM sellers) ranked WHERE n % 36 = 0")
	r.approved = ids("SELECT s.id FROM scorecards s JOIN scorecard_reviews v ON v.scorecard_id = s.id WHERE s.seller_id IN ("+
		placeholders(len(r.sellers))+")", anys(r.sellers)...)
	r.drafts = ids("SELECT scorecard_id FROM scorecard_drafts WHERE seller_id IN ("+placeholders(len(r.sellers))+")", anys(r.sellers)...)
	r.largest = ids("SELECT id FROM scorecards ORDER BY length(points) DESC LIMIT 1")[0]
	r.richSeller = ids("SELECT seller_id FROM scorecards s JOIN scorecard_reviews v ON v.scorecard_id = s.id GROUP BY seller_id ORDER BY COUNT(*) DESC, seller_id LIMIT 1")[0]
	r.richApproved = ids("SELECT s.id FROM scorecards s JOIN scorecard_reviews v ON v.scorecard_id = s.id WHERE s.seller_id = ?", r.richSeller)
	for _, p := range ids("SELECT DISTINCT period_start || ' ' || period_end FROM scorecard_drafts") {
		var per audit.Period
		per.Start, _ = time.Parse(time.DateOnly, p[:10])
		per.End, _ = time.Parse(time.DateOnly, p[11:])
		r.periods = append(r.periods, per)
	}
	return r
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
