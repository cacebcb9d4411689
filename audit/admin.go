package audit

import (
	"context"
	"errors"

	"github.com/refurbqa/refurbqa/checklist"
)

// The administration of refurbqa: sellers, charter versions and the event trail. (Keys are in
// keys.go, KPIs in kpiimport.go.)

// CreateSeller registers a seller; the store assigns its id and creation time.
func (s *Service) CreateSeller(ctx context.Context, by Principal, in Seller) (Seller, error) {
	return s.store.CreateSeller(ctx, by, in)
}

// Seller returns one seller. A seller principal sees its own record only: any other is
// ErrNotFound, exactly as if it did not exist.
func (s *Service) Seller(ctx context.Context, by Principal, id string) (Seller, error) {
	if err := by.OwnSeller(id, "seller "+id); err != nil {
		return Seller{}, err
	}
	return s.store.Seller(ctx, id)
}

// Sellers lists sellers in creation order. The list of a seller principal holds its own record
// alone, on one page whatever p asks.
func (s *Service) Sellers(ctx context.Context, by Principal, p Page) ([]Seller, string, error) {
	if by.Role == RoleSeller {
		own, err := s.store.Seller(ctx, by.SellerID)
		if err != nil {
			return nil, "", err
		}
		return []Seller{own}, "", nil
	}
	return s.store.Sellers(ctx, p)
}

// PublishCharter compiles c and publishes it as a new version, made the active one when
// activate is set, and returns it as published: compiled, that is with every weight and primary
// metric filled in, which is what scores sellers and what readers see. A charter that does not
// compile is a *checklist.CompileError naming every problem at its JSON path (rules by
// line:column); a version already published is ErrConflict, since versions never change.
func (s *Service) PublishCharter(ctx context.Context, by Principal, c checklist.Charter, activate bool) (CharterVersion, error) {
	compiled, err := checklist.Compile(c)
	if err != nil {
		return CharterVersion{}, err
	}
	if err := s.store.PublishCharter(ctx, by, compiled.Charter(), activate); err != nil {
		if errors.Is(err, ErrConflict) {
			return CharterVersion{}, versionTaken(c.Version)
		}
		return CharterVersion{}, err
	}
	return s.store.Charter(ctx, c.Version)
}

// versionTaken refuses to publish a version again. It matches ErrConflict.
type versionTaken string

func (v versionTaken) Error() string {
	return "charter version " + string(v) + " is already published; versions never change"
}

// Is makes versionTaken match ErrConflict.
func (v versionTaken) Is(target error) bool { return target == ErrConflict }

// Charter returns one published version; every role may read every version.
func (s *Service) Charter(ctx context.Context, version string) (CharterVersion, error) {
	return s.store.Charter(ctx, version)
}

// ActiveCharter returns the charter that audits use when they name none.
func (s *Service) ActiveCharter(ctx context.Context) (CharterVersion, error) {
	return s.store.ActiveCharter(ctx)
}

// Charters lists every published version, oldest first.
func (s *Service) Charters(ctx context.Context, p Page) ([]CharterVersion, string, error) {
	return s.store.Charters(ctx, p)
}

// MetricCatalogue returns the metrics that charter rules are written over (charter.md §2), in
// catalogue order.
func (s *Service) MetricCatalogue() []checklist.Metric { return checklist.Catalogue() }

// Events lists the append-only trail of writes, oldest first. Who may read it is the adapters'
// route table (admins and managers): the trail is not scoped by seller.
func (s *Service) Events(ctx context.Context, f EventFilter, p Page) ([]Event, string, error) {
	return s.store.Events(ctx, f, p)
}
