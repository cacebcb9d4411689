package httpapi

import (
	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
)

// StoreConfig fills cfg with what cmd wires in production over st: the domain's services, the
// report builder and the readiness check (tests join store to the services, as cmd does).
// Protocols are loaded when cfg has no Service.
func StoreConfig(cfg Config, st *store.Store) (Config, error) {
	if cfg.Service == nil {
		protocols, err := checklist.LoadProtocols()
		if err != nil {
			return cfg, err
		}
		cfg.Service = audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols, Now: cfg.Now})
	}
	if cfg.Reports == nil {
		cfg.Reports = reports.NewBuilder(st)
	}
	if cfg.Ready == nil {
		cfg.Ready = st.Ping
	}
	return cfg, nil
}
