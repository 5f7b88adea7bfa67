-- Preview images and site icons of items (FETCH_IMAGES, package archive with
-- package preview): thumbnails Atlas made from the page's og:image and icon,
-- never the site's own bytes. The bytes live in the archive's blob store
-- beside the item's archived copies, under items/<collection_id>/<item_id>/;
-- Postgres says which blobs should exist.
--
-- One row per item and kind ('preview': a JPEG, 'icon': a PNG) with the URL
-- it was made from (an image is fetched once per URL), its blob key, size,
-- dimensions and SHA-256 (the ETag it is served with). Rows go with their
-- item (ON DELETE CASCADE); the blobs go through the ItemDeleted and
-- CollectionDeleted events (the archive consumer deletes the item's whole
-- prefix), and `atlas reconcile` removes any blob no row names. Item reads
-- look a row up by (item_id, kind): the primary key serves them.

-- +goose Up
CREATE TABLE item_images (
    item_id      uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('preview', 'icon')),
    source_url   text NOT NULL,
    blob_key     text NOT NULL UNIQUE,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    sha256       bytea NOT NULL CHECK (octet_length(sha256) = 32),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (item_id, kind)
);

-- +goose Down
DROP TABLE item_images;
