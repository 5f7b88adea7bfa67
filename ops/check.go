package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// DefaultCheckTimeout bounds one run of a Check whose Timeout is zero.
const DefaultCheckTimeout = 2 * time.Second

// DefaultReadyCacheTTL is how long a readiness report is reused, so a burst
// of probes costs the dependencies one round of checks.
const DefaultReadyCacheTTL = time.Second

// Check is one readiness check: a dependency the process cannot work
// without. Func returns nil when the dependency answers in time.
type Check struct {
	// Name identifies the check in the /ready report ("postgres", "kafka").
	Name string
	// Func probes the dependency; it must honour ctx's deadline.
	Func func(ctx context.Context) error
	// Timeout bounds one run; zero means DefaultCheckTimeout.
	Timeout time.Duration
}

// Check statuses in a Report.
const (
	StatusOK   = "ok"
	StatusFail = "fail"
)

// CheckResult is the outcome of one check in a Report.
type CheckResult struct {
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	// Error says why the check failed (only on the ops listener; the public
	// API address omits it and the process logs it instead).
	Error string `json:"error,omitempty"`
}

// Report is the answer of /ready: "ok" when every check passed, else
// "fail", with each check's result in the order the checks were added.
type Report struct {
	Status string        `json:"status"`
	Checks []CheckResult `json:"checks"`
}

// Ready reports whether every check passed.
func (r Report) Ready() bool { return r.Status == StatusOK }

// ReadinessOpts tunes NewReadiness.
type ReadinessOpts struct {
	// CacheTTL is how long a report is reused; zero means
	// DefaultReadyCacheTTL, negative disables the cache.
	CacheTTL time.Duration
	// Logger receives failed checks (at warn); nil discards.
	Logger *slog.Logger
}

// Readiness runs a process's checks concurrently and serves the result. It
// is safe for concurrent use; checks may be added at any time.
type Readiness struct {
	ttl time.Duration
	log *slog.Logger

	mu     sync.Mutex // guards checks
	checks []Check

	run    sync.Mutex // one round of checks at a time; guards last*
	last   Report
	lastAt time.Time
}

// NewReadiness returns a Readiness with the given checks.
func NewReadiness(opts ReadinessOpts, checks ...Check) *Readiness {
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultReadyCacheTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Readiness{ttl: opts.CacheTTL, log: opts.Logger}
	r.Add(checks...)
	return r
}

// Add appends checks. A check without a name or function panics: that is a
// programming error, caught at start-up.
func (r *Readiness) Add(checks ...Check) {
	for _, c := range checks {
		if c.Name == "" || c.Func == nil {
			panic("ops: readiness check needs a Name and a Func")
		}
	}
	r.mu.Lock()
	r.checks = append(r.checks, checks...)
	r.mu.Unlock()
	r.run.Lock()
	r.lastAt = time.Time{} // the cached report no longer covers every check
	r.run.Unlock()
}

// Check runs every check concurrently (or reuses a report younger than the
// cache TTL) and reports. A process without checks is ready.
func (r *Readiness) Check(ctx context.Context) Report {
	r.run.Lock()
	defer r.run.Unlock()
	if r.ttl > 0 && !r.lastAt.IsZero() && time.Since(r.lastAt) < r.ttl {
		return r.last
	}
	r.mu.Lock()
	checks := append([]Check(nil), r.checks...)
	r.mu.Unlock()

	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { results[i] = runCheck(ctx, c) })
	}
	wg.Wait()
	rep := Report{Status: StatusOK, Checks: results}
	for _, res := range results {
		if res.Status != StatusOK {
			rep.Status = StatusFail
			r.log.LogAttrs(ctx, slog.LevelWarn, "readiness check failed",
				slog.String("check", res.Name), slog.String("error", res.Error), slog.Float64("latency_ms", res.LatencyMS))
		}
	}
	r.last, r.lastAt = rep, time.Now()
	return rep
}

func runCheck(ctx context.Context, c Check) (res CheckResult) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	res = CheckResult{Name: c.Name, Status: StatusOK}
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.Error = StatusFail, fmt.Sprintf("check panicked: %v", p)
		}
		res.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	}()
	err := c.Func(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // a check that ignored its deadline still failed it
	}
	if err != nil {
		res.Status, res.Error = StatusFail, err.Error()
	}
	return res
}

// Handler serves the report as JSON: 200 when ready, 503 when not. With
// detail false the error texts are left out (for a public address).
func (r *Readiness) Handler(detail bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rep := r.Check(req.Context())
		if !detail {
			checks := make([]CheckResult, len(rep.Checks))
			for i, c := range rep.Checks {
				c.Error = ""
				checks[i] = c
			}
			rep.Checks = checks
		}
		status := http.StatusOK
		if !rep.Ready() {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, rep)
	})
}

// HealthHandler answers liveness probes: 200 {"status":"ok"} whenever the
// process can serve HTTP at all. It checks no dependency, so an outage of
// Postgres never makes an orchestrator restart healthy processes.
func HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": StatusOK})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Pinger is what PostgresCheck needs; *pgxpool.Pool implements it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// PostgresCheck pings the database through the process's pool ("postgres").
// A pool exhausted for longer than the timeout also fails it.
func PostgresCheck(pool Pinger) Check {
	return Check{Name: "postgres", Func: func(ctx context.Context) error {
		if err := pool.Ping(ctx); err != nil {
			return fmt.Errorf("ping postgres: %w", err)
		}
		return nil
	}}
}

// KafkaPinger is what KafkaCheck needs; broker.Cluster implements it (a
// metadata request through a short-lived client with the process's TLS and
// SASL settings, so it reports the cluster's state now rather than a
// connection cached from earlier, and fails at once, with librdkafka's
// reason, when the brokers refuse the client).
type KafkaPinger interface {
	Ping(ctx context.Context) error
}

// KafkaCheck asks the Kafka cluster for its broker list ("kafka").
func KafkaCheck(k KafkaPinger) Check {
	return Check{Name: "kafka", Func: k.Ping}
}

// ElasticsearchPinger is what ElasticsearchCheck needs; *search.Index implements it (through the
// client every process builds from ATLAS_ELASTICSEARCH_*, with its credentials and CA).
type ElasticsearchPinger interface {
	Ready(ctx context.Context) error
}

// ElasticsearchCheck asks the cluster for its health ("elasticsearch"): green and yellow pass (a
// single node is yellow as soon as an index wants replicas); red, refused credentials, an
// untrusted certificate and no answer in time fail, each with its reason.
func ElasticsearchCheck(es ElasticsearchPinger) Check {
	return Check{Name: "elasticsearch", Func: es.Ready}
}
