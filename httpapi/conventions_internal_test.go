package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
)

// TestGzipThreshold: through the server's middleware, a body of exactly 1 KiB is sent as is
// and one byte more is gzipped ("larger than 1 KiB", api.md), and the ETag of a final answer
// follows what is sent.
func TestGzipThreshold(t *testing.T) {
	s := newBareServer(t)
	for _, n := range []int{1024, 1025} {
		body := bytes.Repeat([]byte("a"), n)
		s.echo.GET("/bytes/"+strconv.Itoa(n), func(c echo.Context) error {
			return writeFinal(c, "text/plain", body, etagOf(body))
		})
	}
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	small := get("/bytes/1024")
	assert.Empty(t, small.Header().Get("Content-Encoding"))
	assert.Equal(t, 1024, small.Body.Len())
	assert.Equal(t, etagOf(bytes.Repeat([]byte("a"), 1024)), small.Header().Get("ETag"))
	large := get("/bytes/1025")
	assert.Equal(t, "gzip", large.Header().Get("Content-Encoding"))
	assert.Less(t, large.Body.Len(), 1025)
	assert.Equal(t, gzipETag(etagOf(bytes.Repeat([]byte("a"), 1025))), large.Header().Get("ETag"))
}

func TestNoneMatch(t *testing.T) {
	const tag = `"abc"`
	tests := []struct {
		field string
		want  bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`"x",W/"abc"`, true},
		{` * `, true},
		{`"abcd"`, false},
		{`"ab"`, false},
		{`abc`, false},
		{`"x", abc`, false},
		{`"abc`, false},
		{`W/`, false},
		{`,`, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, noneMatchHit(tt.field, tag), tt.field)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0.5": true, "gzip; q=1": true, "x-gzip": true,
		"": false, "gzip;q=0": false, "gzip; q=0.000": false, "identity": false, "br": false, "*": false, "xgzip": false,
	}
	for ae, want := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", ae)
		assert.Equal(t, want, acceptsGzip(req), ae)
	}
}
