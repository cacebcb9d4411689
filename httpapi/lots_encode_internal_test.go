package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// The answers of a lot and of a new sample, with their positions spliced in from the cache,
// are byte for byte what encoding/json writes of the whole document, for lots whose strings
// try to look like the member the positions replace, and whose positions are empty, one or
// thousands; the second answer of a lot (from the cache) is the same as the first.
func TestLotAnswersAreWhatEncodingJSONWrites(t *testing.T) {
	plan, err := sampling.NewPlan(1_000_000, sampling.LevelIII, sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL4_0}, sampling.Normal)
	require.NoError(t, err)
	many := make([]int, 2000)
	for i := range many {
		many[i] = 1 + i*499
	}
	decided := time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)
	hostile := `x","sample_positions":null,"y":"` + "\u2028<&>\\"
	for _, tc := range []struct {
		name string
		lot  audit.Lot
	}{
		{"thousands of positions", audit.Lot{ID: "lot_1", Kind: audit.LotParts, Supplier: "Acme", PartType: "screen", Plan: plan,
			Positions: many, Tally: sampling.Tally{Received: 3, Critical: sampling.Count{Inspected: 3}}, Decision: sampling.Pending}},
		{"strings that look like the member", audit.Lot{ID: "lot_2", Kind: audit.LotParts, LotRef: hostile, Supplier: hostile,
			PartType: "screen", Plan: plan, Positions: []int{7}, Decision: sampling.Rejected, DecidedAt: &decided}},
		{"no positions", audit.Lot{ID: "lot_3", Kind: audit.LotDevices, SellerID: "sl_1", ListedGrade: grading.Premium,
			Plan: plan, Decision: sampling.Accepted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{positions: &positionsCache{}}
			var want bytes.Buffer
			require.NoError(t, jsonEncode(&want, toLotJSON(tc.lot)))
			sample := audit.LotSample{Number: 3, Serial: hostile, Defects: []audit.Defect{{Class: sampling.Minor,
				Code: `"sample_positions":null`, Note: hostile}}, Unit: sampling.Unit{Minor: true}, CreatedAt: decided}
			var wantAdded bytes.Buffer
			require.NoError(t, jsonEncode(&wantAdded, addedSampleJSON{Lot: toLotJSON(tc.lot), Sample: toSampleJSON(sample)}))
			answer := func(write func(c echo.Context) error) string {
				rec := httptest.NewRecorder()
				require.NoError(t, write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)))
				assert.Equal(t, strconv.Itoa(rec.Body.Len()), rec.Header().Get("Content-Length"))
				return rec.Body.String()
			}
			for range 2 { // encoded, then from the cache (and with buffers used before)
				assert.Equal(t, want.String(), answer(func(c echo.Context) error { return s.writeLot(c, http.StatusOK, tc.lot) }))
				assert.Equal(t, wantAdded.String(), answer(func(c echo.Context) error { return s.writeAddedSample(c, tc.lot, sample) }))
			}
			_, cached := s.positions.get(tc.lot.ID)
			assert.True(t, cached)
		})
	}
}

// The classes of a lot and the classes a sample is nonconforming in are written as the maps
// they were before they became structs: the same members in the same order.
func TestLotClassesAreWrittenAsAMap(t *testing.T) {
	c := lotClassJSON{SampleSize: 2000, Accept: 21, Reject: 22, Inspected: 5, Nonconforming: 1, Decision: "pending"}
	asStruct, err := json.Marshal(lotClassesJSON{Critical: c, Major: c, Minor: c})
	require.NoError(t, err)
	asMap, err := json.Marshal(map[string]lotClassJSON{"minor": c, "critical": c, "major": c})
	require.NoError(t, err)
	assert.Equal(t, string(asMap), string(asStruct))
	asStruct, err = json.Marshal(unitJSON{Critical: true, Minor: true})
	require.NoError(t, err)
	asMap, err = json.Marshal(map[string]bool{"minor": true, "critical": true, "major": false})
	require.NoError(t, err)
	assert.Equal(t, string(asMap), string(asStruct))
}

// The cache of encoded positions stays within its bound, keeps what it last took, and refuses
// an entry larger than a 64th of it.
func TestPositionsCacheIsBounded(t *testing.T) {
	var c positionsCache
	entry := bytes.Repeat([]byte("1"), positionsCacheBytes/64)
	for i := range 200 {
		c.put(string(rune('a'+i%26))+string(rune('A'+i/26)), entry)
		assert.LessOrEqual(t, c.size, positionsCacheBytes)
	}
	_, ok := c.get("r" + string(rune('A'+199/26)))
	assert.True(t, ok, "the last entry is kept")
	c.put("big", make([]byte, positionsCacheBytes/64+1))
	_, ok = c.get("big")
	assert.False(t, ok)
}
