-- The readable text of the page behind an item's source_url, as ENRICH_URL
-- last extracted it: kept out of the items row (it is large and only search
-- and the "page text captured" badge need it), one row per item, dropped
-- with it. source_url records which URL the text came from: when the item's
-- URL changes, the row no longer applies (readers compare it with
-- items.source_url) until the next ENRICH_URL replaces it.
--
-- status is 'captured' (content holds the text, at most 512 KiB of UTF-8)
-- or 'skipped' (content is empty and skip_reason says why: an image, an
-- archive, a PDF without text, ...).

-- +goose Up
CREATE TABLE item_page_texts (
    item_id        uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    source_url     text NOT NULL,
    status         text NOT NULL CHECK (status IN ('captured', 'skipped')),
    content        text NOT NULL DEFAULT '' CHECK (octet_length(content) <= 524288),
    size_bytes     integer NOT NULL CHECK (size_bytes = octet_length(content)),
    truncated      boolean NOT NULL DEFAULT false,
    language       text NOT NULL DEFAULT '',
    content_type   text NOT NULL DEFAULT '',
    skip_reason    text NOT NULL DEFAULT '',
    content_sha256 bytea NOT NULL,
    extracted_at   timestamptz NOT NULL,
    CHECK (status = 'captured' OR (content = '' AND skip_reason <> ''))
);

-- +goose Down
DROP TABLE item_page_texts;
