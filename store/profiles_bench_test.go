package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkSellerProfile reads public profiles (audit.ProfileStore.SellerProfile: the seller
// with its standing scorecard, then its six latest approved scorecards) from a marketplace of
// 1,800 sellers with two years of monthly scorecards each (43,200 approved scorecards and a
// draft per seller), every scorecard with a points document of the default charter's 25 points
// and their evidence (about 6 KiB), the sellers read in turn.
//
//	go test -run '^$' -bench SellerProfile -benchtime 2000x ./store/
func BenchmarkSellerProfile(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			def, err := checklist.DefaultCharter()
			require.NoError(b, err)
			require.NoError(b, st.EnsureDefaultCharter(ctx, auditor, def))
			ids := seedProfiles(b, st, def, 1800, 24)
			if st.Driver() == store.Postgres {
				require.NoError(b, st.AuditsTestDB().Exec("VACUUM ANALYZE").Error)
			} else {
				require.NoError(b, st.AuditsTestDB().Exec("ANALYZE").Error)
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				rec, err := st.SellerProfile(ctx, ids[i%len(ids)], audit.ProfileTrendLength)
				require.NoError(b, err)
				if rec.Latest == nil || len(rec.Recent) != audit.ProfileTrendLength {
					b.Fatalf("seller %s: %d recent", ids[i%len(ids)], len(rec.Recent))
				}
				i++
			}
		})
	}
}

// seedProfiles registers sellers with months approved monthly scorecards each (from January
// 2025) and a draft of the month after, as raw rows with their reviews and standings, and
// returns the sellers' ids.
func seedProfiles(b *testing.B, st *store.Store, def checklist.Charter, sellers, months int) []string {
	ctx := context.Background()
	in := make([]audit.Seller, sellers)
	for i := range in {
		in[i] = audit.Seller{Name: fmt.Sprintf("Seller %d", i), Country: "FR", ContactEmail: "s@example.com"}
	}
	made, err := st.CreateSellers(ctx, auditor, in)
	require.NoError(b, err)
	pts := make([]benchDocPoint, len(def.Points))
	for i, p := range def.Points {
		pts[i] = benchDocPoint{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity), Weight: 4, Status: "pass",
			Metric: "functional_fail_rate", Value: 0.0123, Threshold: "== 0", Samples: 480, Evidence: []string{}}
		if i%4 == 0 {
			pts[i].Status = "fail"
			for j := range 8 {
				pts[i].Evidence = append(pts[i].Evidence, fmt.Sprintf("bt_01kgc6wbm%017d", j))
			}
		}
	}
	doc, err := json.Marshal(pts)
	require.NoError(b, err)
	db := st.AuditsTestDB().WithContext(ctx)
	created := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, len(made))
	var cards, reviews, standings, drafts []map[string]any
	flush := func() {
		for _, t := range []struct {
			table string
			rows  *[]map[string]any
		}{{"scorecards", &cards}, {"scorecard_reviews", &reviews}, {"seller_standings", &standings}, {"scorecard_drafts", &drafts}} {
			if len(*t.rows) > 0 {
				require.NoError(b, db.Table(t.table).CreateInBatches(*t.rows, 200).Error)
				*t.rows = (*t.rows)[:0]
			}
		}
	}
	for i, s := range made {
		ids[i] = s.ID
		for m := 0; m <= months; m++ {
			start := time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, m, 0)
			id := fmt.Sprintf("sc_%s_%02d", s.ID[3:], m)
			score := 60 + float64((i+m)%40)
			cards = append(cards, map[string]any{"id": id, "seller_id": s.ID, "period_start": start.Format(time.DateOnly),
				"period_end": start.AddDate(0, 1, 0).Format(time.DateOnly), "charter_version": def.Version, "score": score,
				"tier": "watch", "evaluated_points": 25, "failed_points": 7, "failed_critical": 0, "points": string(doc),
				"created_at": created.Add(time.Duration(m) * time.Hour)})
			if m == months {
				drafts = append(drafts, map[string]any{"seller_id": s.ID, "period_start": start.Format(time.DateOnly),
					"period_end": start.AddDate(0, 1, 0).Format(time.DateOnly), "charter_version": def.Version, "scorecard_id": id})
				continue
			}
			reviews = append(reviews, map[string]any{"scorecard_id": id, "approved_by": "key_m", "comment": "", "approved_at": created})
			if m == months-1 {
				standings = append(standings, map[string]any{"seller_id": s.ID, "scorecard_id": id,
					"period_start": start.Format(time.DateOnly), "period_end": start.AddDate(0, 1, 0).Format(time.DateOnly),
					"score": score, "tier": "watch"})
			}
		}
		if len(cards) >= 1000 {
			flush()
		}
	}
	flush()
	return ids
}
