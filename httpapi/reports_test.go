package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

func TestReportDownload(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)

	res := h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownApproved+"/report.pdf", h.token(audit.RoleSeller), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	cd := res.Header.Get("Content-Disposition")
	assert.True(t, strings.HasPrefix(cd, `attachment; filename="refurbqa-own-refurb-2026-07-01-to-2026-09-30.pdf"`), cd)
	require.True(t, bytes.HasPrefix(res.Body, []byte("%PDF-")))

	text := pdftest.Text(t, res.Body)
	assert.Contains(t, text, "Own Refurb")
	assert.Contains(t, text, "QC02")
	assert.Contains(t, text, "3809", "the masked IMEI shows its last four digits")
	assert.NotContains(t, text, "356938035643809", "the full IMEI never appears")
	assert.Contains(t, text, "Page 1 of")

	again := h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownApproved+"/report.pdf", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, again.Code)
	assert.Equal(t, res.Body, again.Body, "the same scorecard on the same day gives the same bytes")

	// Managers may read drafts; sellers never see their drafts or others' reports.
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownDraft+"/report.pdf", h.token(audit.RoleAdmin), nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownDraft+"/report.pdf", h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/"+f.otherApproved+"/report.pdf", h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/sc_missing/report.pdf", h.token(audit.RoleManager), nil).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownApproved+"/report.pdf", h.token(audit.RoleTechnician), nil).Code)
}

// TestReportEvidenceOfKPIMonths: a failed logistics point lists the KPI months behind it with
// their figures, not bare ids.
func TestReportEvidenceOfKPIMonths(t *testing.T) {
	h := newHarness(t)
	manager := h.token(audit.RoleManager)
	late := kpiDoc()
	late["orders"], late["shipped_late"], late["valid_tracking"] = 100, 10, 100
	require.Equal(t, http.StatusOK, h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-11"), manager, late).Code)
	res := h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Own.ID, "period_start": "2026-10-01", "period_end": "2027-01-01"})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	id := res.Map(t)["id"].(string)
	pdf := h.do(http.MethodGet, "/api/v1/scorecards/"+id+"/report.pdf", manager, nil)
	require.Equal(t, http.StatusOK, pdf.Code)
	text := pdftest.Text(t, pdf.Body)
	assert.Contains(t, text, "QC18")
	assert.Contains(t, text, "Month 2026-11")
	assert.Contains(t, text, "10 shipped late")
	assert.NotContains(t, text, "no details found")
}
