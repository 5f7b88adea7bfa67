-- Archived copies of the pages behind items (ARCHIVE_PAGE). The bytes live
-- in the blob store (a directory or a GCS bucket) under
-- items/<collection_id>/<item_id>/; Postgres says which blobs should exist.
--
-- item_archives: the latest archiving attempt of an item, one row per item:
-- 'archived' (its copies are in item_archive_copies), 'failed' (reason says
-- why in words for people, code classifies it: too_large, timeout, blocked,
-- not_html, unavailable). A failed attempt after a successful one keeps the
-- earlier copies. collection_id serves the storage used per collection.
--
-- item_archive_copies: one row per copy kind ('html': the self-contained
-- page, 'readable': the sanitised readable version) with its blob key, size
-- and SHA-256. Rows go with their item (ON DELETE CASCADE); the blobs go
-- through the ItemDeleted / CollectionDeleted events (the archive consumer),
-- and `atlas reconcile` removes any blob no row names.

-- +goose Up
CREATE TABLE item_archives (
    item_id       uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    source_url    text NOT NULL,
    status        text NOT NULL CHECK (status IN ('archived', 'failed')),
    code          text NOT NULL DEFAULT '' CHECK (code IN ('', 'too_large', 'timeout', 'blocked', 'not_html', 'unavailable')),
    reason        text NOT NULL DEFAULT '',
    blocked_resources integer NOT NULL DEFAULT 0,
    attempted_at  timestamptz NOT NULL,
    CHECK ((status = 'archived') = (reason = '' AND code = ''))
);
CREATE INDEX item_archives_collection ON item_archives (collection_id);

CREATE TABLE item_archive_copies (
    item_id      uuid NOT NULL REFERENCES item_archives (item_id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('html', 'readable')),
    blob_key     text NOT NULL UNIQUE,
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    sha256       bytea NOT NULL CHECK (octet_length(sha256) = 32),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (item_id, kind)
);

-- +goose Down
DROP TABLE item_archive_copies;
DROP TABLE item_archives;
