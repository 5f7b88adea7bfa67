package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/retry"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// ItemIndexer sends one item, as Postgres has it now, to the search index
// (or removes it from the index if the item no longer exists). The search
// package's indexer implements it; REINDEX_ITEM goes through the same path
// as the indexer's own updates.
type ItemIndexer interface {
	SyncItem(ctx context.Context, itemID uuid.UUID) error
}

// ErrNoIndexer is the error of a REINDEX_ITEM attempt in a worker that has
// no ItemIndexer wired in. The job is retried, so it succeeds once a worker
// with an indexer picks it up.
var ErrNoIndexer = errors.New("no search indexer is configured in this worker")

// ReindexWorker runs REINDEX_ITEM through an ItemIndexer. Syncing an item is
// idempotent (the index holds the item's version), so retries are safe.
type ReindexWorker struct {
	river.WorkerDefaults[ReindexItemArgs]

	indexer ItemIndexer
	timeout time.Duration
	backoff retry.Backoff
	now     func() time.Time
}

// NewReindexWorker returns the REINDEX_ITEM worker. p.Indexer may be nil
// (see ErrNoIndexer).
func NewReindexWorker(p HandlerParams) *ReindexWorker {
	w := &ReindexWorker{indexer: p.Indexer, timeout: p.ReindexTimeout,
		backoff: p.ReindexRetry.Or(retry.Backoff{Base: DefaultReindexRetryBase, Max: DefaultRetryMax}), now: p.NowFunc}
	if w.timeout <= 0 {
		w.timeout = DefaultReindexTimeout
	}
	if w.now == nil {
		w.now = time.Now
	}
	return w
}

// Timeout implements river.Worker.
func (w *ReindexWorker) Timeout(*river.Job[ReindexItemArgs]) time.Duration { return w.timeout }

// NextRetry implements river.Worker with exponential backoff.
func (w *ReindexWorker) NextRetry(job *river.Job[ReindexItemArgs]) time.Time {
	return w.now().Add(w.backoff.Delay(job.Attempt))
}

// Work syncs the item.
func (w *ReindexWorker) Work(ctx context.Context, job *river.Job[ReindexItemArgs]) error {
	if w.indexer == nil {
		return fmt.Errorf("reindex item %s: %w", job.Args.ItemID, ErrNoIndexer)
	}
	if err := w.indexer.SyncItem(ctx, job.Args.ItemID); err != nil {
		err = fmt.Errorf("reindex item %s: %w", job.Args.ItemID, err)
		if retry.IsPermanent(err) {
			return markFailed(ctx, err)
		}
		return err
	}
	return nil // no output: success says it all, and REINDEX_ITEM is the bulk job
}
