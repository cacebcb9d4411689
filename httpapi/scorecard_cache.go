package httpapi

import (
	"bytes"
	"context"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// scorecardCacheBytes bounds the memory of the cache of approved scorecards (the encoded
// answers; a 12-month scorecard is 7 KiB at the median and up to 68 KiB).
const scorecardCacheBytes = 32 << 20

// scorecardCache keeps the encoded answer of approved scorecards by id. An approved scorecard
// is final: its row is never updated, its review never changes or goes away (approval inserts
// the review) and it is never superseded (a re-audit supersedes only the current draft). What
// does change is the benchmark of its period, shown beside each point, when another
// scorecard of the period is approved, on this instance or another one sharing the database.
// So an entry records the version of the period's benchmark it was encoded with
// (audit.Service.BenchmarkVersion, which every approval of the period moves on in the
// database), and is served only while that is still the period's version: one point read per
// request, instead of the scorecard's row and the period's benchmark. Drafts are never
// cached: another audit may supersede one at any time, or a manager approve it.
type scorecardCache struct{ sizedCache[cachedScorecard] }

type cachedScorecard struct {
	sellerID string
	period   audit.Period
	version  int64 // of the period's benchmark, as body shows it
	body     []byte
	etag     string // strong entity tag of body
}

// put keeps e under id, replacing an entry encoded with an older version of the period's
// benchmark: the benchmark moved on.
func (c *scorecardCache) put(id string, e cachedScorecard) {
	c.keep(id, e, len(e.body), scorecardCacheBytes, func(old cachedScorecard) bool { return old.version < e.version })
}

func (s *Server) scorecards() *scorecardCache { return s.cards }

// encodeScorecard writes the answer of GET /scorecards/{id}: the same bytes as
// writeJSON(toScorecardJSON(sc, cmp)).
func encodeScorecard(sc audit.Scorecard, cmp *audit.MarketComparison) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(512 + len(sc.Result.Points)*320)
	if err := jsonEncode(&b, toScorecardJSON(sc, cmp)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// scorecardBody returns the encoded answer of scorecard id as p may see it: from the cache
// when approved and encoded at the current version of its period's benchmark, else read
// through the service (which decides what p may see), compared with the benchmark and
// encoded. A cache hit skips the read, not the rule: the entry is an approved scorecard of its
// seller, and p.ScorecardVisible decides on it as the service would. Only approved scorecards
// are cached, and only they have an entity tag (etag is empty for a draft, which may still
// change).
func (s *Server) scorecardBody(ctx context.Context, p audit.Principal, id string) (body []byte, etag string, err error) {
	cache := s.scorecards()
	if e, ok := cache.get(id); ok {
		if err := p.ScorecardVisible(audit.Scorecard{ID: id, SellerID: e.sellerID, Status: audit.Approved}); err != nil {
			return nil, "", err
		}
		v, err := s.svc.BenchmarkVersion(ctx, e.period)
		if err != nil {
			return nil, "", err
		}
		if v == e.version {
			return e.body, e.etag, nil
		}
	}
	sc, err := s.svc.Scorecard(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	cmps, err := s.svc.CompareScorecards(ctx, sc)
	if err != nil {
		return nil, "", err
	}
	body, err = encodeScorecard(sc, cmps[0])
	if err != nil {
		return nil, "", err
	}
	if sc.Status != audit.Approved {
		return body, "", nil
	}
	e := cachedScorecard{sellerID: sc.SellerID, period: sc.Period, version: cmps[0].Version, body: body, etag: etagOf(body)}
	cache.put(id, e)
	return e.body, e.etag, nil
}

// writeJSONBytes answers with an encoded JSON body. Its length is known, so it is stated: a
// body larger than net/http's 4 KiB buffer then goes out in one write instead of chunks (the
// gzip middleware drops the length when it compresses).
func writeJSONBytes(c echo.Context, status int, body []byte) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}
