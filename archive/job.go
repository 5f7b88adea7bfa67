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
	"github.com/atlasapp/atlas/jobs/outcome"
)

// KindArchivePage is the River kind of ARCHIVE_PAGE.
const KindArchivePage = "archive_page"

// ArchiveMaxAttempts is how often an ARCHIVE_PAGE job is tried (transient
// network errors only; a page that is too large, too slow or blocked fails
// at once with its reason recorded).
const ArchiveMaxAttempts = 3

// PageArgs is the ARCHIVE_PAGE job: archive the page behind an item's
// current source_url. ENRICH_URL adds it after enriching an HTML page, on
// its own queue (QueueBulk for an import's items).
type PageArgs struct {
	ItemID       uuid.UUID `json:"item_id" river:"unique"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (PageArgs) Kind() string { return KindArchivePage }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per item at a
// time in any state that is not final.
func (PageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: ArchiveMaxAttempts, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled,
		},
	}}
}

// Worker runs ARCHIVE_PAGE through Service.ArchiveItem.
type Worker struct {
	river.WorkerDefaults[PageArgs]
	service *Service
	items   *item.Service
}

// NewWorker returns the ARCHIVE_PAGE worker.
func NewWorker(s *Service, items *item.Service) *Worker { return &Worker{service: s, items: items} }

// Timeout implements river.Worker: the capture's budget plus time for the
// blob store and the database.
func (w *Worker) Timeout(*river.Job[PageArgs]) time.Duration {
	return w.service.capturer.opts.TimeBudget + 30*time.Second
}

// Work archives one item. A permanent failure is recorded on the item by
// ArchiveItem and ends the job (cancelled, its reason as output).
func (w *Worker) Work(ctx context.Context, job *river.Job[PageArgs]) error {
	it, err := w.items.GetForSystem(ctx, job.Args.ItemID)
	if errors.Is(err, atlas.ErrNotFound) {
		return record(ctx, map[string]any{"outcome": "skipped", "reason": "the item no longer exists"})
	}
	if err != nil {
		return fmt.Errorf("archive item %s: %w", job.Args.ItemID, err)
	}
	if it.SourceURL == nil {
		return record(ctx, map[string]any{"outcome": "skipped", "reason": "the item has no source_url"})
	}
	st, err := w.service.ArchiveItem(ctx, it)
	var f *Failure
	if errors.As(err, &f) && !f.Transient {
		return outcome.Fail(ctx, err, map[string]any{"outcome": outcome.Failed, "code": string(f.Code), "reason": f.Reason})
	}
	if errors.Is(err, atlas.ErrNotFound) {
		return record(ctx, map[string]any{"outcome": "skipped", "reason": "the item was deleted during the capture"})
	}
	if err != nil {
		return err
	}
	if st.CapturedBy == CapturedByBrowser {
		return record(ctx, map[string]any{"outcome": "kept", "reason": "the copy sent from the browser is kept"})
	}
	var size int64
	for _, c := range st.Copies {
		size += c.Size
	}
	return record(ctx, map[string]any{"outcome": "archived", "copies": len(st.Copies), "bytes": size, "blocked_resources": st.BlockedResources})
}

func record(ctx context.Context, out map[string]any) error {
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("record job output: %w", err)
	}
	return nil
}
