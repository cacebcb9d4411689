package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

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

// newBareServer is a server over an empty, unmigrated SQLite file, for tests of the middleware
// that add routes of their own.
func newBareServer(t *testing.T) *Server {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "x.db")})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	cfg, err := StoreConfig(Config{}, st)
	require.NoError(t, err)
	s, err := New(cfg)
	require.NoError(t, err)
	return s
}

// FakeCertificates draws certificates for the tests that read what a route gave the renderer:
// a first line that marks it, then the certificate as JSON, as deterministic as the PDF. Err,
// when set, is its failure.
type FakeCertificates struct{ Err error }

// FakeCertificateMark is the first line of every fake certificate.
const FakeCertificateMark = "%PDF-fake certificate\n"

// WriteCertificate implements reports.CertificateWriter.
func (f FakeCertificates) WriteCertificate(w io.Writer, c reports.Certificate) error {
	if f.Err != nil {
		return f.Err
	}
	if _, err := fmt.Fprint(w, FakeCertificateMark); err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(c)
}
