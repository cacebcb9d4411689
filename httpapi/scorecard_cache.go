package httpapi

import (
	"bytes"
	"context"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// scorecardCacheBytes bounds the memory of the cache of approved scorecards (the encoded
// answers; a 12-month scorecard is 7 KiB at the median and up to 68 KiB).
const scorecardCacheBytes = 32 << 20

// scorecardCache keeps the encoded answer of approved scorecards by id. An approved scorecard
// is final: its row is never updated, its review never changes or goes away (approval inserts
// the review) and it is never superseded (a re-audit supersedes only the current draft), so an
// entry, superseded_by null included, never goes stale, on this instance or because of
// another one. Drafts are never cached: another audit may supersede one at any time, or a
// manager approve it.
type scorecardCache struct {
	mu      sync.RWMutex
	entries map[string]cachedScorecard
	size    int
}

type cachedScorecard struct {
	sellerID string
	body     []byte
	etag     string // strong entity tag of body
}

func (c *scorecardCache) get(id string) (cachedScorecard, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	return e, ok
}

func (c *scorecardCache) put(id string, e cachedScorecard) {
	if len(e.body) > scorecardCacheBytes/64 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedScorecard{}
	}
	if _, ok := c.entries[id]; ok {
		return
	}
	// Evict arbitrary entries (map order) until the new one fits.
	for k, old := range c.entries {
		if c.size+len(e.body) <= scorecardCacheBytes {
			break
		}
		delete(c.entries, k)
		c.size -= len(old.body)
	}
	c.entries[id] = e
	c.size += len(e.body)
}

func (s *Server) scorecards() *scorecardCache { return s.cards }

// scorecardHead is the part of scorecardJSON before the points, in the same field order.
type scorecardHead struct {
	ID              string   `json:"id"`
	SellerID        string   `json:"seller_id"`
	PeriodStart     string   `json:"period_start"`
	PeriodEnd       string   `json:"period_end"`
	CharterVersion  string   `json:"charter_version"`
	Status          string   `json:"status"`
	Score           *float64 `json:"score"`
	Tier            string   `json:"tier"`
	EvaluatedPoints int      `json:"evaluated_points"`
	FailedPoints    int      `json:"failed_points"`
	FailedCritical  int      `json:"failed_critical"`
}

// encodeScorecardRaw writes the answer of GET /scorecards/{id} with the stored points JSON
// spliced in as is: the same fields, in the same order, as writeJSON(toScorecardJSON(sc)).
func encodeScorecardRaw(raw store.ScorecardRaw) ([]byte, error) {
	full := toScorecardJSON(raw.Scorecard) // Points is empty: only the other fields are used
	head := scorecardHead{ID: full.ID, SellerID: full.SellerID, PeriodStart: full.PeriodStart, PeriodEnd: full.PeriodEnd,
		CharterVersion: full.CharterVersion, Status: full.Status, Score: full.Score, Tier: full.Tier,
		EvaluatedPoints: full.EvaluatedPoints, FailedPoints: full.FailedPoints, FailedCritical: full.FailedCritical}
	var b bytes.Buffer
	b.Grow(len(raw.Points) + 512)
	if err := jsonEncode(&b, head); err != nil {
		return nil, err
	}
	b.Truncate(bytes.LastIndexByte(b.Bytes(), '}'))
	b.WriteString(`,"points":`)
	b.Write(raw.Points)
	b.WriteString(`,"review":`)
	var tail bytes.Buffer
	if err := jsonEncode(&tail, struct {
		Review       *reviewJSON `json:"review"`
		SupersededBy *string     `json:"superseded_by"`
		CreatedAt    any         `json:"created_at"`
	}{full.Review, full.SupersededBy, full.CreatedAt}); err != nil {
		return nil, err
	}
	// tail is {"review":…,"created_at":…}\n: keep what follows `{"review":`.
	b.Write(tail.Bytes()[len(`{"review":`):])
	return b.Bytes(), nil
}

// scorecardBody returns the encoded answer of one scorecard as p may see it (ownApproved):
// from the cache when approved, else read and encoded. Only approved scorecards are cached,
// and only they have an entity tag (etag is empty for a draft, which may still change).
func (s *Server) scorecardBody(ctx context.Context, p audit.Principal, id string) (body []byte, etag string, err error) {
	cache := s.scorecards()
	status := audit.Approved
	e, ok := cache.get(id)
	if !ok {
		raw, err := s.store.ScorecardRaw(ctx, id)
		if err != nil {
			return nil, "", err
		}
		body, err := encodeScorecardRaw(raw)
		if err != nil {
			return nil, "", err
		}
		e = cachedScorecard{sellerID: raw.Scorecard.SellerID, body: body}
		if status = raw.Scorecard.Status; status == audit.Approved {
			e.etag = etagOf(body)
			cache.put(id, e)
		}
	}
	if err := ownApproved(p, e.sellerID, status, id); err != nil {
		return nil, "", err
	}
	return e.body, e.etag, nil
}

func writeJSONBytes(c echo.Context, status int, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}
