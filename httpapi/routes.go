package httpapi

import (
	"net/http"

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

// routes is the one table of every route of the API with the roles it allows. Handlers that
// serve sellers check ownership themselves (a seller gets 404 for anything not its own).
func (s *Server) routes() {
	s.handle(http.MethodGet, "/healthz", public, s.handleHealthz)
	s.handle(http.MethodGet, "/readyz", public, s.handleReadyz)
	s.handle(http.MethodGet, "/metrics", public, s.handleMetrics)
	s.handle(http.MethodGet, "/api/v1/openapi.json", public, s.handleOpenAPI)

	s.handle(http.MethodGet, "/api/v1/keys", admins, s.listKeys)
	s.handle(http.MethodPost, "/api/v1/keys", admins, s.createKey)
	s.handle(http.MethodDelete, "/api/v1/keys/:id", admins, s.revokeKey)

	s.handle(http.MethodPost, "/api/v1/sellers", managers, s.createSeller)
	s.handle(http.MethodGet, "/api/v1/sellers", everyone, s.listSellers)
	s.handle(http.MethodGet, "/api/v1/sellers/:id", everyone, s.getSeller)
}

// handle registers one route with its role rule. A nil rule means the route is public.
func (s *Server) handle(method, path string, roles []audit.Role, h echo.HandlerFunc) {
	s.rules[method+" "+path] = roles
	if roles == nil {
		s.echo.Add(method, path, h)
		return
	}
	s.echo.Add(method, path, h, s.authenticate, allow(roles))
}
