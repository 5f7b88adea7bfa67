package ops_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/ops"
)

// scrape serves the registry through the ops handler, checks that the
// text exposition parses and passes promlint, and returns the families.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(ops.NewHandler(ops.HandlerParams{Gatherer: reg}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + ops.PathMetrics)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"), resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	require.NoError(t, err, "exposition does not parse:\n%s", body)

	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems, "promlint")
	return fams
}

// sample returns the value of the family's series whose labels include
// want, failing when there is none.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	m := findSample(fams, name, want)
	require.NotNil(t, m, "no %s%v in scrape", name, want)
	return m
}

func findSample(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	fam, ok := fams[name]
	if !ok {
		return nil
	}
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if have[k] != v {
				match = false
				break
			}
		}
		if match {
			return m
		}
	}
	return nil
}

func labelNames(fam *dto.MetricFamily) []string {
	var names []string
	for _, l := range fam.GetMetric()[0].GetLabel() {
		names = append(names, l.GetName())
	}
	slices.Sort(names)
	return names
}

func TestHTTPMetrics_CountsAndLatencyByRouteMethodStatus(t *testing.T) {
	t.Parallel()
	reg := ops.NewRegistry("v1.2.3")
	m := ops.NewHTTPMetrics(reg)
	done := m.Start()
	m.Observe(http.MethodGet, "/api/v1/items/{id}", 200, 30*time.Millisecond)
	m.Observe(http.MethodGet, "/api/v1/items/{id}", 200, 3*time.Second)
	m.Observe(http.MethodPost, "/api/v1/auth/login", 401, time.Millisecond)
	m.Observe("BREW", "unmatched", 405, time.Millisecond)
	m.RateLimited("auth_ip")

	fams := scrape(t, reg)
	assert.Equal(t, 1.0, sample(t, fams, "atlas_http_requests_in_flight", nil).GetGauge().GetValue())
	done()
	assert.Equal(t, 2.0, sample(t, fams, "atlas_http_requests_total",
		map[string]string{"method": "GET", "route": "/api/v1/items/{id}", "status": "200"}).GetCounter().GetValue())
	assert.Equal(t, 1.0, sample(t, fams, "atlas_http_requests_total",
		map[string]string{"method": "POST", "route": "/api/v1/auth/login", "status": "401"}).GetCounter().GetValue())
	assert.NotNil(t, findSample(fams, "atlas_http_requests_total", map[string]string{"method": "OTHER", "route": "unmatched"}),
		"unknown methods are folded into OTHER")

	h := sample(t, fams, "atlas_http_request_duration_seconds",
		map[string]string{"method": "GET", "route": "/api/v1/items/{id}", "status": "200"}).GetHistogram()
	assert.Equal(t, uint64(2), h.GetSampleCount())
	assert.InDelta(t, 3.03, h.GetSampleSum(), 0.001)
	assert.Equal(t, []string{"method", "route", "status"}, labelNames(fams["atlas_http_request_duration_seconds"]))
	assert.Equal(t, 1.0, sample(t, fams, "atlas_http_rate_limited_total", map[string]string{"limit": "auth_ip"}).GetCounter().GetValue())

	build := sample(t, fams, "atlas_build_info", map[string]string{"version": "v1.2.3"})
	assert.Equal(t, 1.0, build.GetGauge().GetValue())
	assert.Contains(t, fams, "go_goroutines")
	assert.Contains(t, fams, "process_cpu_seconds_total")

	var nilMetrics *ops.HTTPMetrics // servers built without metrics
	nilMetrics.Observe(http.MethodGet, "/", 200, time.Millisecond)
	nilMetrics.RateLimited("user")
	nilMetrics.Start()()
}

func TestPoolCollector_ReportsPoolStats(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t, dbtest.Opts{MaxConns: 3})
	reg := prometheus.NewRegistry()
	reg.MustRegister(ops.NewPoolCollector(pool))

	conn, err := pool.Acquire(context.Background())
	require.NoError(t, err)
	fams := scrape(t, reg)
	conn.Release()

	assert.Equal(t, 1.0, sample(t, fams, "atlas_db_pool_connections", map[string]string{"state": "acquired"}).GetGauge().GetValue())
	assert.Equal(t, 3.0, sample(t, fams, "atlas_db_pool_max_connections", nil).GetGauge().GetValue())
	assert.GreaterOrEqual(t, sample(t, fams, "atlas_db_pool_acquires_total", nil).GetCounter().GetValue(), 1.0)
	assert.GreaterOrEqual(t, sample(t, fams, "atlas_db_pool_new_connections_total", nil).GetCounter().GetValue(), 1.0)
	for _, name := range []string{"atlas_db_pool_acquire_duration_seconds_total", "atlas_db_pool_empty_acquires_total",
		"atlas_db_pool_empty_acquire_wait_seconds_total", "atlas_db_pool_canceled_acquires_total"} {
		assert.Contains(t, fams, name)
	}
	sample(t, fams, "atlas_db_pool_destroyed_connections_total", map[string]string{"reason": "max_lifetime"})
}

// opsTestArgs is a job kind for these tests: it fails when Fail is set.
type opsTestArgs struct {
	Fail bool `json:"fail"`
}

func (opsTestArgs) Kind() string { return "ops_test" }

type opsTestWorker struct {
	river.WorkerDefaults[opsTestArgs]
}

// NextRetry keeps a failed job in retryable for the test's duration.
func (opsTestWorker) NextRetry(*river.Job[opsTestArgs]) time.Time { return time.Now().Add(time.Hour) }

func (opsTestWorker) Work(_ context.Context, job *river.Job[opsTestArgs]) error {
	if job.Args.Fail {
		return errors.New("asked to fail")
	}
	return nil
}

func TestRiverMetrics_QueueDepthAndJobOutcomes(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()

	workers := river.NewWorkers()
	river.AddWorker(workers, opsTestWorker{})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Workers:       workers,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown: 10 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
	})
	require.NoError(t, err)

	reg := prometheus.NewRegistry()
	jobMetrics := ops.NewRiverJobMetrics(reg)
	stopWatch := jobMetrics.Watch(client, nil)
	reg.MustRegister(ops.NewRiverQueueCollector(pool, ops.RiverQueueOpts{CacheTTL: -1}))

	// A backlog on a queue nobody works: two jobs ready for a minute, one
	// scheduled for later.
	for _, opts := range []*river.InsertOpts{
		{Queue: "ops_idle"}, {Queue: "ops_idle"}, {Queue: "ops_idle", ScheduledAt: time.Now().Add(time.Hour)},
	} {
		_, err := client.Insert(ctx, opsTestArgs{}, opts)
		require.NoError(t, err)
	}
	// River marks any job given a ScheduledAt as scheduled (its leader moves
	// it to available later), so age the ready ones directly.
	_, err = pool.Exec(ctx, `UPDATE river_job SET scheduled_at = now() - interval '1 minute' WHERE queue = 'ops_idle' AND state = 'available'`)
	require.NoError(t, err)
	fams := scrape(t, reg)
	assert.Equal(t, 2.0, sample(t, fams, "atlas_river_jobs", map[string]string{"queue": "ops_idle", "state": "available"}).GetGauge().GetValue())
	assert.Equal(t, 1.0, sample(t, fams, "atlas_river_jobs", map[string]string{"queue": "ops_idle", "state": "scheduled"}).GetGauge().GetValue())
	age := sample(t, fams, "atlas_river_oldest_available_job_age_seconds", map[string]string{"queue": "ops_idle"}).GetGauge().GetValue()
	assert.InDelta(t, 60, age, 10)

	// Outcomes on the worked queue: three completions, one failure that will
	// be retried, one that is discarded (last attempt).
	require.NoError(t, client.Start(ctx))
	for range 3 {
		_, err := client.Insert(ctx, opsTestArgs{}, nil)
		require.NoError(t, err)
	}
	_, err = client.Insert(ctx, opsTestArgs{Fail: true}, &river.InsertOpts{MaxAttempts: 5})
	require.NoError(t, err)
	_, err = client.Insert(ctx, opsTestArgs{Fail: true}, &river.InsertOpts{MaxAttempts: 1})
	require.NoError(t, err)

	// The condition runs on a goroutine of its own: it reads the registry
	// directly (scrape needs the test's goroutine), the assertions below
	// scrape once it holds.
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		gathered, err := reg.Gather()
		require.NoError(collect, err)
		fams := map[string]*dto.MetricFamily{}
		for _, f := range gathered {
			fams[f.GetName()] = f
		}
		attempts := func(outcome string) *dto.Metric {
			return findSample(fams, "atlas_river_job_attempts_total", map[string]string{"kind": "ops_test", "outcome": outcome})
		}
		if c := attempts("completed"); assert.NotNil(collect, c, "completed") {
			assert.Equal(collect, 3.0, c.GetCounter().GetValue())
		}
		assert.NotNil(collect, attempts("failed"), "failed")
		assert.NotNil(collect, attempts("discarded"), "discarded")
	}, 15*time.Second, 50*time.Millisecond, "job outcomes not recorded in time")
	fams = scrape(t, reg)
	assert.Equal(t, 1.0, sample(t, fams, "atlas_river_job_attempts_total", map[string]string{"outcome": "discarded"}).GetCounter().GetValue())
	dur := sample(t, fams, "atlas_river_job_duration_seconds", map[string]string{"kind": "ops_test", "outcome": "completed"})
	assert.Equal(t, uint64(3), dur.GetHistogram().GetSampleCount())
	assert.Equal(t, []string{"kind"}, labelNames(fams["atlas_river_job_queue_wait_seconds"]))
	// The retried job waits in retryable; the idle queue is unchanged.
	assert.Equal(t, 1.0, sample(t, fams, "atlas_river_jobs", map[string]string{"queue": river.QueueDefault, "state": "retryable"}).GetGauge().GetValue())
	assert.Equal(t, 1.0, sample(t, fams, "atlas_river_jobs", map[string]string{"queue": river.QueueDefault, "state": "discarded"}).GetGauge().GetValue())

	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, client.Stop(stopCtx))
	stopWatch() // returns once the subscription ended
}

func TestRiverQueueCollector_DatabaseErrorDropsOnlyItsMetrics(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t, dbtest.Opts{MaxConns: 2})
	reg := ops.NewRegistry("test")
	reg.MustRegister(ops.NewRiverQueueCollector(pool, ops.RiverQueueOpts{CacheTTL: -1, Timeout: time.Second}))
	pool.Close()

	srv := httptest.NewServer(ops.MetricsHandler(reg, nil))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the rest of the scrape still succeeds")
	assert.Contains(t, string(body), "atlas_build_info")
	assert.NotContains(t, string(body), "atlas_river_jobs{")
}

func TestPublisherMetrics_LatencyFailuresAndDelay(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 1)
	quiet := slog.New(slog.DiscardHandler)
	good, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Topic: topic, MessageTimeout: 10 * time.Second, Logger: quiet})
	require.NoError(t, err)
	t.Cleanup(good.Close)
	bad, err := broker.NewProducer(broker.ProducerConfig{Brokers: closedPort(t), Topic: topic,
		MessageTimeout: 500 * time.Millisecond, CloseTimeout: 100 * time.Millisecond, Logger: quiet})
	require.NoError(t, err)
	t.Cleanup(bad.Close)

	reg := prometheus.NewRegistry()
	m := ops.NewPublisherMetrics(reg)
	env := testEnvelope(t, time.Now().Add(-2*time.Second))
	n, err := m.Wrap(good).PublishBatch(context.Background(), []events.Envelope{env})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = m.Wrap(bad).PublishBatch(context.Background(), []events.Envelope{env})
	require.Error(t, err)
	require.Zero(t, n)

	fams := scrape(t, reg)
	assert.Equal(t, uint64(1), sample(t, fams, "atlas_outbox_publish_duration_seconds", map[string]string{"outcome": "ok"}).GetHistogram().GetSampleCount())
	assert.Equal(t, uint64(1), sample(t, fams, "atlas_outbox_publish_duration_seconds", map[string]string{"outcome": "error"}).GetHistogram().GetSampleCount())
	assert.Equal(t, 1.0, sample(t, fams, "atlas_outbox_publish_failures_total", map[string]string{"event_type": "ItemCreated"}).GetCounter().GetValue())
	delay := sample(t, fams, "atlas_outbox_event_delay_seconds", nil).GetHistogram()
	assert.Equal(t, uint64(1), delay.GetSampleCount())
	assert.GreaterOrEqual(t, delay.GetSampleSum(), 2.0)
}

func testEnvelope(t *testing.T, occurred time.Time) events.Envelope {
	t.Helper()
	env, err := events.New(events.ItemCreated, nil,
		events.Entity{Type: events.EntityItem, ID: uuid.New(), CollectionID: uuid.New()},
		map[string]any{"title": "metrics"},
		events.Meta{RequestID: "req-" + uuid.NewString(), NowFunc: func() time.Time { return occurred }})
	require.NoError(t, err)
	return env
}

// staticLag is a fixed lag report (the hook's input; broker.Consumer
// provides the real one).
type staticLag map[int32]int64

func (l staticLag) Lag() map[int32]int64 { return l }

func TestConsumerMetrics_ProcessedFailedLatencyAndLag(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := ops.NewConsumerMetrics(reg)
	batch := []broker.Delivery{
		{Envelope: testEnvelope(t, time.Now().Add(-3*time.Second))},
		{Envelope: testEnvelope(t, time.Now().Add(-time.Second))},
	}
	ok := m.WrapHandler("audit", func(context.Context, []broker.Delivery) error { return nil })
	failing := m.WrapHandler("indexer", func(context.Context, []broker.Delivery) error { return errors.New("es down") })
	require.NoError(t, ok(context.Background(), batch))
	require.EqualError(t, failing(context.Background(), batch), "es down")
	m.ObserveLatency("indexer", time.Now().Add(-time.Second))
	unregister := m.RegisterLag("audit", staticLag{0: 5, 3: 0})

	fams := scrape(t, reg)
	assert.Equal(t, 2.0, sample(t, fams, "atlas_consumer_records_processed_total", map[string]string{"consumer": "audit"}).GetCounter().GetValue())
	assert.Equal(t, 2.0, sample(t, fams, "atlas_consumer_records_failed_total", map[string]string{"consumer": "indexer"}).GetCounter().GetValue())
	assert.Nil(t, findSample(fams, "atlas_consumer_records_processed_total", map[string]string{"consumer": "indexer"}))
	assert.Equal(t, uint64(1), sample(t, fams, "atlas_consumer_batch_duration_seconds", map[string]string{"consumer": "indexer", "outcome": "error"}).GetHistogram().GetSampleCount())
	lat := sample(t, fams, "atlas_consumer_event_latency_seconds", map[string]string{"consumer": "audit"}).GetHistogram()
	assert.Equal(t, uint64(2), lat.GetSampleCount())
	assert.InDelta(t, 4.0, lat.GetSampleSum(), 0.5)
	assert.Equal(t, uint64(1), sample(t, fams, "atlas_consumer_event_latency_seconds", map[string]string{"consumer": "indexer"}).GetHistogram().GetSampleCount())
	assert.Equal(t, 5.0, sample(t, fams, "atlas_consumer_lag_records", map[string]string{"consumer": "audit", "partition": "0"}).GetGauge().GetValue())
	assert.Equal(t, 0.0, sample(t, fams, "atlas_consumer_lag_records", map[string]string{"consumer": "audit", "partition": "3"}).GetGauge().GetValue())

	unregister()
	fams = scrape(t, reg)
	assert.NotContains(t, fams, "atlas_consumer_lag_records")
}

func TestServer_ServesOpsEndpointsAndShutsDown(t *testing.T) {
	t.Parallel()
	reg := ops.NewRegistry("test")
	ready := ops.NewReadiness(noCache, ops.Check{Name: "always", Func: func(context.Context) error { return nil }})
	srv, err := ops.Listen("127.0.0.1:0", ops.NewHandler(ops.HandlerParams{Gatherer: reg, Readiness: ready}), nil)
	require.NoError(t, err)
	srv.Start()
	base := "http://" + srv.Addr()
	for path, want := range map[string]int{ops.PathHealth: 200, ops.PathReady: 200, ops.PathMetrics: 200, "/api/v1/items": 404} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}
	// A second listener on the same port fails at once, naming the address.
	_, err = ops.Listen(srv.Addr(), http.NotFoundHandler(), nil)
	require.ErrorContains(t, err, fmt.Sprintf("ops listener on %s", srv.Addr()))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	_, err = http.Get(base + ops.PathHealth)
	require.Error(t, err, "the listener is closed after Shutdown")
}
