package httpapi

import (
	"net/http"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// Public pages: routes that need no key but serve records' data to anyone who has the right
// address (a certificate's verification, and whatever public page registers with
// handlePublicPage), so that a client must not be able to read them as fast as it likes. Each
// is limited per client address by one shared token bucket per address (Config.PublicRateLimit
// and PublicRateBurst): the budget is the client's, whichever public page it reads. The
// operational routes (/healthz, /metrics, the problem pages) are public and unlimited.

// maxPublicClients bounds the client addresses whose buckets are held at once (limiter).
const maxPublicClients = 100_000

// registerLimited registers the public route of h, which limits per client address
// (perAddress), marking it so that the OpenAPI test holds its document to answering 429.
func (s *Server) registerLimited(method, path string, h echo.HandlerFunc) {
	s.handle(method, path, public, h)
	s.limited[method+" "+path] = true
	if method == http.MethodGet {
		s.limited[http.MethodHead+" "+path] = true
	}
}

// RateLimitedPublic returns the public routes limited per client address ("METHOD path").
func (s *Server) RateLimitedPublic() map[string]bool {
	out := make(map[string]bool, len(s.limited))
	for k := range s.limited {
		out[k] = true
	}
	return out
}

// perAddress refuses a request over the rate of its client address with 429 and Retry-After
// (the error table's rateLimited), before the handler reads anything.
func (s *Server) perAddress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.public.allow(clientKey(c.RealIP())); err != nil {
			return err
		}
		return next(c)
	}
}

// clientKey is the bucket of a client address: the address itself for IPv4, its /64 network
// for IPv6, which one host or home usually holds whole and can draw addresses from at will.
// The address is the connection's: forwarded headers are not trusted (New), so behind a
// proxy every client shares the proxy's bucket.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
