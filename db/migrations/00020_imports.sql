-- Bookmark imports (issue 13). An upload is stored in import_chunks, in
-- order, until its IMPORT_BOOKMARKS job ends, so any worker can stream it
-- and a crashed job can start over. imports.position is how many entries of
-- the file have been handled; it moves in the same transaction as the items
-- those entries created, so a resumed job skips exactly what is done.
-- import_entries holds the per-item report lines (skipped and failed
-- entries). Duplicate detection looks items up by (collection, source_url).

-- +goose Up
CREATE TABLE imports (
    id            uuid PRIMARY KEY,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    status        text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    format        text NOT NULL CHECK (format IN ('netscape', 'json')),
    on_duplicate  text NOT NULL CHECK (on_duplicate IN ('skip', 'update')),
    size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
    bytes_done    bigint NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
    position      bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
    total         integer NOT NULL DEFAULT 0 CHECK (total >= 0),
    created       integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated       integer NOT NULL DEFAULT 0 CHECK (updated >= 0),
    skipped       integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    failed        integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
    -- failure is why a FAILED import stopped ('' otherwise).
    failure       text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz,
    CHECK (total = created + updated + skipped + failed)
);
-- A collection's imports, newest first, keyset on (created_at, id).
CREATE INDEX imports_collection_page_idx ON imports (collection_id, created_at DESC, id DESC);

CREATE TABLE import_chunks (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq       integer NOT NULL CHECK (seq >= 0),
    data      bytea NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_entries (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    position  bigint NOT NULL CHECK (position >= 0),
    line      integer NOT NULL CHECK (line >= 0),
    outcome   text NOT NULL CHECK (outcome IN ('skipped', 'failed')),
    url       text NOT NULL,
    title     text NOT NULL,
    reason    text NOT NULL,
    PRIMARY KEY (import_id, position)
);

-- Duplicates: an item with the same source_url in the collection.
CREATE INDEX items_collection_source_url_idx ON items (collection_id, source_url) WHERE source_url IS NOT NULL;

-- The audit trail records ImportFinished (an import's result, in the
-- collection's activity).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished'));

-- +goose Down
-- NOT VALID: the append-only trail may already hold ImportFinished rows.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked')) NOT VALID;
DROP INDEX items_collection_source_url_idx;
DROP TABLE import_entries;
DROP TABLE import_chunks;
DROP TABLE imports;
