package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// DefaultRetention is how long the delivery log is kept
// (ATLAS_WEBHOOK_RETENTION).
const DefaultRetention = 30 * 24 * time.Hour

// cleanupBatch bounds one DELETE, so the cleanup never holds long locks.
const cleanupBatch = 5000

// CleanupArgs is the WEBHOOK_CLEANUP periodic job: delete the delivery log
// older than the retention.
type CleanupArgs struct{}

// Kind implements river.JobArgs.
func (CleanupArgs) Kind() string { return KindCleanup }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 3, UniqueOpts: uniqueWhileActive}
}

// CleanupWorker works WEBHOOK_CLEANUP.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	pool      *pgxpool.Pool
	retention time.Duration
	now       func() time.Time
}

// NewCleanupWorker returns the cleanup worker; retention 0 means
// DefaultRetention.
func NewCleanupWorker(pool *pgxpool.Pool, retention time.Duration) *CleanupWorker {
	if retention <= 0 {
		retention = DefaultRetention
	}
	return &CleanupWorker{pool: pool, retention: retention, now: time.Now}
}

// Work implements river.Worker.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	cutoff := w.now().Add(-w.retention)
	var total int64
	for {
		n, err := store{}.deleteOlder(ctx, w.pool, cutoff, cleanupBatch)
		if err != nil {
			return err
		}
		total += n
		if n < cleanupBatch {
			break
		}
	}
	_ = river.RecordOutput(ctx, map[string]any{"deleted": total})
	return nil
}

// CleanupPeriodicJob runs WEBHOOK_CLEANUP every hour (and at start).
func CleanupPeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// Register returns the function that adds the webhook workers to a River
// worker client (jobs.WorkerParams.Register).
func Register(deliver DeliverParams, retention time.Duration) func(*river.Workers) error {
	return func(w *river.Workers) error {
		if err := river.AddWorkerSafely(w, NewDeliverWorker(deliver)); err != nil {
			return fmt.Errorf("register %s worker: %w", KindDeliver, err)
		}
		if err := river.AddWorkerSafely(w, NewCleanupWorker(deliver.Pool, retention)); err != nil {
			return fmt.Errorf("register %s worker: %w", KindCleanup, err)
		}
		return nil
	}
}
