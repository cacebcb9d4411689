package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// upload posts a file as the form's file field.
func (c *client) upload(path, name string, content []byte) *response {
	c.h.t.Helper()
	return c.multipartPost(path, nil, name, content)
}

// batchItem is one bench test of a batch file, in the API's JSON.
func (h *harness) batchItem(t *testing.T, sellerID, externalID string) map[string]any {
	t.Helper()
	p, err := h.svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	in := grading.Inspection{Device: grading.Device{Category: grading.Smartphone, Brand: "Samsung", Model: "S21", IMEI: "490154203237518"},
		Functional: map[string]grading.Outcome{}, Battery: grading.Battery{HealthPct: 88, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true}, Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true}}
	for _, tt := range p.Tests {
		in.Functional[tt.Code] = grading.Pass
	}
	doc, err := wire.EncodeInspection(in)
	require.NoError(t, err)
	return map[string]any{"seller_id": sellerID, "lab": "Lyon", "tested_at": "2026-11-30T10:00:00Z",
		"external_id": externalID, "inspection": json.RawMessage(doc)}
}

func TestBatchUpload(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	require.Equal(t, http.StatusOK, c.get("/console/bench-tests/batch").status)

	bad := h.batchItem(t, h.Own.ID, "B-3")
	bad["lab"] = 42
	file, err := json.Marshal(map[string]any{"items": []any{
		h.batchItem(t, h.Own.ID, "B-1"), h.batchItem(t, h.Own.ID, "B-1"), bad, h.batchItem(t, "sl_nosuchseller", "B-4"),
	}})
	require.NoError(t, err)
	res := c.upload("/console/bench-tests/batch", "monday.json", file)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Contains(t, res.body, "4 items: 1 stored, 1 already recorded, 2 refused.")
	rows := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">(\d)</th>.*?</tr>`).FindAllStringSubmatch(res.body, -1)
	require.Len(t, rows, 4)
	assert.Contains(t, rows[0][0], "stored")
	assert.Regexp(t, `href="/console/bench-tests/bt_`, rows[0][0])
	assert.Contains(t, rows[1][0], "already recorded", "the same lab id again, earlier in the batch")
	assert.Contains(t, rows[2][0], "<code>lab</code>", "the problem at its field")
	assert.Contains(t, rows[3][0], "no seller has this id")

	list, _, err := h.svc.BenchTests(context.Background(), system, audit.BenchTestFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Len(t, list, 1)

	for name, content := range map[string]string{
		"not JSON":     "{items: nope",
		"no items":     `{"items": []}`,
		"not an array": `{"items": {}}`,
	} {
		res := c.upload("/console/bench-tests/batch", "x.json", []byte(content))
		assert.Equal(t, http.StatusUnprocessableEntity, res.status, name)
		assert.Regexp(t, `<p class="field-error" id="f-file-error">is not a batch of bench tests: [^<]+</p>`, res.body, name)
	}
	res = c.post("/console/bench-tests/batch", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.body, "choose a JSON file of bench tests")
	assert.False(t, strings.Contains(res.body, "Result of"), "no result table without a file")
}
