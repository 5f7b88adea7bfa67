package jobs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/atlasapp/atlas/events"
)

// WorkerParams configures the worker client.
type WorkerParams struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Publisher delivers outbox events (the Kafka producer).
	Publisher events.Publisher
	// EventWorkers is how many outbox jobs one process publishes at once.
	// One keeps the events of an entity in commit order (see README,
	// "Ordering"); more trades that for throughput.
	EventWorkers int
	// DefaultWorkers is the concurrency of the default queue.
	DefaultWorkers int
	// Register adds more workers (enrichment, reindexing).
	Register func(*river.Workers) error
	// FetchCooldown bounds how often a queue polls for new jobs; lower
	// means lower latency from insert to work (default 20 ms).
	FetchCooldown time.Duration
}

// NewWorkerClient returns a River client that works the events queue (the
// outbox) and the default queue. Start it with Start(ctx); stop it with
// Stop(ctx), which lets running jobs finish.
func NewWorkerClient(p WorkerParams) (*river.Client[pgx.Tx], error) {
	if p.EventWorkers <= 0 {
		p.EventWorkers = 1
	}
	if p.DefaultWorkers <= 0 {
		p.DefaultWorkers = 10
	}
	if p.FetchCooldown <= 0 {
		p.FetchCooldown = 20 * time.Millisecond
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, events.NewPublishWorker(p.Publisher)); err != nil {
		return nil, fmt.Errorf("register publish worker: %w", err)
	}
	if p.Register != nil {
		if err := p.Register(workers); err != nil {
			return nil, err
		}
	}
	c, err := river.NewClient(riverpgxv5.New(p.Pool), &river.Config{
		Logger:        p.Logger,
		Workers:       workers,
		FetchCooldown: p.FetchCooldown,
		Queues: map[string]river.QueueConfig{
			events.QueueEvents: {MaxWorkers: p.EventWorkers},
			river.QueueDefault: {MaxWorkers: p.DefaultWorkers},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("river worker client: %w", err)
	}
	return c, nil
}
