package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/refurbqa/refurbqa/store"
)

// metrics are the Prometheus series of one server, in a registry of its own (no globals, so
// tests can build many servers).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   sync.Map // seriesKey → series
}

func newMetrics(st *store.Store) *metrics {
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
	if st != nil {
		m.registry.MustRegister(newPoolCollector(st))
	}
	return m
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

// poolCollector exports the database pool statistics of both pools.
type poolCollector struct {
	st                         *store.Store
	open, inUse, idle, waitNum *prometheus.Desc
	waitSeconds                *prometheus.Desc
}

func newPoolCollector(st *store.Store) *poolCollector {
	l := []string{"pool"}
	return &poolCollector{st: st,
		open:        prometheus.NewDesc("refurbqa_db_open_connections", "Open database connections.", l, nil),
		inUse:       prometheus.NewDesc("refurbqa_db_in_use_connections", "Database connections in use.", l, nil),
		idle:        prometheus.NewDesc("refurbqa_db_idle_connections", "Idle database connections.", l, nil),
		waitNum:     prometheus.NewDesc("refurbqa_db_wait_count_total", "Waits for a database connection.", l, nil),
		waitSeconds: prometheus.NewDesc("refurbqa_db_wait_seconds_total", "Time spent waiting for a database connection.", l, nil),
	}
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.open, p.inUse, p.idle, p.waitNum, p.waitSeconds} {
		ch <- d
	}
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	w, r := p.st.Stats()
	for name, s := range map[string]struct {
		open, inUse, idle int
		waits             int64
		wait              time.Duration
	}{
		"write": {w.OpenConnections, w.InUse, w.Idle, w.WaitCount, w.WaitDuration},
		"read":  {r.OpenConnections, r.InUse, r.Idle, r.WaitCount, r.WaitDuration},
	} {
		ch <- prometheus.MustNewConstMetric(p.open, prometheus.GaugeValue, float64(s.open), name)
		ch <- prometheus.MustNewConstMetric(p.inUse, prometheus.GaugeValue, float64(s.inUse), name)
		ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(s.idle), name)
		ch <- prometheus.MustNewConstMetric(p.waitNum, prometheus.CounterValue, float64(s.waits), name)
		ch <- prometheus.MustNewConstMetric(p.waitSeconds, prometheus.CounterValue, s.wait.Seconds(), name)
	}
}

func (s *Server) handleMetrics(c echo.Context) error {
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *Server) handleHealthz(c echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		s.log.Warn("not ready", "err", err.Error())
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the database does not answer")
	}
	return writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}
