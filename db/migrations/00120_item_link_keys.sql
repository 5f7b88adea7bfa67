-- Duplicate detection: each item's source_url as the comparison key of
-- package urlnorm (normalized_url), the key of the canonical link its page
-- declares (canonical_url, from enrichment), and the key's host (for
-- near-duplicates: the same title on the same site). The application
-- writes both keys with every item; items stored before this migration
-- get them from `atlas migrate` (item.BackfillLinkKeys), which finds them
-- by items_link_keys_pending_idx.

-- +goose Up
ALTER TABLE items
    ADD COLUMN normalized_url text CHECK (char_length(normalized_url) <= 4096),
    ADD COLUMN canonical_url  text CHECK (char_length(canonical_url) <= 4096),
    ADD COLUMN url_host text GENERATED ALWAYS AS
        (substring(normalized_url FROM '^https?://(?:[^@/]*@)?(\[[^]]*\]|[^:/?#]*)')) STORED;

-- "Is this URL already saved?" on create and import, per collection.
CREATE INDEX items_normalized_url_idx ON items (collection_id, normalized_url) WHERE normalized_url IS NOT NULL;
-- Near-duplicates: the same canonical link, the same title on one host.
CREATE INDEX items_canonical_url_idx ON items (collection_id, canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX items_title_host_idx ON items (collection_id, url_host, lower(title)) WHERE url_host IS NOT NULL;
-- Items whose keys the backfill has yet to write.
CREATE INDEX items_link_keys_pending_idx ON items (id) WHERE normalized_url IS NULL AND source_url IS NOT NULL;

-- +goose Down
DROP INDEX items_link_keys_pending_idx;
DROP INDEX items_title_host_idx;
DROP INDEX items_canonical_url_idx;
DROP INDEX items_normalized_url_idx;
ALTER TABLE items DROP COLUMN url_host, DROP COLUMN canonical_url, DROP COLUMN normalized_url;
