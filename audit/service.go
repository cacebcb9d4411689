package audit

import (
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// Service is the one copy of every use case of refurbqa: recording bench tests and mystery
// orders, KPIs, charters, audits, reviews, corrective actions and keys. The adapters (httpapi
// for machines, console for people, cmd for operators) decode their input, call one method
// with the caller's principal, and present the result; who may see and do what is decided
// here, once. It is safe for concurrent use.
type Service struct {
	batchMu   sync.Mutex // one audit of every seller at a time (review.go)
	store     Store
	protocols grading.Protocols
	programs  *checklist.Programs
	now       func() time.Time
	random    io.Reader // the source of lots' sample positions (lots.go) and verification codes
	touched   touchLog  // when this process last wrote each key's last use (keys.go)
	passwords passwords // the bcrypt cost and dummy hash of user passwords (users.go)
	// benchmarks keeps the latest benchmark of each period read (benchmark.go).
	benchmarks *Benchmarks
}

// ServiceConfig holds the dependencies of a Service.
type ServiceConfig struct {
	// Store is the storage adapter.
	Store Store
	// Protocols are the functional test protocols that grading follows.
	Protocols grading.Protocols
	// Programs caches compiled charters (default: a new cache).
	Programs *checklist.Programs
	// Now is the clock of decisions such as "overdue" (default: the store's clock).
	Now func() time.Time
	// PasswordCost is the bcrypt cost of new password hashes (default: DefaultPasswordCost;
	// tests use bcrypt.MinCost to stay fast).
	PasswordCost int
	// Random is the source of the sample positions of lots and of the verification codes of
	// certificates, which lots.md and transparency.md require to be cryptographic (default:
	// crypto/rand.Reader; tests may pass a fixed stream).
	Random io.Reader
}

// NewService returns the services over cfg.Store.
func NewService(cfg ServiceConfig) *Service {
	s := &Service{store: cfg.Store, protocols: cfg.Protocols, programs: cfg.Programs, now: cfg.Now}
	if s.programs == nil {
		s.programs = checklist.NewPrograms()
	}
	if s.now == nil {
		s.now = cfg.Store.Now
	}
	s.benchmarks = NewBenchmarks(cfg.Store)
	s.random = cfg.Random
	if s.random == nil {
		s.random = rand.Reader
	}
	s.passwords.cost = cfg.PasswordCost
	if s.passwords.cost == 0 {
		s.passwords.cost = DefaultPasswordCost
	}
	return s
}

// Protocols returns the functional test protocols, so that forms can be built from them.
func (s *Service) Protocols() grading.Protocols { return s.protocols }
