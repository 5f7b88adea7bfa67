-- Items deleted in bulk, kept for a short while so that the deletion can be
-- undone (POST /api/v1/items/bulk/restore). The item row itself is gone (its
-- tags, page text and index state cascade); this is the snapshot a restore
-- re-creates it from, under the same id. Rows older than the undo window are
-- purged by the next bulk delete; a deleted collection takes its rows along.

-- +goose Up
CREATE TABLE item_trash (
    item_id       uuid PRIMARY KEY,
    undo_token    uuid NOT NULL,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    deleted_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    deleted_at    timestamptz NOT NULL,
    item          jsonb NOT NULL
);
-- A restore reads its batch by token; the purge walks by age.
CREATE INDEX item_trash_undo_idx ON item_trash (undo_token);
CREATE INDEX item_trash_deleted_at_idx ON item_trash (deleted_at);

-- +goose Down
DROP TABLE item_trash;
