-- Indexes for the jobs API (GET /api/v1/jobs) over River's own river_job
-- table. Atlas' item jobs (kinds enrich_url and reindex_item) carry their
-- item and collection in args; the API lists a caller's jobs by the
-- collections they belong to, or by one item, newest first (keyset on id).
-- The indexes are partial: the outbox's publish_event jobs, by far the most
-- numerous, stay out of them. The queries repeat the same kind list so the
-- planner can use them. Built CONCURRENTLY: river_job is busy in production.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_collection_idx
    ON river_job ((args->>'collection_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item');
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_item_idx
    ON river_job ((args->>'item_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_item_idx;
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_collection_idx;
