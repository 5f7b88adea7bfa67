package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/preview"
)

// KindFetchImages is the River kind of FETCH_IMAGES.
const KindFetchImages = "fetch_images"

// ImagesMaxAttempts is how often a FETCH_IMAGES job is tried (transient
// network errors only; a refused image is an outcome, not a failure).
const ImagesMaxAttempts = 3

// ImagesArgs is the FETCH_IMAGES job: make the thumbnails of the preview
// image and site icon an item's metadata names. ENRICH_URL adds it after
// every successful enrichment, on its own queue, when preview images are
// on; the URLs are read from the item when the job runs.
type ImagesArgs struct {
	ItemID       uuid.UUID `json:"item_id" river:"unique"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (ImagesArgs) Kind() string { return KindFetchImages }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per item at a
// time in any state that is not final.
func (ImagesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: ImagesMaxAttempts, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled,
		},
	}}
}

// ImagesWorker runs FETCH_IMAGES through Service.StoreImages.
type ImagesWorker struct {
	river.WorkerDefaults[ImagesArgs]
	service *Service
	items   *item.Service
}

// NewImagesWorker returns the FETCH_IMAGES worker.
func NewImagesWorker(s *Service, items *item.Service) *ImagesWorker {
	return &ImagesWorker{service: s, items: items}
}

// Timeout implements river.Worker: two fetches plus time for the blob
// store and the database.
func (w *ImagesWorker) Timeout(*river.Job[ImagesArgs]) time.Duration {
	return 2*w.service.images.Timeout() + 30*time.Second
}

// Work makes one item's thumbnails; their outcomes are the job's output.
func (w *ImagesWorker) Work(ctx context.Context, job *river.Job[ImagesArgs]) error {
	it, err := w.items.GetForSystem(ctx, job.Args.ItemID)
	if errors.Is(err, atlas.ErrNotFound) {
		return record(ctx, map[string]any{"outcome": "skipped", "reason": "the item no longer exists"})
	}
	if err != nil {
		return fmt.Errorf("item images %s: %w", job.Args.ItemID, err)
	}
	out, err := w.service.StoreImages(ctx, it)
	if errors.Is(err, atlas.ErrNotFound) {
		return record(ctx, map[string]any{"outcome": "skipped", "reason": "the item was deleted during the fetch"})
	}
	var f *preview.Failure
	if err != nil && !errors.As(err, &f) {
		return err
	}
	if rErr := record(ctx, map[string]any{"outcome": "done", "images": out}); rErr != nil {
		return rErr
	}
	return err // a transient failure: retried
}
