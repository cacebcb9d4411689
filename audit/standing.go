package audit

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/checklist"
)

// Where sellers stand: the quality managers' view over every seller at once (console.md,
// "Quality manager"). A seller's standing is its latest approved scorecard, the official word
// on it; a draft says nothing until a manager approved it. These lists are read over the whole
// marketplace on every page view, so the store keeps the standing of each seller as approval
// changes it (StandingStore) instead of ranking every scorecard at each read.

// ScoreMark is one scorecard as a list shows it: which one, over which period, and the score
// and tier it gave.
type ScoreMark struct {
	ScorecardID string
	Period      Period
	Score       *float64 // nil when nothing was evaluated
	Tier        checklist.Tier
}

// Standing is a seller with its latest approved scorecard (nil before its first approval)
// and, to tell which way it is going, the latest approved scorecard before that one that has
// a score (nil when there is none).
type Standing struct {
	Seller   Seller
	Latest   *ScoreMark
	Previous *ScoreMark
}

// Trend says which way a seller's score went from one approved scorecard to the next.
type Trend string

// Trends. TrendNone is a seller whose latest approved scorecard has no score, or no earlier
// scored one to compare it with.
const (
	TrendUp   Trend = "up"
	TrendDown Trend = "down"
	TrendFlat Trend = "flat"
	TrendNone Trend = ""
)

// Trend compares the latest score with the previous one, to one decimal as scores are kept.
func (s Standing) Trend() Trend {
	if s.Latest == nil || s.Latest.Score == nil || s.Previous == nil || s.Previous.Score == nil {
		return TrendNone
	}
	switch d := tenths(*s.Latest.Score) - tenths(*s.Previous.Score); {
	case d > 0:
		return TrendUp
	case d < 0:
		return TrendDown
	}
	return TrendFlat
}

// Change is the latest score minus the previous one, rounded to one decimal; zero without a
// trend.
func (s Standing) Change() float64 {
	if s.Trend() == TrendNone {
		return 0
	}
	return float64(tenths(*s.Latest.Score)-tenths(*s.Previous.Score)) / 10
}

func tenths(v float64) int64 { return int64(math.Round(v * 10)) }

// CompareScorecards orders the scorecards of a seller in time: by period end, then period
// start, then creation time and finally id, so that the order is total. "Latest" means last
// in this order, for the standing of a seller as for the trend of a report.
func CompareScorecards(a, b Scorecard) int {
	return cmp.Or(
		a.Period.End.Compare(b.Period.End),
		a.Period.Start.Compare(b.Period.Start),
		a.CreatedAt.Compare(b.CreatedAt),
		strings.Compare(a.ID, b.ID),
	)
}

// StandingOf is the rule of a seller's standing, from its approved scorecards in any order
// (others are ignored): the latest (CompareScorecards), and the latest before it that has a
// score. The store keeps the same answer in SQL, and a test holds the two together.
func StandingOf(cards []Scorecard) (latest, previous *ScoreMark) {
	approved := make([]Scorecard, 0, len(cards))
	for _, sc := range cards {
		if sc.Status == Approved {
			approved = append(approved, sc)
		}
	}
	if len(approved) == 0 {
		return nil, nil
	}
	slices.SortFunc(approved, func(a, b Scorecard) int { return CompareScorecards(b, a) })
	latest = markOf(approved[0])
	for _, sc := range approved[1:] {
		if sc.Result.Score != nil {
			previous = markOf(sc)
			break
		}
	}
	return latest, previous
}

func markOf(sc Scorecard) *ScoreMark {
	m := &ScoreMark{ScorecardID: sc.ID, Period: sc.Period, Tier: sc.Result.Tier}
	if sc.Result.Score != nil {
		v := *sc.Result.Score
		m.Score = &v
	}
	return m
}

// TierNone stands for "no approved scorecard yet" where a tier is expected: in a filter of
// the seller list and in the counts of the overview.
const TierNone checklist.Tier = "none"

// Tiers lists the tiers from the worst standing to the best, then the sellers that could not
// be rated and those not rated yet: the order of the overview and of a list sorted by tier.
var Tiers = []checklist.Tier{checklist.TierSuspend, checklist.TierProbation, checklist.TierWatch,
	checklist.TierTrusted, checklist.TierInsufficientData, TierNone}

// TierRank is the place of a tier when a list is sorted by tier: worst first (suspend,
// probation, watch, trusted), or best first when bestFirst; either way the sellers whose data
// was insufficient come after the rated ones, and the sellers never rated (TierNone or "")
// last. Ranks start at 0; an unknown tier ranks with TierNone.
func TierRank(t checklist.Tier, bestFirst bool) int {
	if t == "" {
		t = TierNone
	}
	i := slices.Index(Tiers, t)
	if i < 0 {
		i = len(Tiers) - 1
	}
	if bestFirst && i < 4 {
		i = 3 - i
	}
	return i
}

// ListSort names the order of a managers' list: by seller name, country, score or tier.
type ListSort string

// The orders of the managers' lists.
const (
	SortName    ListSort = "name"
	SortCountry ListSort = "country"
	SortScore   ListSort = "score"
	SortTier    ListSort = "tier"
)

// ListOrder is a list's order as asked: a key, and the direction. Ascending scores and tiers are
// worst first, so that what needs attention comes first; descending best first. Whatever the
// direction, entries without a score come after those with one, and ties are broken by seller
// name and then id (in the review queue, sorted by score or tier, by scorecard id alone), so
// that the order is total and pages never overlap.
type ListOrder struct {
	By   ListSort
	Desc bool
}

// String is the order as the sort parameter writes it: the key, with a leading "-" when
// descending.
func (o ListOrder) String() string {
	if o.Desc {
		return "-" + string(o.By)
	}
	return string(o.By)
}

// ParseOrder reads a sort parameter ("name", "-score"…) among the keys a list allows; empty
// is def. Anything else is a *ValidationError of sort.
func ParseOrder(v string, def ListOrder, allowed ...ListSort) (ListOrder, error) {
	if v == "" {
		return def, nil
	}
	o := ListOrder{By: ListSort(strings.TrimPrefix(v, "-")), Desc: strings.HasPrefix(v, "-")}
	if !slices.Contains(allowed, o.By) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		var errs fieldErrors
		errs.add("sort", "must be one of %s, each optionally preceded by - for the reverse order", strings.Join(names, ", "))
		return ListOrder{}, Invalid(errs)
	}
	return o, nil
}

// SellerOrders are the orders of the seller list, and ReviewOrders those of the review queue.
var (
	SellerOrders = []ListSort{SortName, SortCountry, SortScore, SortTier}
	ReviewOrders = []ListSort{SortTier, SortScore, SortName}
)

// maxQueryLen bounds the search text of the seller list: a seller's name has at most 200
// characters.
const maxQueryLen = 200

// StandingFilter narrows and orders the seller list.
type StandingFilter struct {
	// Query keeps the sellers whose name contains it, ignoring the case of ASCII letters, or
	// whose id it is. Empty keeps every seller.
	Query string
	// Tier keeps the sellers whose latest approved scorecard has this tier; TierNone those
	// without one. Empty keeps every seller.
	Tier  checklist.Tier
	Order ListOrder
}

// DraftPeriod is one audit period with the number of drafts waiting for review in it.
type DraftPeriod struct {
	Period Period
	Drafts int
}

// TierCount is how many sellers stand in one tier (TierNone: not rated yet).
type TierCount struct {
	Tier    checklist.Tier
	Sellers int
}

// Overview is what a quality manager sees first: where the sellers stand and what waits for
// a manager.
type Overview struct {
	Sellers int
	// Tiers counts the sellers by the tier of their latest approved scorecard, one entry per
	// tier of Tiers in that order, zero counts included.
	Tiers []TierCount
	// Drafts are the periods that have drafts waiting for review, the latest period first.
	Drafts []DraftPeriod
	// PlansToVerify counts the corrective actions whose plan was submitted and waits for a
	// manager to verify it.
	PlansToVerify int
	// Overdue counts the corrective actions not closed and past their due date, at At.
	Overdue int
	At      time.Time
}

// Waiting is the number of drafts waiting for review, over every period.
func (o Overview) Waiting() int {
	n := 0
	for _, d := range o.Drafts {
		n += d.Drafts
	}
	return n
}

// ScorecardSummary is a scorecard without its points, as a list of many shows it.
type ScorecardSummary struct {
	ID              string
	SellerID        string
	SellerName      string
	Period          Period
	CharterVersion  string
	Status          ScorecardStatus
	Score           *float64
	Tier            checklist.Tier
	EvaluatedPoints int
	FailedPoints    int
	FailedCritical  int
	ApprovedAt      *time.Time // nil unless approved
	SupersededBy    string     // empty unless superseded
}

// ReviewFilter is a review queue: the current drafts of one period, in an order.
type ReviewFilter struct {
	Period Period
	Order  ListOrder
}

// RecordCounts are the records of one seller in force: a correction replaces the record it
// corrects, so a corrected device counts once.
type RecordCounts struct {
	BenchTests    int
	MysteryOrders int
}

// mayManage refuses every role but the managers' and the admins': the lists over every
// seller are the quality team's work.
func mayManage(by Principal, what string) error {
	if by.Role != RoleAdmin && by.Role != RoleManager {
		return fmt.Errorf("%s: %w", what, ErrForbidden)
	}
	return nil
}

// Overview counts where the sellers stand and what waits for a manager (managers and admins
// only), overdue judged at the service's clock.
func (s *Service) Overview(ctx context.Context, by Principal) (Overview, error) {
	if err := mayManage(by, "overview"); err != nil {
		return Overview{}, err
	}
	return s.store.Overview(ctx, s.now())
}

// SellerStandings lists the sellers with their standing (managers and admins only), as f
// narrows and orders them, one page at a time; the cursor is the position of the last seller
// of a page in that order. A query longer than 200 characters or holding control characters is
// a *ValidationError of q, an unknown tier one of tier, an order other than SellerOrders one
// of sort.
func (s *Service) SellerStandings(ctx context.Context, by Principal, f StandingFilter, p Page) ([]Standing, string, error) {
	if err := mayManage(by, "seller list"); err != nil {
		return nil, "", err
	}
	var errs fieldErrors
	f.Query = strings.TrimSpace(f.Query)
	if n := utf8.RuneCountInString(f.Query); n > maxQueryLen {
		errs.add("q", "must be at most %d characters, got %d", maxQueryLen, n)
	} else if msg := TextProblem(f.Query, false); msg != "" {
		errs.add("q", "%s", msg)
	}
	if f.Tier != "" && !slices.Contains(Tiers, f.Tier) {
		errs.add("tier", "must be suspend, probation, watch, trusted, insufficient_data or none")
	}
	if f.Order.By == "" {
		f.Order.By = SortName
	}
	if !slices.Contains(SellerOrders, f.Order.By) {
		errs.add("sort", "must be name, country, score or tier")
	}
	if err := Invalid(errs.sorted()); err != nil {
		return nil, "", err
	}
	return s.store.SellerStandings(ctx, f, p)
}

// ReviewQueue lists the current drafts of one period, waiting for review (managers and
// admins only), in f.Order (ReviewOrders; tier worst first by default), one page at a time.
// Superseded drafts are not in it: only the current draft of a seller can be approved.
func (s *Service) ReviewQueue(ctx context.Context, by Principal, f ReviewFilter, p Page) ([]ScorecardSummary, string, error) {
	if err := mayManage(by, "review queue"); err != nil {
		return nil, "", err
	}
	if f.Order.By == "" {
		f.Order.By = SortTier
	}
	if !slices.Contains(ReviewOrders, f.Order.By) {
		var errs fieldErrors
		errs.add("sort", "must be tier, score or name")
		return nil, "", Invalid(errs)
	}
	return s.store.ReviewQueue(ctx, f, p)
}

// SellerStanding returns one seller with its standing, as the seller list shows it (managers
// and admins only); an unknown seller is ErrNotFound.
func (s *Service) SellerStanding(ctx context.Context, by Principal, sellerID string) (Standing, error) {
	if err := mayManage(by, "seller standing"); err != nil {
		return Standing{}, err
	}
	return s.store.SellerStanding(ctx, sellerID)
}

// SellerRecordCounts counts the bench tests and mystery orders of a seller in force. A seller
// counts its own only (another seller is ErrNotFound); an unknown seller is ErrNotFound.
func (s *Service) SellerRecordCounts(ctx context.Context, by Principal, sellerID string) (RecordCounts, error) {
	if err := by.OwnSeller(sellerID, "seller "+sellerID); err != nil {
		return RecordCounts{}, err
	}
	if _, err := s.store.Seller(ctx, sellerID); err != nil {
		return RecordCounts{}, err
	}
	return s.store.RecordCounts(ctx, sellerID)
}

// SellerScorecardSummaries is SellerScorecards without the points of each scorecard, for the
// lists that show many at once: the same scorecards, seen by the same rules, in the same
// order.
func (s *Service) SellerScorecardSummaries(ctx context.Context, by Principal, sellerID string, status ScorecardStatus, p Page) ([]ScorecardSummary, string, error) {
	f, visible, err := s.sellerScorecardFilter(ctx, by, sellerID, status)
	if err != nil {
		return nil, "", err
	}
	if !visible {
		return []ScorecardSummary{}, "", nil
	}
	return s.store.ScorecardSummaries(ctx, f, p)
}
