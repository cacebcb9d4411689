package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// eventJSON is one entry of the append-only trail of writes.
type eventJSON struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	KeyID    string    `json:"key_id"`
	Role     string    `json:"role"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
}

// listEvents lists the trail oldest first, filtered by entity, entity id, key and a time range
// [from, to) (RFC 3339 instants, or dates meaning their midnight UTC).
func (s *Server) listEvents(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := audit.EventFilter{
		Entity:   q.str("entity", 64),
		EntityID: q.str("entity_id", 128),
		KeyID:    q.str("key_id", 128),
	}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.Events(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, func(e audit.Event) eventJSON {
		return eventJSON{ID: e.ID, At: e.At, KeyID: e.KeyID, Role: string(e.Role), Action: e.Action, Entity: e.Entity, EntityID: e.EntityID}
	}))
}
