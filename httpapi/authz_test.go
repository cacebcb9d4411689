package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// weakPhone is a valid smartphone inspection whose battery fails the 80% floor (charter QC02).
func weakPhone(t testing.TB) grading.Inspection {
	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	fn := map[string]grading.Outcome{}
	for _, test := range protocols[grading.Smartphone].Tests {
		fn[test.Code] = grading.Pass
	}
	return grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809"},
		Functional: fn,
		Battery:    grading.Battery{HealthPct: 71, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}
}

// authzFixtures are real records of both sellers that the matrix puts in path parameters.
type authzFixtures struct {
	ownApproved, otherApproved, ownDraft string // scorecards
	ownSuperseded                        string // a draft of the own seller that ownDraft replaced
	ownAction, otherAction               string // corrective actions
	benchTest, key                       string
	ownBenchTest                         string // benchTest is the other seller's
	mysteryOrder                         string // of the own seller
	code                                 string // the verification code of ownBenchTest
	ownLot, otherLot                     string // decided device lots
	ownPendingLot, partsLot              string // lots a seller may not see, even its own pending one
	stream                               string // the own seller's lot stream
}

// decidedLot creates a device lot of 2 of seller and samples its bench tests until it is
// decided.
func decidedLot(t *testing.T, h *harness, svc *audit.Service, seller string) audit.Lot {
	t.Helper()
	ctx := context.Background()
	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	l, err := svc.CreateLot(ctx, system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
		LotRef: "AUTHZ-1", LotSize: 2, SellerID: seller, ReceivedAt: time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	for !l.Decided() {
		raw, err := wire.EncodeInspection(weakPhone(t))
		require.NoError(t, err)
		bt := audit.BenchTest{SellerID: seller, Lab: "lab", TestedAt: time.Date(2026, 8, 3, 10, 0, 0, 0, time.UTC),
			Inspection: weakPhone(t), Submitted: raw}
		audit.DeriveBenchTest(&bt, protocols[grading.Smartphone])
		rec, _, err := h.st.CreateBenchTest(ctx, system, bt)
		require.NoError(t, err)
		l, _, err = svc.AddLotSample(ctx, system, l.ID, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{BenchTestID: rec.ID}})
		require.NoError(t, err)
	}
	return l
}

// seedLots adds the lots of the matrix to f.
func seedLots(t *testing.T, h *harness, f *authzFixtures) {
	t.Helper()
	ctx := context.Background()
	svc := service(h.st)
	own := decidedLot(t, h, svc, h.Own.ID)
	f.ownLot, f.stream = own.ID, own.StreamID
	f.otherLot = decidedLot(t, h, svc, h.Other.ID).ID
	pending, err := svc.CreateLot(ctx, system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
		LotRef: "AUTHZ-2", LotSize: 50, SellerID: h.Own.ID, ReceivedAt: time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	f.ownPendingLot = pending.ID
	parts, err := svc.CreateLot(ctx, system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
		LotRef: "AUTHZ-P", LotSize: 2, Supplier: "Acme", PartType: "screen", ReceivedAt: time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	for range 2 {
		parts, _, err = svc.AddLotSample(ctx, system, parts.ID, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{Defects: []audit.Defect{}}})
		require.NoError(t, err)
	}
	require.True(t, parts.Decided(), "a decided parts lot is still not a seller's")
	f.partsLot = parts.ID
}

func seedAuthz(t *testing.T, h *harness) authzFixtures {
	t.Helper()
	ctx := context.Background()
	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	var f authzFixtures
	for _, seller := range []string{h.Own.ID, h.Other.ID} {
		raw, err := wire.EncodeInspection(weakPhone(t))
		require.NoError(t, err)
		bt := audit.BenchTest{SellerID: seller, Lab: "lab", TestedAt: time.Date(2026, 8, 3, 10, 0, 0, 0, time.UTC),
			Inspection: weakPhone(t), Submitted: raw}
		audit.DeriveBenchTest(&bt, protocols[grading.Smartphone])
		rec, _, err := h.st.CreateBenchTest(ctx, system, bt)
		require.NoError(t, err)
		f.benchTest = rec.ID
		if seller == h.Own.ID {
			f.ownBenchTest, f.code = rec.ID, rec.VerificationCode
		}
	}
	mo := h.createMO(moDoc(t, h.Own.ID, "AUTHZ-MO"), http.StatusCreated)
	f.mysteryOrder = mo.ID
	svc := service(h.st)
	q3 := audit.AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01"}
	res, err := svc.AuditSellers(ctx, system, []string{h.Own.ID, h.Other.ID}, q3, nil)
	require.NoError(t, err)
	require.Len(t, res.Scorecards, 2)
	for _, sc := range res.Scorecards {
		_, actions, err := svc.ApproveScorecard(ctx, system, sc.ID, "")
		require.NoError(t, err)
		require.NotEmpty(t, actions, "QC02 fails, so approval opens an action")
		if sc.SellerID == h.Own.ID {
			f.ownApproved, f.ownAction = sc.ID, actions[0].ID
		} else {
			f.otherApproved, f.otherAction = sc.ID, actions[0].ID
		}
	}
	q4 := audit.AuditInput{PeriodStart: q3.PeriodEnd, PeriodEnd: "2027-01-01"}
	res, err = svc.AuditSellers(ctx, system, []string{h.Own.ID}, q4, nil)
	require.NoError(t, err)
	f.ownSuperseded = res.Scorecards[0].ID
	res, err = svc.AuditSellers(ctx, system, []string{h.Own.ID}, q4, nil)
	require.NoError(t, err)
	f.ownDraft = res.Scorecards[0].ID
	key, _, err := h.st.CreateKey(ctx, system, audit.Key{Name: "to revoke", Role: audit.RoleTechnician})
	require.NoError(t, err)
	f.key = key.ID
	seedLots(t, h, &f)
	return f
}

// caller is one identity of the matrix.
type caller struct {
	name  string
	token string
	role  audit.Role // empty: no token
	other bool       // a seller key of the other seller
}

// TestAuthorizationMatrix is generated from the router's own route list: every route is called
// by every role and without a token, and a seller calls seller-scoped routes with its own
// records, another seller's, its own draft and its own superseded draft. A route without a
// rule, or with a path
// parameter the matrix has no fixture for, fails the test, so a new route cannot slip through
// unchecked. HEAD routes are in the list, so HEAD obeys the same rules as GET; and every GET
// route must have its HEAD.
func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	rules := h.srv.Rules()

	// Path parameters: the value for the own seller, and for another seller where a seller's
	// rights depend on whose record it is ("" when they do not).
	type param struct{ own, other, draft, superseded string }
	params := map[string]param{
		"/api/v1/keys/:id":                       {own: f.key},
		"/api/v1/sellers/:id":                    {own: h.Own.ID, other: h.Other.ID},
		"/api/v1/sellers/:id/kpis":               {own: h.Own.ID},
		"/api/v1/sellers/:id/kpis/:month":        {own: h.Own.ID},
		"/api/v1/sellers/:id/scorecards":         {own: h.Own.ID, other: h.Other.ID},
		"/api/v1/mystery-orders/:id":             {own: "mo_00000000000000000000000000"},
		"/api/v1/mystery-orders/:id/corrections": {own: "mo_00000000000000000000000000"},
		"/api/v1/protocols/:category":            {own: "smartphone"},
		"/api/v1/bench-tests/:id":                {own: f.benchTest},
		"/api/v1/bench-tests/:id/corrections":    {own: f.benchTest},
		"/api/v1/charters/:version":              {own: "2026.1"},
		"/api/v1/scorecards/:id":                 {own: f.ownApproved, other: f.otherApproved, draft: f.ownDraft, superseded: f.ownSuperseded},
		"/api/v1/scorecards/:id/report.pdf":      {own: f.ownApproved, other: f.otherApproved, draft: f.ownDraft, superseded: f.ownSuperseded},
		"/api/v1/scorecards/:id/approve":         {own: f.ownDraft},
		"/api/v1/corrective-actions/:id":         {own: f.ownAction, other: f.otherAction},
		"/api/v1/corrective-actions/:id/plan":    {own: f.ownAction, other: f.otherAction},
		"/api/v1/corrective-actions/:id/close":   {own: f.ownAction, other: f.otherAction},
		"/problems/:kind":                        {own: "validation"},
		"/api/v1/lots/:id":                       {own: f.ownLot, other: f.otherLot, draft: f.ownPendingLot, superseded: f.partsLot},
		"/api/v1/lots/:id/samples":               {own: f.ownLot, other: f.otherLot, draft: f.ownPendingLot, superseded: f.partsLot},
		"/api/v1/lot-streams/:id/resume":         {own: f.stream},
		"/api/v1/sellers/:id/profile":            {own: h.Own.ID},
		"/public/sellers/:id":                    {own: h.Own.ID},
		"/public/sellers/:id/badge.svg":          {own: h.Own.ID},
		"/api/v1/impact-factors/:version":        {own: "2026.1"},
		// A seller reads its own bench tests' certificates (transparency.md §1), and no
		// mystery order's.
		"/api/v1/bench-tests/:id/certificate.pdf":    {own: f.ownBenchTest, other: f.benchTest},
		"/api/v1/mystery-orders/:id/certificate.pdf": {own: f.mysteryOrder},
		"/verify/:code": {own: audit.FormatVerificationCode(f.code)},
	}
	fill := func(path, value string) string {
		parts := strings.Split(path, "/")
		for i, p := range parts {
			switch {
			case p == ":month":
				parts[i] = "2026-09"
			case strings.HasPrefix(p, ":"):
				parts[i] = value
			}
		}
		return strings.Join(parts, "/")
	}
	callers := []caller{{name: "anonymous"}}
	for _, r := range audit.Roles {
		callers = append(callers, caller{name: string(r), token: h.token(r), role: r})
	}
	callers = append(callers, caller{name: "other seller", token: h.OtherToken, role: audit.RoleSeller, other: true})

	routes := h.srv.Echo().Routes()
	slices.SortFunc(routes, func(a, b *echo.Route) int { return strings.Compare(a.Method+a.Path, b.Method+b.Path) })
	checked := 0
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/") || strings.Contains(rt.Path, "*") {
			continue // echo's internal not-found routes
		}
		key := rt.Method + " " + rt.Path
		roles, ok := rules[key]
		if !assert.True(t, ok, "route %s has no authorization rule", key) {
			continue
		}
		p, hasParam := params[rt.Path]
		if strings.Contains(rt.Path, ":") && !assert.True(t, hasParam, "route %s has a path parameter the matrix has no fixture for", key) {
			continue
		}
		var body any
		if rt.Method != http.MethodGet && rt.Method != http.MethodHead && rt.Method != http.MethodDelete {
			body = map[string]any{}
		}
		for _, c := range callers {
			// Everyone calls with the first seller's records; to the other seller they are
			// someone else's.
			res := h.do(rt.Method, fill(rt.Path, p.own), c.token, body)
			checked++
			switch {
			case roles == nil:
				assert.NotContains(t, []int{401, 403}, res.Code, "%s by %s: public route", key, c.name)
			case c.role == "":
				assert.Equal(t, 401, res.Code, "%s without a token", key)
			case !slices.Contains(roles, c.role):
				assert.Equal(t, 403, res.Code, "%s by %s: role outside the rule", key, c.name)
			case c.role == audit.RoleSeller && c.other && p.other != "":
				assert.Equal(t, 404, res.Code, "%s by another seller: must look like it does not exist", key)
			default:
				assert.NotContains(t, []int{401, 403}, res.Code, "%s by %s: allowed by the rule (%s)", key, c.name, res.Body)
				assert.Less(t, res.Code, 500, "%s by %s: %s", key, c.name, res.Body)
			}
		}
		if p.draft != "" && slices.Contains(roles, audit.RoleSeller) {
			res := h.do(rt.Method, fill(rt.Path, p.draft), h.token(audit.RoleSeller), body)
			assert.Equal(t, 404, res.Code, "%s: a seller's own draft is not visible to it", key)
			res = h.do(rt.Method, fill(rt.Path, p.superseded), h.token(audit.RoleSeller), body)
			assert.Equal(t, 404, res.Code, "%s: a seller's own superseded draft is not visible to it", key)
			res = h.do(rt.Method, fill(rt.Path, p.superseded), h.token(audit.RoleManager), body)
			assert.Equal(t, 200, res.Code, "%s: a manager reads a superseded draft", key)
		}
		if p.other != "" && slices.Contains(roles, audit.RoleSeller) {
			res := h.do(rt.Method, fill(rt.Path, p.other), h.token(audit.RoleSeller), body)
			assert.Equal(t, 404, res.Code, "%s: another seller's record answers 404", key)
		}
	}
	assert.Greater(t, checked, 200)
	for _, rt := range routes {
		if rt.Method == http.MethodGet {
			_, ok := rules[http.MethodHead+" "+rt.Path]
			assert.True(t, ok, "GET %s has no HEAD route", rt.Path)
			assert.Equal(t, rules[rt.Method+" "+rt.Path], rules[http.MethodHead+" "+rt.Path], "HEAD %s has the rule of GET", rt.Path)
		}
	}
}

// TestRoleTable holds the route table to api.md's role table, written out here independently
// of routes.go, so that a wrong rule fails even though the matrix above follows the router's
// own rules. A HEAD route is held to its GET route's roles.
func TestRoleTable(t *testing.T) {
	h := newHarness(t)
	const (
		a = audit.RoleAdmin
		m = audit.RoleManager
		x = audit.RoleTechnician
		s = audit.RoleSeller
	)
	every := []audit.Role{a, m, x, s}
	want := map[string][]audit.Role{
		"GET /api/v1/keys":        {a},
		"POST /api/v1/keys":       {a},
		"DELETE /api/v1/keys/:id": {a},

		"POST /api/v1/sellers":    {a, m},
		"GET /api/v1/sellers":     every, // a seller sees its own record only
		"GET /api/v1/sellers/:id": every,

		"POST /api/v1/mystery-orders":                 {a, m, x},
		"GET /api/v1/mystery-orders":                  {a, m, x},
		"GET /api/v1/mystery-orders/:id":              {a, m, x},
		"POST /api/v1/mystery-orders/:id/corrections": {a, m, x},

		"PUT /api/v1/sellers/:id/kpis/:month": {a, m},
		"GET /api/v1/sellers/:id/kpis":        {a, m},
		"POST /api/v1/kpis/import":            {a, m},

		"GET /api/v1/protocols":                    {a, m, x},
		"GET /api/v1/protocols/:category":          {a, m, x},
		"POST /api/v1/grading/preview":             {a, m, x},
		"POST /api/v1/bench-tests":                 {a, m, x},
		"POST /api/v1/bench-tests/batch":           {a, m, x},
		"GET /api/v1/bench-tests":                  {a, m, x},
		"GET /api/v1/bench-tests/:id":              {a, m, x},
		"POST /api/v1/bench-tests/:id/corrections": {a, m, x},

		// The charter is public to every key holder; publishing is the managers'.
		"GET /api/v1/charter":           every,
		"GET /api/v1/charters":          every,
		"GET /api/v1/charters/:version": every,
		"GET /api/v1/metrics":           every,
		"POST /api/v1/charters":         {a, m},

		"POST /api/v1/audits":                   {a, m},
		"POST /api/v1/audits/batch":             {a, m},
		"GET /api/v1/scorecards/:id":            {a, m, s},
		"GET /api/v1/scorecards/:id/report.pdf": {a, m, s},
		"POST /api/v1/scorecards/:id/approve":   {a, m},
		"GET /api/v1/sellers/:id/scorecards":    {a, m, s},
		// transparency.md §3: every role, sellers included; no seller's figure is shown.
		"GET /api/v1/benchmarks": every,

		"GET /api/v1/corrective-actions":            {a, m, s},
		"GET /api/v1/corrective-actions/:id":        {a, m, s},
		"POST /api/v1/corrective-actions/:id/plan":  {a, m, s},
		"POST /api/v1/corrective-actions/:id/close": {a, m},

		"GET /api/v1/events": {a, m},

		// lots.md §6: a seller reads its own decided device lots (the service scopes it).
		"POST /api/v1/lots":                   {a, m, x},
		"GET /api/v1/lots":                    every,
		"GET /api/v1/lots/:id":                every,
		"POST /api/v1/lots/:id/samples":       {a, m, x},
		"GET /api/v1/lots/:id/samples":        every,
		"GET /api/v1/lot-streams":             {a, m, x},
		"POST /api/v1/lot-streams/:id/resume": {a, m},
		"GET /api/v1/suppliers":               {a, m},

		// transparency.md §4: estimates are the managers', a seller's its own (the service
		// scopes it); the factors are read by everyone, as the charter is.
		"GET /api/v1/impact":                  {a, m, s},
		"GET /api/v1/impact-factors":          every,
		"GET /api/v1/impact-factors/:version": every,
		"POST /api/v1/impact-factors":         {a, m},
		// transparency.md §2: hiding a seller's public profile is the managers'.
		"GET /api/v1/sellers/:id/profile": {a, m},
		"PUT /api/v1/sellers/:id/profile": {a, m},

		// transparency.md §1: staff read every certificate, a seller those of its own
		// devices (the service scopes it); mystery orders are the staff's, as their reads.
		"GET /api/v1/bench-tests/:id/certificate.pdf":    every,
		"GET /api/v1/mystery-orders/:id/certificate.pdf": {a, m, x},
	}
	// The public pages of transparency.md §1 and §2 need no key, and are rate-limited per
	// client address instead.
	publicPages := []string{"GET /public/sellers/:id", "HEAD /public/sellers/:id",
		"GET /public/sellers/:id/badge.svg", "HEAD /public/sellers/:id/badge.svg",
		"GET /verify", "HEAD /verify", "GET /verify/:code", "HEAD /verify/:code"}
	rules := h.srv.Rules()
	for _, key := range publicPages {
		roles, ok := rules[key]
		if assert.True(t, ok, "%s is served", key) {
			assert.Nil(t, roles, "%s is public", key)
		}
		assert.Contains(t, h.srv.LimitedByAddress(), key, "%s is rate-limited per client address", key)
	}
	// Every other route without a rule is an operational one or a problem page.
	operations := []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/problems/:kind"}
	for key, roles := range rules {
		_, path, _ := strings.Cut(key, " ")
		if strings.HasPrefix(path, "/public/") || strings.HasPrefix(path, "/verify") {
			assert.Contains(t, publicPages, key, "a public page of this test")
			assert.Nil(t, roles, "%s is public", key)
		} else if roles == nil {
			assert.Contains(t, operations, path, "%s: public, as an operational route", key)
		}
	}
	seen := map[string]bool{}
	for key, roles := range h.srv.Rules() {
		method, path, _ := strings.Cut(key, " ")
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/openapi.json" {
			continue // public routes: the matrix checks that they need no token
		}
		if method == http.MethodHead {
			key = http.MethodGet + " " + path
		}
		expected, ok := want[key]
		if !assert.True(t, ok, "route %s is not in api.md's role table of this test", key) {
			continue
		}
		seen[key] = true
		assert.ElementsMatch(t, expected, roles, "roles of %s", key)
	}
	for key := range want {
		assert.True(t, seen[key], "route %s of the role table is not served", key)
	}
}
