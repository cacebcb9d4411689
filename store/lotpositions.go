package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/refurbqa/refurbqa/audit"
)

// lotPositionsRow is one row of lot_positions: the sample positions of a lot, drawn when it
// was created and never changed, as the store's JSON array of integers. They are kept out of
// the lot's row so that a sample, which reads and rewrites that row, never carries them.
type lotPositionsRow struct {
	LotID     string `gorm:"column:lot_id;primaryKey"`
	Positions string `gorm:"column:positions"`
}

func (lotPositionsRow) TableName() string { return "lot_positions" }

func encodePositions(p []int) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

// positionsCacheMax bounds the positions the cache holds (8 bytes each): 512 lots of 2,000.
const positionsCacheMax = 1 << 20

// positionsCache keeps the sample positions of lots by lot id, so that showing a lot, and
// answering each of its samples with it, does not read and decode them again. A lot's
// positions never change after it is created, so an entry never goes stale, on this instance
// or because of another one. It keeps a copy of what it is given and hands out its own slice
// (at full capacity, so that an append copies it), which the lots returned share: audit.Lot's
// Positions are read, never changed (audit.LotStore).
type positionsCache struct {
	mu      sync.RWMutex
	entries map[string][]int
	size    int
}

func (c *positionsCache) get(id string) ([]int, bool) {
	c.mu.RLock()
	p, ok := c.entries[id]
	c.mu.RUnlock()
	return p[:len(p):len(p)], ok
}

func (c *positionsCache) put(id string, p []int) {
	if len(p) > positionsCacheMax/64 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string][]int{}
	}
	if _, ok := c.entries[id]; ok {
		return
	}
	// Evict arbitrary entries (map order) until the new one fits.
	for k, old := range c.entries {
		if c.size+len(p) <= positionsCacheMax {
			break
		}
		delete(c.entries, k)
		c.size -= len(old)
	}
	c.entries[id] = slices.Clone(p)
	c.size += len(p)
}

// withPositions fills in the positions of lots, from the cache or, for those it lacks, with
// one read of lot_positions.
func (s *Store) withPositions(ctx context.Context, lots []audit.Lot) error {
	var missing []string
	at := map[string][]int{} // lot id → indexes in lots
	for i := range lots {
		if p, ok := s.positions.get(lots[i].ID); ok {
			lots[i].Positions = p
			continue
		}
		if _, ok := at[lots[i].ID]; !ok {
			missing = append(missing, lots[i].ID)
		}
		at[lots[i].ID] = append(at[lots[i].ID], i)
	}
	if len(missing) == 0 {
		return nil
	}
	var rows []lotPositionsRow
	if err := s.read.WithContext(ctx).Where("lot_id IN ?", missing).Find(&rows).Error; err != nil {
		return translate(err, "lot positions")
	}
	for _, r := range rows {
		var p []int
		if err := json.Unmarshal([]byte(r.Positions), &p); err != nil {
			return fmt.Errorf("lot %s: stored positions: %w", r.LotID, err)
		}
		s.positions.put(r.LotID, p)
		for _, i := range at[r.LotID] {
			lots[i].Positions = p[:len(p):len(p)]
		}
		delete(at, r.LotID)
	}
	for _, id := range missing {
		if _, left := at[id]; left {
			return fmt.Errorf("lot %s: its positions are not stored", id)
		}
	}
	return nil
}
