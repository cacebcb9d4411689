package httpapi

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// The public pages (anything served without a key, for people outside the quality team, such
// as the public seller profiles) are rate-limited per client address, since there is no key to
// count by: a token bucket per address, as the API's limiter keeps one per key (auth.go). Every
// such route is registered with handleLimitedPublic, which any public page of the same kind
// should use too, so that one limit and one table hold for all of them.

// publicSweepFloor is the number of addresses below which the limiter never sweeps.
const publicSweepFloor = 1024

// addressLimiter is a token bucket per client address. Buckets of clients that went quiet are
// forgotten: a bucket that is full again answers exactly as a new one would, so dropping it
// changes no answer. The sweep runs when the table has doubled since the last one, which keeps
// its cost proportional to the requests and the memory to the clients active within the time a
// bucket takes to fill (burst ÷ rate).
type addressLimiter struct {
	limit   rate.Limit
	burst   int
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	sweepAt int // the table size at which the next sweep runs
}

// newAddressLimiter allows perSecond requests per second per client address, burst at once; a
// perSecond of 0 or less lets everything through.
func newAddressLimiter(perSecond float64, burst int, now func() time.Time) *addressLimiter {
	if burst <= 0 {
		burst = int(math.Max(1, math.Ceil(perSecond)))
	}
	return &addressLimiter{limit: rate.Limit(perSecond), burst: burst, now: now,
		buckets: map[string]*rate.Limiter{}, sweepAt: publicSweepFloor}
}

// allow takes a token of the bucket of client (clientKey of its address), or returns a
// *rateLimited with the seconds to wait.
func (l *addressLimiter) allow(client string) error {
	if l.limit <= 0 {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= l.sweepAt {
			l.sweep(now)
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[client] = b
	}
	l.mu.Unlock()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &rateLimited{retryAfter: fmt.Sprint(int(math.Ceil(d.Seconds())))}
	}
	return nil
}

// sweep forgets the buckets that are full at now. It runs with l.mu held.
func (l *addressLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	l.sweepAt = max(publicSweepFloor, 2*len(l.buckets))
}

// size is the number of client addresses the limiter remembers.
func (l *addressLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// clientKey is the bucket of a client address: an IPv4 address (an IPv4-mapped IPv6 one as
// its IPv4 form) by itself, an IPv6 address by its /64, the smallest network that one
// subscriber is given, so that a client cannot reset its limit by moving within its own
// network. Anything that is not an address (there is always one behind a TCP connection) is
// its own bucket.
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// limitByAddress is the middleware of the public pages: a request over its client address's
// limit is 429 with Retry-After. The address is the connection's peer (the server's
// IPExtractor trusts no forwarded header).
func (s *Server) limitByAddress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.publicLimiter.allow(clientKey(c.RealIP())); err != nil {
			return err
		}
		return next(c)
	}
}

// handleLimitedPublic registers a public route (no key: its rule is public) whose requests are
// rate-limited per client address, and whose path parameters are held to plainParams as the
// API's are.
func (s *Server) handleLimitedPublic(method, path string, h echo.HandlerFunc) {
	s.handle(method, path, public, s.limitByAddress(plainParams(h)))
	s.addressLimited[method+" "+path] = true
	if method == "GET" {
		s.addressLimited["HEAD "+path] = true
	}
}

// LimitedByAddress lists the public routes ("METHOD path") that are rate-limited per client
// address, sorted.
func (s *Server) LimitedByAddress() []string {
	out := make([]string, 0, len(s.addressLimited))
	for k := range s.addressLimited {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
