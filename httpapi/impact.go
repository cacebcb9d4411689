package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// The routes of environmental impact estimates (transparency.md §4): the estimate of a seller
// or of the marketplace over a period, and the published versions of the factors. The rules,
// and who may see which estimate, are audit.Service's.

// impactPeriodJSON is a period of dates, the end exclusive.
type impactPeriodJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

func toImpactPeriodJSON(p audit.Period) impactPeriodJSON {
	return impactPeriodJSON{Start: p.Start.Format(time.DateOnly), End: p.End.Format(time.DateOnly)}
}

// impactFiguresJSON is an impact, each figure null where it is not estimated.
type impactFiguresJSON struct {
	CO2eKg         *float64 `json:"co2e_kg"`
	EwasteKg       *float64 `json:"ewaste_kg"`
	RawMaterialsKg *float64 `json:"raw_materials_kg"`
	WaterL         *float64 `json:"water_l"`
}

func toImpactFiguresJSON(f *audit.ImpactFigures) impactFiguresJSON {
	if f == nil {
		return impactFiguresJSON{}
	}
	v := *f
	return impactFiguresJSON{CO2eKg: &v.CO2eKg, EwasteKg: &v.EwasteKg, RawMaterialsKg: &v.RawMaterialsKg, WaterL: &v.WaterL}
}

// impactCategoryJSON is one category of an estimate.
type impactCategoryJSON struct {
	Category string  `json:"category"`
	Units    int     `json:"units"`
	Share    float64 `json:"share"`
	Devices  float64 `json:"devices"`
	impactFiguresJSON
}

// impactJSON is an estimate on the wire: seller_id null for the whole marketplace; no
// category and null totals when the mix is unknown.
type impactJSON struct {
	Period              impactPeriodJSON     `json:"period"`
	SellerID            *string              `json:"seller_id"`
	Orders              int                  `json:"orders"`
	Units               int                  `json:"units"`
	OrdersWithoutMix    int                  `json:"orders_without_mix"`
	FactorsVersion      string               `json:"factors_version"`
	Categories          []impactCategoryJSON `json:"categories"`
	Totals              impactFiguresJSON    `json:"totals"`
	DevicesNotEstimated float64              `json:"devices_not_estimated"`
}

func toImpactJSON(e audit.ImpactEstimate) impactJSON {
	out := impactJSON{Period: toImpactPeriodJSON(e.Period), SellerID: nullable(e.SellerID), Orders: e.Orders, Units: e.Units,
		OrdersWithoutMix: e.OrdersWithoutMix, FactorsVersion: e.Factors.Version,
		Categories: make([]impactCategoryJSON, len(e.Categories)), Totals: toImpactFiguresJSON(e.Totals),
		DevicesNotEstimated: e.NotEstimatedDevices}
	for i, c := range e.Categories {
		out.Categories[i] = impactCategoryJSON{Category: string(c.Category), Units: c.Units, Share: c.Share,
			Devices: c.Devices, impactFiguresJSON: toImpactFiguresJSON(c.Impact)}
	}
	return out
}

// getImpact answers the estimate of ?seller_id= (a seller's own by default for a seller key;
// the whole marketplace for staff) over [period_start, period_end), with the factors of
// ?factors_version= or the version published last. It changes with every record of the
// period, so it carries no ETag.
func (s *Server) getImpact(c echo.Context) error {
	q := newQuery(c)
	if err := q.err(); err != nil {
		return err
	}
	e, err := s.svc.Impact(c.Request().Context(), mustPrincipal(c), audit.ImpactQuery{
		PeriodStart: c.QueryParam("period_start"), PeriodEnd: c.QueryParam("period_end"),
		SellerID: c.QueryParam("seller_id"), FactorsVersion: c.QueryParam("factors_version")})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toImpactJSON(e))
}

// impactFactorsJSON is a published version of the factors: its published form
// (audit.ImpactFactorsDocument, in which the default ships too), whether it is the version in
// force, and when it was published.
type impactFactorsJSON struct {
	audit.ImpactFactorsDocument
	InForce   bool      `json:"in_force"`
	CreatedAt time.Time `json:"created_at"`
}

func toImpactFactorsJSON(f audit.ImpactFactors, latest string) impactFactorsJSON {
	return impactFactorsJSON{ImpactFactorsDocument: audit.NewImpactFactorsDocument(f), InForce: f.Version == latest, CreatedAt: f.CreatedAt}
}

// latestFactors names the version in force.
func (s *Server) latestFactors(c echo.Context) (string, error) {
	f, err := s.svc.LatestImpactFactors(c.Request().Context())
	return f.Version, err
}

// listImpactFactors lists every published version, in the order published (the last is in
// force).
func (s *Server) listImpactFactors(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.ImpactFactorVersions(c.Request().Context(), page)
	if err != nil {
		return err
	}
	latest, err := s.latestFactors(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, func(f audit.ImpactFactors) impactFactorsJSON {
		return toImpactFactorsJSON(f, latest)
	}))
}

// getImpactFactors answers one version, which never changes once published, with a strong
// ETag; the tag also covers whether the version is in force, so publishing a later one gives it
// a new tag.
func (s *Server) getImpactFactors(c echo.Context) error {
	f, err := s.svc.ImpactFactors(c.Request().Context(), c.Param("version"))
	if err != nil {
		return err
	}
	latest, err := s.latestFactors(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := jsonEncode(&b, toImpactFactorsJSON(f, latest)); err != nil {
		return err
	}
	return writeFinal(c, echo.MIMEApplicationJSON, b.Bytes(), etagOf(b.Bytes()))
}

// publishImpactFactors publishes a version of the factors (every problem at once, 422; a
// version taken, 409), in force from then on.
func (s *Server) publishImpactFactors(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var doc audit.ImpactFactorsDocument
	typeErr, err := wire.Decode(body, &doc)
	if err != nil {
		return err
	}
	f, err := s.svc.PublishImpactFactors(c.Request().Context(), mustPrincipal(c),
		audit.Input[audit.ImpactFactorsDocument]{Problems: problemsOf(typeErr), Value: doc})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toImpactFactorsJSON(f, f.Version))
}
