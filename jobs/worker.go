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

	"github.com/atlasapp/atlas/events"
)

// WorkerParams configures the worker client.
type WorkerParams struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Publisher delivers outbox events (the Kafka producer). Nil means this
	// client does not work the events queue at all (left to other workers;
	// tests of other jobs use it).
	Publisher events.Publisher
	// DefaultWorkers is the concurrency of the default queue.
	DefaultWorkers int
	// Register adds more workers (enrichment, reindexing).
	Register func(*river.Workers) error
	// PeriodicJobs are enqueued on schedule by the leader among the
	// workers (the reconciliation).
	PeriodicJobs []*river.PeriodicJob
	// FetchCooldown bounds how often a queue fetches new jobs. A lane has
	// one worker, so it fetches one job at a time: the cooldown caps a
	// lane's rate (default 2 ms, up to ~500 events/s per lane).
	FetchCooldown time.Duration
	// PollInterval is how often a queue looks for due jobs besides the
	// notifications that new jobs send: retries and scheduled jobs become
	// due without one (default River's, 1 s; tests shorten it).
	PollInterval time.Duration
}

// NewWorkerClient returns a River client that works the outbox lanes and the
// default queue (ENRICH_URL and REINDEX_ITEM, once Register added their
// workers), logging every attempt with its job_id. Start it with Start(ctx);
// stop it with Stop(ctx), which lets running jobs finish.
func NewWorkerClient(p WorkerParams) (*river.Client[pgx.Tx], error) {
	if p.DefaultWorkers <= 0 {
		p.DefaultWorkers = 10
	}
	if p.FetchCooldown <= 0 {
		p.FetchCooldown = 2 * time.Millisecond
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: p.DefaultWorkers}}
	if p.Publisher != nil {
		if err := river.AddWorkerSafely(workers, events.NewPublishWorker(p.Publisher)); err != nil {
			return nil, fmt.Errorf("register publish worker: %w", err)
		}
		// One worker per outbox lane keeps each entity's events in commit
		// order (see events.EventLanes); the lanes publish in parallel.
		for _, q := range events.LaneQueues() {
			queues[q] = river.QueueConfig{MaxWorkers: 1}
		}
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
		Queues:            queues,
		Middleware:        []rivertype.Middleware{&logMiddleware{log: p.Logger}},
		PeriodicJobs:      p.PeriodicJobs,
	})
	if err != nil {
		return nil, fmt.Errorf("river worker client: %w", err)
	}
	return c, nil
}
