package audit

import (
	"testing"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests tie audit to the real grading protocols and the real default charter, so that a
// renamed metric or protocol shows up here rather than in production.

func TestMetricsCoverTheCatalogue(t *testing.T) {
	m := Facts{}.Metrics()
	var names []string
	for _, metric := range checklist.Catalogue() {
		names = append(names, metric.Name)
		_, ok := m.Values[metric.Name]
		assert.True(t, ok, "metric %s is not computed", metric.Name)
	}
	assert.Len(t, m.Values, len(names), "no metric outside the catalogue")
	assert.Equal(t, catalogue(), names)
}

func TestMetricsScoredByTheDefaultCharter(t *testing.T) {
	charter, err := checklist.DefaultCharter()
	require.NoError(t, err)
	compiled, err := checklist.Compile(charter)
	require.NoError(t, err)

	f := Facts{
		Units: 20, FunctionalFail: []string{"bt_1", "mo_2"},
		MysteryOrders: 4, Overgraded: []string{"mo_2"},
		KPIMonths: []string{"km_1", "km_2"}, Orders: 200, ShippedLate: 20, ValidTracking: 200,
		MessagesReceived: 30, MessagesAnsweredWithin1BD: 30,
		WarrantyClaims: 2, WarrantyRemediedWithin5BD: 2, WarrantyMonths: ptr(12),
	}
	res := compiled.Evaluate(f.Metrics())
	byCode := map[string]checklist.PointResult{}
	for _, p := range res.Points {
		byCode[p.Code] = p
	}
	assert.Equal(t, checklist.PointFail, byCode["QC01"].Status)
	assert.Equal(t, []string{"bt_1", "mo_2"}, byCode["QC01"].Evidence)
	assert.Equal(t, checklist.PointFail, byCode["QC13"].Status, "1 of 4 overgraded")
	assert.Equal(t, []string{"mo_2"}, byCode["QC13"].Evidence)
	assert.Equal(t, checklist.PointFail, byCode["QC18"].Status, "10% late")
	assert.Equal(t, []string{"km_1", "km_2"}, byCode["QC18"].Evidence)
	assert.Equal(t, checklist.PointPass, byCode["QC24"].Status)
	assert.Equal(t, checklist.PointInsufficientData, byCode["QC25"].Status)

	// Approval opens actions for exactly the failed critical and major points.
	sc := NewScorecard("sc_1", "sl_1", Period{}, charter.Version, res, at(t, "2026-10-01T00:00:00Z"))
	_, actions, err := Approve(sc, Principal{KeyID: "key_m", Role: RoleManager}, "", at(t, "2026-10-02T00:00:00Z"), sequence())
	require.NoError(t, err)
	var codes []string
	for _, a := range actions {
		codes = append(codes, a.PointCode)
	}
	var want []string
	for _, p := range res.Points {
		if p.Status == checklist.PointFail && p.Severity != checklist.Minor {
			want = append(want, p.Code)
		}
	}
	assert.Equal(t, want, codes)
	assert.Contains(t, codes, "QC01")
}

// fullInspection lists every test of the category's real protocol as passed.
func fullInspection(t *testing.T, ps grading.Protocols) grading.Inspection {
	p, ok := ps.Get(grading.Smartphone)
	require.True(t, ok)
	in := pristineInspection()
	in.Functional = map[string]grading.Outcome{}
	for _, test := range p.Tests {
		in.Functional[test.Code] = grading.Pass
	}
	return in
}

func TestMysteryOrderWithTheRealProtocols(t *testing.T) {
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	p, ok := ps.Get(grading.Smartphone)
	require.True(t, ok)

	mo := validMysteryOrder(t)
	mo.Inspection = fullInspection(t, ps)
	require.Empty(t, ValidateMysteryOrder(mo, ps))
	DeriveMysteryOrder(&mo, p)
	assert.Equal(t, grading.Sellable, mo.Grade.Status)
	assert.Equal(t, grading.Premium, mo.Grade.Marketplace)
	assert.Equal(t, grading.MatchEqual, mo.GradeMatch)

	// A test of another category's protocol is an inspection error.
	mo.Inspection.Functional["keyboard"] = grading.Pass
	errs := ValidateMysteryOrder(mo, ps)
	require.NotEmpty(t, errs)
	for _, e := range errs {
		assert.Regexp(t, `^inspection\.`, e.Field)
	}

	// A bench test without a listed grade has no comparison.
	bt := validBenchTest(t)
	bt.Inspection = fullInspection(t, ps)
	bt.ListedGrade = ""
	require.Empty(t, ValidateBenchTest(bt, ps))
	DeriveBenchTest(&bt, p)
	assert.Equal(t, grading.Premium, bt.Grade.Marketplace)
	assert.Empty(t, bt.GradeMatch)
}
