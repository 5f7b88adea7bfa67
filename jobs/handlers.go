package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs/outcome"
	"github.com/atlasapp/atlas/retry"
)

// Defaults of HandlerParams.
const (
	// DefaultEnrichRetryBase is the delay before the second ENRICH_URL
	// attempt; each later one waits twice as long (30 s, 1 m, 2 m, 4 m).
	DefaultEnrichRetryBase = 30 * time.Second
	// DefaultReindexRetryBase is the same for REINDEX_ITEM (5 s ... 21 m).
	DefaultReindexRetryBase = 5 * time.Second
	// DefaultRetryMax caps any retry delay.
	DefaultRetryMax = time.Hour
	// DefaultReindexTimeout bounds one REINDEX_ITEM attempt.
	DefaultReindexTimeout = 30 * time.Second
	// enrichDBMargin is added to the fetch's total timeout to form the
	// ENRICH_URL job timeout: time for reading and writing the item.
	enrichDBMargin = 15 * time.Second
)

// HandlerParams are the dependencies and limits of the item job handlers.
type HandlerParams struct {
	// Pool reads items.
	Pool *pgxpool.Pool
	// Items stores enrichment results (SetMetadata emits ItemUpdated).
	Items *item.Service
	// Fetch configures the page fetcher of ENRICH_URL. Its zero value is
	// the production configuration; its TotalTimeout plus a margin for the
	// database is the job's timeout unless EnrichTimeout is set. Its
	// AllowLoopback must only ever be set by tests.
	Fetch enrich.FetcherOpts
	// EnrichTimeout overrides the ENRICH_URL job timeout.
	EnrichTimeout time.Duration
	// Indexer sends items to the search index; nil leaves REINDEX_ITEM jobs
	// failing (and retrying) with ErrNoIndexer until one is wired in.
	Indexer ItemIndexer
	// ReindexTimeout bounds a REINDEX_ITEM attempt (DefaultReindexTimeout).
	ReindexTimeout time.Duration
	// EnrichRetry and ReindexRetry are the backoffs between attempts
	// (defaults DefaultEnrichRetryBase / DefaultReindexRetryBase, doubling,
	// capped at DefaultRetryMax).
	EnrichRetry  retry.Backoff
	ReindexRetry retry.Backoff
	// EnrichPerHost caps the ENRICH_URL fetches to one host that this
	// process runs at once (DefaultEnrichPerHost); jobs over it wait.
	EnrichPerHost int
	// Import tunes IMPORT_BOOKMARKS (batch size).
	Import item.RunImportOpts
	// NowFunc is the clock (defaults to time.Now).
	NowFunc func() time.Time
	// Archive, when set, archives pages: ENRICH_URL adds an ARCHIVE_PAGE
	// job after enriching an HTML page, and Register adds its worker; when
	// its preview images are on, ENRICH_URL adds a FETCH_IMAGES job after
	// every enrichment too. Nil when no archive store is configured.
	Archive *archive.Service
}

// Register returns the function WorkerParams.Register takes: it adds the
// ENRICH_URL, REINDEX_ITEM and IMPORT_BOOKMARKS workers, ARCHIVE_PAGE's
// when HandlerParams.Archive is set, and FETCH_IMAGES' when its preview
// images are on.
func Register(p HandlerParams) func(*river.Workers) error {
	return func(w *river.Workers) error {
		if err := river.AddWorkerSafely(w, NewEnrichWorker(p)); err != nil {
			return fmt.Errorf("register %s worker: %w", KindEnrichURL, err)
		}
		if err := river.AddWorkerSafely(w, NewReindexWorker(p)); err != nil {
			return fmt.Errorf("register %s worker: %w", KindReindexItem, err)
		}
		imports := p.Import
		if imports.Settle == nil {
			imports.Settle = func(ctx context.Context) error {
				_, err := events.WaitPublished(ctx, p.Pool, ImportSettleMax)
				return err
			}
		}
		if err := river.AddWorkerSafely(w, NewImportWorker(p.Items, imports)); err != nil {
			return fmt.Errorf("register %s worker: %w", KindImportBookmarks, err)
		}
		if p.Archive != nil {
			if err := river.AddWorkerSafely(w, archive.NewWorker(p.Archive, p.Items)); err != nil {
				return fmt.Errorf("register %s worker: %w", archive.KindArchivePage, err)
			}
		}
		if p.Archive != nil && p.Archive.ImagesOn() {
			if err := river.AddWorkerSafely(w, archive.NewImagesWorker(p.Archive, p.Items)); err != nil {
				return fmt.Errorf("register %s worker: %w", archive.KindFetchImages, err)
			}
		}
		return nil
	}
}

// markFailed records in the job's metadata that its handler gave up for
// good (see StatusOf), its reason as the job's output, and cancels the job
// so River does not retry it.
func markFailed(ctx context.Context, err error) error {
	return outcome.Fail(ctx, err, map[string]any{"outcome": outcome.Failed, "reason": err.Error()})
}

// logMiddleware runs every job attempt under the correlation ids of the
// request that caused it and logs it with the stable keys job_id, kind,
// attempt, request_id and trace_id: failures at warn, the rest at debug.
type logMiddleware struct {
	river.MiddlewareDefaults
	log *slog.Logger
}

// Work implements rivertype.WorkerMiddleware.
func (m *logMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	ids := jobCorrelation(job)
	ctx = correlation.With(ctx, ids)
	err := doInner(ctx)
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !m.log.Enabled(ctx, level) {
		return err
	}
	attrs := []slog.Attr{slog.Int64("job_id", job.ID), slog.String("kind", job.Kind),
		slog.Int("attempt", job.Attempt), slog.Duration("duration", time.Since(start)),
		slog.String("request_id", ids.RequestID), slog.String("trace_id", ids.TraceID)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	m.log.LogAttrs(ctx, level, "job attempt", attrs...)
	return err
}
