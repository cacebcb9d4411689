package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

type lotClassBody struct {
	SampleSize    int    `json:"sample_size"`
	Accept        int    `json:"accept"`
	Reject        int    `json:"reject"`
	Inspected     int    `json:"inspected"`
	Nonconforming int    `json:"nonconforming"`
	Decision      string `json:"decision"`
}

type lotBody struct {
	ID              string                  `json:"id"`
	Kind            string                  `json:"kind"`
	StreamID        string                  `json:"stream_id"`
	LotSize         int                     `json:"lot_size"`
	InspectionLevel string                  `json:"inspection_level"`
	Severity        string                  `json:"severity"`
	AQL             map[string]float64      `json:"aql"`
	SellerID        *string                 `json:"seller_id"`
	Supplier        *string                 `json:"supplier"`
	CodeLetter      string                  `json:"code_letter"`
	SampleSize      int                     `json:"sample_size"`
	SamplePositions []int                   `json:"sample_positions"`
	Classes         map[string]lotClassBody `json:"classes"`
	SamplesReceived int                     `json:"samples_received"`
	Decision        string                  `json:"decision"`
	DecidedAt       *string                 `json:"decided_at"`
}

func TestLotsThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	tech, manager, seller := h.token(audit.RoleTechnician), h.token(audit.RoleManager), h.token(audit.RoleSeller)

	// A parts lot of 2 at level II: code letter A, every class capped at the lot size.
	res := h.do(http.MethodPost, "/api/v1/lots", tech, doc{"kind": "parts", "lot_ref": "P-1", "lot_size": 2,
		"aql": doc{"major": 1.0}, "supplier": "Acme", "part_type": "battery", "received_at": "2026-08-03T00:00:00Z"})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var lot lotBody
	res.JSON(t, &lot)
	assert.Equal(t, "A", lot.CodeLetter)
	assert.Equal(t, "II", lot.InspectionLevel)
	assert.Equal(t, "normal", lot.Severity)
	assert.Equal(t, map[string]float64{"major": 1.0, "minor": 4.0}, lot.AQL)
	assert.Equal(t, 2, lot.SampleSize)
	assert.Equal(t, []int{1, 2}, lot.SamplePositions, "a sample of the whole lot")
	assert.Equal(t, lotClassBody{SampleSize: 2, Accept: 0, Reject: 1, Decision: "pending"}, lot.Classes["major"])
	assert.Nil(t, lot.SellerID)
	assert.Equal(t, "pending", lot.Decision)

	res = h.do(http.MethodPost, "/api/v1/lots/"+lot.ID+"/samples", tech, doc{"serial": "B-1"})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	assert.Equal(t, []string{"defects"}, problemFields(t, res), "a part states its defects")
	res = h.do(http.MethodPost, "/api/v1/lots/"+lot.ID+"/samples", tech, doc{"serial": "B-1", "defects": []any{}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	res = h.do(http.MethodPost, "/api/v1/lots/"+lot.ID+"/samples", tech, doc{"defects": []any{doc{"class": "minor", "code": "dent"}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var added struct {
		Lot    lotBody `json:"lot"`
		Sample struct {
			Number        int             `json:"number"`
			Nonconforming map[string]bool `json:"nonconforming"`
		} `json:"sample"`
	}
	res.JSON(t, &added)
	assert.Equal(t, 2, added.Sample.Number)
	assert.Equal(t, map[string]bool{"critical": false, "major": false, "minor": true}, added.Sample.Nonconforming)
	assert.Equal(t, "rejected", added.Lot.Decision, "minor Ac 0 / Re 1")
	assert.NotNil(t, added.Lot.DecidedAt)
	res = h.do(http.MethodPost, "/api/v1/lots/"+lot.ID+"/samples", tech, doc{"defects": []any{}})
	assert.Equal(t, http.StatusConflict, res.Code, "%s", res.Body)

	for _, tc := range []struct {
		name   string
		body   doc
		fields []string
	}{
		{"lot size below 2", doc{"kind": "parts", "lot_ref": "x", "lot_size": 1, "supplier": "A", "part_type": "screen", "received_at": "2026-08-03T00:00:00Z"}, []string{"lot_size"}},
		{"an AQL off the table and a bad date", doc{"kind": "parts", "lot_ref": "x", "lot_size": 10, "aql": doc{"minor": 3}, "supplier": "A", "part_type": "screen", "received_at": "yesterday"}, []string{"aql.minor", "received_at"}},
		{"a device lot of nobody", doc{"kind": "devices", "lot_ref": "x", "lot_size": 10, "seller_id": "sl_nobody", "received_at": "2026-08-03T00:00:00Z"}, []string{"seller_id"}},
	} {
		res := h.do(http.MethodPost, "/api/v1/lots", tech, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", tc.name, res.Body)
		assert.Equal(t, tc.fields, problemFields(t, res), tc.name)
	}

	// A device lot of the own seller: hidden from the seller until decided.
	res = h.do(http.MethodPost, "/api/v1/lots", tech, doc{"kind": "devices", "lot_ref": "D-1", "lot_size": 2,
		"seller_id": h.Own.ID, "received_at": "2026-08-03T00:00:00Z"})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var dev lotBody
	res.JSON(t, &dev)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/lots/"+dev.ID, seller, nil).Code)
	other := h.createBenchTest(benchTestDoc(t, h.Other.ID, "lot-other"), http.StatusCreated)
	res = h.do(http.MethodPost, "/api/v1/lots/"+dev.ID+"/samples", tech, doc{"bench_test_id": other.ID})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code, "another seller's bench test: %s", res.Body)
	for _, ext := range []string{"lot-1", "lot-2"} {
		bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, ext), http.StatusCreated)
		res = h.do(http.MethodPost, "/api/v1/lots/"+dev.ID+"/samples", tech, doc{"bench_test_id": bt.ID})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	}
	res = h.do(http.MethodGet, "/api/v1/lots/"+dev.ID, seller, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res = h.do(http.MethodGet, "/api/v1/lots", seller, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var list struct {
		Items []lotBody `json:"items"`
	}
	res.JSON(t, &list)
	require.Len(t, list.Items, 1, "a seller lists its own decided device lots, no parts lot")
	assert.Equal(t, dev.ID, list.Items[0].ID)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/lots/"+lot.ID, seller, nil).Code, "parts lots are not a seller's")
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/lots?seller_id="+h.Other.ID, seller, nil).Code)
	res = h.do(http.MethodGet, "/api/v1/lots/"+dev.ID+"/samples", seller, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.Len(t, res.Map(t)["items"], 2)

	res = h.do(http.MethodGet, "/api/v1/lots?kind=parts&decision=rejected", manager, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, lot.ID, list.Items[0].ID)
	assert.Equal(t, http.StatusUnprocessableEntity, h.do(http.MethodGet, "/api/v1/lots?decision=maybe", manager, nil).Code)

	res = h.do(http.MethodGet, "/api/v1/suppliers", manager, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var sup struct {
		Items []struct {
			Supplier          string             `json:"supplier"`
			PartType          string             `json:"part_type"`
			LotsDecided       int                `json:"lots_decided"`
			LotsRejected      int                `json:"lots_rejected"`
			RejectionRate     float64            `json:"rejection_rate"`
			Samples           int                `json:"samples"`
			NonconformingRate map[string]float64 `json:"nonconforming_rate"`
		} `json:"items"`
	}
	res.JSON(t, &sup)
	require.Len(t, sup.Items, 1)
	assert.Equal(t, "Acme", sup.Items[0].Supplier)
	assert.Equal(t, "battery", sup.Items[0].PartType)
	assert.Equal(t, 1, sup.Items[0].LotsRejected)
	assert.Equal(t, 1.0, sup.Items[0].RejectionRate)
	assert.Equal(t, 2, sup.Items[0].Samples)
	assert.Equal(t, map[string]float64{"critical": 0, "major": 0, "minor": 0.5}, sup.Items[0].NonconformingRate)

	res = h.do(http.MethodGet, "/api/v1/lot-streams?kind=parts", tech, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var streams struct {
		Items []struct {
			ID           string `json:"id"`
			State        string `json:"state"`
			LotsDecided  int    `json:"lots_decided"`
			LotsRejected int    `json:"lots_rejected"`
		} `json:"items"`
	}
	res.JSON(t, &streams)
	require.Len(t, streams.Items, 1)
	assert.Equal(t, lot.StreamID, streams.Items[0].ID)
	assert.Equal(t, "normal", streams.Items[0].State, "one rejection does not tighten")
	assert.Equal(t, 1, streams.Items[0].LotsRejected)
	res = h.do(http.MethodPost, "/api/v1/lot-streams/"+lot.StreamID+"/resume", manager, doc{"note": "why not"})
	assert.Equal(t, http.StatusConflict, res.Code, "a stream on normal is not resumed: %s", res.Body)
}
