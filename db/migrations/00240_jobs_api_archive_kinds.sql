-- The jobs API lists ARCHIVE_PAGE and FETCH_IMAGES jobs too (their args
-- carry item_id and collection_id like the item jobs'), so the partial
-- indexes of 00004 are rebuilt over the longer kind list that the queries
-- (jobs.kindSQLList) now spell out. Built CONCURRENTLY: river_job is busy
-- in production.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_collection_kinds_idx
    ON river_job ((args->>'collection_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item', 'archive_page', 'fetch_images');
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_item_kinds_idx
    ON river_job ((args->>'item_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item', 'archive_page', 'fetch_images');
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_item_idx;
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_collection_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_collection_idx
    ON river_job ((args->>'collection_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item');
CREATE INDEX CONCURRENTLY IF NOT EXISTS river_job_atlas_item_idx
    ON river_job ((args->>'item_id'), id DESC)
    WHERE kind IN ('enrich_url', 'reindex_item');
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_item_kinds_idx;
DROP INDEX CONCURRENTLY IF EXISTS river_job_atlas_collection_kinds_idx;
