package ops

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DefaultRiverQueueCacheTTL is how long the River queue collector reuses its
// last query result: scrapes closer together than this cost no SQL.
const DefaultRiverQueueCacheTTL = 5 * time.Second

// riverQueueQuery counts River's jobs by queue and state, leaving out
// completed jobs (River keeps them for a day; counting them would scan the
// table and says nothing about backlog). The first index of
// river_job (state, queue, ...) serves it, and the partial index on
// (state, finalized_at) the finalized states.
const riverQueueQuery = `
SELECT queue, state::text, count(*),
       coalesce(extract(epoch FROM now() - min(scheduled_at) FILTER (WHERE state = 'available')), 0)::float8
FROM river_job
WHERE state IN ('available', 'cancelled', 'discarded', 'pending', 'retryable', 'running', 'scheduled')
GROUP BY queue, state`

// Querier runs SQL; *pgxpool.Pool and pgx.Tx implement it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// RiverQueueOpts tunes NewRiverQueueCollector.
type RiverQueueOpts struct {
	// CacheTTL: zero means DefaultRiverQueueCacheTTL, negative disables.
	CacheTTL time.Duration
	// Timeout bounds the query; zero means DefaultCheckTimeout.
	Timeout time.Duration
}

type riverQueueRow struct {
	queue, state string
	jobs         float64
	oldestAge    float64
}

// riverQueueCollector exports River's backlog, from one cached query.
type riverQueueCollector struct {
	db   Querier
	opts RiverQueueOpts

	jobs, oldest *prometheus.Desc

	mu     sync.Mutex
	rows   []riverQueueRow
	err    error
	readAt time.Time
}

// NewRiverQueueCollector returns a collector of River's job counts; register
// it in the processes that work jobs:
//
//	atlas_river_jobs{queue,state}  jobs not completed, by queue and state
//	atlas_river_oldest_available_job_age_seconds{queue}
//
// A job stuck behind a slow or paused queue shows as a growing age; a
// failed query leaves both out of that scrape (and is logged by the
// metrics handler).
func NewRiverQueueCollector(db Querier, opts RiverQueueOpts) prometheus.Collector {
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultRiverQueueCacheTTL
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultCheckTimeout
	}
	return &riverQueueCollector{
		db: db, opts: opts,
		jobs: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "river", "jobs"),
			"River jobs by queue and state (completed jobs are not counted).", []string{"queue", "state"}, nil),
		oldest: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "river", "oldest_available_job_age_seconds"),
			"How long the oldest job ready to run has been waiting, by queue (0 when none waits).", []string{"queue"}, nil),
	}
}

func (c *riverQueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
}

func (c *riverQueueCollector) Collect(ch chan<- prometheus.Metric) {
	rows, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.jobs, err)
		return
	}
	oldest := map[string]float64{}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, r.jobs, r.queue, r.state)
		if _, seen := oldest[r.queue]; !seen {
			oldest[r.queue] = 0
		}
		if r.state == "available" {
			oldest[r.queue] = max(r.oldestAge, 0)
		}
	}
	for q, age := range oldest {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, q)
	}
}

func (c *riverQueueCollector) read() ([]riverQueueRow, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opts.CacheTTL > 0 && !c.readAt.IsZero() && time.Since(c.readAt) < c.opts.CacheTTL {
		return c.rows, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	c.rows, c.err = queryRiverQueues(ctx, c.db)
	c.readAt = time.Now()
	return c.rows, c.err
}

func queryRiverQueues(ctx context.Context, db Querier) ([]riverQueueRow, error) {
	rows, err := db.Query(ctx, riverQueueQuery)
	if err != nil {
		return nil, fmt.Errorf("count river jobs: %w", err)
	}
	var out []riverQueueRow
	for rows.Next() {
		var r riverQueueRow
		var n int64
		if err := rows.Scan(&r.queue, &r.state, &n, &r.oldestAge); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count river jobs: scan: %w", err)
		}
		r.jobs = float64(n)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count river jobs: %w", err)
	}
	return out, nil
}

// Job attempt outcomes recorded by RiverJobMetrics.
const (
	OutcomeCompleted   = "completed"
	OutcomeFailed      = "failed"    // will be retried
	OutcomeDiscarded   = "discarded" // failed for the last time
	OutcomeCancelled   = "cancelled"
	OutcomeSnoozed     = "snoozed"
	OutcomeInterrupted = "interrupted" // the worker shut down mid-run; the job runs again
)

// RiverJobMetrics records the outcome of every job attempt a worker client
// runs, from the client's event subscription.
type RiverJobMetrics struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	wait     *prometheus.HistogramVec
}

// NewRiverJobMetrics registers on reg:
//
//	atlas_river_job_attempts_total{kind,outcome}
//	atlas_river_job_duration_seconds{kind,outcome}
//	atlas_river_job_queue_wait_seconds{kind}
func NewRiverJobMetrics(reg prometheus.Registerer) *RiverJobMetrics {
	m := &RiverJobMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "river", Name: "job_attempts_total",
			Help: "Job attempts finished by this process, by job kind and outcome (completed, failed, discarded, cancelled, snoozed, interrupted).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "river", Name: "job_duration_seconds",
			Help: "Time a job attempt ran in its worker, by job kind and outcome.", Buckets: latencyBuckets,
		}, []string{"kind", "outcome"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "river", Name: "job_queue_wait_seconds",
			Help: "Time a job waited, ready to run, before a worker started it, by job kind.", Buckets: delayBuckets,
		}, []string{"kind"}),
	}
	reg.MustRegister(m.attempts, m.duration, m.wait)
	return m
}

// riverEventKinds are the job events RiverJobMetrics subscribes to.
var riverEventKinds = []river.EventKind{
	river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled,
	river.EventKindJobSnoozed, river.EventKindJobInterrupted,
}

// Observe records one River event (events other than job outcomes are
// ignored).
func (m *RiverJobMetrics) Observe(ev *river.Event) {
	if ev == nil || ev.Job == nil {
		return
	}
	var outcome string
	switch ev.Kind {
	case river.EventKindJobCompleted:
		outcome = OutcomeCompleted
	case river.EventKindJobFailed:
		outcome = OutcomeFailed
		if ev.Job.State == rivertype.JobStateDiscarded {
			outcome = OutcomeDiscarded
		}
	case river.EventKindJobCancelled:
		outcome = OutcomeCancelled
	case river.EventKindJobSnoozed:
		outcome = OutcomeSnoozed
	case river.EventKindJobInterrupted:
		outcome = OutcomeInterrupted
	default:
		return
	}
	m.attempts.WithLabelValues(ev.Job.Kind, outcome).Inc()
	if ev.JobStats != nil {
		m.duration.WithLabelValues(ev.Job.Kind, outcome).Observe(ev.JobStats.RunDuration.Seconds())
		m.wait.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.QueueWaitDuration.Seconds())
	}
}

// Watch subscribes to the worker client's job events and records them until
// the returned stop function is called or the client stops. stop waits for
// the watcher to end. The client must work queues (an insert-only client
// has no events); River drops events a slow subscriber cannot take, so the
// counts are a lower bound under extreme load.
func (m *RiverJobMetrics) Watch(client *river.Client[pgx.Tx], log *slog.Logger) (stop func()) {
	events, cancel := client.SubscribeConfig(&river.SubscribeConfig{Kinds: riverEventKinds, ChanSize: 10_000})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			m.Observe(ev)
		}
		if log != nil {
			log.Debug("river job metrics stopped")
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}
