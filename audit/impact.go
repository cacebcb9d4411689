package audit

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// Environmental impact estimates (transparency.md §4): what a seller's sales in a period
// avoided against buying new, in CO2e, e-waste, raw materials and water. The estimate is a pure
// calculation over two figures of the period that an audit reads too — the orders of the KPI
// months and the inspected units, by category — and one published version of the factors per
// device of each category:
//
//   - orders: the sum of the seller's KPI months that start inside the period (RuleKPIMonth);
//   - the category mix: each category's share of the period's inspected units (RuleUnit: not
//     incomplete, over the bench tests and mystery orders that the period reads, Records.read);
//   - the estimated devices of a category: orders × share, not rounded;
//   - the impact: the sum over the categories of their estimated devices × their factors.
//
// Without an inspected unit the mix is unknown, and nothing is estimated: no category, null
// totals. A category without a factor in the version used shows its estimated devices and a
// null impact ("not estimated"). The totals sum the categories that are estimated; they are
// null only when none is. The estimate of the whole marketplace is the sum of every seller's
// estimate (SumImpact), which is not the estimate of the pooled mix: a seller's mix weighs as
// much as its orders, not as much as its inspected units.

// ImpactFigures are quantities that refurbished devices avoided against new ones: kilograms of
// CO2 equivalent, of electronic waste and of raw materials, and litres of water. As a factor
// they are per device.
type ImpactFigures struct {
	CO2eKg         float64
	EwasteKg       float64
	RawMaterialsKg float64
	WaterL         float64
}

// Times returns the figures multiplied by n.
func (f ImpactFigures) Times(n float64) ImpactFigures {
	return ImpactFigures{CO2eKg: f.CO2eKg * n, EwasteKg: f.EwasteKg * n, RawMaterialsKg: f.RawMaterialsKg * n, WaterL: f.WaterL * n}
}

// Plus returns the sum of f and g.
func (f ImpactFigures) Plus(g ImpactFigures) ImpactFigures {
	return ImpactFigures{CO2eKg: f.CO2eKg + g.CO2eKg, EwasteKg: f.EwasteKg + g.EwasteKg,
		RawMaterialsKg: f.RawMaterialsKg + g.RawMaterialsKg, WaterL: f.WaterL + g.WaterL}
}

// ImpactFactor is what one refurbished device of a category avoids, and where the figures come
// from.
type ImpactFactor struct {
	Category  grading.Category
	PerDevice ImpactFigures
	Source    string
}

// ImpactFactors is one published version of the factors. Like a charter version it is data,
// never changed once published; the version published last is the one estimates use unless
// they name another. A category that has no factor in a version is not estimated with it.
type ImpactFactors struct {
	Version   string
	Factors   []ImpactFactor // in the order of grading.Categories, one per category at most
	CreatedAt time.Time
	CreatedBy string // the key or user that published it ("migration" for the default)
}

// Factor returns the factor of category c, and whether the version has one.
func (f ImpactFactors) Factor(c grading.Category) (ImpactFactor, bool) {
	for _, x := range f.Factors {
		if x.Category == c {
			return x, true
		}
	}
	return ImpactFactor{}, false
}

// DefaultImpactFactorsVersion is the version of the factors that refurbqa ships with, which
// migration 00014 publishes into every database.
const DefaultImpactFactorsVersion = "2026.1"

// defaultImpactFactorsJSON is the default version, kept as data in the published form, so that
// it is exactly a version one could publish: the marketplace's figures per refurbished
// smartphone, and no factor for tablets and laptops.
//
//go:embed impact_factors_2026.1.json
var defaultImpactFactorsJSON []byte

// DefaultImpactFactors returns the factors refurbqa ships with, checked by the rules of
// PublishImpactFactors. An error means the embedded file is broken, which the tests rule out.
func DefaultImpactFactors() (ImpactFactors, error) {
	var doc ImpactFactorsDocument
	dec := json.NewDecoder(bytes.NewReader(defaultImpactFactorsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return ImpactFactors{}, fmt.Errorf("default impact factors: %w", err)
	}
	f, err := CheckImpactFactors(Input[ImpactFactorsDocument]{Value: doc})
	if err != nil {
		return ImpactFactors{}, fmt.Errorf("default impact factors: %w", err)
	}
	return f, nil
}

// ImpactFactorsDocument is the published form of a version of factors: the JSON in which the
// default ships, the API takes a new version (POST /api/v1/impact-factors) and shows every one.
// Like checklist.Document it lives apart from ImpactFactors, which carries no encoding tags;
// the database keeps a format of its own. The figures are pointers, so that a missing one is
// told from a zero.
type ImpactFactorsDocument struct {
	Version string                 `json:"version"`
	Factors []ImpactFactorDocument `json:"factors"`
}

// ImpactFactorDocument is one factor of an ImpactFactorsDocument.
type ImpactFactorDocument struct {
	Category       string   `json:"category"`
	CO2eKg         *float64 `json:"co2e_kg"`
	EwasteKg       *float64 `json:"ewaste_kg"`
	RawMaterialsKg *float64 `json:"raw_materials_kg"`
	WaterL         *float64 `json:"water_l"`
	Source         string   `json:"source"`
}

// NewImpactFactorsDocument returns the published form of f.
func NewImpactFactorsDocument(f ImpactFactors) ImpactFactorsDocument {
	d := ImpactFactorsDocument{Version: f.Version, Factors: make([]ImpactFactorDocument, len(f.Factors))}
	for i, x := range f.Factors {
		p := x.PerDevice
		d.Factors[i] = ImpactFactorDocument{Category: string(x.Category), CO2eKg: &p.CO2eKg, EwasteKg: &p.EwasteKg,
			RawMaterialsKg: &p.RawMaterialsKg, WaterL: &p.WaterL, Source: x.Source}
	}
	return d
}

// Limits of a version of factors.
const (
	maxFactorsVersionLen = 32
	maxFactorSourceLen   = 500
	// MaxImpactFactor bounds each figure per device: far above any device (a laptop's water
	// is in the hundreds of thousands of litres), low enough that no estimate overflows.
	MaxImpactFactor = 1e9
)

// CheckImpactFactors checks a version of factors as stated and returns it, the factors in the
// order of grading.Categories. Every problem is reported at once at its JSON path, with those
// of in.Problems (what the adapter could not decode): a version of 1 to 32 characters of
// [A-Za-z0-9._-] (it appears in URLs and reports); at least one factor, at most one per
// category, each of a known category; each of the four figures present, from 0 to
// MaxImpactFactor; a source of 1 to 500 characters on one line, since a figure without its
// source is not a published figure.
func CheckImpactFactors(in Input[ImpactFactorsDocument]) (ImpactFactors, error) {
	d := in.Value
	var errs fieldErrors
	if !validVersionName(d.Version) {
		errs.add("version", "must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' or '-'", maxFactorsVersionLen)
	}
	if len(d.Factors) == 0 {
		errs.add("factors", "must hold at least one category's factor")
	}
	out := ImpactFactors{Version: d.Version}
	seen := map[grading.Category]int{}
	for i, x := range d.Factors {
		at := fmt.Sprintf("factors[%d].", i)
		c := grading.Category(x.Category)
		switch {
		case !slices.Contains(grading.Categories, c):
			errs.add(at+"category", "must be smartphone, tablet or laptop")
		case seen[c] > 0:
			errs.add(at+"category", "repeats factors[%d]: one factor per category", seen[c]-1)
		default:
			seen[c] = i + 1
		}
		var per ImpactFigures
		for _, v := range []struct {
			field string
			v     *float64
			dst   *float64
		}{{"co2e_kg", x.CO2eKg, &per.CO2eKg}, {"ewaste_kg", x.EwasteKg, &per.EwasteKg},
			{"raw_materials_kg", x.RawMaterialsKg, &per.RawMaterialsKg}, {"water_l", x.WaterL, &per.WaterL}} {
			switch {
			case v.v == nil:
				errs.add(at+v.field, "is required")
			case !(*v.v >= 0 && *v.v <= MaxImpactFactor): // NaN fails too
				errs.add(at+v.field, "must be a number from 0 to %g per device", float64(MaxImpactFactor))
			default:
				*v.dst = *v.v
			}
		}
		errs.line(at+"source", x.Source, maxFactorSourceLen)
		out.Factors = append(out.Factors, ImpactFactor{Category: c, PerDevice: per, Source: x.Source})
	}
	if err := answer(in.Problems, errs.sorted(), grading.Inspection{}, "-"); err != nil {
		return ImpactFactors{}, err
	}
	slices.SortStableFunc(out.Factors, func(a, b ImpactFactor) int {
		return slices.Index(grading.Categories, a.Category) - slices.Index(grading.Categories, b.Category)
	})
	return out, nil
}

// validVersionName reports whether s is 1 to 32 characters of [A-Za-z0-9._-], the alphabet of
// charter versions.
func validVersionName(s string) bool {
	if s == "" || len(s) > maxFactorsVersionLen {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// ImpactInput is what an estimate reads of one seller over a period.
type ImpactInput struct {
	// Orders is the sum of the orders of the KPI months that start inside the period.
	Orders int
	// Units counts the inspected units of the period (not incomplete) by category; nil when
	// there is none.
	Units map[grading.Category]int
}

// TotalUnits returns the inspected units of every category.
func (in ImpactInput) TotalUnits() int {
	n := 0
	for _, u := range in.Units {
		n += u
	}
	return n
}

// ImpactCounts computes the input of an estimate of one seller over p from its records, by the
// rules of an audit of p (MetricRules): the orders of the KPI months RuleKPIMonth holds for,
// and the units RuleUnit holds for among the records that p reads (Records.read), by category.
// It is the statement of what an estimate counts, which the store computes with SQL for speed
// (store.ImpactInputs), to the same answers.
func ImpactCounts(p Period, r Records) ImpactInput {
	rules := MetricRules(p, time.Time{})
	var in ImpactInput
	units, orders := r.read(p)
	for _, o := range orders {
		units = append(units, o.Unit)
	}
	for _, u := range units {
		if !rules.Unit.Holds(u) {
			continue
		}
		if in.Units == nil {
			in.Units = map[grading.Category]int{}
		}
		in.Units[u.Category]++
	}
	for _, k := range r.KPIMonths {
		if rules.KPIMonth.Holds(k) {
			in.Orders += k.Orders
		}
	}
	return in
}

// CategoryImpact is the estimate of one category.
type CategoryImpact struct {
	Category grading.Category
	// Units are the inspected units of the category.
	Units int
	// Share is the category's share of the mix: of a seller, its share of the inspected
	// units; of the marketplace, its share of the estimated devices (the same thing for a
	// single seller), or of the inspected units when no device is estimated (no orders).
	Share float64
	// Devices is the estimated number of devices sold: orders × share, not rounded.
	Devices float64
	// Impact is Devices × the category's factor; nil when the factors have none for it.
	Impact *ImpactFigures
}

// ImpactEstimate is the estimate of one seller, or of the whole marketplace, over a period.
type ImpactEstimate struct {
	Period   Period
	SellerID string // "" for the whole marketplace
	// Orders is the sum of the orders of the KPI months in the period.
	Orders int
	// Units is the number of inspected units behind the mix.
	Units int
	// OrdersWithoutMix are the orders of sellers without an inspected unit in the period,
	// whose mix is unknown: they are in Orders but in no category.
	OrdersWithoutMix int
	// Factors is the version of the factors the estimate was made with.
	Factors ImpactFactors
	// Categories lists the categories with inspected units, in the order of
	// grading.Categories; empty when the mix is unknown.
	Categories []CategoryImpact
	// Totals sums the Impact of the categories that have one; nil when none has.
	Totals *ImpactFigures
	// NotEstimatedDevices are the estimated devices of the categories without a factor,
	// whose impact Totals leaves out.
	NotEstimatedDevices float64
}

// EstimateImpact estimates the impact of one seller over p from its input and the factors f.
func EstimateImpact(p Period, sellerID string, in ImpactInput, f ImpactFactors) ImpactEstimate {
	e := ImpactEstimate{Period: p, SellerID: sellerID, Orders: in.Orders, Units: in.TotalUnits(), Factors: f,
		Categories: []CategoryImpact{}}
	if e.Units == 0 {
		e.OrdersWithoutMix = in.Orders
		return e
	}
	for _, c := range grading.Categories {
		n := in.Units[c]
		if n == 0 {
			continue
		}
		share := float64(n) / float64(e.Units)
		ci := CategoryImpact{Category: c, Units: n, Share: share, Devices: float64(in.Orders) * share}
		if x, ok := f.Factor(c); ok {
			impact := x.PerDevice.Times(ci.Devices)
			ci.Impact = &impact
		}
		e.Categories = append(e.Categories, ci)
	}
	e.total()
	return e
}

// total sets Totals and NotEstimatedDevices from the categories.
func (e *ImpactEstimate) total() {
	e.Totals, e.NotEstimatedDevices = nil, 0
	for _, c := range e.Categories {
		if c.Impact == nil {
			e.NotEstimatedDevices += c.Devices
			continue
		}
		if e.Totals == nil {
			e.Totals = &ImpactFigures{}
		}
		*e.Totals = e.Totals.Plus(*c.Impact)
	}
}

// SumImpact is the estimate of the whole marketplace over p: the estimate of every seller of
// inputs (by seller id) with the factors f, summed category by category, in the order of the
// seller ids so that the sums are reproducible to the last bit.
func SumImpact(p Period, inputs map[string]ImpactInput, f ImpactFactors) ImpactEstimate {
	sum := ImpactEstimate{Period: p, Factors: f, Categories: []CategoryImpact{}}
	byCategory := map[grading.Category]*CategoryImpact{}
	for _, id := range slices.Sorted(maps.Keys(inputs)) {
		e := EstimateImpact(p, id, inputs[id], f)
		sum.Orders += e.Orders
		sum.Units += e.Units
		sum.OrdersWithoutMix += e.OrdersWithoutMix
		for _, c := range e.Categories {
			acc := byCategory[c.Category]
			if acc == nil {
				acc = &CategoryImpact{Category: c.Category}
				byCategory[c.Category] = acc
			}
			acc.Units += c.Units
			acc.Devices += c.Devices
			if c.Impact != nil {
				if acc.Impact == nil {
					acc.Impact = &ImpactFigures{}
				}
				*acc.Impact = acc.Impact.Plus(*c.Impact)
			}
		}
	}
	var devices float64
	for _, c := range byCategory {
		devices += c.Devices
	}
	for _, c := range grading.Categories {
		acc := byCategory[c]
		if acc == nil {
			continue
		}
		if devices > 0 {
			acc.Share = acc.Devices / devices
		} else {
			acc.Share = float64(acc.Units) / float64(sum.Units)
		}
		sum.Categories = append(sum.Categories, *acc)
	}
	sum.total()
	return sum
}

// ImpactReader reads what estimates are made of. The store implements it (ImpactStore), and
// so the report's source; ReadImpact is the one use of it.
type ImpactReader interface {
	// ImpactFactors returns one published version, or ErrNotFound.
	ImpactFactors(ctx context.Context, version string) (ImpactFactors, error)
	// LatestImpactFactors returns the version published last.
	LatestImpactFactors(ctx context.Context) (ImpactFactors, error)
	// ImpactInputs reads the input of the estimate of each seller over p (every seller when
	// sellerIDs is empty), from one snapshot, in a constant number of grouped queries. A
	// seller without a KPI month or an inspected unit in p may be left out: its input is
	// zero.
	ImpactInputs(ctx context.Context, p Period, sellerIDs []string) (map[string]ImpactInput, error)
}

// ReadImpact estimates the impact of seller sellerID ("" for the whole marketplace) over p with
// the factors of version ("" for the one published last). It decides nothing about who may
// see the estimate: Service.Impact does, and the report's Builder shows a seller's own.
func ReadImpact(ctx context.Context, r ImpactReader, p Period, sellerID, version string) (ImpactEstimate, error) {
	var f ImpactFactors
	var err error
	if version == "" {
		f, err = r.LatestImpactFactors(ctx)
	} else {
		f, err = r.ImpactFactors(ctx, version)
	}
	if err != nil {
		return ImpactEstimate{}, err
	}
	var ids []string
	if sellerID != "" {
		ids = []string{sellerID}
	}
	inputs, err := r.ImpactInputs(ctx, p, ids)
	if err != nil {
		return ImpactEstimate{}, err
	}
	if sellerID != "" {
		return EstimateImpact(p, sellerID, inputs[sellerID], f), nil
	}
	return SumImpact(p, inputs, f), nil
}

// ImpactQuery asks for an estimate: a period of two YYYY-MM-DD dates, the end exclusive (the
// rules of ParsePeriod); a seller, or "" for the whole marketplace; a version of the factors,
// or "" for the one published last.
type ImpactQuery struct {
	PeriodStart, PeriodEnd string
	SellerID               string
	FactorsVersion         string
}

// Impact estimates the impact of a seller, or of the whole marketplace, over a period
// (transparency.md §4). Managers and admins ask for any seller or the marketplace; a seller
// for itself only: its own estimate when it names no seller, ErrNotFound when it names
// another, exactly as if that seller did not exist. Technicians are ErrForbidden. An invalid
// period is a *ValidationError on period_start or period_end; an unknown seller or version is
// ErrNotFound.
func (s *Service) Impact(ctx context.Context, by Principal, q ImpactQuery) (ImpactEstimate, error) {
	switch by.Role {
	case RoleAdmin, RoleManager:
	case RoleSeller:
		if q.SellerID == "" {
			q.SellerID = by.SellerID
		}
		if err := by.OwnSeller(q.SellerID, "seller "+q.SellerID); err != nil {
			return ImpactEstimate{}, err
		}
	default:
		return ImpactEstimate{}, fmt.Errorf("impact estimates: %w", ErrForbidden)
	}
	p, errs := ParsePeriod(q.PeriodStart, q.PeriodEnd)
	if err := Invalid(errs); err != nil {
		return ImpactEstimate{}, err
	}
	if q.SellerID != "" {
		// An id that no record can hold finds nothing, on every database alike.
		if !plainID(q.SellerID) {
			return ImpactEstimate{}, fmt.Errorf("seller: %w", ErrNotFound)
		}
		if _, err := s.store.Seller(ctx, q.SellerID); err != nil {
			return ImpactEstimate{}, err
		}
	}
	if q.FactorsVersion != "" && !validVersionName(q.FactorsVersion) {
		return ImpactEstimate{}, fmt.Errorf("impact factors %q: %w", q.FactorsVersion, ErrNotFound)
	}
	return ReadImpact(ctx, s.store, p, q.SellerID, q.FactorsVersion)
}

// plainID reports whether id could name a record: at most 128 bytes of text without control
// characters.
func plainID(id string) bool {
	return len(id) <= maxExternalLen && TextProblem(id, false) == ""
}

// PublishImpactFactors checks a version of factors (CheckImpactFactors) and publishes it
// (managers and admins): from then on estimates that name no version use it. A version already
// published is ErrConflict, since versions never change.
func (s *Service) PublishImpactFactors(ctx context.Context, by Principal, in Input[ImpactFactorsDocument]) (ImpactFactors, error) {
	if err := mayManage(by, "publishing impact factors"); err != nil {
		return ImpactFactors{}, err
	}
	f, err := CheckImpactFactors(in)
	if err != nil {
		return ImpactFactors{}, err
	}
	if err := s.store.PublishImpactFactors(ctx, by, f); err != nil {
		if errors.Is(err, ErrConflict) {
			return ImpactFactors{}, fmt.Errorf("impact factors version %s is already published; versions never change: %w", f.Version, ErrConflict)
		}
		return ImpactFactors{}, err
	}
	return s.store.ImpactFactors(ctx, f.Version)
}

// ImpactFactors returns one published version of the factors; every role may read every
// version, as every role reads the charter.
func (s *Service) ImpactFactors(ctx context.Context, version string) (ImpactFactors, error) {
	if !validVersionName(version) {
		return ImpactFactors{}, fmt.Errorf("impact factors %q: %w", version, ErrNotFound)
	}
	return s.store.ImpactFactors(ctx, version)
}

// ImpactFactorVersions lists the published versions, in the order they were published (the
// last one is the one in force).
func (s *Service) ImpactFactorVersions(ctx context.Context, p Page) ([]ImpactFactors, string, error) {
	return s.store.ImpactFactorVersions(ctx, p)
}

// LatestImpactFactors returns the version in force: the one published last.
func (s *Service) LatestImpactFactors(ctx context.Context) (ImpactFactors, error) {
	return s.store.LatestImpactFactors(ctx)
}
