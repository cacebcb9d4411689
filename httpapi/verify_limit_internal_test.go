package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The verification takes the client's address from the connection, never from a header that
// a client could set to get a new budget.
func TestVerificationLimitIgnoresForwardedHeaders(t *testing.T) {
	s := newBareServer(t)
	s.publicLimiter = newAddressLimiter(1, 1, time.Now)
	for i, spoof := range []string{"198.51.100.1", "198.51.100.2"} {
		req := httptest.NewRequest(http.MethodGet, "/verify", nil)
		req.RemoteAddr = "192.0.2.9:4000"
		req.Header.Set("X-Forwarded-For", spoof)
		req.Header.Set("X-Real-IP", spoof)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if i == 0 {
			assert.Equal(t, http.StatusOK, rec.Code)
		} else {
			assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the same connection's address")
		}
	}
}
