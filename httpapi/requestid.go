package httpapi

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// requestIDs makes the X-Request-Id of each request: a random prefix drawn once per server
// (so ids of different processes and restarts do not collide) and a counter. A request id only
// needs to be unique for correlating log lines; unlike entity ids it need not be unguessable
// or time-ordered, so it takes no lock, no clock and no system call per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	enc := base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)
	return &requestIDs{prefix: "req_" + enc.EncodeToString(b[:]) + "_"}
}

func (g *requestIDs) next() string {
	buf := make([]byte, 0, len(g.prefix)+13)
	buf = append(buf, g.prefix...)
	return string(strconv.AppendUint(buf, g.n.Add(1), 36))
}

// middleware gives every request its X-Request-Id, answered in the response header. A
// client's own id is kept when it is plainIDLength characters or fewer of [A-Za-z0-9._-], so
// that what reaches logs and answers is short and inert; anything else is replaced.
func (g *requestIDs) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !plainRequestID(id) {
			id = g.next()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// plainIDLength is the longest client request id kept.
const plainIDLength = 64

func plainRequestID(id string) bool {
	if id == "" || len(id) > plainIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch ch := id[i]; {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '.', ch == '_', ch == '-':
		default:
			return false
		}
	}
	return true
}
