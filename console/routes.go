package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
)

// Who may use the pages, by role, following the API's role table (api.md) so that the
// console grants nothing the API refuses: technicians, managers and admins work at the bench;
// the sellers' standing, KPIs, audits, review and approval, closing corrective actions and
// publishing charters are the managers' and the admins'; a seller reads its own approved
// scorecards and their reports, and reads and answers its own corrective actions (the services
// keep it to those); every role reads the charter.
var (
	everyone           = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller}
	technicians        = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician}
	managers           = []audit.Role{audit.RoleAdmin, audit.RoleManager}
	managersAndSellers = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleSeller}
	admins             = []audit.Role{audit.RoleAdmin}
)

// rule says who may use a route: anyone, or a signed-in person of one of roles.
type rule struct {
	public bool
	roles  []audit.Role
}

func (r rule) allows(role audit.Role) bool { return r.public || slices.Contains(r.roles, role) }

// handlerFunc serves one request of a signed-in person (or of anyone, on a public route: then
// s.User is nil). A returned error becomes the problem page of its kind (fail).
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *signedIn) error

// routes is the one table of every console route with who may use it (console.md,
// "Addresses and forms"). A route of another role's area answers 403; a record the person may
// not see answers 404, as the services decide.
func (c *Console) routes() {
	c.public("GET /console/signin", c.signinForm)
	c.public("POST /console/signin", c.signin)
	c.public("GET /console/assets/{name}", c.asset)
	c.page("POST /console/signout", everyone, c.signout)
	c.page("GET /console/{$}", everyone, c.home)

	c.page("GET /console/bench-tests/new", technicians, c.benchTestForm)
	c.page("POST /console/bench-tests", technicians, c.createBenchTest)
	c.page("POST /console/bench-tests/preview", technicians, c.previewBenchTest)
	c.page("GET /console/bench-tests/{id}", technicians, c.benchTest)
	c.page("GET /console/bench-tests/{id}/certificate.pdf", technicians, c.benchTestCertificate)
	c.page("GET /console/bench-tests/batch", technicians, c.batchForm)
	c.page("POST /console/bench-tests/batch", technicians, c.uploadBatch)
	c.page("GET /console/bench-tests/{id}/correct", technicians, c.correctionForm(benchTests, c.storedBenchTest))
	c.page("POST /console/bench-tests/{id}/corrections", technicians, c.correct(benchTests, c.storedBenchTest, c.saveBenchTestCorrection))

	c.page("GET /console/mystery-orders/new", technicians, c.mysteryOrderForm)
	c.page("POST /console/mystery-orders", technicians, c.createMysteryOrder)
	c.page("GET /console/mystery-orders/{id}", technicians, c.mysteryOrder)
	c.page("GET /console/mystery-orders/{id}/certificate.pdf", technicians, c.mysteryOrderCertificate)
	c.page("GET /console/mystery-orders/{id}/correct", technicians, c.correctionForm(mysteryOrders, c.storedMysteryOrder))
	c.page("POST /console/mystery-orders/{id}/corrections", technicians, c.correct(mysteryOrders, c.storedMysteryOrder, c.saveMysteryOrderCorrection))

	c.page("GET /console/work", technicians, c.work)

	// Lots: the staff create them and add their samples, a manager resumes a discontinued
	// stream, a seller reads its own decided device lots (the service keeps it to those).
	c.page("GET /console/lots", everyone, c.lots)
	c.page("POST /console/lots", technicians, c.createLot)
	c.page("GET /console/lots/{id}", everyone, c.lot)
	c.page("POST /console/lots/{id}/samples", technicians, c.addLotSample)
	c.page("POST /console/lots/{id}/stream/resume", managers, c.resumeStream)

	c.page("GET /console/admin/users", admins, c.users)
	c.page("POST /console/admin/users", admins, c.createUser)
	c.page("POST /console/admin/users/{id}/disable", admins, c.disableUser)
	c.page("POST /console/admin/users/{id}/reset-password", admins, c.resetPassword)
	c.page("GET /console/admin/keys", admins, c.keys)
	c.page("POST /console/admin/keys", admins, c.createKey)
	c.page("POST /console/admin/keys/{id}/revoke", admins, c.revokeKey)
	c.page("GET /console/corrective-actions", managersAndSellers, c.actions)
	c.page("GET /console/corrective-actions/{id}", managersAndSellers, c.action)
	c.page("POST /console/corrective-actions/{id}/plan", managersAndSellers, c.submitPlan)
	c.page("POST /console/corrective-actions/{id}/close", managers, c.closeAction)

	c.page("GET /console/kpis", managers, c.kpiForm)
	c.page("POST /console/kpis", managers, c.importKPIs)

	c.page("GET /console/audits", managers, c.auditForm)
	c.page("POST /console/audits", managers, c.startAudit)
	c.page("GET /console/audits/{run}", managers, c.auditRun)
	c.page("GET /console/audits/{run}/progress", managers, c.auditProgress)

	c.page("GET /console/charter", everyone, c.activeCharter)
	c.page("GET /console/charters/{version}", everyone, c.charterVersion)
	c.page("POST /console/charters", managers, c.publishCharter)

	c.page("GET /console/sellers", managers, c.sellers)
	c.page("GET /console/sellers/{id}", managers, c.seller)
	c.page("POST /console/sellers/{id}/profile", managers, c.setProfileVisibility)
	c.page("GET /console/review", managers, c.review)
	c.page("GET /console/scorecards/{id}", managersAndSellers, c.scorecard)
	c.page("POST /console/scorecards/{id}/approve", managers, c.approveScorecard)
	c.page("GET /console/scorecards/{id}/report.pdf", managersAndSellers, c.scorecardReport)

	// Anything else under /console/ is not a page.
	c.public("/console/", func(http.ResponseWriter, *http.Request, *signedIn) error {
		return errNoPage
	})
}

// may reports whether the signed-in person may use the route of pattern, so that a page offers
// only the forms its reader may send.
func (c *Console) may(s *signedIn, pattern string) bool {
	return s != nil && s.User != nil && c.rules[pattern].allows(s.User.Role)
}

// public registers a route anyone may use, signed in or not.
func (c *Console) public(pattern string, h handlerFunc) {
	c.register(pattern, rule{public: true}, h)
}

// page registers a route for signed-in people of the given roles.
func (c *Console) page(pattern string, roles []audit.Role, h handlerFunc) {
	c.register(pattern, rule{roles: roles}, h)
}

func (c *Console) register(pattern string, ru rule, h handlerFunc) {
	if _, dup := c.rules[pattern]; dup {
		panic("console: route registered twice: " + pattern)
	}
	c.rules[pattern] = ru
	c.mux.Handle(pattern, c.guard(ru, h))
}

// guard runs h for the people its rule allows: a signed-out person is sent to the sign-in
// page (and brought back after it), a signed-in one of another role gets 403.
func (c *Console) guard(ru rule, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.session(r)
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if info := infoOf(r); info != nil {
			info.pattern = r.Pattern
			if s.User != nil {
				info.userID = s.User.ID
			}
		}
		switch {
		case ru.public:
		case s.User == nil:
			http.Redirect(w, r, signinURL(r), http.StatusSeeOther)
			return
		case !ru.allows(s.User.Role):
			c.fail(w, r, s, errOtherArea)
			return
		}
		if err := h(w, r, s); err != nil {
			c.fail(w, r, s, err)
		}
	})
}

// signinURL is the sign-in page that brings the person back to what they asked for: the
// page itself for a GET, home otherwise (a form posted after the session ended cannot be
// replayed from a redirect).
func signinURL(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "/console/signin"
	}
	return "/console/signin?next=" + queryEscape(r.URL.RequestURI())
}

// safeNext is the page to go to after signing in: only a console page of this site, never
// another site ("//evil.example", "/\evil.example") nor a page outside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "/console/signin") ||
		strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") {
		return "/console/"
	}
	return next
}
