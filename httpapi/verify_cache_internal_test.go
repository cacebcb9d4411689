package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The cache keeps one answer per key, the latest put, within its bound of bytes.
func TestVerificationCacheBounds(t *testing.T) {
	var c verificationCache
	var st audit.VerificationState
	_, ok := c.get("a")
	assert.False(t, ok)
	c.put("a", cachedVerification{state: st, body: []byte("one")})
	c.put("a", cachedVerification{state: st, body: []byte("three")})
	e, ok := c.get("a")
	require.True(t, ok)
	assert.Equal(t, "three", string(e.body))
	assert.Equal(t, 5, c.size)

	c.put("huge", cachedVerification{body: make([]byte, verificationCacheBytes/64+1)})
	_, ok = c.get("huge")
	assert.False(t, ok, "too large to keep")

	body := bytes.Repeat([]byte("x"), verificationCacheBytes/64)
	for i := range 200 {
		c.put(fmt.Sprint(i), cachedVerification{body: body})
		assert.LessOrEqual(t, c.size, verificationCacheBytes)
	}
	_, ok = c.get("199")
	assert.True(t, ok, "the latest is kept")
}

// A kept answer is served while the service answers the state it was kept with, and only
// then: one kept with another state is made again.
func TestVerificationServesKeptAnswers(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.Config{})
	cfg, err := StoreConfig(Config{}, st)
	require.NoError(t, err)
	s, err := New(cfg)
	require.NoError(t, err)
	sys := audit.Principal{KeyID: "test", Role: audit.RoleAdmin}
	seller, err := st.CreateSeller(ctx, sys, audit.Seller{Name: "S", Country: "FR", ContactEmail: "s@example.com"})
	require.NoError(t, err)
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	fn := map[string]grading.Outcome{}
	for _, tc := range ps[grading.Smartphone].Tests {
		fn[tc.Code] = grading.Pass
	}
	bt := audit.BenchTest{SellerID: seller.ID, Lab: "lab", TestedAt: st.Now(), Inspection: grading.Inspection{
		Device: grading.Device{Category: grading.Smartphone, Brand: "B", Model: "M", IMEI: "356938035643809"}, Functional: fn,
		Battery: grading.Battery{HealthPct: 90, Genuine: true}, Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean,
			DataErased: true, FactoryReset: true, OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true}}}
	audit.DeriveBenchTest(&bt, ps[grading.Smartphone])
	rec, _, err := st.CreateBenchTest(ctx, sys, bt)
	require.NoError(t, err)

	get := func() string {
		req := httptest.NewRequest(http.MethodGet, "/verify/"+rec.VerificationCode, nil)
		req.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code)
		return w.Body.String()
	}
	real := get()
	key := "true " + s.verificationURL(httptest.NewRequest(http.MethodGet, "/", nil), rec.VerificationCode)
	e, ok := s.verifications.get(key)
	require.True(t, ok, "kept under its key")
	assert.Equal(t, real, string(e.body))

	s.verifications.put(key, cachedVerification{state: e.state, body: []byte("kept\n")})
	assert.Equal(t, "kept\n", get(), "the same state: the kept answer")
	s.verifications.put(key, cachedVerification{state: audit.VerificationState{}, body: []byte("stale\n")})
	assert.Equal(t, real, get(), "another state: made again")
	e, _ = s.verifications.get(key)
	assert.Equal(t, real, string(e.body), "and kept again")
}
