package audit

import (
	"context"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
)

// The ports of the domain: small interfaces that the storage adapter (package store)
// implements and the services of this package call. They speak the domain's types only; a
// port never decides who may see what (the services do, from the caller's principal).

// Store is every port together, as the storage adapter implements them.
type Store interface {
	SellerStore
	KeyStore
	UserStore
	BenchTestStore
	MysteryOrderStore
	KPIStore
	CharterStore
	ScorecardStore
	ActionStore
	EventStore
	StandingStore
	LotStore
	CertificateStore
	ProfileStore
	BenchmarkStore
	ImpactStore
	// Now is the store's clock, which stamps every record it writes.
	Now() time.Time
}

// SellerStore keeps sellers.
type SellerStore interface {
	CreateSeller(ctx context.Context, by Principal, in Seller) (Seller, error)
	Seller(ctx context.Context, id string) (Seller, error)
	Sellers(ctx context.Context, p Page) ([]Seller, string, error)
	SellerIDs(ctx context.Context) ([]string, error)
	// KnownSellers returns which of ids name a seller.
	KnownSellers(ctx context.Context, ids []string) (map[string]bool, error)
}

// KeyStore keeps API keys (hashes of their tokens only).
type KeyStore interface {
	// CreateKey stores a key, whose rules the service checked, and returns it with its new
	// token, the only time the token is seen.
	CreateKey(ctx context.Context, by Principal, in Key) (Key, string, error)
	// Authenticate returns the live key of a token: ErrUnauthorized for an unknown, revoked or
	// expired one.
	Authenticate(ctx context.Context, token string) (Key, error)
	TouchKey(ctx context.Context, id string, at time.Time) error
	RevokeKey(ctx context.Context, by Principal, id string) error
	Keys(ctx context.Context, p Page) ([]Key, string, error)
}

// UserStore keeps the accounts of people, with the bcrypt hashes of their passwords. Each
// write appends to the event trail (entity "user") in its transaction.
type UserStore interface {
	// CreateUser stores a user, whose rules the service checked, with the hash of its
	// password: ErrConflict when the email is taken.
	CreateUser(ctx context.Context, by Principal, in User, passwordHash []byte) (User, error)
	// User returns the user of an id, or ErrNotFound.
	User(ctx context.Context, id string) (User, error)
	// UserByEmail returns the user of a normalised email and its password hash, or
	// ErrNotFound.
	UserByEmail(ctx context.Context, email string) (User, []byte, error)
	// Users lists every user in creation order.
	Users(ctx context.Context, p Page) ([]User, string, error)
	// DisableUser disables user id and returns it; disabling a disabled user is a no-op.
	DisableUser(ctx context.Context, by Principal, id string) (User, error)
	// SetPasswordHash replaces the password hash of user id.
	SetPasswordHash(ctx context.Context, by Principal, id string, hash []byte) error
}

// BenchTestStore keeps bench tests; none is ever updated in place.
type BenchTestStore interface {
	CreateBenchTest(ctx context.Context, by Principal, bt BenchTest) (BenchTestRecord, bool, error)
	CreateBenchTests(ctx context.Context, by Principal, items []BenchTest) ([]BatchResult, error)
	CorrectBenchTest(ctx context.Context, by Principal, oldID string, bt BenchTest) (BenchTestRecord, error)
	BenchTest(ctx context.Context, id string) (BenchTestRecord, error)
	BenchTests(ctx context.Context, f BenchTestFilter, p Page) ([]BenchTestRecord, string, error)
}

// MysteryOrderStore keeps mystery orders; none is ever updated in place.
type MysteryOrderStore interface {
	CreateMysteryOrder(ctx context.Context, by Principal, mo MysteryOrder) (MysteryOrderRecord, error)
	CorrectMysteryOrder(ctx context.Context, by Principal, oldID string, mo MysteryOrder) (MysteryOrderRecord, error)
	MysteryOrder(ctx context.Context, id string) (MysteryOrderRecord, error)
	MysteryOrders(ctx context.Context, f MysteryOrderFilter, p Page) ([]MysteryOrderRecord, string, error)
}

// KPIStore keeps the monthly operations figures of sellers.
type KPIStore interface {
	PutKPIMonth(ctx context.Context, by Principal, k KPIMonth) (KPIMonth, error)
	KPIMonths(ctx context.Context, sellerID string, p Page) ([]KPIMonth, string, error)
	// ImportKPIMonths stores checked months of known sellers, all or none, replacing (and
	// keeping the id of) a month already stored, with one "import" event per month.
	ImportKPIMonths(ctx context.Context, by Principal, ks []KPIMonth) error
}

// CharterStore keeps the published charter versions; a published version never changes.
type CharterStore interface {
	PublishCharter(ctx context.Context, by Principal, c checklist.Charter, activate bool) error
	EnsureDefaultCharter(ctx context.Context, by Principal, c checklist.Charter) error
	Charter(ctx context.Context, version string) (CharterVersion, error)
	ActiveCharter(ctx context.Context) (CharterVersion, error)
	// Charters lists every published version, oldest first.
	Charters(ctx context.Context, p Page) ([]CharterVersion, string, error)
}

// ScorecardStore gathers the facts of audits and keeps scorecards and their reviews.
type ScorecardStore interface {
	// Facts aggregates the records of each seller over p (every seller when sellerIDs is
	// empty), from one snapshot.
	Facts(ctx context.Context, p Period, sellerIDs []string) (map[string]Facts, error)
	// UnknownSellers returns those of ids that name no seller, in the order given.
	UnknownSellers(ctx context.Context, ids []string) ([]string, error)
	// NewID makes the id of a record the domain builds before storing it.
	NewID(prefix string) string
	// SaveDrafts stores the drafts of one audit run over p against charter version, all or
	// none, superseding the current draft of each seller's slot.
	SaveDrafts(ctx context.Context, by Principal, p Period, version string, cards []Scorecard) error
	Scorecard(ctx context.Context, id string) (Scorecard, error)
	Scorecards(ctx context.Context, f ScorecardFilter, p Page) ([]Scorecard, string, error)
	// ApproveScorecard has approve decide the review of scorecard id (and the corrective
	// actions it opens) from the scorecard as stored, and stores the decision, in one
	// transaction ordered with the audits.
	ApproveScorecard(ctx context.Context, by Principal, id string,
		approve func(sc Scorecard, now time.Time) (Scorecard, []CorrectiveAction, error)) (Scorecard, []CorrectiveAction, error)
}

// BenchmarkStore reads the values behind the marketplace benchmarks (benchmark.go). The
// store keeps the values of each approved scorecard (BenchmarkValues) as its approval adds
// them, with a version per period that every approval of a scorecard of the period moves on.
type BenchmarkStore interface {
	// BenchmarkVersion returns the version of the benchmark of period p: 0 before the first
	// approval of a scorecard of p, and greater after each. It is a point read, made on every
	// read of an approved scorecard.
	BenchmarkVersion(ctx context.Context, p Period) (int64, error)
	// BenchmarkValues returns the values of every approved scorecard of p and the version
	// they make, from one snapshot.
	BenchmarkValues(ctx context.Context, p Period) ([]BenchmarkValue, int64, error)
}

// ActionStore keeps corrective actions.
type ActionStore interface {
	CorrectiveActions(ctx context.Context, f ActionFilter, p Page) ([]CorrectiveAction, string, error)
	CorrectiveAction(ctx context.Context, id string) (CorrectiveAction, error)
	// ChangeAction has change decide the new state of action id from the stored one, and
	// stores it with an event named action, in one transaction that holds the row.
	ChangeAction(ctx context.Context, by Principal, id, action string,
		change func(a CorrectiveAction, now time.Time) (CorrectiveAction, error)) (CorrectiveAction, error)
}

// EventStore reads the append-only trail of writes (every port's writes append to it in the
// same transaction).
type EventStore interface {
	Events(ctx context.Context, f EventFilter, p Page) ([]Event, string, error)
}

// StandingStore answers the quality managers' lists over every seller (standing.go). The
// store keeps each seller's standing as approvals change it, so that these reads stay
// proportional to the sellers and not to their history.
type StandingStore interface {
	// Overview counts the sellers by the tier of their standing, the current drafts of each
	// period, the plans waiting for verification and the actions not closed past their due
	// date at at.
	Overview(ctx context.Context, at time.Time) (Overview, error)
	// SellerStandings lists the sellers with their standing, as f narrows and orders them.
	SellerStandings(ctx context.Context, f StandingFilter, p Page) ([]Standing, string, error)
	// SellerStanding returns one seller with its standing, or ErrNotFound.
	SellerStanding(ctx context.Context, sellerID string) (Standing, error)
	// ReviewQueue lists the current drafts of one period, without their points.
	ReviewQueue(ctx context.Context, f ReviewFilter, p Page) ([]ScorecardSummary, string, error)
	// ScorecardSummaries lists scorecards as Scorecards does (the same filter, newest first),
	// without their points.
	ScorecardSummaries(ctx context.Context, f ScorecardFilter, p Page) ([]ScorecardSummary, string, error)
	// RecordCounts counts the bench tests and mystery orders of a seller in force.
	RecordCounts(ctx context.Context, sellerID string) (RecordCounts, error)
}

// LotStore keeps lots, their samples and their streams (lots.md). Each write holds what it
// changes (the row locked on PostgreSQL; SQLite's single immediate writer already serialises)
// and appends to the event trail in its transaction. The rules are the service's, passed in as
// functions that decide from the rows as stored. The positions of the lots it returns, which
// never change, may be shared between them: read them, never change them in place.
type LotStore interface {
	// CreateLot finds the stream of key (its kind and source), creating it on normal
	// inspection with the first lot of its source, holds it, has build make the lot from it
	// and the store's clock, and stores the lot with its id: ErrConflict when the stream has
	// the lot's lot_ref already, ErrNotFound for an unknown seller.
	CreateLot(ctx context.Context, by Principal, key LotStream, build func(st LotStream, now time.Time) (Lot, error)) (Lot, error)
	// AddLotSample holds lot id, has add count the next sample, and stores the sample, the
	// lot's new tally and decision and, when add decided the lot, the stream add returns. The
	// lot add is given lacks its positions (the write never reads them); the lot returned has
	// them. add asks for the lot's stream, held from then on, through stream, only when it
	// decides the lot, and must then return it changed. ErrNotFound for an unknown lot (add is
	// not called), ErrConflict when the sample's number or bench test is taken.
	AddLotSample(ctx context.Context, by Principal, id string,
		add func(l Lot, stream func() (LotStream, error), now time.Time) (Lot, LotSample, LotStream, error)) (Lot, LotSample, error)
	// Lot returns one lot, or ErrNotFound.
	Lot(ctx context.Context, id string) (Lot, error)
	// Lots lists lots in creation order.
	Lots(ctx context.Context, f LotFilter, p Page) ([]Lot, string, error)
	// CountLots counts the lots that f keeps.
	CountLots(ctx context.Context, f LotFilter) (int, error)
	// LotSamples lists the samples of a lot by number.
	LotSamples(ctx context.Context, lotID string, p Page) ([]LotSample, string, error)
	// LotStreams lists streams in creation order.
	LotStreams(ctx context.Context, f LotStreamFilter, p Page) ([]LotStream, string, error)
	// ChangeLotStream has change decide the new state of stream id from the stored one and
	// stores it with an event named action, holding the row.
	ChangeLotStream(ctx context.Context, by Principal, id, action string,
		change func(st LotStream, now time.Time) (LotStream, error)) (LotStream, error)
	// SupplierSummaries aggregates the parts lots decided in [from, to) (zero bounds: open)
	// per supplier and part type, ordered by both.
	SupplierSummaries(ctx context.Context, from, to time.Time) ([]SupplierSummary, error)
}

// CertificateStore reads the records behind certificates and their public verification
// (certificate.go). Verification codes are stored canonical, each unique.
type CertificateStore interface {
	// CertifiedByCode returns the bench test or mystery order whose verification code is code
	// (canonical), with one indexed read: ErrNotFound when none has it.
	CertifiedByCode(ctx context.Context, code string) (Certified, error)
	// RecordOfCode returns which record has the verification code, and the correction that
	// superseded it, reading none of its contents: ErrNotFound when none has it.
	RecordOfCode(ctx context.Context, code string) (RecordRef, error)
	// LatestCorrection returns the last record of the chain of corrections that superseded
	// record id of kind (the one no correction supersedes): ErrNotFound when none did.
	LatestCorrection(ctx context.Context, kind RecordKind, id string) (Correction, error)
	// AssignVerificationCode gives record id of kind the code, unless it has one already, and
	// returns the code it has then: ErrNotFound for no such record.
	AssignVerificationCode(ctx context.Context, kind RecordKind, id, code string) (string, error)
}

// ProfileStore keeps whether each seller's public profile is shown, and reads what a public
// profile shows (profile.go).
type ProfileStore interface {
	// SellerProfile reads, from one snapshot, the seller's name, country and setting, and when
	// its profile is public, its latest approved scorecard with its points and its latest n
	// approved scorecards without them (RecentApproved): ErrNotFound for an unknown seller.
	SellerProfile(ctx context.Context, sellerID string, n int) (SellerProfile, error)
	// ProfileSetting returns whether the seller's profile is public, or ErrNotFound.
	ProfileSetting(ctx context.Context, sellerID string) (ProfileSetting, error)
	// SetProfileVisibility stores whether the seller's profile is public, with an event of the
	// trail (entity seller_profile, action show or hide), and returns the setting: ErrNotFound
	// for an unknown seller.
	SetProfileVisibility(ctx context.Context, by Principal, sellerID string, public bool) (ProfileSetting, error)
}

// ImpactStore keeps the published versions of the impact factors (impact.go), which never
// change, and reads the inputs of estimates.
type ImpactStore interface {
	ImpactReader
	// PublishImpactFactors stores a checked version, with an event in its transaction:
	// ErrConflict when the version is taken.
	PublishImpactFactors(ctx context.Context, by Principal, f ImpactFactors) error
	// ImpactFactorVersions lists the published versions in the order they were published.
	ImpactFactorVersions(ctx context.Context, p Page) ([]ImpactFactors, string, error)
}
