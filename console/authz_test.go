package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/sampling"
)

// consoleRoles is console.md's table of who uses which page, written out here on its own so
// that the route table is held to it: every route of the console must have a row, and every
// row a route.
var consoleRoles = map[string][]audit.Role{
	"GET /console/signin":                           nil, // public
	"POST /console/signin":                          nil,
	"GET /console/assets/{name}":                    nil,
	"/console/":                                     nil, // every other address: not a page
	"POST /console/signout":                         {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"GET /console/{$}":                              {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"GET /console/bench-tests/new":                  {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/bench-tests":                     {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/bench-tests/preview":             {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/bench-tests/{id}":                 {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/bench-tests/batch":                {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/bench-tests/batch":               {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/bench-tests/{id}/correct":         {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/bench-tests/{id}/corrections":    {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/mystery-orders/new":               {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/mystery-orders":                  {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/mystery-orders/{id}":              {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/mystery-orders/{id}/correct":      {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/mystery-orders/{id}/corrections": {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/admin/users":                      {audit.RoleAdmin},
	"POST /console/admin/users":                     {audit.RoleAdmin},
	"POST /console/admin/users/{id}/disable":        {audit.RoleAdmin},
	"POST /console/admin/users/{id}/reset-password": {audit.RoleAdmin},
	"GET /console/admin/keys":                       {audit.RoleAdmin},
	"POST /console/admin/keys":                      {audit.RoleAdmin},
	"POST /console/admin/keys/{id}/revoke":          {audit.RoleAdmin},
	"GET /console/work":                             {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	// As the API's lots (lots.md §6): a seller reads its own decided device lots only.
	"GET /console/lots":                     {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"POST /console/lots":                    {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/lots/{id}":                {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"POST /console/lots/{id}/samples":       {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"POST /console/lots/{id}/stream/resume": {audit.RoleAdmin, audit.RoleManager},
	// As the API's corrective actions, KPI import, audits and charters (httpapi/routes.go).
	"GET /console/corrective-actions":             {audit.RoleAdmin, audit.RoleManager, audit.RoleSeller},
	"GET /console/corrective-actions/{id}":        {audit.RoleAdmin, audit.RoleManager, audit.RoleSeller},
	"POST /console/corrective-actions/{id}/plan":  {audit.RoleAdmin, audit.RoleManager, audit.RoleSeller},
	"POST /console/corrective-actions/{id}/close": {audit.RoleAdmin, audit.RoleManager},
	"GET /console/kpis":                           {audit.RoleAdmin, audit.RoleManager},
	"POST /console/kpis":                          {audit.RoleAdmin, audit.RoleManager},
	"GET /console/audits":                         {audit.RoleAdmin, audit.RoleManager},
	"POST /console/audits":                        {audit.RoleAdmin, audit.RoleManager},
	"GET /console/audits/{run}":                   {audit.RoleAdmin, audit.RoleManager},
	"GET /console/audits/{run}/progress":          {audit.RoleAdmin, audit.RoleManager},
	"GET /console/charter":                        {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"GET /console/charters/{version}":             {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller},
	"POST /console/charters":                      {audit.RoleAdmin, audit.RoleManager},

	"GET /console/sellers":                    {audit.RoleAdmin, audit.RoleManager},
	"GET /console/sellers/{id}":               {audit.RoleAdmin, audit.RoleManager},
	"GET /console/review":                     {audit.RoleAdmin, audit.RoleManager},
	"GET /console/scorecards/{id}":            {audit.RoleAdmin, audit.RoleManager, audit.RoleSeller},
	"POST /console/scorecards/{id}/approve":   {audit.RoleAdmin, audit.RoleManager},
	"GET /console/scorecards/{id}/report.pdf": {audit.RoleAdmin, audit.RoleManager, audit.RoleSeller},

	// As PUT /api/v1/sellers/{id}/profile (transparency.md §2).
	"POST /console/sellers/{id}/profile": {audit.RoleAdmin, audit.RoleManager},

	// The grade certificates (transparency.md §1), for the roles of their record's page: the
	// API also gives a seller the certificates of its own devices' bench tests, but the
	// console has no record pages for sellers.
	"GET /console/bench-tests/{id}/certificate.pdf":    {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
	"GET /console/mystery-orders/{id}/certificate.pdf": {audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician},
}

// TestConsoleRouteTable holds every route to its row of consoleRoles.
func TestConsoleRouteTable(t *testing.T) {
	h := newHarness(t)
	rules := h.console.Rules()
	for pattern, rule := range rules {
		want, ok := consoleRoles[pattern]
		if !assert.True(t, ok, "route %s has no row in the table of who may use it", pattern) {
			continue
		}
		if want == nil {
			assert.True(t, rule.Public, "%s is public", pattern)
			continue
		}
		assert.False(t, rule.Public, "%s needs a signed-in person", pattern)
		assert.ElementsMatch(t, want, rule.Roles, pattern)
	}
	for pattern := range consoleRoles {
		assert.Contains(t, rules, pattern, "the table names a route that does not exist")
	}
}

// TestConsoleAuthorizationMatrix calls every route as nobody and as every role, and checks
// the answer: a signed-out person is sent to sign in, a role outside the route's area gets
// 403, and a role inside it gets past the guard (whatever the page then answers). Records of
// a seller are seen by staff whatever their seller; sellers reach none of the bench pages, and
// of the pages they may use, a record of another seller is not found (404), and of the
// scorecards only their own approved ones may be seen: another seller's, and their own drafts,
// are "not found" too (calls in otherSellers and sellerNotFound).
func TestConsoleAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tech := h.signedIn(audit.RoleTechnician)
	res := tech.post("/console/bench-tests", h.goodPhone(t))
	require.Equal(t, http.StatusSeeOther, res.status)
	ownTest := res.header.Get("Location")
	other := h.goodPhone(t)
	other.Set("seller_id", h.Other.ID)
	res = tech.post("/console/bench-tests", other)
	require.Equal(t, http.StatusSeeOther, res.status)
	otherTest := res.header.Get("Location")
	res = tech.post("/console/mystery-orders", h.goodOrder(t))
	require.Equal(t, http.StatusSeeOther, res.status)
	ownOrder := res.header.Get("Location")
	other = h.goodOrder(t)
	other.Set("seller_id", h.Other.ID)
	res = tech.post("/console/mystery-orders", other)
	require.Equal(t, http.StatusSeeOther, res.status)
	otherOrder := res.header.Get("Location")
	ownAction := "/console/corrective-actions/" + h.openActions(t, h.Own.ID)[0].ID
	otherAction := "/console/corrective-actions/" + h.openActions(t, h.Other.ID)[0].ID
	// otherSellers are the addresses of records of another seller than the seller user's.
	otherSellers := map[string]bool{otherAction: true, otherAction + "/plan": true, otherAction + "/close": true}
	res = h.signedIn(audit.RoleManager).post("/console/audits", url.Values{"seller_id": {h.Own.ID},
		"period_start": {"2026-11-01"}, "period_end": {"2026-12-01"}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	run := res.header.Get("Location")
	h.console.WaitRuns()
	_ = ctx
	// A correction previewed stores nothing, so that every role may post it in turn; the
	// other forms are sent empty, refused (422) once past the guard, so that they change nothing.
	preview := func(v url.Values, seller string) url.Values {
		v.Set("seller_id", seller)
		v.Set("action", "preview")
		return v
	}

	victim, _, err := h.svc.CreateUser(ctx, system, audit.NewUser{Email: "victim@x.example", Name: "V", Role: audit.RoleTechnician})
	require.NoError(t, err)
	victimKey, _, err := h.svc.CreateKey(ctx, system, audit.Key{Name: "victim", Role: audit.RoleTechnician})
	require.NoError(t, err)
	f := newReviewFixture(t, h)
	// The scorecards a seller (of h.Own) may not see: another seller's, and its own drafts,
	// superseded or not. It gets 404 for them, as for records that do not exist.
	sellerNotFound := map[string]bool{}
	for _, id := range []string{f.OwnNov, f.OwnNovOld, f.OtherOct, f.OtherNov} {
		sellerNotFound["/console/scorecards/"+id] = true
		sellerNotFound["/console/scorecards/"+id+"/report.pdf"] = true
	}
	// Of the lots, a seller sees its own decided device lots only.
	ownLot := h.decidedDeviceLot(t, tech, h.Own.ID, "AUTHZ-1")
	pendingLot := h.deviceLot(t, h.Own.ID, "AUTHZ-2")
	otherLot := h.decidedDeviceLot(t, tech, h.Other.ID, "AUTHZ-3")
	partsLot := h.part(t, h.partsLot(t, "Acme", "AUTHZ-4"), sampling.Critical)
	for _, l := range []audit.Lot{pendingLot, otherLot, partsLot} {
		sellerNotFound["/console/lots/"+l.ID] = true
	}

	type call struct {
		method, path string
		form         url.Values
	}
	calls := map[string][]call{
		"GET /console/signin":                   {{"GET", "/console/signin", nil}},
		"POST /console/signin":                  {{"POST", "/console/signin", url.Values{"email": {"x@y.example"}, "password": {"wrong password!!"}}}},
		"GET /console/assets/{name}":            {{"GET", "/console/assets/console.css", nil}},
		"/console/":                             {{"GET", "/console/no-such-page", nil}},
		"POST /console/signout":                 {{"POST", "/console/signout", url.Values{}}},
		"GET /console/{$}":                      {{"GET", "/console/", nil}},
		"GET /console/bench-tests/new":          {{"GET", "/console/bench-tests/new?seller_id=" + h.Own.ID + "&category=tablet", nil}},
		"POST /console/bench-tests":             {{"POST", "/console/bench-tests", url.Values{"seller_id": {h.Own.ID}, "device.category": {"tablet"}, "action": {"preview"}}}},
		"POST /console/bench-tests/preview":     {{"POST", "/console/bench-tests/preview", url.Values{"device.category": {"tablet"}}}},
		"GET /console/bench-tests/{id}":         {{"GET", ownTest, nil}, {"GET", otherTest, nil}},
		"GET /console/bench-tests/batch":        {{"GET", "/console/bench-tests/batch", nil}},
		"POST /console/bench-tests/batch":       {{"POST", "/console/bench-tests/batch", url.Values{}}},
		"GET /console/bench-tests/{id}/correct": {{"GET", ownTest + "/correct", nil}, {"GET", otherTest + "/correct", nil}},
		"POST /console/bench-tests/{id}/corrections": {
			{"POST", ownTest + "/corrections", preview(h.goodPhone(t), h.Own.ID)},
			{"POST", otherTest + "/corrections", preview(h.goodPhone(t), h.Other.ID)}},
		"GET /console/mystery-orders/new":          {{"GET", "/console/mystery-orders/new?seller_id=" + h.Own.ID + "&category=laptop", nil}},
		"POST /console/mystery-orders":             {{"POST", "/console/mystery-orders", preview(h.goodOrder(t), h.Own.ID)}},
		"GET /console/mystery-orders/{id}":         {{"GET", ownOrder, nil}, {"GET", otherOrder, nil}},
		"GET /console/mystery-orders/{id}/correct": {{"GET", ownOrder + "/correct", nil}, {"GET", otherOrder + "/correct", nil}},
		"POST /console/mystery-orders/{id}/corrections": {
			{"POST", ownOrder + "/corrections", preview(h.goodOrder(t), h.Own.ID)},
			{"POST", otherOrder + "/corrections", preview(h.goodOrder(t), h.Other.ID)}},
		"GET /console/work": {{"GET", "/console/work", nil}},
		"GET /console/lots": {{"GET", "/console/lots", nil},
			{"GET", "/console/lots?kind=devices&seller_id=" + h.Own.ID + "&decision=rejected&decided=2026-03", nil}},
		"POST /console/lots": {{"POST", "/console/lots", url.Values{}}},
		"GET /console/lots/{id}": {{"GET", "/console/lots/" + ownLot.ID, nil}, {"GET", "/console/lots/" + pendingLot.ID, nil},
			{"GET", "/console/lots/" + otherLot.ID, nil}, {"GET", "/console/lots/" + partsLot.ID, nil}},
		"POST /console/lots/{id}/samples":               {{"POST", "/console/lots/" + pendingLot.ID + "/samples", url.Values{}}},
		"POST /console/lots/{id}/stream/resume":         {{"POST", "/console/lots/" + pendingLot.ID + "/stream/resume", url.Values{}}},
		"GET /console/admin/users":                      {{"GET", "/console/admin/users", nil}},
		"POST /console/admin/users":                     {{"POST", "/console/admin/users", url.Values{"email": {"new@x.example"}, "name": {"New"}, "role": {"manager"}}}},
		"POST /console/admin/users/{id}/disable":        {{"POST", "/console/admin/users/" + victim.ID + "/disable", url.Values{}}},
		"POST /console/admin/users/{id}/reset-password": {{"POST", "/console/admin/users/" + victim.ID + "/reset-password", url.Values{}}},
		"GET /console/admin/keys":                       {{"GET", "/console/admin/keys", nil}},
		"POST /console/admin/keys":                      {{"POST", "/console/admin/keys", url.Values{"name": {"k"}, "role": {"manager"}}}},
		"POST /console/admin/keys/{id}/revoke":          {{"POST", "/console/admin/keys/" + victimKey.ID + "/revoke", url.Values{}}},
		"GET /console/corrective-actions": {{"GET", "/console/corrective-actions", nil},
			{"GET", "/console/corrective-actions?seller_id=" + h.Own.ID + "&status=open", nil}},
		"GET /console/corrective-actions/{id}":        {{"GET", ownAction, nil}, {"GET", otherAction, nil}},
		"POST /console/corrective-actions/{id}/plan":  {{"POST", ownAction + "/plan", url.Values{}}, {"POST", otherAction + "/plan", url.Values{}}},
		"POST /console/corrective-actions/{id}/close": {{"POST", ownAction + "/close", url.Values{}}, {"POST", otherAction + "/close", url.Values{}}},
		"GET /console/kpis":                           {{"GET", "/console/kpis", nil}},
		"POST /console/kpis":                          {{"POST", "/console/kpis", url.Values{}}},
		"GET /console/audits":                         {{"GET", "/console/audits", nil}},
		"POST /console/audits":                        {{"POST", "/console/audits", url.Values{"period_start": {"2026-11-01"}}}},
		"GET /console/audits/{run}":                   {{"GET", run, nil}},
		"GET /console/audits/{run}/progress":          {{"GET", run + "/progress", nil}},
		"GET /console/charter":                        {{"GET", "/console/charter", nil}},
		"GET /console/charters/{version}":             {{"GET", "/console/charters/2026.1", nil}},
		"POST /console/charters":                      {{"POST", "/console/charters", url.Values{"document": {"{}"}}}},

		"GET /console/sellers":      {{"GET", "/console/sellers?q=Refurb&sort=-score", nil}},
		"GET /console/sellers/{id}": {{"GET", "/console/sellers/" + h.Own.ID, nil}, {"GET", "/console/sellers/" + h.Other.ID, nil}},
		"GET /console/review":       {{"GET", "/console/review?period_start=2026-11-01&period_end=2026-12-01", nil}},
		"GET /console/scorecards/{id}": {
			{"GET", "/console/scorecards/" + f.OwnOct, nil},
			{"GET", "/console/scorecards/" + f.OwnNov, nil},
			{"GET", "/console/scorecards/" + f.OwnNovOld, nil},
			{"GET", "/console/scorecards/" + f.OtherOct, nil},
			{"GET", "/console/scorecards/" + f.OtherNov, nil},
		},
		// The first role let in approves the draft; the next one finds it approved (409).
		"POST /console/scorecards/{id}/approve": {{"POST", "/console/scorecards/" + f.OtherAug + "/approve", url.Values{"comment": {"fine"}}}},
		"GET /console/scorecards/{id}/report.pdf": {
			{"GET", "/console/scorecards/" + f.OwnSep + "/report.pdf", nil},
			{"GET", "/console/scorecards/" + f.OwnNov + "/report.pdf", nil},
			{"GET", "/console/scorecards/" + f.OtherOct + "/report.pdf", nil},
		},

		// Sent empty: refused (422) once past the guard, so that it changes nothing.
		"POST /console/sellers/{id}/profile": {{"POST", "/console/sellers/" + h.Own.ID + "/profile", url.Values{}}},

		"GET /console/bench-tests/{id}/certificate.pdf": {
			{"GET", ownTest + "/certificate.pdf", nil}, {"GET", otherTest + "/certificate.pdf", nil}},
		"GET /console/mystery-orders/{id}/certificate.pdf": {
			{"GET", ownOrder + "/certificate.pdf", nil}, {"GET", otherOrder + "/certificate.pdf", nil}},
	}
	for pattern := range consoleRoles {
		require.Contains(t, calls, pattern, "the matrix has no call of %s", pattern)
	}
	for pattern, cs := range calls {
		want := consoleRoles[pattern]
		for _, cl := range cs {
			for _, who := range append([]audit.Role{""}, audit.Roles...) {
				c := h.client()
				if who != "" {
					c = h.signedIn(who)
				}
				res := c.do(cl.method, cl.path, cl.form)
				where := cl.method + " " + cl.path + " as " + string(who)
				switch {
				case want == nil:
					assert.False(t, strings.HasPrefix(res.header.Get("Location"), "/console/signin?"), "%s: public", where)
					assert.NotEqual(t, http.StatusForbidden, res.status, where)
				case who == "":
					assert.Equal(t, http.StatusSeeOther, res.status, where)
					assert.True(t, strings.HasPrefix(res.header.Get("Location"), "/console/signin"), "%s: sent to sign in", where)
				case !slices.Contains(want, who):
					assert.Equal(t, http.StatusForbidden, res.status, "%s: another role's area", where)
				case who == audit.RoleSeller && (otherSellers[cl.path] || sellerNotFound[cl.path]):
					assert.Equal(t, http.StatusNotFound, res.status, "%s: not the seller's to see", where)
					assert.Contains(t, res.body, "<h1>Not found</h1>", where)
				default:
					assert.NotContains(t, []int{http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError}, res.status, where)
					if pattern != "POST /console/signout" { // whose answer is the sign-in page
						assert.False(t, strings.HasPrefix(res.header.Get("Location"), "/console/signin"), "%s: let in", where)
					}
				}
			}
		}
	}
}

func TestNotFoundPages(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	for _, path := range []string{"/console/bench-tests/bt_doesnotexist", "/console/nothing-here", "/console/assets/nope.js",
		"/console/bench-tests/bt_doesnotexist/correct", "/console/mystery-orders/mo_doesnotexist",
		"/console/mystery-orders/mo_doesnotexist/correct", "/console/lots/lot_doesnotexist",
		"/console/bench-tests/bt_doesnotexist/certificate.pdf", "/console/mystery-orders/mo_doesnotexist/certificate.pdf"} {
		res := c.get(path)
		assert.Equal(t, http.StatusNotFound, res.status, path)
		assert.Contains(t, res.body, "<h1>Not found</h1>", path)
	}
}
