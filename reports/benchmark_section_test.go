package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

// marketInput is the typical report's input with the scorecards of six other sellers of the
// period approved: QC18 (late shipments, lower is better) at 1 to 7 %, QC03 (battery health
// at 85 %, higher is better) from 80 to 100 %, and QC21 (responsive service), which the
// typical scorecard could not evaluate, at 90 to 95 %; no other point has five sellers.
func marketInput(t *testing.T) (Input, []audit.Scorecard) {
	t.Helper()
	in := buildInput(typicalFixture())
	qc18 := []float64{0.01, 0.02, 0.03, 0.05, 0.06, 0.07}
	qc03 := []float64{0.9, 0.95, 0.97, 0.99, 1, 0.8}
	qc21 := []float64{0.9, 0.91, 0.92, 0.93, 0.94, 0.95}
	others := []audit.Scorecard{in.Scorecard}
	for i := range qc18 {
		sc := in.Scorecard
		sc.ID, sc.SellerID = fmt.Sprintf("sc_other_%d", i), fmt.Sprintf("sl_other_%d", i)
		sc.Result.Points = []checklist.PointResult{
			{Code: "QC03", Metric: "battery_at_least_85_rate", Threshold: ">= 0.95", Status: checklist.PointPass, Value: qc03[i]},
			{Code: "QC18", Metric: "late_shipment_rate", Threshold: "< 0.04", Status: checklist.PointFail, Value: qc18[i]},
			{Code: "QC21", Metric: "message_response_rate", Threshold: ">= 0.90", Status: checklist.PointPass, Value: qc21[i]},
		}
		others = append(others, sc)
	}
	var values []audit.BenchmarkValue
	for _, sc := range others {
		values = append(values, audit.BenchmarkValues(sc)...)
	}
	in.Market = audit.NewPeriodBenchmark(in.Scorecard.Period, 7, values).Compare(in.Scorecard)
	return in, others
}

func TestMarketplaceSection(t *testing.T) {
	in, _ := marketInput(t)
	m := NewModel(in)
	var with []string
	for _, p := range m.Points {
		if p.Benchmark != nil {
			with = append(with, p.Code)
		}
	}
	assert.Equal(t, []string{"QC03", "QC18", "QC21"}, with, "the points with five sellers or more")

	pdf := render(t, m)
	text := squash(pdftest.Text(t, pdf))
	order := []string{"All charter points", "Against the marketplace", "Failed points in detail"}
	rest := text
	for _, s := range order {
		i := strings.Index(rest, s)
		require.GreaterOrEqual(t, i, 0, "%s missing or out of order", s)
		rest = rest[i+len(s):]
	}
	for _, want := range []string{
		// 0 % late against 0, 1, 2, 3, 5, 6, 7 %: the median is 3 %, and every other is worse.
		"QC18 Dispatch on time 0.0% 3.0% 7 Better than 100% of the other sellers",
		// 82 % against 80, 82, 90, 95, 97, 99, 100 %: only 80 % is worse, one of six.
		"QC03 Battery health at 85% or more 82.0% 95.0% 7 Better than 17% of the other sellers",
		// Not evaluated here: the six others make the benchmark, and no standing is given.
		"QC21 Responsive customer service — 92.5% 6 Not evaluated: not enough samples",
		"published once at least 5 sellers contribute",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "QC01 Fully functional 0.0%", "no benchmark of QC01: not in the section")
	pdftest.Check(t, pdf)
	if dir := os.Getenv("REFURBQA_REPORT_OUT"); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "marketplace.pdf"), pdf, 0o600))
	}

	cases := []struct {
		name   string
		change func(*Input)
		want   string
	}{
		{"a draft has none", func(in *Input) { in.Scorecard.Status, in.Scorecard.Review, in.Market = audit.Draft, nil, nil },
			"An approved scorecard shows each point beside the marketplace median of its period; this one is not approved."},
		{"fewer than five sellers everywhere", func(in *Input) {
			in.Market = audit.NewPeriodBenchmark(in.Scorecard.Period, 1, audit.BenchmarkValues(in.Scorecard)).Compare(in.Scorecard)
		}, "No point has a marketplace benchmark for this period yet: fewer than 5 sellers' approved scorecards evaluated each point."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := buildInput(typicalFixture())
			c.change(&in)
			m := NewModel(in)
			for _, p := range m.Points {
				assert.Nil(t, p.Benchmark, p.Code)
			}
			text := squash(pdftest.Text(t, render(t, m)))
			assert.Contains(t, text, "Against the marketplace")
			assert.Contains(t, text, c.want)
		})
	}
}

// The Builder compares an approved scorecard with the benchmark of its period, reading the
// period's values once for every report of the period while no approval moves its version;
// a draft's report reads nothing of the benchmark.
func TestBuilderMarket(t *testing.T) {
	ctx := context.Background()
	in, cards := marketInput(t)
	src := &fakeSource{sellers: map[string]audit.Seller{}, scorecards: cards, actionPage: audit.MaxLimit}
	for _, sc := range cards {
		src.sellers[sc.SellerID] = audit.Seller{ID: sc.SellerID, Name: sc.SellerID}
	}
	b := NewBuilder(src)
	got, err := b.Input(ctx, managerP, in.Scorecard.ID)
	require.NoError(t, err)
	assert.Equal(t, in.Market, got.Market)
	again, err := b.Input(ctx, managerP, cards[3].ID)
	require.NoError(t, err)
	require.NotNil(t, again.Market)
	assert.Equal(t, &audit.PointComparison{Sellers: 7, Median: 0.03, BetterThan: ptrFloat(0.5)}, again.Market.Points[1],
		"3 % beats 5, 6 and 7 %: half of the six others")
	reads := 0
	for _, c := range src.calls {
		if c == "BenchmarkValues" {
			reads++
		}
	}
	assert.Equal(t, 1, reads, "two reports of one period, one read of its values")

	draft := cards[2]
	draft.ID, draft.Status, draft.Review = "sc_draft", audit.Draft, nil
	src.scorecards = append(src.scorecards, draft)
	src.calls = nil
	d, err := b.Input(ctx, managerP, "sc_draft")
	require.NoError(t, err)
	assert.Nil(t, d.Market)
	assert.NotContains(t, src.calls, "BenchmarkVersion")
}

func ptrFloat(v float64) *float64 { return &v }
