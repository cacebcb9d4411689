package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/refurbqa/refurbqa/checklist"
)

// Public quality profiles (transparency.md §2): what anyone, without a key, may read of a
// seller — its name and country, its latest approved scorecard's score, tier and period, the
// trend of its last approved scores, and the status of each charter point with its title.
// Nothing else of the scorecard goes out: no evidence (which names devices), no value,
// threshold or sample count of a point (which are the seller's KPI figures and the lab's
// counts), no contact. The public types below hold no field for any of it, so that no adapter
// can show it by mistake. Only approved scorecards are ever shown: a draft is the quality
// team's work in progress, and a superseded draft was never the official word.

// ProfileTrendLength is the number of approved scorecards the trend of a public profile shows:
// the last six.
const ProfileTrendLength = 6

// ProfileSetting says whether a seller's public profile is shown. A profile is public unless a
// manager hid it.
type ProfileSetting struct {
	SellerID string
	Public   bool
}

// SellerProfile is what the store reads for a seller's public profile (ProfileStore): the
// seller's name and country, its setting, its standing scorecard whole, and its latest approved
// scorecards without their points.
type SellerProfile struct {
	SellerID string
	Name     string
	Country  string
	Public   bool
	// Latest is the seller's latest approved scorecard (its standing, StandingOf), with its
	// points; nil before its first approval, and when the profile is hidden.
	Latest *Scorecard
	// Recent are the seller's latest approved scorecards, latest first (RecentApproved), at
	// most as many as asked, without their points; empty when the profile is hidden.
	Recent []ScorecardSummary
}

// PublicProfile is a seller's quality profile as anyone may read it.
type PublicProfile struct {
	SellerID string
	Name     string
	Country  string
	// Rating is the latest approved scorecard; nil when the seller is not yet rated.
	Rating *PublicRating
	// Trend are the last approved scorecards (at most ProfileTrendLength), oldest first,
	// the latest included; empty when the seller is not yet rated.
	Trend []PublicMark
}

// Rated reports whether the seller has an approved scorecard; a profile without one says
// "not yet rated".
func (p PublicProfile) Rated() bool { return p.Rating != nil }

// PublicRating is an approved scorecard as the public sees it.
type PublicRating struct {
	Period         Period
	CharterVersion string
	Score          *float64 // nil when nothing could be evaluated
	Tier           checklist.Tier
	// Points are every charter point of the scorecard, in charter order.
	Points []PublicPoint
}

// PublicPoint is one charter point of a public rating: which point, and whether the seller
// passed it, failed it, or had too little data for it to be judged.
type PublicPoint struct {
	Code   string
	Title  string
	Status checklist.PointStatus
}

// PublicMark is one approved scorecard of a public trend.
type PublicMark struct {
	Period Period
	Score  *float64 // nil when nothing could be evaluated
	Tier   checklist.Tier
}

// RecentApproved is the rule of a public trend: of cards (in any order; those not approved are
// ignored), the latest n approved ones, latest first in the order of CompareScorecards. The
// store answers the same in SQL (ProfileStore.SellerProfile), and a test holds the two together.
func RecentApproved(cards []Scorecard, n int) []Scorecard {
	out := make([]Scorecard, 0, len(cards))
	for _, sc := range cards {
		if sc.Status == Approved {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b Scorecard) int { return CompareScorecards(b, a) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// PublicProfileOf is the public profile of what the store read: the rating of the latest
// approved scorecard, stripped to each point's code, title and status, and the trend of the
// recent approved scorecards, oldest first, at most n. Anything that is not approved is left
// out, whatever the store passed.
func PublicProfileOf(rec SellerProfile, n int) PublicProfile {
	p := PublicProfile{SellerID: rec.SellerID, Name: rec.Name, Country: rec.Country, Trend: []PublicMark{}}
	if sc := rec.Latest; sc != nil && sc.Status == Approved {
		r := &PublicRating{Period: sc.Period, CharterVersion: sc.CharterVersion, Score: copyScore(sc.Result.Score),
			Tier: sc.Result.Tier, Points: make([]PublicPoint, len(sc.Result.Points))}
		for i, pt := range sc.Result.Points {
			r.Points[i] = PublicPoint{Code: pt.Code, Title: pt.Title, Status: pt.Status}
		}
		p.Rating = r
	}
	if p.Rating == nil {
		return p
	}
	for _, sc := range rec.Recent {
		if sc.Status != Approved || len(p.Trend) == n {
			continue
		}
		p.Trend = append(p.Trend, PublicMark{Period: sc.Period, Score: copyScore(sc.Score), Tier: sc.Tier})
	}
	slices.Reverse(p.Trend)
	return p
}

func copyScore(s *float64) *float64 {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

// PublicProfile returns the public profile of seller sellerID, for anyone: it takes no
// principal. An unknown seller, and a seller whose profile a manager hid, are ErrNotFound
// alike, so that a hidden profile cannot be told from one that never existed. It costs one read
// of the store (one statement: primary-key lookups and one ordered index range of at most
// ProfileTrendLength approved scorecards), whatever the seller's history.
func (s *Service) PublicProfile(ctx context.Context, sellerID string) (PublicProfile, error) {
	rec, err := s.store.SellerProfile(ctx, sellerID, ProfileTrendLength)
	if errors.Is(err, ErrNotFound) || err == nil && !rec.Public {
		// One answer for both, word for word.
		return PublicProfile{}, fmt.Errorf("public profile of seller %s: %w", sellerID, ErrNotFound)
	}
	if err != nil {
		return PublicProfile{}, err
	}
	return PublicProfileOf(rec, ProfileTrendLength), nil
}

// ProfileSetting returns whether the public profile of seller sellerID is shown (managers and
// admins only); an unknown seller is ErrNotFound.
func (s *Service) ProfileSetting(ctx context.Context, by Principal, sellerID string) (ProfileSetting, error) {
	if err := mayManage(by, "profile setting"); err != nil {
		return ProfileSetting{}, err
	}
	return s.store.ProfileSetting(ctx, sellerID)
}

// SetProfileVisibility shows (public) or hides the public profile of seller sellerID, and
// returns the setting as stored (managers and admins only): a hidden profile's page, JSON and
// badge are ErrNotFound. Each call is an event of the trail (entity seller_profile, action
// show or hide), even one that sets what was set already; an unknown seller is ErrNotFound.
func (s *Service) SetProfileVisibility(ctx context.Context, by Principal, sellerID string, public bool) (ProfileSetting, error) {
	if err := mayManage(by, "profile setting"); err != nil {
		return ProfileSetting{}, err
	}
	return s.store.SetProfileVisibility(ctx, by, sellerID, public)
}
