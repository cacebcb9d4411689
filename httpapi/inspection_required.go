package httpapi

import (
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// requiredInspection is the required-field check of an inspection document written out: it
// reports exactly what the validator's `validate:"required"` tags of inspectionDoc report
// (same fields, same message, same order; TestRequiredInspectionMatchesValidator holds them
// together), without the validator's reflection on the hot path of the grading preview.
// Anything other than an *inspectionDoc goes to the validator.
func requiredInspection(c echo.Context) func(any) error {
	return func(v any) error {
		d, ok := v.(*inspectionDoc)
		if !ok {
			return c.Validate(v)
		}
		return inspectionRequired(d)
	}
}

func inspectionRequired(d *inspectionDoc) error {
	var errs []grading.FieldError
	miss := func(field string) { errs = append(errs, grading.FieldError{Field: field, Message: "is required"}) }
	if d.Device == nil {
		miss("device")
	} else {
		if d.Device.Category == nil {
			miss("device.category")
		}
		if d.Device.Brand == nil {
			miss("device.brand")
		}
		if d.Device.Model == nil {
			miss("device.model")
		}
	}
	if d.Functional == nil {
		miss("functional")
	}
	if d.Battery == nil {
		miss("battery")
	} else {
		if d.Battery.HealthPct == nil {
			miss("battery.health_pct")
		}
		if d.Battery.Genuine == nil {
			miss("battery.genuine")
		}
	}
	if d.Cosmetic == nil {
		miss("cosmetic")
	} else {
		zone := func(name string, z *zoneDoc) {
			if z == nil {
				miss("cosmetic." + name)
				return
			}
			for _, f := range []struct {
				v    *int
				name string
			}{{z.LightScratches, "light_scratches"}, {z.DeepScratches, "deep_scratches"}, {z.Dents, "dents"},
				{z.Chips, "chips"}, {z.Cracks, "cracks"}, {z.VisibleFromCM, "visible_from_cm"}} {
				if f.v == nil {
					miss("cosmetic." + name + "." + f.name)
				}
			}
		}
		zone("screen", d.Cosmetic.Screen)
		zone("body", d.Cosmetic.Body)
	}
	if c := d.Compliance; c == nil {
		miss("compliance")
	} else {
		for _, f := range []struct {
			set  bool
			name string
		}{{c.ActivationLock != nil, "activation_lock"}, {c.IMEIStatus != nil, "imei_status"}, {c.LiquidDamage != nil, "liquid_damage"},
			{c.DataErased != nil, "data_erased"}, {c.FactoryReset != nil, "factory_reset"}, {c.OSUpToDate != nil, "os_up_to_date"},
			{c.MarkingsIntact != nil, "markings_intact"}, {c.DisplayLikeForLike != nil, "display_like_for_like"}} {
			if !f.set {
				miss("compliance." + f.name)
			}
		}
	}
	if d.Parts == nil {
		miss("parts")
	} else {
		if d.Parts.NonGenuine == nil {
			miss("parts.non_genuine")
		}
		if d.Parts.Disclosed == nil {
			miss("parts.disclosed")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return audit.Invalid(errs)
}
