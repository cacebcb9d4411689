package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Public quality profiles (audit.ProfileStore, migration 00013): the setting is the
// profile_public column of the seller's row; what a profile shows is read in two statements of
// one snapshot, whatever the seller's history: the seller with its standing scorecard (primary
// keys only), then its latest approved scorecards in the order of the scorecards_seller_latest
// index.

// profileHead reads a seller, its setting, and its standing scorecard with its points when the
// profile is public (the one parameter is the seller id): three primary-key lookups. The points
// of a hidden profile are not read.
const profileHead = "SELECT se.name, se.country, se.profile_public, sc.id, sc.period_start, sc.period_end, " +
	"sc.charter_version, sc.score, sc.tier, sc.evaluated_points, sc.failed_points, sc.failed_critical, " +
	"CASE WHEN se.profile_public THEN sc.points END, sc.created_at " +
	"FROM sellers se LEFT JOIN seller_standings st ON st.seller_id = se.id " +
	"LEFT JOIN scorecards sc ON sc.id = st.scorecard_id WHERE se.id = ?"

// profileRecent reads the latest approved scorecards of a seller (parameters: the seller id and
// how many), latest first as audit.CompareScorecards orders them (audit.RecentApproved): the
// scorecards_seller_latest index in its order, which holds every column read, and the review's
// primary key of each scorecard until enough are approved.
const profileRecent = "SELECT s.id, s.period_start, s.period_end, s.charter_version, s.score, s.tier " +
	"FROM scorecards s WHERE s.seller_id = ? " +
	"AND EXISTS (SELECT 1 FROM scorecard_reviews r WHERE r.scorecard_id = s.id) " +
	"ORDER BY s.period_end DESC, s.period_start DESC, s.created_at DESC, s.id DESC LIMIT ?"

// SellerProfile reads what the public profile of seller sellerID shows, from one snapshot so
// that the standing scorecard and the recent ones agree: the seller's name, country and
// setting; when its profile is public, its standing scorecard (its latest approved one, kept by
// every approval) with its points, and its latest n approved scorecards without them. A hidden
// profile, or a seller without an approved scorecard, costs the first statement only.
func (s *Store) SellerProfile(ctx context.Context, sellerID string, n int) (audit.SellerProfile, error) {
	out := audit.SellerProfile{SellerID: sellerID, Recent: []audit.ScorecardSummary{}}
	err := s.readTx(ctx, func(db *gorm.DB) error {
		var (
			id, start, end    sql.NullString
			version, tier     sql.NullString
			score             sql.NullFloat64
			evaluated, failed sql.NullInt64
			critical          sql.NullInt64
			points            sql.NullString
			created           sql.NullTime
		)
		err := db.Raw(profileHead, sellerID).Row().Scan(&out.Name, &out.Country, &out.Public, &id, &start, &end,
			&version, &score, &tier, &evaluated, &failed, &critical, &points, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("seller %s: %w", sellerID, audit.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !out.Public || !id.Valid {
			return nil
		}
		if !points.Valid {
			return fmt.Errorf("scorecard %s: no points document", id.String)
		}
		r := scorecardReadRow{ID: id.String, SellerID: sellerID, PeriodStart: start.String, PeriodEnd: end.String,
			CharterVersion: version.String, Tier: tier.String, EvaluatedPoints: int(evaluated.Int64),
			FailedPoints: int(failed.Int64), FailedCritical: int(critical.Int64), Points: points.String, CreatedAt: created.Time}
		if score.Valid {
			r.Score = &score.Float64
		}
		sc, err := r.domain()
		if err != nil {
			return err
		}
		// A standing names an approved scorecard only (refreshStanding).
		sc.Status = audit.Approved
		out.Latest = &sc
		return scanRows(db.Raw(profileRecent, sellerID, n), func(rows *sql.Rows) error {
			var (
				m          audit.ScorecardSummary
				start, end string
				tier       string
				score      sql.NullFloat64
			)
			if err := rows.Scan(&m.ID, &start, &end, &m.CharterVersion, &score, &tier); err != nil {
				return err
			}
			var err error
			if m.Period, err = storedPeriod(start, end); err != nil {
				return fmt.Errorf("scorecard %s: %w", m.ID, err)
			}
			m.SellerID, m.SellerName, m.Status, m.Tier = sellerID, out.Name, audit.Approved, checklist.Tier(tier)
			if score.Valid {
				v := score.Float64
				m.Score = &v
			}
			out.Recent = append(out.Recent, m)
			return nil
		})
	})
	if err != nil {
		return audit.SellerProfile{}, translate(err, "public profile of seller "+sellerID)
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
