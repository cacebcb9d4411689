package httpapi

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// FuzzDecodeInspection feeds arbitrary bytes through the path of a grading preview: the JSON
// decoder, the required members and the service's grading.Validate, then, for an inspection
// that passed, grading.Evaluate. Nothing may panic; every refusal must be a validation error (a 422)
// naming at least one field; an accepted inspection must satisfy the domain validator on its
// own; and its grade must keep the invariants of grading.md: a marketplace grade exactly when
// sellable, and a crack anywhere means cosmetic E and never sellable. The seed corpus is in
// testdata/fuzz/FuzzDecodeInspection.
func FuzzDecodeInspection(f *testing.F) {
	ps, err := checklist.LoadProtocols()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	svc := audit.NewService(audit.ServiceConfig{Protocols: ps, Now: time.Now})
	f.Fuzz(func(t *testing.T, data []byte) {
		decoded, err := wire.DecodeInspection(data)
		var g grading.Grade
		if err == nil {
			g, err = svc.PreviewGrade(decoded)
		}
		in := decoded.Value
		if err != nil {
			var ve *audit.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("a refusal that is not a validation error (it would not be a 422): %v", err)
			}
			if len(ve.Errors) == 0 {
				t.Fatal("a validation error naming no field")
			}
			for _, fe := range ve.Errors {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("a validation error without field or message: %+v", ve.Errors)
				}
			}
			return
		}
		if errs := grading.Validate(in, ps); errs != nil {
			t.Fatalf("accepted an inspection the domain refuses: %+v", errs)
		}
		p, ok := ps.Get(in.Device.Category)
		if !ok {
			t.Fatalf("accepted category %q has no protocol", in.Device.Category)
		}
		if want := grading.Evaluate(in, p); !reflect.DeepEqual(want, g) {
			t.Fatalf("the preview graded %+v, grading.Evaluate %+v", g, want)
		}
		if (g.Marketplace != "") != (g.Status == grading.Sellable) {
			t.Fatalf("marketplace %q with status %s", g.Marketplace, g.Status)
		}
		if in.Cosmetic.Screen.Cracks > 0 || in.Cosmetic.Body.Cracks > 0 {
			if g.Status == grading.Sellable || g.Cosmetic != grading.CosmeticE {
				t.Fatalf("a cracked device graded %s, cosmetic %s", g.Status, g.Cosmetic)
			}
		}
		if g.Ruleset != grading.Ruleset || g.Reasons == nil {
			t.Fatalf("grade without ruleset or reasons: %+v", g)
		}
		out := toGradeJSON(g)
		if (out.Marketplace == nil) != (g.Marketplace == "") || (out.Functional == nil) != (g.Functional == "") {
			t.Fatalf("wire grade disagrees: %+v vs %+v", out, g)
		}
	})
}
