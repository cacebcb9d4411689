package main

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// The lot-samples scenario adds conforming part samples to parts lots (lots.md §6), as a lab
// logs a delivery of spare parts: the lots are created before the clock starts, large enough
// that every client always has room (lot size 1,000,000 at level III: code letter R, whose
// plan at a major AQL of 0.65 is a sample of 2,000 per lot), and each request takes the next free sample number of the lot it falls in, so that no
// lot ever receives more samples than its sample size.

// lotPool is how many lots the scenario creates: 2,000 samples each, 80,000 in all.
const lotPool = 40

// createLots creates the scenario's parts lots and keeps their sample paths and sample size.
func (r *runner) createLots(ctx context.Context) error {
	for i := range lotPool {
		in := map[string]any{
			"kind": "parts", "lot_ref": "LOAD-" + r.runID + "-" + strconv.Itoa(i), "lot_size": 1_000_000,
			"inspection_level": "III", "aql": map[string]any{"major": 0.65}, "supplier": "Load test supplier " + r.runID, "part_type": "screen",
			"received_at": time.Now().UTC().Format(time.RFC3339),
		}
		var lot struct {
			ID         string `json:"id"`
			SampleSize int    `json:"sample_size"`
		}
		if err := r.call(ctx, "POST", "/api/v1/lots", in, &lot); err != nil {
			return fmt.Errorf("create a lot (a technician's token is needed): %w", err)
		}
		r.paths = append(r.paths, "/api/v1/lots/"+lot.ID+"/samples")
		r.lotSample = lot.SampleSize
	}
	r.logf("%d parts lots of %d samples each", len(r.paths), r.lotSample)
	return nil
}

// lotSamplePath is the lot the next sample goes to: the lots fill one after the other.
func (r *runner) lotSamplePath() (string, bool) {
	k := int(r.seq.Add(1) - 1)
	if r.lotSample == 0 || k/r.lotSample >= len(r.paths) {
		return "", false
	}
	return r.paths[k/r.lotSample], true
}
