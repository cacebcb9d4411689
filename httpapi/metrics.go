package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of one server, in a registry of its own (no globals, so
// tests can build many servers).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   sync.Map // seriesKey → series
}

// newMetrics makes the registry of one server: the HTTP series, the Go runtime and process
// collectors, and extra, the collectors of what httpapi does not own (the database pools).
func newMetrics(extra []prometheus.Collector) (*metrics, error) {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "refurbqa_http_requests_total",
		Help: "HTTP requests by method, route template and status code.",
	}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "refurbqa_http_request_duration_seconds",
		Help:    "HTTP request latency by method and route template.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route"})
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range extra {
		if err := m.registry.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return m, nil
}

// methodLabel is the method label of a request: one of the standard methods, or "other", so
// that made-up methods cannot add series without bound.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// observe records one request. The series of each method, route and status are looked up
// once and kept (routes are templates, so there are few), sparing the label hashing and the
// vector's lock on every request.
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	k := seriesKey{method: method, route: route, status: status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, series{
			requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
			latency:  m.latency.WithLabelValues(method, route),
		})
	}
	ser := v.(series)
	ser.requests.Inc()
	ser.latency.Observe(d.Seconds())
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func (s *Server) handleMetrics(c echo.Context) error {
	// The gzip middleware compresses the answer like any other: promhttp must not do it twice.
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{DisableCompression: true}).ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *Server) handleHealthz(c echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(c echo.Context) error {
	if err := s.ready(c.Request().Context()); err != nil {
		s.log.Warn("not ready", "err", err.Error())
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the database does not answer")
	}
	return writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}
