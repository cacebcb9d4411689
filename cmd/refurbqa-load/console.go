package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The console scenarios drive the web console as people do: each client signs in with its own
// session (as a technician at a bench would), then either reads pages (console-pages, over the
// --path list) or sends the bench-test form to the live preview (console-preview), as the
// console's script does while a technician fills it.

// consoleScenario reports whether a scenario signs in to the console rather than using a token.
func consoleScenario(s string) bool { return strings.HasPrefix(s, "console-") }

// signIn signs in once per client and keeps each session's cookie.
func (r *runner) signIn(ctx context.Context) error {
	for range r.o.concurrency {
		form := url.Values{"email": {r.o.email}, "password": {r.o.password}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.o.url.String()+"/console/signin", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := r.client.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("sign-in as %s: %d (check --email and --password)", r.o.email, res.StatusCode)
		}
		var cookie string
		for _, c := range res.Cookies() {
			if c.Name == "refurbqa_session" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if cookie == "" {
			return errors.New("sign-in set no session cookie")
		}
		r.cookies = append(r.cookies, cookie)
	}
	r.logf("%d console sessions as %s", len(r.cookies), r.o.email)
	return nil
}

// buildPreviewForms generates bench-test forms to preview, as the console's form sends them.
func (r *runner) buildPreviewForms() (err error) {
	r.inspections, err = r.generateBenchTests(20, inspectionPool, func(_ int, bt audit.BenchTest) ([]byte, error) {
		return []byte(inspectionForm(bt.Inspection).Encode()), nil
	})
	return err
}

// inspectionForm is an inspection as the fields of the console's form (console.md: the
// dotted names of the API's JSON, booleans as true and false).
func inspectionForm(in grading.Inspection) url.Values {
	v := url.Values{}
	b := strconv.FormatBool
	d := in.Device
	v.Set("device.category", string(d.Category))
	v.Set("device.brand", d.Brand)
	v.Set("device.model", d.Model)
	v.Set("device.imei", d.IMEI)
	v.Set("device.serial", d.Serial)
	if d.StorageGB > 0 {
		v.Set("device.storage_gb", strconv.Itoa(d.StorageGB))
	}
	for code, o := range in.Functional {
		v.Set("functional."+code, string(o))
	}
	v.Set("battery.health_pct", strconv.FormatFloat(in.Battery.HealthPct, 'f', -1, 64))
	if in.Battery.CycleCount != nil {
		v.Set("battery.cycle_count", strconv.Itoa(*in.Battery.CycleCount))
	}
	v.Set("battery.genuine", b(in.Battery.Genuine))
	for name, z := range map[string]grading.Zone{"screen": in.Cosmetic.Screen, "body": in.Cosmetic.Body} {
		p := "cosmetic." + name + "."
		v.Set(p+"light_scratches", strconv.Itoa(z.LightScratches))
		v.Set(p+"deep_scratches", strconv.Itoa(z.DeepScratches))
		v.Set(p+"dents", strconv.Itoa(z.Dents))
		v.Set(p+"chips", strconv.Itoa(z.Chips))
		v.Set(p+"cracks", strconv.Itoa(z.Cracks))
		v.Set(p+"visible_from_cm", strconv.Itoa(z.VisibleFromCM))
	}
	c := in.Compliance
	v.Set("compliance.activation_lock", b(c.ActivationLock))
	v.Set("compliance.imei_status", string(c.IMEIStatus))
	v.Set("compliance.liquid_damage", b(c.LiquidDamage))
	v.Set("compliance.data_erased", b(c.DataErased))
	v.Set("compliance.factory_reset", b(c.FactoryReset))
	v.Set("compliance.os_up_to_date", b(c.OSUpToDate))
	v.Set("compliance.markings_intact", b(c.MarkingsIntact))
	v.Set("compliance.display_like_for_like", b(c.DisplayLikeForLike))
	for _, p := range in.Parts.NonGenuine {
		v.Add("parts.non_genuine", p)
	}
	v.Set("parts.disclosed", b(in.Parts.Disclosed))
	return v
}
