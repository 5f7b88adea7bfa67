package archive

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

// MaxUploadBytes is the largest page StoreUpload accepts: the per-item
// limit of ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM.
func (s *Service) MaxUploadBytes() int64 { return s.capturer.opts.MaxBytesPerItem }

// StoreUpload stores page, the item's page as the person saw it in their
// browser (the extension serialises the rendered DOM), as the item's
// archived copy, for an actor who may change the item. It goes through the
// same Sanitize as a server capture and its readable version is made from
// it; it replaces the item's copies and is preferred over the server's
// capture of the same URL from then on. A page over MaxUploadBytes is
// atlas.ErrTooLarge; one that is not HTML atlas.ErrInvalid; an item without
// a source_url atlas.ErrInvalid.
func (s *Service) StoreUpload(ctx context.Context, actor, itemID uuid.UUID, page []byte) (Status, error) {
	it, err := item.Authorize(ctx, s.pool, actor, itemID, collection.ActionWriteItems, false)
	if err != nil {
		return Status{}, err
	}
	if it.SourceURL == nil {
		return Status{}, atlas.Invalid("source_url", "the item has no source_url: only a saved page can have an archived copy")
	}
	limit := s.MaxUploadBytes()
	if int64(len(page)) > limit {
		return Status{}, atlas.Errorf(atlas.ErrTooLarge, "the page is %s, more than the limit of %s per item", bytesText(int64(len(page))), bytesText(limit))
	}
	if !strings.HasPrefix(http.DetectContentType(page), "text/") {
		return Status{}, atlas.Invalid("body", "the capture is not an HTML page")
	}
	pageURL, err := url.Parse(*it.SourceURL)
	if err != nil {
		return Status{}, atlas.Invalid("source_url", "the item's source_url cannot be parsed")
	}
	clean, err := Sanitize(page)
	if err != nil {
		return Status{}, atlas.Invalid("body", "the capture cannot be read as HTML")
	}
	readableHTML := readable(page, pageURL)
	if total := int64(len(clean) + len(readableHTML)); total > limit {
		return Status{}, atlas.Errorf(atlas.ErrTooLarge, "the archived copy would take %s, more than the limit of %s per item", bytesText(total), bytesText(limit))
	}
	st := Status{ItemID: it.ID, CollectionID: it.CollectionID, SourceURL: *it.SourceURL, State: StateArchived,
		CapturedBy: CapturedByBrowser, AttemptedAt: s.now().UTC()}
	st, err = s.storeCopies(ctx, it, st, clean, readableHTML)
	if err != nil {
		return Status{}, fmt.Errorf("store the browser's capture: %w", err)
	}
	return st, nil
}
