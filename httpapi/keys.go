package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

type keyRequest struct {
	Name      string     `json:"name" validate:"required,min=1,max=200"`
	Role      string     `json:"role" validate:"required,oneof=admin manager technician seller"`
	SellerID  string     `json:"seller_id" validate:"required_if=Role seller,excluded_unless=Role seller,max=64"`
	ExpiresAt *time.Time `json:"expires_at"`
}

type keyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       audit.Role `json:"role"`
	SellerID   *string    `json:"seller_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

type keyWithTokenJSON struct {
	keyJSON
	Token string `json:"token"`
}

func toKeyJSON(k audit.Key) keyJSON {
	out := keyJSON{ID: k.ID, Name: k.Name, Role: k.Role, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
	if k.SellerID != "" {
		out.SellerID = &k.SellerID
	}
	return out
}

func (s *Server) createKey(c echo.Context) error {
	var req keyRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	if err := wire.WithTypeErrors(typeErr, c.Validate(&req)); err != nil {
		return err
	}
	in := audit.Key{Name: req.Name, Role: audit.Role(req.Role), SellerID: req.SellerID, ExpiresAt: req.ExpiresAt}
	key, token, err := s.svc.CreateKey(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return sellerRefError(err, "seller_id")
	}
	return writeJSON(c, http.StatusCreated, keyWithTokenJSON{keyJSON: toKeyJSON(key), Token: token})
}

func (s *Server) listKeys(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.Keys(c.Request().Context(), mustPrincipal(c), page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toKeyJSON))
}

func (s *Server) revokeKey(c echo.Context) error {
	if err := s.svc.RevokeKey(c.Request().Context(), mustPrincipal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
