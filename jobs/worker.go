package jobs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// WorkerParams configures the worker client.
type WorkerParams struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// DefaultWorkers is the concurrency of the default queue.
	DefaultWorkers int
	// BulkWorkers is the concurrency of QueueBulk (DefaultBulkWorkers when
	// zero).
	BulkWorkers int
	// Register adds more workers (enrichment, reindexing).
	Register func(*river.Workers) error
	// Queues are more queues to work beside the default and bulk ones
	// (the webhook deliveries').
	Queues map[string]river.QueueConfig
	// PeriodicJobs are enqueued on schedule by the leader among the
	// workers (the reconciliation).
	PeriodicJobs []*river.PeriodicJob
	// FetchCooldown bounds how often the default queue fetches new jobs
	// (default 2 ms).
	FetchCooldown time.Duration
	// RescueStuckJobsAfter is how long a job may stay running before River
	// makes it available again, presuming its worker died (killed, OOM,
	// node lost); default DefaultRescueStuckJobsAfter. It must exceed the
	// longest job timeout, or a slow but live job runs twice.
	RescueStuckJobsAfter time.Duration
	// PollInterval is how often a queue looks for due jobs besides the
	// notifications that new jobs send: retries and scheduled jobs become
	// due without one (default River's, 1 s; tests shorten it).
	PollInterval time.Duration
}

// QueueBulk is the queue of work set off many items at a time, the
// enrichment of an import's links: a handful of workers take it, polling
// at River's pace, so that a 10k-bookmark import's fetches neither take the
// worker's CPU and database connections from the import itself and from
// interactive requests nor queue ahead of the links people add by hand
// (those go to the default queue, which has workers of its own).
const QueueBulk = "bulk"

// DefaultBulkWorkers is QueueBulk's concurrency per worker process. What
// taking an import's enrichment off the default queue's ten workers does
// to other requests during the import is measured by
// BenchmarkImportEveryProcess in cmd/atlas; see the README.
const DefaultBulkWorkers = 2

// bulkFetchCooldown is how often QueueBulk looks for jobs at most (River's
// default; the default queue's 2 ms is for the latency of a single job).
const bulkFetchCooldown = 100 * time.Millisecond

// DefaultRescueStuckJobsAfter bounds how long a crashed worker strands its
// running jobs (River's default is an hour). ENRICH_URL runs for at most
// ATLAS_ENRICH_TIMEOUT plus a few seconds, REINDEX_ITEM 30 s.
const DefaultRescueStuckJobsAfter = 2 * time.Minute

// NewWorkerClient returns a River client that works the default queue
// (ENRICH_URL and REINDEX_ITEM, once Register added their workers) and
// QueueBulk (imports' ENRICH_URL), logging
// every attempt with its job_id. Domain events do not go through River: the
// events.Drainer publishes them. Start it with Start(ctx);
// stop it with Stop(ctx), which lets running jobs finish.
func NewWorkerClient(p WorkerParams) (*river.Client[pgx.Tx], error) {
	if p.DefaultWorkers <= 0 {
		p.DefaultWorkers = 10
	}
	if p.BulkWorkers <= 0 {
		p.BulkWorkers = DefaultBulkWorkers
	}
	if p.FetchCooldown <= 0 {
		p.FetchCooldown = 2 * time.Millisecond
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.RescueStuckJobsAfter <= 0 {
		p.RescueStuckJobsAfter = DefaultRescueStuckJobsAfter
	}
	bulkCooldown := bulkFetchCooldown
	if p.PollInterval > 0 {
		bulkCooldown = min(bulkCooldown, p.PollInterval) // River wants the cooldown ≤ the poll interval
	}
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: p.DefaultWorkers},
		QueueBulk:          {MaxWorkers: p.BulkWorkers, FetchCooldown: bulkCooldown},
	}
	for name, q := range p.Queues {
		queues[name] = q
	}
	if p.Register != nil {
		if err := p.Register(workers); err != nil {
			return nil, err
		}
	}
	c, err := river.NewClient(riverpgxv5.New(p.Pool), &river.Config{
		Logger:            p.Logger,
		Workers:           workers,
		FetchCooldown:     p.FetchCooldown,
		FetchPollInterval: p.PollInterval,
		// Jobs without a Timeout of their own get River's default minute,
		// or less when rescue comes sooner (ATLAS_JOB_RESCUE_AFTER may be
		// 30 s): such a job must have timed out before River rescues it.
		JobTimeout:           min(time.Minute, p.RescueStuckJobsAfter),
		RescueStuckJobsAfter: p.RescueStuckJobsAfter,
		Queues:               queues,
		Middleware:           []rivertype.Middleware{tracing(), &logMiddleware{log: p.Logger}},
		PeriodicJobs:         p.PeriodicJobs,
	})
	if err != nil {
		return nil, fmt.Errorf("river worker client: %w", err)
	}
	return c, nil
}
