-- What the search index holds of each item: the item version Elasticsearch
-- last acknowledged, written by the indexer after each bulk request. Item
-- responses compare it with items.version to report index_status (pending
-- while the index lags behind Postgres). One row per item, dropped with it.

-- +goose Up
CREATE TABLE search_index_state (
    item_id    uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    version    bigint NOT NULL CHECK (version >= 1),
    indexed_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE search_index_state;
