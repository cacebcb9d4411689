package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

func TestPanicsBecomeProblems(t *testing.T) {
	st, err := store.Open(context.Background(), store.Config{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "x.db")})
	require.NoError(t, err)
	defer st.Close()
	cfg, err := StoreConfig(Config{}, st)
	require.NoError(t, err)
	s, err := New(cfg)
	require.NoError(t, err)
	s.echo.GET("/boom", func(c echo.Context) error { panic("kaboom") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var p Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, 500, p.Status)
	assert.NotContains(t, p.Detail, "kaboom", "internal details stay in the log")
}
