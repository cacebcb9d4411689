package httpapi

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// Role sets used by the route table.
var (
	public      []audit.Role // no token needed
	admins      = []audit.Role{audit.RoleAdmin}
	managers    = []audit.Role{audit.RoleAdmin, audit.RoleManager}
	technicians = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician}
	staff       = technicians
	everyone    = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician, audit.RoleSeller}
	// managersAndSellers may call a route; sellers are then scoped to their own records.
	managersAndSellers = []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleSeller}
)

// routes is the one table of every route of the API with the roles it allows, following the
// role table of api.md to the letter: technicians work on devices, bench tests, mystery orders
// and grading (protocols included) and read sellers; KPIs, audits, scorecards and publishing
// charter versions are the managers'; a seller reads its own seller record, its approved
// scorecards and their reports, and its corrective actions. Every role reads the charter (the
// active one and every version) and the metric catalogue: the rules everyone is held to are
// public to all who hold a key. Lots (lots.md §6) are recorded by technicians, their streams
// resumed and their suppliers summarised by managers; a seller reads its own decided device
// lots and their samples. Every role reads the marketplace benchmarks (transparency.md §3),
// which show no seller's figure. Impact estimates (transparency.md §4) are the managers', a
// seller's its own; every role reads the factors they are made with, as it reads the charter,
// and managers publish them. Every bench test and mystery order has a certificate
// (transparency.md §1): a seller reads those of its own bench tests, and mystery orders stay
// the staff's, as every read of them. Handlers that serve sellers check ownership themselves
// (a seller gets 404 for anything not its own). The public pages need no key and are
// rate-limited per client address: the profiles of sellers (transparency.md §2; hiding one is
// the managers') and the verification of certificates by their code (/verify).
func (s *Server) routes() {
	s.handle(http.MethodGet, "/healthz", public, s.handleHealthz)
	s.handle(http.MethodGet, "/readyz", public, s.handleReadyz)
	s.handle(http.MethodGet, "/metrics", public, s.handleMetrics)
	s.handle(http.MethodGet, "/api/v1/openapi.json", public, s.handleOpenAPI)
	s.handle(http.MethodGet, "/problems/:kind", public, s.getProblemPage)
	s.handlePublicPage(http.MethodGet, "/verify", verifyNotFound, s.getVerifyForm)
	s.handlePublicPage(http.MethodGet, "/verify/:code", verifyNotFound, s.getVerification)

	s.handle(http.MethodGet, "/api/v1/keys", admins, s.listKeys)
	s.handle(http.MethodPost, "/api/v1/keys", admins, s.createKey)
	s.handle(http.MethodDelete, "/api/v1/keys/:id", admins, s.revokeKey)

	s.handle(http.MethodPost, "/api/v1/sellers", managers, s.createSeller)
	s.handle(http.MethodGet, "/api/v1/sellers", everyone, s.listSellers)
	s.handle(http.MethodGet, "/api/v1/sellers/:id", everyone, s.getSeller)

	s.handle(http.MethodPost, "/api/v1/mystery-orders", technicians, s.createMysteryOrder)
	s.handle(http.MethodGet, "/api/v1/mystery-orders", technicians, s.listMysteryOrders)
	s.handle(http.MethodGet, "/api/v1/mystery-orders/:id", technicians, s.getMysteryOrder)
	s.handle(http.MethodPost, "/api/v1/mystery-orders/:id/corrections", technicians, s.correctMysteryOrder)
	s.handle(http.MethodGet, "/api/v1/mystery-orders/:id/certificate.pdf", technicians, s.getMysteryOrderCertificate)

	s.handle(http.MethodPut, "/api/v1/sellers/:id/kpis/:month", managers, s.putKPIMonth)
	s.handle(http.MethodGet, "/api/v1/sellers/:id/kpis", managers, s.listKPIMonths)
	s.handle(http.MethodPost, "/api/v1/kpis/import", managers, s.importKPIs)

	s.handle(http.MethodGet, "/api/v1/protocols", staff, s.listProtocols)
	s.handle(http.MethodGet, "/api/v1/protocols/:category", staff, s.getProtocol)
	s.handle(http.MethodPost, "/api/v1/grading/preview", technicians, s.previewGrade)
	s.handle(http.MethodPost, "/api/v1/bench-tests", technicians, s.createBenchTest)
	s.handle(http.MethodPost, "/api/v1/bench-tests/batch", technicians, s.createBenchTests)
	s.handle(http.MethodGet, "/api/v1/bench-tests", staff, s.listBenchTests)
	s.handle(http.MethodGet, "/api/v1/bench-tests/:id", staff, s.getBenchTest)
	s.handle(http.MethodPost, "/api/v1/bench-tests/:id/corrections", technicians, s.correctBenchTest)
	s.handle(http.MethodGet, "/api/v1/bench-tests/:id/certificate.pdf", everyone, s.getBenchTestCertificate)

	s.handle(http.MethodGet, "/api/v1/scorecards/:id/report.pdf", managersAndSellers, s.getReport)

	s.handle(http.MethodGet, "/api/v1/charter", everyone, s.getActiveCharter)
	s.handle(http.MethodGet, "/api/v1/charters", everyone, s.listCharters)
	s.handle(http.MethodGet, "/api/v1/charters/:version", everyone, s.getCharter)
	s.handle(http.MethodPost, "/api/v1/charters", managers, s.publishCharter)
	s.handle(http.MethodGet, "/api/v1/metrics", everyone, s.listMetricCatalogue)

	s.handle(http.MethodPost, "/api/v1/audits", managers, s.createAudit)
	s.handle(http.MethodPost, "/api/v1/audits/batch", managers, s.createAuditBatch)
	s.handle(http.MethodGet, "/api/v1/scorecards/:id", managersAndSellers, s.getScorecard)
	s.handle(http.MethodPost, "/api/v1/scorecards/:id/approve", managers, s.approveScorecard)
	s.handle(http.MethodGet, "/api/v1/sellers/:id/scorecards", managersAndSellers, s.listSellerScorecards)
	s.handle(http.MethodGet, "/api/v1/benchmarks", everyone, s.getBenchmarks)

	s.handle(http.MethodGet, "/api/v1/corrective-actions", managersAndSellers, s.listActions)
	s.handle(http.MethodGet, "/api/v1/corrective-actions/:id", managersAndSellers, s.getAction)
	s.handle(http.MethodPost, "/api/v1/corrective-actions/:id/plan", managersAndSellers, s.submitPlan)
	s.handle(http.MethodPost, "/api/v1/corrective-actions/:id/close", managers, s.closeAction)

	s.handle(http.MethodGet, "/api/v1/events", managers, s.listEvents)

	s.handle(http.MethodPost, "/api/v1/lots", technicians, s.createLot)
	s.handle(http.MethodGet, "/api/v1/lots", everyone, s.listLots)
	s.handle(http.MethodGet, "/api/v1/lots/:id", everyone, s.getLot)
	s.handle(http.MethodPost, "/api/v1/lots/:id/samples", technicians, s.addLotSample)
	s.handle(http.MethodGet, "/api/v1/lots/:id/samples", everyone, s.listLotSamples)
	s.handle(http.MethodGet, "/api/v1/lot-streams", staff, s.listLotStreams)
	s.handle(http.MethodPost, "/api/v1/lot-streams/:id/resume", managers, s.resumeLotStream)
	s.handle(http.MethodGet, "/api/v1/suppliers", managers, s.listSuppliers)

	s.handleLimitedPublic(http.MethodGet, "/public/sellers/:id", s.getPublicProfile)
	s.handleLimitedPublic(http.MethodGet, "/public/sellers/:id/badge.svg", s.getProfileBadge)
	s.handle(http.MethodGet, "/api/v1/sellers/:id/profile", managers, s.getProfileSetting)
	s.handle(http.MethodPut, "/api/v1/sellers/:id/profile", managers, s.putProfileSetting)
	s.handle(http.MethodGet, "/api/v1/impact", managersAndSellers, s.getImpact)
	s.handle(http.MethodGet, "/api/v1/impact-factors", everyone, s.listImpactFactors)
	s.handle(http.MethodGet, "/api/v1/impact-factors/:version", everyone, s.getImpactFactors)
	s.handle(http.MethodPost, "/api/v1/impact-factors", managers, s.publishImpactFactors)
}

// handle registers one route with its role rule. A nil rule means the route is public. A GET
// route answers HEAD too, with the same rule and handler (headBodies drops the body).
func (s *Server) handle(method, path string, roles []audit.Role, h echo.HandlerFunc) {
	if method == http.MethodGet {
		s.add(http.MethodHead, path, roles, h)
	}
	s.add(method, path, roles, h)
}

func (s *Server) add(method, path string, roles []audit.Role, h echo.HandlerFunc) {
	s.rules[method+" "+path] = roles
	if roles == nil {
		s.echo.Add(method, path, h)
		return
	}
	s.echo.Add(method, path, h, s.authenticate, allow(roles), plainParams)
}

// plainParams answers 404 for a path parameter that no record can have (control characters,
// invalid UTF-8 or absurd length), before it reaches a database that might refuse it.
func plainParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if len(v) > 128 || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
				return echo.NewHTTPError(http.StatusNotFound, "no such resource")
			}
		}
		return next(c)
	}
}
