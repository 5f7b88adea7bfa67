-- The duplicates view's title_host kind groups items by the key
-- url_host || ' ' || lower(title) and pages through the keys in order.
-- items_title_host_idx (collection_id, url_host, lower(title)) could not
-- give that order, so every page grouped every item the caller may read
-- (p99 267 ms over 100k items). This index holds the key itself, with the
-- columns the grouping reads, so a page is an index-only scan from the
-- cursor that stops once it has its groups. Built CONCURRENTLY: items is
-- busy in production.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_title_host_key_idx
    ON items ((url_host || ' ' || lower(title))) INCLUDE (collection_id, normalized_url)
    WHERE url_host IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS items_title_host_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_title_host_idx ON items (collection_id, url_host, lower(title)) WHERE url_host IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS items_title_host_key_idx;
