package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
	"github.com/refurbqa/refurbqa/sampling"
)

// The routes of lot inspection by sampling (lots.md §6). The rules, and who sees which lot,
// are audit.Service's; these handlers decode, call it once and present the answer.

// lotRequest is a lot as a client states it. Pointers tell an absent member from a zero one.
type lotRequest struct {
	Kind            string   `json:"kind"`
	LotRef          string   `json:"lot_ref"`
	LotSize         int      `json:"lot_size"`
	InspectionLevel string   `json:"inspection_level"`
	AQL             *aqlJSON `json:"aql"`
	SellerID        string   `json:"seller_id"`
	ListedGrade     string   `json:"listed_grade"`
	Supplier        string   `json:"supplier"`
	PartType        string   `json:"part_type"`
	ReceivedAt      string   `json:"received_at"`
}

type aqlJSON struct {
	Major *float64 `json:"major,omitempty"`
	Minor *float64 `json:"minor,omitempty"`
}

// problemsOf returns the field errors of a decoding error (nil for none).
func problemsOf(err error) []grading.FieldError {
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		return ve.Errors
	}
	return nil
}

func (s *Server) createLot(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var req lotRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	in := audit.Input[audit.NewLot]{Problems: problemsOf(typeErr), Value: audit.NewLot{
		Kind: audit.LotKind(req.Kind), LotRef: req.LotRef, LotSize: req.LotSize, Level: sampling.Level(req.InspectionLevel),
		SellerID: req.SellerID, ListedGrade: grading.Marketplace(req.ListedGrade), Supplier: req.Supplier,
		PartType: audit.PartType(req.PartType)}}
	if req.AQL != nil {
		in.Value.AQLMajor, in.Value.AQLMinor = req.AQL.Major, req.AQL.Minor
	}
	if req.ReceivedAt != "" {
		at, err := time.Parse(time.RFC3339Nano, req.ReceivedAt)
		if err != nil {
			in.Problems = append(in.Problems, grading.FieldError{Field: "received_at", Message: "must be an RFC 3339 timestamp"})
		}
		in.Value.ReceivedAt = at
	}
	l, err := s.svc.CreateLot(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return s.writeLot(c, http.StatusCreated, l)
}

// lotClassJSON is one class of a lot: its plan, its count so far and its decision.
type lotClassJSON struct {
	SampleSize    int    `json:"sample_size"`
	Accept        int    `json:"accept"`
	Reject        int    `json:"reject"`
	Inspected     int    `json:"inspected"`
	Nonconforming int    `json:"nonconforming"`
	Decision      string `json:"decision"`
}

// lotClassesJSON is the classes of a lot, in the order encoding/json writes a map of them.
type lotClassesJSON struct {
	Critical lotClassJSON `json:"critical"`
	Major    lotClassJSON `json:"major"`
	Minor    lotClassJSON `json:"minor"`
}

// lotAQLJSON is the AQLs of a lot, as the percentages of the standard.
type lotAQLJSON struct {
	Major float64 `json:"major"`
	Minor float64 `json:"minor"`
}

// lotJSON is a lot on the wire (lots.md §6). The members of the other kind are null.
type lotJSON struct {
	ID              string         `json:"id"`
	Kind            string         `json:"kind"`
	StreamID        string         `json:"stream_id"`
	LotRef          string         `json:"lot_ref"`
	LotSize         int            `json:"lot_size"`
	InspectionLevel string         `json:"inspection_level"`
	Severity        string         `json:"severity"`
	AQL             lotAQLJSON     `json:"aql"`
	SellerID        *string        `json:"seller_id"`
	ListedGrade     *string        `json:"listed_grade"`
	Supplier        *string        `json:"supplier"`
	PartType        *string        `json:"part_type"`
	ReceivedAt      time.Time      `json:"received_at"`
	CodeLetter      string         `json:"code_letter"`
	SampleSize      int            `json:"sample_size"`
	SamplePositions []int          `json:"sample_positions"`
	Classes         lotClassesJSON `json:"classes"`
	SamplesReceived int            `json:"samples_received"`
	Decision        string         `json:"decision"`
	DecidedAt       *time.Time     `json:"decided_at"`
	CreatedAt       time.Time      `json:"created_at"`
}

func nullable(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func toLotJSON(l audit.Lot) lotJSON {
	out := lotJSON{ID: l.ID, Kind: string(l.Kind), StreamID: l.StreamID, LotRef: l.LotRef, LotSize: l.Plan.LotSize,
		InspectionLevel: string(l.Level), Severity: string(l.Plan.Severity),
		AQL:      lotAQLJSON{Major: l.AQL.Major.Percent(), Minor: l.AQL.Minor.Percent()},
		SellerID: nullable(l.SellerID), ListedGrade: nullable(string(l.ListedGrade)), Supplier: nullable(l.Supplier),
		PartType: nullable(string(l.PartType)), ReceivedAt: l.ReceivedAt, CodeLetter: string(l.Plan.CodeLetter),
		SampleSize: l.Plan.SampleSize, SamplePositions: l.Positions,
		Classes: lotClassesJSON{Critical: toLotClassJSON(l, sampling.Critical), Major: toLotClassJSON(l, sampling.Major),
			Minor: toLotClassJSON(l, sampling.Minor)},
		SamplesReceived: l.Tally.Received, Decision: string(l.Decision), DecidedAt: l.DecidedAt, CreatedAt: l.CreatedAt}
	if out.SamplePositions == nil {
		out.SamplePositions = []int{}
	}
	return out
}

func toLotClassJSON(l audit.Lot, c sampling.Class) lotClassJSON {
	k := l.Class(c)
	return lotClassJSON{SampleSize: k.Plan.SampleSize, Accept: k.Plan.Accept, Reject: k.Plan.Reject,
		Inspected: k.Count.Inspected, Nonconforming: k.Count.Nonconforming, Decision: string(k.Decision)}
}

// sampleRequest is a sample: a bench test of a device lot, or a part with its defects.
type sampleRequest struct {
	BenchTestID string       `json:"bench_test_id"`
	Serial      string       `json:"serial"`
	Defects     []defectJSON `json:"defects"`
}

type defectJSON struct {
	Class string `json:"class"`
	Code  string `json:"code"`
	Note  string `json:"note,omitempty" text:"multiline"`
}

// sampleJSON is a sample on the wire, with the classes it is nonconforming in.
type sampleJSON struct {
	Number        int          `json:"number"`
	BenchTestID   *string      `json:"bench_test_id"`
	Serial        *string      `json:"serial"`
	Defects       []defectJSON `json:"defects"`
	Nonconforming unitJSON     `json:"nonconforming"`
	CreatedAt     time.Time    `json:"created_at"`
}

// unitJSON is the classes a sampled unit is nonconforming in, in the order encoding/json
// writes a map of them.
type unitJSON struct {
	Critical bool `json:"critical"`
	Major    bool `json:"major"`
	Minor    bool `json:"minor"`
}

func toSampleJSON(s audit.LotSample) sampleJSON {
	ds := make([]defectJSON, len(s.Defects))
	for i, d := range s.Defects {
		ds[i] = defectJSON{Class: string(d.Class), Code: d.Code, Note: d.Note}
	}
	return sampleJSON{Number: s.Number, BenchTestID: nullable(s.BenchTestID), Serial: nullable(s.Serial), Defects: ds,
		Nonconforming: unitJSON{Critical: s.Unit.Critical, Major: s.Unit.Major, Minor: s.Unit.Minor},
		CreatedAt:     s.CreatedAt}
}

// addedSampleJSON answers a new sample with the lot it changed.
type addedSampleJSON struct {
	Lot    lotJSON    `json:"lot"`
	Sample sampleJSON `json:"sample"`
}

func (s *Server) addLotSample(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var req sampleRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	in := audit.Input[audit.NewLotSample]{Problems: problemsOf(typeErr),
		Value: audit.NewLotSample{BenchTestID: req.BenchTestID, Serial: req.Serial}}
	if req.Defects != nil {
		in.Value.Defects = make([]audit.Defect, 0, len(req.Defects))
	}
	for _, d := range req.Defects {
		in.Value.Defects = append(in.Value.Defects, audit.Defect{Class: sampling.Class(d.Class), Code: d.Code, Note: d.Note})
	}
	l, sample, err := s.svc.AddLotSample(c.Request().Context(), mustPrincipal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return s.writeAddedSample(c, l, sample)
}

func (s *Server) getLot(c echo.Context) error {
	l, err := s.svc.Lot(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeLot(c, http.StatusOK, l)
}

// listLots lists lots in creation order; a seller its own decided device lots only.
func (s *Server) listLots(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := audit.LotFilter{
		Kind:     audit.LotKind(q.oneOf("kind", string(audit.LotDevices), string(audit.LotParts))),
		SellerID: q.str("seller_id", 64),
		Supplier: q.str("supplier", 200),
		Decision: sampling.Decision(q.oneOf("decision", string(sampling.Pending), string(sampling.Accepted), string(sampling.Rejected))),
	}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.Lots(c.Request().Context(), mustPrincipal(c), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toLotJSON))
}

func (s *Server) listLotSamples(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.LotSamples(c.Request().Context(), mustPrincipal(c), c.Param("id"), page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toSampleJSON))
}

// lotStreamJSON is a stream of lots and its switching state.
type lotStreamJSON struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	SellerID     *string    `json:"seller_id"`
	Supplier     *string    `json:"supplier"`
	PartType     *string    `json:"part_type"`
	State        string     `json:"state"`
	LotsDecided  int        `json:"lots_decided"`
	LotsRejected int        `json:"lots_rejected"`
	ResumedAt    *time.Time `json:"resumed_at"`
	ResumeNote   *string    `json:"resume_note"`
	CreatedAt    time.Time  `json:"created_at"`
}

func toLotStreamJSON(st audit.LotStream) lotStreamJSON {
	return lotStreamJSON{ID: st.ID, Kind: string(st.Kind), SellerID: nullable(st.SellerID), Supplier: nullable(st.Supplier),
		PartType: nullable(string(st.PartType)), State: string(st.Stream.Current()), LotsDecided: st.Stream.Decided,
		LotsRejected: st.Stream.Rejected, ResumedAt: st.ResumedAt, ResumeNote: nullable(st.ResumeNote), CreatedAt: st.CreatedAt}
}

func (s *Server) listLotStreams(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := audit.LotStreamFilter{
		Kind:     audit.LotKind(q.oneOf("kind", string(audit.LotDevices), string(audit.LotParts))),
		SellerID: q.str("seller_id", 64),
		Supplier: q.str("supplier", 200),
	}
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.LotStreams(c.Request().Context(), mustPrincipal(c), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toLotStreamJSON))
}

// resumeRequest is a manager's note on resuming a discontinued stream.
type resumeRequest struct {
	Note string `json:"note" text:"multiline"`
}

func (s *Server) resumeLotStream(c echo.Context) error {
	var req resumeRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	st, err := s.svc.ResumeStream(c.Request().Context(), mustPrincipal(c), c.Param("id"), req.Note)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toLotStreamJSON(st))
}

// supplierJSON is the summary of one supplier and part type.
type supplierJSON struct {
	Supplier          string             `json:"supplier"`
	PartType          string             `json:"part_type"`
	LotsDecided       int                `json:"lots_decided"`
	LotsRejected      int                `json:"lots_rejected"`
	RejectionRate     float64            `json:"rejection_rate"`
	Samples           int                `json:"samples"`
	NonconformingRate map[string]float64 `json:"nonconforming_rate"`
}

func toSupplierJSON(s audit.SupplierSummary) supplierJSON {
	rates := make(map[string]float64, 3)
	for _, c := range sampling.Classes() {
		rates[string(c)] = s.NonconformingRate(c)
	}
	return supplierJSON{Supplier: s.Supplier, PartType: string(s.PartType), LotsDecided: s.LotsDecided,
		LotsRejected: s.LotsRejected, RejectionRate: s.RejectionRate(), Samples: s.Samples, NonconformingRate: rates}
}

// listSuppliers answers the supplier summary over [from, to) as one list (no cursor: one row
// per supplier and part type).
func (s *Server) listSuppliers(c echo.Context) error {
	q := newQuery(c)
	from, to := q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.svc.SupplierSummary(c.Request().Context(), mustPrincipal(c), from, to)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, "", toSupplierJSON))
}
