package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Public quality profiles (audit.ProfileStore, migration 00013): the setting is the
// profile_public column of the seller's row; what a profile shows is read in one prepared
// statement, whatever the seller's history, so from one snapshot and without a transaction: the
// seller with its standing scorecard (primary keys only), then its latest approved scorecards
// in the order of the scorecards_seller_latest index.

// sellerProfile reads a public profile (parameters: the seller id twice, and how many recent
// scorecards). Its first row (k = 0) is the seller, its setting, and its standing scorecard
// (the latest approved one, which every approval keeps) with its points when the profile is
// public: three primary-key lookups; a hidden profile's points are not read. The rows after it
// (k = 1) are the seller's latest approved scorecards, latest first as audit.CompareScorecards
// orders them (audit.RecentApproved): the scorecards_seller_latest index in its order, which
// holds every column they read, and the primary key of each one's review until enough are
// approved. The outer sort orders at most n + 1 rows.
var sellerProfile = preparedQuery{name: "seller profile",
	sql: "SELECT 0 AS k, se.name AS name, se.country AS country, se.profile_public AS public, sc.id AS id, " +
		"sc.period_start AS period_start, sc.period_end AS period_end, sc.charter_version AS charter_version, " +
		"sc.score AS score, sc.tier AS tier, sc.evaluated_points AS evaluated, sc.failed_points AS failed, " +
		"sc.failed_critical AS critical, CASE WHEN se.profile_public THEN sc.points END AS points, sc.created_at AS created_at " +
		"FROM sellers se LEFT JOIN seller_standings st ON st.seller_id = se.id " +
		"LEFT JOIN scorecards sc ON sc.id = st.scorecard_id WHERE se.id = ? " +
		"UNION ALL " +
		"SELECT 1, NULL, NULL, NULL, r.id, r.period_start, r.period_end, r.charter_version, r.score, r.tier, " +
		"NULL, NULL, NULL, NULL, r.created_at FROM (" + profileRecent + ") r " +
		"ORDER BY k, period_end DESC, period_start DESC, created_at DESC, id DESC"}

// profileRecent is the inner query of sellerProfile's recent scorecards (parameters: the
// seller id and how many).
const profileRecent = "SELECT s.id, s.period_start, s.period_end, s.charter_version, s.score, s.tier, s.created_at " +
	"FROM scorecards s WHERE s.seller_id = ? " +
	"AND EXISTS (SELECT 1 FROM scorecard_reviews v WHERE v.scorecard_id = s.id) " +
	"ORDER BY s.period_end DESC, s.period_start DESC, s.created_at DESC, s.id DESC LIMIT ?"

// SellerProfile reads what the public profile of seller sellerID shows, in one statement:
// the seller's name, country and setting; when its profile is public, its standing scorecard
// with its points, and its latest n approved scorecards without them.
func (s *Store) SellerProfile(ctx context.Context, sellerID string, n int) (audit.SellerProfile, error) {
	out := audit.SellerProfile{SellerID: sellerID, Recent: []audit.ScorecardSummary{}}
	stmt, err := s.prepared(ctx, sellerProfile)
	if err != nil {
		return audit.SellerProfile{}, translate(err, "public profile of seller "+sellerID)
	}
	rows, err := stmt.QueryContext(ctx, sellerID, sellerID, n)
	if err != nil {
		return audit.SellerProfile{}, translate(err, "public profile of seller "+sellerID)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var (
			k                       int
			name, country           sql.NullString
			public                  sql.NullBool
			id, start, end          sql.NullString
			version, tier, points   sql.NullString
			score                   sql.NullFloat64
			evaluated, failed, crit sql.NullInt64
			created                 sql.NullTime
		)
		if err := rows.Scan(&k, &name, &country, &public, &id, &start, &end, &version, &score, &tier,
			&evaluated, &failed, &crit, &points, &created); err != nil {
			return audit.SellerProfile{}, translate(err, "public profile of seller "+sellerID)
		}
		if k == 0 {
			found = true
			out.Name, out.Country, out.Public = name.String, country.String, public.Bool
			if !out.Public || !id.Valid {
				continue
			}
			if !points.Valid {
				return audit.SellerProfile{}, fmt.Errorf("scorecard %s: no points document", id.String)
			}
			r := scorecardReadRow{ID: id.String, SellerID: sellerID, PeriodStart: start.String, PeriodEnd: end.String,
				CharterVersion: version.String, Tier: tier.String, EvaluatedPoints: int(evaluated.Int64),
				FailedPoints: int(failed.Int64), FailedCritical: int(crit.Int64), Points: points.String, CreatedAt: created.Time}
			if score.Valid {
				r.Score = &score.Float64
			}
			sc, err := r.domain()
			if err != nil {
				return audit.SellerProfile{}, err
			}
			// A standing names an approved scorecard only (refreshStanding).
			sc.Status = audit.Approved
			out.Latest = &sc
			continue
		}
		if !out.Public || out.Latest == nil {
			continue // a hidden profile shows nothing of its scorecards
		}
		m := audit.ScorecardSummary{ID: id.String, SellerID: sellerID, SellerName: out.Name, CharterVersion: version.String,
			Status: audit.Approved, Tier: checklist.Tier(tier.String)}
		if m.Period, err = storedPeriod(start.String, end.String); err != nil {
			return audit.SellerProfile{}, fmt.Errorf("scorecard %s: %w", m.ID, err)
		}
		if score.Valid {
			v := score.Float64
			m.Score = &v
		}
		out.Recent = append(out.Recent, m)
	}
	if err := rows.Err(); err != nil {
		return audit.SellerProfile{}, translate(err, "public profile of seller "+sellerID)
	}
	if !found {
		return audit.SellerProfile{}, fmt.Errorf("seller %s: %w", sellerID, audit.ErrNotFound)
	}
	return out, nil
}

// ProfileSetting returns whether the public profile of seller sellerID is shown.
func (s *Store) ProfileSetting(ctx context.Context, sellerID string) (audit.ProfileSetting, error) {
	var public []bool
	if err := s.read.WithContext(ctx).Model(&sellerRow{}).Where("id = ?", sellerID).Limit(1).Pluck("profile_public", &public).Error; err != nil {
		return audit.ProfileSetting{}, translate(err, "seller "+sellerID)
	}
	if len(public) == 0 {
		return audit.ProfileSetting{}, fmt.Errorf("seller %s: %w", sellerID, audit.ErrNotFound)
	}
	return audit.ProfileSetting{SellerID: sellerID, Public: public[0]}, nil
}

// SetProfileVisibility stores whether the public profile of seller sellerID is shown, with a
// show or hide event of entity seller_profile in the same transaction.
func (s *Store) SetProfileVisibility(ctx context.Context, by audit.Principal, sellerID string, public bool) (audit.ProfileSetting, error) {
	action := "hide"
	if public {
		action = "show"
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&sellerRow{}).Where("id = ?", sellerID).Update("profile_public", public)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return s.record(tx, by, action, "seller_profile", sellerID)
	})
	if err != nil {
		return audit.ProfileSetting{}, translate(err, "seller "+sellerID)
	}
	return audit.ProfileSetting{SellerID: sellerID, Public: public}, nil
}
