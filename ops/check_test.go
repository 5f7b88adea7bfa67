package ops_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
)

// noCache runs every check on every call.
var noCache = ops.ReadinessOpts{CacheTTL: -1}

// requireCheck runs the readiness and asserts the one check's status.
func requireCheck(t *testing.T, r *ops.Readiness, name, status string) ops.CheckResult {
	t.Helper()
	rep := r.Check(context.Background())
	require.Len(t, rep.Checks, 1)
	res := rep.Checks[0]
	require.Equal(t, name, res.Name)
	require.Equal(t, status, res.Status, "check %s: %+v", name, res)
	require.Equal(t, status == ops.StatusOK, rep.Ready())
	return res
}

func TestPostgresCheck_DownAndBack(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(dbtest.URL(t))
	require.NoError(t, err)
	p := newProxy(t, u.Host)
	u.Host = p.addr
	pool, err := db.Open(context.Background(), db.PoolParams{URL: u.String(), MaxConns: 2})
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	r := ops.NewReadiness(noCache, ops.PostgresCheck(pool))

	requireCheck(t, r, "postgres", ops.StatusOK)
	p.stop()
	res := requireCheck(t, r, "postgres", ops.StatusFail)
	assert.Contains(t, res.Error, "ping postgres")
	p.start()
	requireCheck(t, r, "postgres", ops.StatusOK)
}

func TestPostgresCheck_ClosedPoolFails(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t, dbtest.Opts{MaxConns: 2})
	r := ops.NewReadiness(noCache, ops.PostgresCheck(pool))
	requireCheck(t, r, "postgres", ops.StatusOK)
	pool.Close()
	requireCheck(t, r, "postgres", ops.StatusFail)
}

func TestKafkaCheck_DownAndBack(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	p := newProxy(t, brokers)
	check := ops.KafkaCheck(broker.Cluster{Brokers: p.addr})
	check.Timeout = time.Second
	r := ops.NewReadiness(noCache, check)

	res := requireCheck(t, r, "kafka", ops.StatusOK)
	assert.Less(t, res.LatencyMS, 1000.0)
	p.stop()
	res = requireCheck(t, r, "kafka", ops.StatusFail)
	assert.Contains(t, res.Error, "kafka metadata")
	assert.Less(t, res.LatencyMS, 2500.0, "the check must honour its timeout")
	p.start()
	requireCheck(t, r, "kafka", ops.StatusOK)
}

func TestKafkaCheck_ClosedPortFails(t *testing.T) {
	t.Parallel()
	check := ops.KafkaCheck(broker.Cluster{Brokers: closedPort(t)})
	check.Timeout = 500 * time.Millisecond
	requireCheck(t, ops.NewReadiness(noCache, check), "kafka", ops.StatusFail)
}

func TestElasticsearchCheck_DownAndBack(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(searchtest.URL())
	require.NoError(t, err)
	p := newProxy(t, u.Host)
	u.Host = p.addr
	// No keep-alive: each run reaches the proxy afresh, as a new process would.
	ix, err := search.NewIndex(search.IndexOpts{URLs: []string{u.String()}, Transport: &http.Transport{DisableKeepAlives: true}})
	require.NoError(t, err)
	r := ops.NewReadiness(noCache, ops.ElasticsearchCheck(ix))

	requireCheck(t, r, "elasticsearch", ops.StatusOK)
	p.stop()
	res := requireCheck(t, r, "elasticsearch", ops.StatusFail)
	assert.Contains(t, res.Error, "search ready")
	p.start()
	requireCheck(t, r, "elasticsearch", ops.StatusOK)
}

func TestElasticsearchCheck_RedClusterFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler runs on the server's goroutine: assert, never require (t.FailNow).
		assert.Equal(t, "/_cluster/health", r.URL.Path)
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"red"}`))
	}))
	t.Cleanup(srv.Close)
	ix, err := search.NewIndex(search.IndexOpts{URLs: []string{srv.URL}})
	require.NoError(t, err)
	res := requireCheck(t, ops.NewReadiness(noCache, ops.ElasticsearchCheck(ix)), "elasticsearch", ops.StatusFail)
	assert.Equal(t, `search ready: cluster health is "red"`, res.Error)
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	p := newProxy(t, "127.0.0.1:1")
	p.stop()
	return p.addr
}

func TestReadiness_RunsChecksConcurrentlyAndReportsEach(t *testing.T) {
	t.Parallel()
	slow := func(d time.Duration, err error) func(context.Context) error {
		return func(ctx context.Context) error {
			select {
			case <-time.After(d):
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	r := ops.NewReadiness(noCache,
		ops.Check{Name: "a", Func: slow(200*time.Millisecond, nil)},
		ops.Check{Name: "b", Func: slow(200*time.Millisecond, errors.New("b is down"))},
		ops.Check{Name: "stuck", Func: slow(time.Hour, nil), Timeout: 300 * time.Millisecond},
		ops.Check{Name: "panics", Func: func(context.Context) error { panic("boom") }},
	)
	start := time.Now()
	rep := r.Check(context.Background())
	elapsed := time.Since(start)

	assert.Less(t, elapsed, 900*time.Millisecond, "checks run concurrently")
	require.False(t, rep.Ready())
	require.Equal(t, ops.StatusFail, rep.Status)
	byName := map[string]ops.CheckResult{}
	for _, c := range rep.Checks {
		byName[c.Name] = c
	}
	require.Equal(t, []string{"a", "b", "stuck", "panics"}, []string{rep.Checks[0].Name, rep.Checks[1].Name, rep.Checks[2].Name, rep.Checks[3].Name})
	assert.Equal(t, ops.StatusOK, byName["a"].Status)
	assert.GreaterOrEqual(t, byName["a"].LatencyMS, 200.0)
	assert.Equal(t, "b is down", byName["b"].Error)
	assert.Equal(t, context.DeadlineExceeded.Error(), byName["stuck"].Error)
	assert.InDelta(t, 300, byName["stuck"].LatencyMS, 150)
	assert.Equal(t, "check panicked: boom", byName["panics"].Error)
}

func TestReadiness_CachesReportForTTL(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	r := ops.NewReadiness(ops.ReadinessOpts{CacheTTL: time.Hour},
		ops.Check{Name: "counted", Func: func(context.Context) error { calls.Add(1); return nil }})
	for range 5 {
		require.True(t, r.Check(context.Background()).Ready())
	}
	assert.Equal(t, int32(1), calls.Load())
	// Adding a check invalidates the cached report.
	r.Add(ops.Check{Name: "down", Func: func(context.Context) error { return errors.New("down") }})
	rep := r.Check(context.Background())
	assert.False(t, rep.Ready())
	assert.Len(t, rep.Checks, 2)
	assert.Equal(t, int32(2), calls.Load())
}

func TestReadinessHandler_StatusAndBody(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	r := ops.NewReadiness(noCache,
		ops.Check{Name: "postgres", Func: func(context.Context) error { return nil }},
		ops.Check{Name: "kafka", Func: func(context.Context) error {
			if down.Load() {
				return errors.New("dial tcp 10.0.0.7:9092: connection refused")
			}
			return nil
		}})

	get := func(h http.Handler) (int, map[string]any) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ready", nil))
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
		return rec.Code, body
	}

	code, body := get(r.Handler(true))
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body["status"])
	checks := body["checks"].([]any)
	require.Len(t, checks, 2)
	first := checks[0].(map[string]any)
	assert.Equal(t, "postgres", first["name"])
	assert.Equal(t, "ok", first["status"])
	assert.Contains(t, first, "latency_ms")

	down.Store(true)
	code, body = get(r.Handler(true))
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "fail", body["status"])
	kafka := body["checks"].([]any)[1].(map[string]any)
	assert.Equal(t, "fail", kafka["status"])
	assert.Contains(t, kafka["error"], "connection refused")

	// The public variant says which check failed but not why.
	code, body = get(r.Handler(false))
	require.Equal(t, http.StatusServiceUnavailable, code)
	kafka = body["checks"].([]any)[1].(map[string]any)
	assert.Equal(t, "fail", kafka["status"])
	assert.NotContains(t, kafka, "error")
}

func TestHealthHandler_AlwaysOK(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	ops.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

func TestKafkaCheck_SecuredBrokerRefusingTheClientFailsWithTheReason(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	good := ops.KafkaCheck(broker.Cluster{Brokers: s.Brokers, Security: s.Plain()})
	good.Timeout = 10 * time.Second
	requireCheck(t, ops.NewReadiness(noCache, good), "kafka", ops.StatusOK)

	wrongPassword := s.Plain()
	wrongPassword.Password += "-wrong"
	untrusted := s.Plain()
	untrusted.CAFile = s.OtherCAFile
	for name, tc := range map[string]struct {
		sec    broker.Security
		reason string
	}{
		"wrong password":        {wrongPassword, "SASL authentication error: Authentication failed: Invalid username or password"},
		"untrusted certificate": {untrusted, "certificate verify failed"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check := ops.KafkaCheck(broker.Cluster{Brokers: s.Brokers, Security: tc.sec})
			check.Timeout = 10 * time.Second
			res := requireCheck(t, ops.NewReadiness(noCache, check), "kafka", ops.StatusFail)
			assert.Contains(t, res.Error, "kafka authentication failed")
			assert.Contains(t, res.Error, tc.reason)
			assert.Less(t, res.LatencyMS, 5000.0, "a refused client fails the check at once, not at its timeout")
		})
	}
}
