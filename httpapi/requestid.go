package httpapi

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"sync/atomic"
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
