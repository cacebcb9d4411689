package main

import (
	"context"
	"fmt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
)

// domain holds what the domain packages load once at start-up and share for the life of the
// process.
type domain struct {
	protocols grading.Protocols
	programs  *checklist.Programs
}

// loadDomain loads the protocols and the charter engine, and publishes the default charter
// into a database that has none yet.
func loadDomain(ctx context.Context, st *store.Store) (*domain, error) {
	protocols, err := checklist.LoadProtocols()
	if err != nil {
		return nil, err
	}
	def, err := checklist.DefaultCharter()
	if err != nil {
		return nil, err
	}
	if _, err := checklist.Compile(def); err != nil {
		return nil, fmt.Errorf("default charter: %w", err)
	}
	if err := st.EnsureDefaultCharter(ctx, cliPrincipal, def); err != nil {
		return nil, err
	}
	return &domain{protocols: protocols, programs: checklist.NewPrograms()}, nil
}

// service returns the domain's use cases over st, sharing the process's protocols and
// compiled charters.
func (d *domain) service(st *store.Store) *audit.Service {
	return audit.NewService(audit.ServiceConfig{Store: st, Protocols: d.protocols, Programs: d.programs})
}
