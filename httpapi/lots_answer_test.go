package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// The answers of a lot of 2,000 positions — created, read, and once per sample — carry every
// position (lots.md §6: the whole Lot document), the same ones each time; they state their
// length when sent as is, and are gzipped without a stale length when the client accepts gzip
// (api.md: bodies larger than 1 KiB).
func TestLotAnswersCarryThePositionsAndTheirLength(t *testing.T) {
	h := newHarness(t)
	tech := h.token(audit.RoleTechnician)
	res := h.do(http.MethodPost, "/api/v1/lots", tech, doc{"kind": "parts", "lot_ref": "BIG-1", "lot_size": 1_000_000,
		"inspection_level": "III", "aql": doc{"major": 0.65}, "supplier": "Acme", "part_type": "screen",
		"received_at": "2026-08-03T00:00:00Z"})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var created lotBody
	res.JSON(t, &created)
	require.Len(t, created.SamplePositions, 2000)
	assert.Equal(t, strconv.Itoa(len(res.Body)), res.Header.Get("Content-Length"))

	samples := "/api/v1/lots/" + created.ID + "/samples"
	for i := 1; i <= 3; i++ {
		res = h.do(http.MethodPost, samples, tech, doc{"defects": []any{}})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		assert.Equal(t, strconv.Itoa(len(res.Body)), res.Header.Get("Content-Length"))
		var added struct {
			Lot    lotBody `json:"lot"`
			Sample struct {
				Number int `json:"number"`
			} `json:"sample"`
		}
		res.JSON(t, &added)
		assert.Equal(t, i, added.Sample.Number)
		assert.Equal(t, i, added.Lot.SamplesReceived)
		assert.Equal(t, created.SamplePositions, added.Lot.SamplePositions, "sample %d", i)
	}

	res = h.do(http.MethodPost, samples, tech, doc{"defects": []any{}}, "Accept-Encoding", "gzip")
	require.Equal(t, http.StatusCreated, res.Code)
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	if n := res.Header.Get("Content-Length"); n != "" {
		assert.Equal(t, strconv.Itoa(len(res.Body)), n, "a length, if any, is the compressed body's")
	}
	zr, err := gzip.NewReader(bytes.NewReader(res.Body))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Contains(t, string(plain), `"samples_received":4`)

	res = h.do(http.MethodGet, "/api/v1/lots/"+created.ID, tech, nil)
	require.Equal(t, http.StatusOK, res.Code)
	var got lotBody
	res.JSON(t, &got)
	assert.Equal(t, created.SamplePositions, got.SamplePositions)
	assert.Equal(t, 4, got.SamplesReceived)
}
