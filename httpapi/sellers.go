package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

type sellerRequest struct {
	Name         string `json:"name" validate:"required,min=1,max=200"`
	Country      string `json:"country" validate:"required,iso3166_1_alpha2"`
	ContactEmail string `json:"contact_email" validate:"required,email,max=254"`
}

type sellerJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Country      string    `json:"country"`
	ContactEmail string    `json:"contact_email"`
	CreatedAt    time.Time `json:"created_at"`
}

func toSellerJSON(s audit.Seller) sellerJSON {
	return sellerJSON{ID: s.ID, Name: s.Name, Country: s.Country, ContactEmail: s.ContactEmail, CreatedAt: s.CreatedAt}
}

func (s *Server) createSeller(c echo.Context) error {
	var req sellerRequest
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
	seller, err := s.svc.CreateSeller(c.Request().Context(), mustPrincipal(c),
		audit.Seller{Name: req.Name, Country: req.Country, ContactEmail: req.ContactEmail})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toSellerJSON(seller))
}

// listSellers lists sellers; a seller's list holds its own record alone.
func (s *Server) listSellers(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.Sellers(c.Request().Context(), mustPrincipal(c), page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toSellerJSON))
}

// getSeller answers one seller; another seller's record is 404 to a seller.
func (s *Server) getSeller(c echo.Context) error {
	seller, err := s.svc.Seller(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toSellerJSON(seller))
}
