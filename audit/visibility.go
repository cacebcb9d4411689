package audit

import "fmt"

// Who may see what (api.md, "Authentication and roles"), said once for every adapter: a seller
// sees its own records only, and of its scorecards only the approved ones; anything else is
// ErrNotFound, exactly as if it did not exist, so that a seller learns nothing of other
// sellers or of reviews still under way. Staff roles see everything they may reach at all
// (which routes a role may call is the adapters' route table).

// OwnSeller returns ErrNotFound, naming what, when p is a seller and sellerID is not its own.
func (p Principal) OwnSeller(sellerID, what string) error {
	if p.Role == RoleSeller && p.SellerID != sellerID {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// SeesScorecard reports whether p may see a scorecard of sellerID in state status: staff see
// every scorecard; a seller its own approved ones.
func (p Principal) SeesScorecard(sellerID string, status ScorecardStatus) bool {
	return p.Role != RoleSeller || (p.SellerID == sellerID && status == Approved)
}

// ScorecardVisible returns ErrNotFound when p may not see sc (see SeesScorecard).
func (p Principal) ScorecardVisible(sc Scorecard) error {
	if !p.SeesScorecard(sc.SellerID, sc.Status) {
		return fmt.Errorf("scorecard %s: %w", sc.ID, ErrNotFound)
	}
	return nil
}
