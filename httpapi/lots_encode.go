package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// Every sample of a lot is answered with the whole lot (lots.md §6), whose sample positions —
// up to 2,000 integers, 14 KB — never change once the lot is created. Encoding them with
// encoding/json on every answer was most of the cost of the answer, so they are encoded once
// per lot, kept here, and spliced into the lot document the rest of which encoding/json writes
// as usual. The answer is byte for byte what jsonEncode(toLotJSON(l)) writes.

// positionsCacheBytes bounds the memory of the encoded positions (512 lots of 2,000 positions
// of 7 digits).
const positionsCacheBytes = 8 << 20

// positionsCache keeps the encoded sample positions of lots by lot id. A lot's positions are
// drawn when it is created and never change, so an entry never goes stale, on this instance
// or because of another one.
type positionsCache struct{ sizedCache[[]byte] }

// put keeps the encoded positions of lot id; the first kept stay.
func (c *positionsCache) put(id string, b []byte) {
	c.keep(id, b, len(b), positionsCacheBytes, func([]byte) bool { return false })
}

// appendPositions appends p as encoding/json writes a []int.
func appendPositions(b []byte, p []int) []byte {
	b = append(b, '[')
	for i, v := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, ']')
}

// positionsOf returns the encoded positions of lot l, from the cache when there.
func (s *Server) positionsOf(l audit.Lot) []byte {
	if b, ok := s.positions.get(l.ID); ok {
		return b
	}
	b := appendPositions(make([]byte, 0, 8*len(l.Positions)+2), l.Positions)
	if l.ID != "" {
		s.positions.put(l.ID, b)
	}
	return b
}

// positionsMember is the member toLotJSON leaves null for the positions to be spliced in: a
// key of the lot document, so the only place these bytes can occur in an encoded answer (every
// quote inside a JSON string is escaped, so a string value never holds `"…":`).
var positionsMember = []byte(`"sample_positions":null`)

// errNoPositionsMember is an encoding that lost its positions member, which cannot happen
// while lotJSON has it.
var errNoPositionsMember = errors.New("lot document without sample_positions")

// answerBuffers are the buffers the answers of lots are encoded into, reused: an answer with
// 2,000 positions is 15 KB, once per sample.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeWithPositions answers with v, a document holding one lot encoded with its positions left
// null, with positions in their place: the same bytes as encoding v with the positions in it.
func writeWithPositions(c echo.Context, status int, v any, positions []byte) error {
	doc := answerBuffers.Get().(*bytes.Buffer)
	out := answerBuffers.Get().(*bytes.Buffer)
	defer func() {
		for _, b := range []*bytes.Buffer{doc, out} {
			if b.Cap() <= 1<<20 { // a pathological answer is not kept
				b.Reset()
				answerBuffers.Put(b)
			}
		}
	}()
	if err := appendWithPositions(out, doc, v, positions); err != nil {
		return err
	}
	return writeJSONBytes(c, status, out.Bytes())
}

// appendWithPositions writes v with positions spliced in to out, encoding v in doc first.
func appendWithPositions(out, doc *bytes.Buffer, v any, positions []byte) error {
	if err := jsonEncode(doc, v); err != nil {
		return err
	}
	b := doc.Bytes()
	i := bytes.Index(b, positionsMember)
	if i < 0 {
		return errNoPositionsMember
	}
	key := len(positionsMember) - len("null")
	out.Grow(len(b) + len(positions))
	out.Write(b[:i+key])
	out.Write(positions)
	out.Write(b[i+len(positionsMember):])
	return nil
}

// writeLot answers with lot l.
func (s *Server) writeLot(c echo.Context, status int, l audit.Lot) error {
	v := toLotJSON(l)
	v.SamplePositions = nil
	return writeWithPositions(c, status, v, s.positionsOf(l))
}

// writeAddedSample answers a new sample of lot l.
func (s *Server) writeAddedSample(c echo.Context, l audit.Lot, sample audit.LotSample) error {
	lot := toLotJSON(l)
	lot.SamplePositions = nil
	return writeWithPositions(c, http.StatusCreated, addedSampleJSON{Lot: lot, Sample: toSampleJSON(sample)}, s.positionsOf(l))
}
