// Package jobs sets up River, Atlas' job system, in the same Postgres as the
// data: the insert-only client the API uses to enqueue jobs inside its
// transactions, the worker client that runs them, Atlas' item jobs and the
// service behind /api/v1/jobs. River's river_job table is the job store;
// there is no second queue.
//
// # Item jobs
//
// ENRICH_URL (River kind enrich_url) fetches an item's source_url with the
// SSRF-safe enrich.Fetcher and stores what the page says about itself as the
// item's metadata (see Metadata) through item.Service.SetMetadata, which
// emits ItemUpdated through the outbox. Creating an item with a source_url
// enqueues one in the item's own transaction (Service.EnqueueEnrichment is
// an item.OnCreateFunc). REINDEX_ITEM (kind reindex_item) sends an item to
// the search index again through an ItemIndexer. River kinds are
// lower-case; the API names them by Type. When archiving is on
// (HandlerParams.Archive), ENRICH_URL adds an ARCHIVE_PAGE job (package
// archive, kind archive_page) on its own queue after enriching an HTML page.
//
// Both carry the item and its collection in their args (ItemRef): the jobs
// API filters on river_job.args in SQL, served by the partial expression
// indexes of migration 00240 (which also cover the ARCHIVE_PAGE and
// FETCH_IMAGES jobs of package archive, listed by the same API). Only the item id takes part in uniqueness:
// one job per kind and item may be queued or running at a time (adding
// another returns the existing one), so an item is never enriched twice at
// once. River's row locking (FOR UPDATE SKIP LOCKED) keeps any number of
// worker processes off each other's jobs.
//
// # Failures
//
// Each kind has its own max_attempts, timeout and exponential backoff with
// jitter (Backoff; ENRICH_URL also waits at least a server's Retry-After).
// A failed or timed-out attempt is retried until max_attempts, then the job
// is discarded. A permanent failure (a refused address, a 404, a redirect
// loop: retry.IsPermanent, from enrich or an indexer; a DNS failure, a timeout,
// a 5xx or a 429 are passing and retried) is not retried:
// the handler marks the job as failed in its metadata (atlas_outcome) and
// cancels it with the reason. Handlers are idempotent: ENRICH_URL stores
// nothing when the item's metadata already says the same, so a retry after
// a crash changes neither the item's version nor its events.
//
// # Statuses
//
// The API maps River's states to six statuses (StatusOf): QUEUED
// (available, scheduled or pending, never attempted), RETRYING (retryable,
// or waiting again after an attempt), RUNNING (running), SUCCEEDED
// (completed), FAILED (discarded, or cancelled by its handler for a
// permanent failure) and CANCELLED (cancelled by an operator, in River UI).
// A failed ENRICH_URL attempt stores its enrich.Failure in the job's
// metadata (atlas_failure); Job.Reason turns it into a sentence for people,
// and LastError keeps the technical detail. Service.Retry ("try again")
// makes a job run again at once.
// Finished jobs stay visible for River's retention periods (a day for
// completed and cancelled jobs, a week for discarded ones).
package jobs
