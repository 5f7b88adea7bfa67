package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/retry"
)

// Metadata is what ENRICH_URL stores as an item's metadata (metadata_json
// in the API). Empty text fields are left out.
type Metadata struct {
	// SourceURL is the URL that was fetched (the item's source_url then).
	SourceURL string `json:"source_url"`
	// FinalURL is the URL that answered, after redirects.
	FinalURL     string `json:"final_url"`
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
	CanonicalURL string `json:"canonical_url,omitempty"`
	SiteName     string `json:"site_name,omitempty"`
	FaviconURL   string `json:"favicon_url,omitempty"`
	// ImageURL is the page's preview image (og:image).
	ImageURL string `json:"image_url,omitempty"`
	Language string `json:"language,omitempty"`
	// ContentType is the response's media type, e.g. text/html or
	// application/pdf; Size how many body bytes were read.
	ContentType string `json:"content_type,omitempty"`
	Charset     string `json:"charset,omitempty"`
	Size        int64  `json:"size"`
	Truncated   bool   `json:"truncated,omitempty"`
	// FetchedAt is when the page was fetched (RFC 3339, UTC).
	FetchedAt time.Time `json:"fetched_at"`
}

func metadataOf(sourceURL string, r enrich.Result, at time.Time) Metadata {
	return Metadata{SourceURL: sourceURL, FinalURL: r.FinalURL, Title: r.Title, Description: r.Description,
		CanonicalURL: r.CanonicalURL, SiteName: r.SiteName, FaviconURL: r.FaviconURL, ImageURL: r.ImageURL,
		Language: r.Language, ContentType: r.ContentType, Charset: r.Charset, Size: r.Size, Truncated: r.Truncated,
		FetchedAt: at.UTC().Truncate(time.Second)}
}

// sameContent reports whether stored metadata already says what m says,
// whenever it was fetched.
func sameContent(stored json.RawMessage, m Metadata) bool {
	var old Metadata
	if err := json.Unmarshal(stored, &old); err != nil || old.SourceURL == "" {
		return false
	}
	old.FetchedAt, m.FetchedAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(old, m)
}

// EnrichWorker runs ENRICH_URL: it fetches the item's current source_url
// with the SSRF-safe enrich.Fetcher and stores the page's metadata on the
// item.
//
// A failed fetch stores its enrich.Failure in the job's metadata, from which
// Job.Reason tells people what went wrong. It is idempotent: running it again (a retry after a crash, a second job)
// stores nothing new unless the page changed, so the item's version and its
// ItemUpdated events move only when the metadata does. A permanent fetch
// failure (refused address, 404, ...) cancels the job with the reason,
// which the API shows as FAILED; anything else is retried with backoff,
// waiting at least as long as a server's Retry-After. At most
// HandlerParams.EnrichPerHost fetches to one host run at once in a process;
// a job for a busy host is snoozed for a second or two (no attempt spent).
type EnrichWorker struct {
	river.WorkerDefaults[EnrichURLArgs]

	items   *item.Service
	fetcher *enrich.Fetcher
	timeout time.Duration
	backoff retry.Backoff
	now     func() time.Time
	hosts   *hostLimiter
	archive bool
	images  bool
	// retryAfter carries a server's Retry-After from Work to NextRetry,
	// which River calls right after Work fails, by job id.
	retryAfter sync.Map
}

// NewEnrichWorker returns the ENRICH_URL worker.
func NewEnrichWorker(p HandlerParams) *EnrichWorker {
	w := &EnrichWorker{items: p.Items, fetcher: enrich.NewFetcher(p.Fetch),
		timeout: p.EnrichTimeout, backoff: p.EnrichRetry.Or(retry.Backoff{Base: DefaultEnrichRetryBase, Max: DefaultRetryMax}), now: p.NowFunc,
		hosts: newHostLimiter(p.EnrichPerHost), archive: p.Archive != nil,
		images: p.Archive != nil && p.Archive.ImagesOn()}
	if w.timeout <= 0 {
		total := p.Fetch.TotalTimeout
		if total <= 0 {
			total = enrich.DefaultTotalTimeout
		}
		w.timeout = total + enrichDBMargin
	}
	if w.now == nil {
		w.now = time.Now
	}
	return w
}

// Timeout implements river.Worker: the fetch's own timeout plus time for
// the database. A job that overruns it is cancelled and retried.
func (w *EnrichWorker) Timeout(*river.Job[EnrichURLArgs]) time.Duration { return w.timeout }

// NextRetry implements river.Worker: exponential backoff, or the server's
// Retry-After if that is longer (up to the backoff's cap).
func (w *EnrichWorker) NextRetry(job *river.Job[EnrichURLArgs]) time.Time {
	var floor time.Duration
	if v, ok := w.retryAfter.LoadAndDelete(job.ID); ok {
		floor = v.(time.Duration)
	}
	return w.now().Add(w.backoff.DelayAtLeast(job.Attempt, floor))
}

// Work enriches one item.
func (w *EnrichWorker) Work(ctx context.Context, job *river.Job[EnrichURLArgs]) error {
	// A failure of this attempt other than the fetch's has no description;
	// the one an earlier attempt stored must not speak for it.
	_ = river.MetadataSet(ctx, failureKey, nil)
	id := job.Args.ItemID
	it, err := w.items.GetForSystem(ctx, id)
	if errors.Is(err, atlas.ErrNotFound) {
		return skipped(ctx, "the item no longer exists")
	}
	if err != nil {
		return fmt.Errorf("enrich item %s: %w", id, err)
	}
	if it.SourceURL == nil {
		return skipped(ctx, "the item has no source_url")
	}
	host, ok := w.hosts.acquire(*it.SourceURL)
	if !ok {
		return river.JobSnooze(busyDelay()) // politeness: the host has enough of our fetches
	}
	defer w.hosts.release(host)
	res, err := w.fetcher.Fetch(ctx, *it.SourceURL)
	if err != nil {
		_ = river.MetadataSet(ctx, failureKey, w.fetcher.Describe(*it.SourceURL, err))
		err = fmt.Errorf("enrich item %s: %w", id, err)
		if retry.IsPermanent(err) {
			return markFailed(ctx, err)
		}
		var se *enrich.StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			w.retryAfter.Store(job.ID, se.RetryAfter)
		}
		return err
	}
	now := w.now()
	meta := metadataOf(*it.SourceURL, res, now)
	text := pageTextOf(*it.SourceURL, res, meta.Language, now)
	out := map[string]any{"outcome": "enriched", "final_url": res.FinalURL, "content_type": res.ContentType,
		"page_text": text.Status(), "page_text_bytes": len(text.Content), "changed": false}
	if text.SkipReason != "" {
		out["page_text_skip_reason"] = text.SkipReason
	}
	params := item.EnrichmentParams{PageText: &text}
	if !sameContent(it.Metadata, meta) {
		raw, err := json.Marshal(meta)
		if err != nil {
			return fmt.Errorf("enrich item %s: encode metadata: %w", id, err)
		}
		params.Metadata = raw
	}
	updated, err := w.items.SetEnrichment(ctx, id, params)
	if errors.Is(err, atlas.ErrNotFound) {
		return skipped(ctx, "the item was deleted during the fetch")
	}
	if err != nil {
		return fmt.Errorf("enrich item %s: %w", id, err)
	}
	if updated.Version != it.Version {
		out["changed"], out["item_version"] = true, updated.Version
	}
	if w.archive && (res.ContentType == "text/html" || res.ContentType == "application/xhtml+xml") {
		if err := enqueueArchive(ctx, job, it); err != nil {
			return fmt.Errorf("enrich item %s: %w", id, err)
		}
		out["archive"] = "queued"
	}
	if w.images {
		// Every time: the job keeps what it made from the same URLs and
		// removes the images a page no longer names.
		if err := enqueueImages(ctx, job, it); err != nil {
			return fmt.Errorf("enrich item %s: %w", id, err)
		}
		out["images"] = "queued"
	}
	return recordOutput(ctx, out)
}

// enqueueImages adds the FETCH_IMAGES job of an enriched item on the
// enrichment job's own queue and priority, as enqueueArchive does.
func enqueueImages(ctx context.Context, job *river.Job[EnrichURLArgs], it item.Item) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("add %s job: %w", archive.KindFetchImages, err)
	}
	_, err = client.Insert(ctx, archive.ImagesArgs{ItemID: it.ID, CollectionID: it.CollectionID},
		&river.InsertOpts{Queue: job.Queue, Priority: job.Priority, Metadata: job.Metadata})
	if err != nil {
		return fmt.Errorf("add %s job: %w", archive.KindFetchImages, err)
	}
	return nil
}

// pageTextOf is the page text to store for a fetch of sourceURL.
func pageTextOf(sourceURL string, r enrich.Result, language string, at time.Time) item.PageText {
	return item.PageText{SourceURL: sourceURL, Content: r.Text.Text, Truncated: r.Text.Truncated, Language: language,
		ContentType: r.ContentType, SkipReason: r.Text.SkipReason, ExtractedAt: at.UTC().Truncate(time.Microsecond)}
}

// skipped completes a job that has nothing to do, saying why.
func skipped(ctx context.Context, reason string) error {
	return recordOutput(ctx, map[string]any{"outcome": "skipped", "reason": reason})
}

// recordOutput stores a job's result in its metadata ("output", shown by
// River UI and the API). It fails only outside a worker or for a value that
// cannot be encoded: programming errors.
func recordOutput(ctx context.Context, out map[string]any) error {
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("record job output: %w", err)
	}
	return nil
}

// enqueueArchive adds the ARCHIVE_PAGE job of an enriched item on the
// enrichment job's own queue and priority (QueueBulk for an import). An
// ARCHIVE_PAGE already queued or running for the item is kept instead.
func enqueueArchive(ctx context.Context, job *river.Job[EnrichURLArgs], it item.Item) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("add %s job: %w", archive.KindArchivePage, err)
	}
	_, err = client.Insert(ctx, archive.PageArgs{ItemID: it.ID, CollectionID: it.CollectionID},
		&river.InsertOpts{Queue: job.Queue, Priority: job.Priority, Metadata: job.Metadata})
	if err != nil {
		return fmt.Errorf("add %s job: %w", archive.KindArchivePage, err)
	}
	return nil
}
