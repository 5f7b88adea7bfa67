package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
)

// TypeImportBookmarks works an uploaded bookmark file into a collection
// (see item.Service.RunImport). The imports API, not /api/v1/jobs, shows
// these jobs: what a reader wants of them is the import's report.
const TypeImportBookmarks Type = "IMPORT_BOOKMARKS"

// KindImportBookmarks is the River kind of TypeImportBookmarks.
const KindImportBookmarks = "import_bookmarks"

// Settings of IMPORT_BOOKMARKS and of the enrichment an import queues.
const (
	// ImportMaxAttempts is how often an import is tried; each attempt
	// resumes where the last one stopped.
	ImportMaxAttempts = 10
	// ImportTimeout bounds one attempt (a 100k-bookmark file takes minutes).
	ImportTimeout = time.Hour
	// ImportEnrichPriority is the River priority of the ENRICH_URL jobs an
	// import queues: the lowest. They run on QueueBulk, apart from the
	// enrichment of items people add by hand (default queue, priority 1).
	ImportEnrichPriority = 4
	// ImportSettleMax bounds the wait after each import batch for the
	// outbox to drain (events.WaitPublished): with Kafka down the import
	// goes on, one batch every few seconds, rather than stalling.
	ImportSettleMax = 3 * time.Second
)

// ImportBookmarksArgs is the IMPORT_BOOKMARKS job: one import.
type ImportBookmarksArgs struct {
	ImportID     uuid.UUID `json:"import_id" river:"unique"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (ImportBookmarksArgs) Kind() string { return KindImportBookmarks }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ImportBookmarksArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: ImportMaxAttempts, UniqueOpts: uniqueWhileActive}
}

// EnqueueImport is an item.OnImportQueuedFunc: it adds the import's job in
// the transaction that stores the upload.
func (s *Service) EnqueueImport(ctx context.Context, tx pgx.Tx, imp item.Import) error {
	args := ImportBookmarksArgs{ImportID: imp.ID, CollectionID: imp.CollectionID}
	if _, err := s.river.InsertTx(ctx, tx, args, &river.InsertOpts{Metadata: metadataFor(ctx)}); err != nil {
		return fmt.Errorf("enqueue import: %w", err)
	}
	return nil
}

// EnqueueImportEnrichment is an item.OnImportFunc: it queues ENRICH_URL for
// the items an import batch created on QueueBulk, at ImportEnrichPriority,
// in the batch's transaction. The ENRICH_URL worker's per-host limit keeps
// a big import from hammering one site.
func (s *Service) EnqueueImportEnrichment(ctx context.Context, tx pgx.Tx, created []item.Item) error {
	meta := metadataFor(ctx)
	params := make([]river.InsertManyParams, 0, len(created))
	for _, it := range created {
		if it.SourceURL == nil {
			continue
		}
		params = append(params, river.InsertManyParams{
			Args:       EnrichURLArgs{ItemRef: ItemRef{ItemID: it.ID, CollectionID: it.CollectionID}},
			InsertOpts: &river.InsertOpts{Queue: QueueBulk, Priority: ImportEnrichPriority, Metadata: meta},
		})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := s.river.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue import enrichment: %w", err)
	}
	return nil
}

// ImportWorker runs IMPORT_BOOKMARKS. An attempt that fails (the database
// went away, the process was killed) is retried and resumes after the last
// committed batch; when the attempts run out the import is marked FAILED so
// that its report says so and its stored file is dropped.
type ImportWorker struct {
	river.WorkerDefaults[ImportBookmarksArgs]

	items *item.Service
	opts  item.RunImportOpts
}

// NewImportWorker returns the IMPORT_BOOKMARKS worker.
func NewImportWorker(items *item.Service, opts item.RunImportOpts) *ImportWorker {
	return &ImportWorker{items: items, opts: opts}
}

// Timeout implements river.Worker.
func (w *ImportWorker) Timeout(*river.Job[ImportBookmarksArgs]) time.Duration { return ImportTimeout }

// Work runs the import.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportBookmarksArgs]) error {
	imp, err := w.items.RunImport(ctx, job.Args.ImportID, w.opts)
	if errors.Is(err, atlas.ErrNotFound) {
		return skipped(ctx, "the import no longer exists (its collection was deleted)")
	}
	if err != nil {
		if job.Attempt >= job.MaxAttempts {
			if _, ferr := w.items.FinishImport(context.WithoutCancel(ctx), job.Args.ImportID, item.ImportFailed,
				"the import stopped after repeated failures; what was imported stays"); ferr != nil {
				return fmt.Errorf("%w (and marking the import failed: %v)", err, ferr)
			}
		}
		return err
	}
	return recordOutput(ctx, map[string]any{"outcome": string(imp.Status), "total": imp.Total,
		"created": imp.Created, "updated": imp.Updated, "skipped": imp.Skipped, "failed": imp.Failed})
}
