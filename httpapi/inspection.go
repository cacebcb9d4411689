package httpapi

import (
	"encoding/json"
	"sort"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// inspectionDoc is the wire form of an inspection (api.md, Inspections). Pointers mark the
// fields a client must send: a missing one is a validation error, never a silent zero. The
// domain validator (grading.Validate) then checks every rule of grading.md; both sets of
// errors are reported together.
type inspectionDoc struct {
	Device     *deviceDoc        `json:"device" validate:"required"`
	Functional map[string]string `json:"functional" validate:"required"`
	Battery    *batteryDoc       `json:"battery" validate:"required"`
	Cosmetic   *cosmeticDoc      `json:"cosmetic" validate:"required"`
	Compliance *complianceDoc    `json:"compliance" validate:"required"`
	Parts      *partsDoc         `json:"parts" validate:"required"`
}

type deviceDoc struct {
	Category  *string `json:"category" validate:"required"`
	Brand     *string `json:"brand" validate:"required"`
	Model     *string `json:"model" validate:"required"`
	IMEI      string  `json:"imei,omitempty"`
	Serial    string  `json:"serial,omitempty"`
	StorageGB int     `json:"storage_gb,omitempty"`
}

type batteryDoc struct {
	HealthPct  *float64 `json:"health_pct" validate:"required"`
	CycleCount *int     `json:"cycle_count,omitempty"`
	Genuine    *bool    `json:"genuine" validate:"required"`
}

type zoneDoc struct {
	LightScratches *int `json:"light_scratches" validate:"required"`
	DeepScratches  *int `json:"deep_scratches" validate:"required"`
	Dents          *int `json:"dents" validate:"required"`
	Chips          *int `json:"chips" validate:"required"`
	Cracks         *int `json:"cracks" validate:"required"`
	VisibleFromCM  *int `json:"visible_from_cm" validate:"required"`
}

type cosmeticDoc struct {
	Screen *zoneDoc `json:"screen" validate:"required"`
	Body   *zoneDoc `json:"body" validate:"required"`
}

type complianceDoc struct {
	ActivationLock     *bool   `json:"activation_lock" validate:"required"`
	IMEIStatus         *string `json:"imei_status" validate:"required"`
	LiquidDamage       *bool   `json:"liquid_damage" validate:"required"`
	DataErased         *bool   `json:"data_erased" validate:"required"`
	FactoryReset       *bool   `json:"factory_reset" validate:"required"`
	OSUpToDate         *bool   `json:"os_up_to_date" validate:"required"`
	MarkingsIntact     *bool   `json:"markings_intact" validate:"required"`
	DisplayLikeForLike *bool   `json:"display_like_for_like" validate:"required"`
}

type partsDoc struct {
	NonGenuine []string `json:"non_genuine" validate:"required"`
	Disclosed  *bool    `json:"disclosed" validate:"required"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// domain converts the document to a grading.Inspection; missing parts become zero values,
// which the required-field check has already reported.
func (d *inspectionDoc) domain() grading.Inspection {
	var in grading.Inspection
	if d == nil {
		return in
	}
	if d.Device != nil {
		in.Device = grading.Device{Category: grading.Category(deref(d.Device.Category)), Brand: deref(d.Device.Brand),
			Model: deref(d.Device.Model), IMEI: d.Device.IMEI, Serial: d.Device.Serial, StorageGB: d.Device.StorageGB}
	}
	if d.Functional != nil {
		in.Functional = make(map[string]grading.Outcome, len(d.Functional))
		for k, v := range d.Functional {
			in.Functional[k] = grading.Outcome(v)
		}
	}
	if d.Battery != nil {
		in.Battery = grading.Battery{HealthPct: deref(d.Battery.HealthPct), CycleCount: d.Battery.CycleCount, Genuine: deref(d.Battery.Genuine)}
	}
	if d.Cosmetic != nil {
		in.Cosmetic = grading.Cosmetic{Screen: d.Cosmetic.Screen.domain(), Body: d.Cosmetic.Body.domain()}
	}
	if c := d.Compliance; c != nil {
		in.Compliance = grading.Compliance{ActivationLock: deref(c.ActivationLock), IMEIStatus: grading.IMEIStatus(deref(c.IMEIStatus)),
			LiquidDamage: deref(c.LiquidDamage), DataErased: deref(c.DataErased), FactoryReset: deref(c.FactoryReset),
			OSUpToDate: deref(c.OSUpToDate), MarkingsIntact: deref(c.MarkingsIntact), DisplayLikeForLike: deref(c.DisplayLikeForLike)}
	}
	if d.Parts != nil {
		in.Parts = grading.Parts{NonGenuine: d.Parts.NonGenuine, Disclosed: deref(d.Parts.Disclosed)}
	}
	return in
}

func (z *zoneDoc) domain() grading.Zone {
	if z == nil {
		return grading.Zone{}
	}
	return grading.Zone{LightScratches: deref(z.LightScratches), DeepScratches: deref(z.DeepScratches), Dents: deref(z.Dents),
		Chips: deref(z.Chips), Cracks: deref(z.Cracks), VisibleFromCM: deref(z.VisibleFromCM)}
}

// EncodeInspection renders a domain inspection in the wire form of the API, for programs that
// build inspections in Go (demo data, the load tool) and must store or send them as a client
// would. Functional tests are written in sorted order.
func EncodeInspection(in grading.Inspection) ([]byte, error) {
	return json.Marshal(inspectionWire(in))
}

func inspectionWire(in grading.Inspection) *inspectionDoc {
	cat, brand, model := string(in.Device.Category), in.Device.Brand, in.Device.Model
	status := string(in.Compliance.IMEIStatus)
	c := in.Compliance
	zone := func(z grading.Zone) *zoneDoc {
		return &zoneDoc{LightScratches: &z.LightScratches, DeepScratches: &z.DeepScratches, Dents: &z.Dents,
			Chips: &z.Chips, Cracks: &z.Cracks, VisibleFromCM: &z.VisibleFromCM}
	}
	fn := make(map[string]string, len(in.Functional))
	for k, v := range in.Functional {
		fn[k] = string(v)
	}
	parts := in.Parts.NonGenuine
	if parts == nil {
		parts = []string{}
	}
	health, genuine, disclosed := in.Battery.HealthPct, in.Battery.Genuine, in.Parts.Disclosed
	return &inspectionDoc{
		Device:     &deviceDoc{Category: &cat, Brand: &brand, Model: &model, IMEI: in.Device.IMEI, Serial: in.Device.Serial, StorageGB: in.Device.StorageGB},
		Functional: fn,
		Battery:    &batteryDoc{HealthPct: &health, CycleCount: in.Battery.CycleCount, Genuine: &genuine},
		Cosmetic:   &cosmeticDoc{Screen: zone(in.Cosmetic.Screen), Body: zone(in.Cosmetic.Body)},
		Compliance: &complianceDoc{ActivationLock: &c.ActivationLock, IMEIStatus: &status, LiquidDamage: &c.LiquidDamage,
			DataErased: &c.DataErased, FactoryReset: &c.FactoryReset, OSUpToDate: &c.OSUpToDate,
			MarkingsIntact: &c.MarkingsIntact, DisplayLikeForLike: &c.DisplayLikeForLike},
		Parts: &partsDoc{NonGenuine: parts, Disclosed: &disclosed},
	}
}

// gradeJSON is the wire form of a grade.
type gradeJSON struct {
	Ruleset     string       `json:"ruleset"`
	Status      string       `json:"status"`
	Functional  *string      `json:"functional"`
	Cosmetic    string       `json:"cosmetic"`
	Marketplace *string      `json:"marketplace"`
	Reasons     []reasonJSON `json:"reasons"`
}

type reasonJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func optString[T ~string](v T) *string {
	if v == "" {
		return nil
	}
	s := string(v)
	return &s
}

func toGradeJSON(g grading.Grade) gradeJSON {
	out := gradeJSON{Ruleset: g.Ruleset, Status: string(g.Status), Functional: optString(g.Functional),
		Cosmetic: string(g.Cosmetic), Marketplace: optString(g.Marketplace), Reasons: make([]reasonJSON, len(g.Reasons))}
	for i, r := range g.Reasons {
		out.Reasons[i] = reasonJSON{Code: r.Code, Message: r.Message}
	}
	return out
}

// checkInspection validates a decoded inspection document: required fields (validator tags)
// and every rule of grading.md (the domain validator), merged into one error under prefix.
func (s *Server) checkInspection(doc *inspectionDoc, prefix string, tagErr error) (grading.Inspection, error) {
	in := doc.domain()
	domainErrs := grading.Validate(in, s.protocols)
	// A field already reported missing need not be reported again as out of range.
	missing := map[string]bool{}
	var ve *audit.ValidationError
	if tagErr != nil {
		if asValidation(tagErr, &ve) {
			for _, f := range ve.Errors {
				missing[f.Field] = true
			}
		} else {
			return in, tagErr
		}
	}
	var errs []grading.FieldError
	if ve != nil {
		errs = append(errs, ve.Errors...)
	}
	for _, f := range prefixFields(prefix, domainErrs) {
		if !missing[f.Field] && !coveredBy(missing, f.Field) {
			errs = append(errs, f)
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return in, audit.Invalid(dedupFields(errs))
}
