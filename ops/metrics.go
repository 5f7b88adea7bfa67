package ops

import (
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every Atlas metric.
const Namespace = "atlas"

// latencyBuckets (seconds) suit HTTP requests, job runs and publishes:
// 1 ms to 10 s.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// delayBuckets (seconds) suit end-to-end delays that include queueing and
// retries: 5 ms to 10 minutes.
var delayBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 600}

// NewRegistry returns a registry with the Go runtime and process collectors
// and atlas_build_info{version,goversion} already registered. Each process
// builds one and passes it to the components that record metrics.
func NewRegistry(version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "build_info",
			Help:        "Always 1; the labels name the running build.",
			ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
		}, func() float64 { return 1 }),
	)
	return reg
}

// MetricsHandler serves the registry in the Prometheus text format. A
// collector that fails (a database outage during a scrape) leaves its
// metrics out and is logged; the rest of the scrape still succeeds.
func MetricsHandler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      promLogger{log},
	})
}

// promLogger adapts slog to promhttp's logger.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) {
	l.log.Warn("metrics scrape", slog.Any("error", v))
}

// HTTPMetrics records the HTTP API's traffic. A nil *HTTPMetrics records
// nothing, so servers built without metrics (tools, tests) need no checks.
type HTTPMetrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	inFlight    prometheus.Gauge
	rateLimited *prometheus.CounterVec
}

// NewHTTPMetrics registers the HTTP metrics on reg:
//
//	atlas_http_requests_total{method,route,status}
//	atlas_http_request_duration_seconds{method,route,status}
//	atlas_http_requests_in_flight
//	atlas_http_rate_limited_total{limit}
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: latencyBuckets,
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "rate_limited_total",
			Help: "Requests refused with 429, by the limit that refused them (auth_ip, auth_email, user).",
		}, []string{"limit"}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight, m.rateLimited)
	return m
}

// Start counts a request in flight; call the returned function when it ends.
func (m *HTTPMetrics) Start() func() {
	if m == nil {
		return func() {}
	}
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// Observe records one answered request. route is the router's pattern
// ("/api/v1/items/{id}"), never the raw path, which keeps the label's
// values bounded; unknown methods are recorded as "OTHER" for the same
// reason.
func (m *HTTPMetrics) Observe(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	labels := []string{normalizeMethod(method), route, strconv.Itoa(status)}
	m.requests.WithLabelValues(labels...).Inc()
	m.duration.WithLabelValues(labels...).Observe(d.Seconds())
}

// RateLimited counts one request refused by the named limit.
func (m *HTTPMetrics) RateLimited(limit string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(limit).Inc()
}

func normalizeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	default:
		return "OTHER"
	}
}
