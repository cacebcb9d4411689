package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
	"github.com/refurbqa/refurbqa/sampling"
)

// This file is the report's part of lot inspection by sampling (lots.md): the seller's device
// lots decided in the period, which are also the records behind the lot metrics of a charter
// that uses them (lots.md §7), and the section that lists them.

// Lot is a device lot of the seller decided in the period, as the report shows it: what was
// submitted, the plan it was inspected under, and its decision.
type Lot struct {
	ID          string
	Ref         string
	Size        int                 // devices in the lot
	ListedGrade grading.Marketplace // the grade the devices are offered under; empty when none
	Severity    sampling.Severity   // normal or tightened inspection
	CodeLetter  sampling.CodeLetter
	SampleSize  int
	Inspected   int // samples received before the decision
	Decision    sampling.Decision
	DecidedAt   time.Time
	// RejectedBy are the classes that rejected the lot, in the order critical, major, minor;
	// none for an accepted lot.
	RejectedBy []LotClass
}

// LotClass is one class of nonconformity of a lot with what its sample found.
type LotClass struct {
	Class         sampling.Class
	Inspected     int // of the class's own sample
	Nonconforming int
	Accept        int // the most nonconforming units the class accepts
}

// deviceLots keeps the seller's decided device lots of in, each once, in the order they were
// decided (then by reference), so that the report does not depend on the order read.
func deviceLots(sellerID string, in []audit.Lot) []Lot {
	var out []Lot
	seen := map[string]bool{}
	for _, l := range in {
		if l.Kind != audit.LotDevices || !l.Decided() || l.DecidedAt == nil || seen[l.ID] ||
			(sellerID != "" && l.SellerID != sellerID) {
			continue
		}
		seen[l.ID] = true
		r := Lot{ID: l.ID, Ref: l.LotRef, Size: l.Plan.LotSize, ListedGrade: l.ListedGrade, Severity: l.Plan.Severity,
			CodeLetter: l.Plan.CodeLetter, SampleSize: l.Plan.SampleSize, Inspected: l.Tally.Received,
			Decision: l.Decision, DecidedAt: l.DecidedAt.UTC()}
		for _, c := range sampling.Classes() {
			lc := l.Class(c)
			if lc.Decision == sampling.Rejected {
				r.RejectedBy = append(r.RejectedBy, LotClass{Class: c, Inspected: lc.Count.Inspected,
					Nonconforming: lc.Count.Nonconforming, Accept: lc.Plan.Accept})
			}
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Lot) int {
		return cmp.Or(a.DecidedAt.Compare(b.DecidedAt), strings.Compare(a.Ref, b.Ref), strings.Compare(a.ID, b.ID))
	})
	return out
}

// lotEvidence describes a rejected lot behind a failed point of the lot metrics.
func lotEvidence(l audit.Lot) Evidence {
	e := Evidence{ID: l.ID, Kind: EvidenceLot, Model: l.LotRef, Grade: string(l.Decision),
		Note: lotPlanWords(l.Plan.LotSize, l.Plan.Severity, l.Plan.CodeLetter, l.Plan.SampleSize)}
	if l.DecidedAt != nil {
		e.Date = l.DecidedAt.UTC()
	}
	if r := deviceLots("", []audit.Lot{l}); len(r) == 1 && len(r[0].RejectedBy) > 0 {
		e.Note += " · rejected on " + rejectionWords(r[0].RejectedBy)
	}
	return e
}

// lotPlanWords reads like "120 devices · tightened inspection · code F, 32 sampled".
func lotPlanWords(size int, sev sampling.Severity, letter sampling.CodeLetter, n int) string {
	return fmt.Sprintf("%s · %s inspection · code %s, %d sampled", plural(size, "device", "devices"), sev, letter, n)
}

// rejectionWords says which classes rejected a lot and how: "major: 2 nonconforming of 8
// inspected, 1 allowed".
func rejectionWords(classes []LotClass) string {
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = fmt.Sprintf("%s: %d nonconforming of %d inspected, %d allowed", c.Class, c.Nonconforming, c.Inspected, c.Accept)
	}
	return strings.Join(parts, "; ")
}

// lotEvidenceOf resolves the lot ids among the evidence of the failed points from the lots
// the report lists: the lot metrics count exactly the lots decided in the period.
func lotEvidenceOf(ids []string, lots []audit.Lot, out map[string]Evidence) {
	byID := make(map[string]audit.Lot, len(lots))
	for _, l := range lots {
		byID[l.ID] = l
	}
	for _, id := range ids {
		if l, ok := byID[id]; ok && strings.HasPrefix(id, audit.PrefixLot+"_") {
			out[id] = lotEvidence(l)
		}
	}
}

func lotColumns() []pdfdoc.Column {
	return []pdfdoc.Column{
		{Title: "Lot", W: 36, Align: "L"},
		{Title: "Devices", W: 16, Align: "R"},
		{Title: "Listed as", W: 20, Align: "L"},
		{Title: "Inspection", W: 22, Align: "L"},
		{Title: "Code · sample", W: 24, Align: "L"},
		{Title: "Decision", W: 40, Align: "L"},
		{Title: "Decided", W: 22, Align: "L"},
	}
}

// lots lists the seller's device lots decided in the period: each lot's plan (ISO 2859-1
// code letter and sample size, under normal or tightened inspection) and its decision, with the
// classes that rejected it.
func (d *report) lots() {
	lots := d.m.Lots
	minBody := 20.0
	if len(lots) == 0 {
		minBody = 8
	}
	d.Section("Device lots inspected by sampling",
		"Lots of the seller’s stock decided in the period, each accepted or rejected on a random sample of its devices (ISO 2859-1).", minBody)
	if len(lots) == 0 {
		d.Note("No device lot of the seller was decided in this period.")
		return
	}
	t := &pdfdoc.Table{Cols: lotColumns(), Size: 8.5}
	t.OnBreak = func() { d.Continued("Device lots inspected by sampling (continued)") }
	d.TableHeader(t)
	rejected := 0
	for _, l := range lots {
		decision := pdfdoc.Cell{Text: "Accepted", Face: bold, Colour: pdfdoc.Green(),
			Sub: plural(l.Inspected, "device inspected", "devices inspected")}
		var fill, marker rgb
		if l.Decision == sampling.Rejected {
			rejected++
			decision = pdfdoc.Cell{Text: "Rejected", Face: bold, Colour: pdfdoc.Red(), Sub: "on " + rejectionWords(l.RejectedBy)}
			fill, marker = pdfdoc.RedTint(), pdfdoc.Red()
		}
		listed := pdfdoc.Cell{Text: string(l.ListedGrade)}
		if l.ListedGrade == "" {
			listed = pdfdoc.Cell{Text: dash, Colour: pdfdoc.Muted()}
		}
		d.Row(t, []pdfdoc.Cell{
			{Text: l.Ref, Face: bold},
			{Text: strconv.Itoa(l.Size)},
			listed,
			{Text: string(l.Severity)},
			{Text: string(l.CodeLetter) + " · " + plural(l.SampleSize, "sample", "samples")},
			decision,
			{Text: formatDate(l.DecidedAt)},
		}, fill, marker)
	}
	d.Note(fmt.Sprintf("%s decided: %d accepted, %d rejected. Two rejections within five lots put the seller’s next lots "+
		"on tightened inspection, with larger samples; five acceptances in a row bring them back to normal.",
		plural(len(lots), "lot", "lots"), len(lots)-rejected, rejected))
}
