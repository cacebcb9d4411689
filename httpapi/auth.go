package httpapi

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/refurbqa/refurbqa/audit"
)

const principalKey = "refurbqa.principal"

func principalOf(c echo.Context) (audit.Principal, bool) {
	p, ok := c.Get(principalKey).(audit.Principal)
	return p, ok
}

// mustPrincipal returns the caller of an authenticated route.
func mustPrincipal(c echo.Context) audit.Principal {
	p, _ := principalOf(c)
	return p
}

// authenticate resolves the bearer token into the request's principal. Unknown, revoked and
// expired tokens are 401. The key is looked up on every request, so a revoked key is refused
// on its very next request on every instance sharing the database. A request the rate limit
// lets through records the key's last use (audit.Service.TouchKey, at most once a minute).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="refurbqa"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "a bearer token is required")
		}
		ctx := c.Request().Context()
		key, err := s.svc.Authenticate(ctx, strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, audit.ErrUnauthorized) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="refurbqa", error="invalid_token"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "the token is unknown, revoked or expired")
			}
			return err
		}
		c.Set(principalKey, key.Principal())
		if err := s.limiter.allow(key.ID); err != nil {
			return err
		}
		if err := s.svc.TouchKey(ctx, key); err != nil {
			s.log.Warn("last_used_at not recorded", "key_id", key.ID, "err", err.Error())
		}
		return next(c)
	}
}

// allow builds the middleware that refuses roles outside a route's rule with 403.
func allow(roles []audit.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := mustPrincipal(c)
			if !slices.Contains(roles, p.Role) {
				return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("the %s role may not do this", p.Role))
			}
			return next(c)
		}
	}
}

// rateLimited is the error of a refused request, with the seconds to wait.
type rateLimited struct{ retryAfter string }

func (e *rateLimited) Error() string { return "rate limit exceeded; retry after " + e.retryAfter + "s" }
func (e *rateLimited) Unwrap() error { return errTooManyRequests }

// limiter is a token bucket per API key.
type limiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	if burst <= 0 {
		burst = int(math.Max(1, math.Ceil(perSecond)))
	}
	return &limiter{limit: rate.Limit(perSecond), burst: burst, now: now, keys: map[string]*rate.Limiter{}}
}

func (l *limiter) allow(keyID string) error {
	if l.limit <= 0 {
		return nil
	}
	l.mu.Lock()
	b, ok := l.keys[keyID]
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.keys[keyID] = b
	}
	l.mu.Unlock()
	now := l.now()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &rateLimited{retryAfter: fmt.Sprint(int(math.Ceil(d.Seconds())))}
	}
	return nil
}
