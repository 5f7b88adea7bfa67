-- Who made an item's archived copies: 'server' (the ARCHIVE_PAGE job
-- fetched the page) or 'browser' (the browser extension sent the page as
-- the person saw it, PUT /api/v1/items/{id}/archive/capture). A browser
-- capture is preferred: the job leaves it in place while the item's
-- source_url is still the URL it was captured from.

-- +goose Up
ALTER TABLE item_archives
    ADD COLUMN captured_by text NOT NULL DEFAULT 'server' CHECK (captured_by IN ('server', 'browser'));

-- +goose Down
ALTER TABLE item_archives DROP COLUMN captured_by;
