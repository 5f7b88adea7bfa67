package reconcile

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Kind is the River kind of the periodic reconciliation job.
const Kind = "reconcile"

// JobArgs are the arguments of a reconciliation job.
type JobArgs struct {
	// Repair re-syncs drifted items (the periodic job always does).
	Repair bool `json:"repair"`
	// GraceSeconds overrides DefaultGrace when positive.
	GraceSeconds int `json:"grace_seconds,omitempty"`
}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return Kind }

// InsertOpts implements river.JobArgsWithInsertOpts: one run at a time, a
// couple of tries (the next period tries again anyway).
func (JobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// Metrics are the gauges a reconciliation run sets.
type Metrics struct {
	search *prometheus.GaugeVec
	audit  *prometheus.GaugeVec
	last   prometheus.Gauge
}

// NewMetrics registers the reconciliation gauges on reg:
// atlas_search_drift_items{kind} (missing, stale, orphan, ahead: items whose
// document differed from Postgres at the last run, before repair),
// atlas_audit_drift_entities{kind} and atlas_reconcile_last_run_timestamp_seconds.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		search: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "atlas_search_drift_items",
			Help: "Items whose search document differed from Postgres at the last reconcile run (before repair), by kind.",
		}, []string{"kind"}),
		audit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "atlas_audit_drift_entities",
			Help: "Items and collections whose creation event was missing from (or duplicated in) the audit trail at the last reconcile run.",
		}, []string{"kind"}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atlas_reconcile_last_run_timestamp_seconds",
			Help: "When the last reconcile run finished (Unix time).",
		}),
	}
	reg.MustRegister(m.search, m.audit, m.last)
	return m
}

// Observe records a run's report.
func (m *Metrics) Observe(r Report, at time.Time) {
	if m == nil {
		return
	}
	m.search.WithLabelValues("missing").Set(float64(r.Missing.Count))
	m.search.WithLabelValues("stale").Set(float64(r.Stale.Count))
	m.search.WithLabelValues("orphan").Set(float64(r.Orphans.Count))
	m.search.WithLabelValues("ahead").Set(float64(r.Ahead.Count))
	m.audit.WithLabelValues("item_without_creation").Set(float64(r.ItemsWithoutCreation.Count))
	m.audit.WithLabelValues("collection_without_creation").Set(float64(r.CollectionsWithoutCreation.Count))
	m.audit.WithLabelValues("duplicate_creation").Set(float64(r.DuplicateCreations.Count))
	m.last.Set(float64(at.Unix()))
}

// Worker runs reconciliation jobs.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	rec     *Reconciler
	metrics *Metrics
}

// NewWorker returns the River worker of reconciliation jobs; metrics may be
// nil.
func NewWorker(rec *Reconciler, metrics *Metrics) *Worker {
	return &Worker{rec: rec, metrics: metrics}
}

// Timeout lets a run over a large index take its time.
func (*Worker) Timeout(*river.Job[JobArgs]) time.Duration { return time.Hour }

// Work runs one reconciliation.
func (w *Worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	grace := DefaultGrace
	if job.Args.GraceSeconds > 0 {
		grace = time.Duration(job.Args.GraceSeconds) * time.Second
	}
	rep, err := w.rec.Run(ctx, Options{Repair: job.Args.Repair, Grace: grace})
	if err != nil {
		return err
	}
	w.metrics.Observe(rep, w.rec.now())
	return nil
}

// PeriodicJob is the reconciliation with repair, every interval (the
// leader among the workers enqueues it, so one runs per interval however
// many workers there are).
func PeriodicJob(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return JobArgs{Repair: true}, nil
	}, nil)
}
