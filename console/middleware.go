package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/refurbqa/refurbqa/audit"
)

// Session entries.
const (
	// sessionUserKey holds the signed-in user's id.
	sessionUserKey = "user_id"
	// sessionSignedInKey holds when the user signed in (Unix seconds), for the absolute
	// timeout.
	sessionSignedInKey = "signed_in_at"
	// sessionSeenKey holds when the session last served a request (Unix seconds), for the
	// idle timeout.
	sessionSeenKey = "seen_at"
)

// seenEvery is how stale the last-seen time of a session may get before a request writes it
// anew. The idle timeout is kept to within this, and a session costs one database write a
// minute at most rather than one per request (scs's own idle timeout commits on every
// request, each a durable write on the database).
const seenEvery = time.Minute

// middleware wraps the routes, outermost first: logging, recovery and the time limit; the
// security headers; cross-origin protection of every state-changing request (before the
// session is even loaded, so a forged request touches nothing); the session.
func (c *Console) middleware(next http.Handler) http.Handler {
	plain, secure := c.plain.LoadAndSave(next), c.secure.LoadAndSave(next)
	sessions := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.secureRequest(r) {
			secure.ServeHTTP(w, r)
			return
		}
		plain.ServeHTTP(w, r)
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, errCrossOrigin)
	}))
	return c.observe(headers(cop.Handler(sessions)))
}

// secureRequest reports whether the session cookie of r's answer must be Secure.
func (c *Console) secureRequest(r *http.Request) bool { return r.TLS != nil || c.forceSecure }

// sessions returns the session manager of r (see Console.plain).
func (c *Console) sessions(r *http.Request) *scs.SessionManager {
	if c.secureRequest(r) {
		return c.secure
	}
	return c.plain
}

// signedIn is the person behind a request: User is nil when nobody is signed in.
type signedIn struct {
	User *audit.User
}

// principal is the caller the services see; the event trail records the user's id as the
// author of every write.
func (s *signedIn) principal() audit.Principal { return s.User.Principal() }

// session returns who is signed in on r, read afresh from the users table: a session of a
// disabled user is ended here, at its next request.
func (c *Console) session(r *http.Request) (*signedIn, error) {
	sm := c.sessions(r)
	id := sm.GetString(r.Context(), sessionUserKey)
	if id == "" {
		return &signedIn{}, nil
	}
	now := c.now()
	seen := time.Unix(sm.GetInt64(r.Context(), sessionSeenKey), 0)
	signedInAt := time.Unix(sm.GetInt64(r.Context(), sessionSignedInKey), 0)
	if now.Sub(seen) >= IdleTimeout || now.Sub(signedInAt) >= Lifetime {
		if err := sm.Destroy(r.Context()); err != nil {
			return nil, err
		}
		return &signedIn{}, nil
	}
	u, err := c.svc.SignedInUser(r.Context(), id)
	switch {
	case errors.Is(err, audit.ErrUnauthorized):
		if err := sm.Destroy(r.Context()); err != nil {
			return nil, err
		}
		return &signedIn{}, nil
	case err != nil:
		return nil, err
	}
	if now.Sub(seen) >= seenEvery {
		sm.Put(r.Context(), sessionSeenKey, now.Unix())
	}
	return &signedIn{User: &u}, nil
}

// headers sets the headers of every console answer: pages name the signed-in person's data,
// so nothing is cached; only the project's own scripts, styles and images load, nothing runs
// from elsewhere and no other site may frame a page.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// requestInfo is what the log line of a request learns from the handlers below it.
type requestInfo struct {
	pattern string
	userID  string
}

type infoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	info, _ := r.Context().Value(infoKey{}).(*requestInfo)
	return info
}

// statusWriter remembers the status of an answer, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request (never a form value: they hold passwords), turns a panic into
// the 500 page and bounds each request in time.
func (c *Console) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), infoKey{}, info), c.timeout)
		defer cancel()
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				c.log.Error("panic", "panic", p, "route", info.pattern)
				if sw.status == 0 {
					c.fail(sw, r, nil, errors.New("panic"))
				}
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			c.log.LogAttrs(r.Context(), level, "console request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", info.pattern), slog.Int("status", sw.status),
				slog.String("user_id", info.userID),
				slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}
