package item

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
)

// UseMovedURL makes the new address of a link that moved permanently the
// item's source URL (owners and editors): the URL is the one the link
// checker confirmed (LinkHealth.MovedTo), never one the caller sends. The
// item must still be at version, the version the caller read
// (atlas.ErrConflict otherwise, so no edit is lost), and its link must be
// confirmed moved (atlas.ErrConflict otherwise). One ItemUpdated event,
// as for any edit; the new URL starts unchecked.
func (s *Service) UseMovedURL(ctx context.Context, actor, id uuid.UUID, version int64) (Item, error) {
	var out Item
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		it, err := Authorize(ctx, tx, actor, id, collection.ActionWriteItems, true)
		if err != nil {
			return err
		}
		if it.Version != version {
			return atlas.Errorf(atlas.ErrConflict, "the item changed since it was read (version %d, now %d); reload and try again", version, it.Version)
		}
		if it.Link == nil || it.Link.Status != LinkMoved || it.Link.MovedTo == nil {
			return atlas.Errorf(atlas.ErrConflict, "the item's link is not known to have moved")
		}
		before := it
		if it.SourceURL, err = NormalizeURL(*it.Link.MovedTo); err != nil {
			return err
		}
		out, err = s.write(ctx, tx, actor, before, it)
		return err
	})
	if err != nil {
		return Item{}, fmt.Errorf("use moved url: %w", err)
	}
	out.Link = nil // the new address is not checked yet
	return out, nil
}

// CheckDuplicates lists the items, in collections actor may read, that
// hold rawURL once normalised (oldest first, at most 20): what saving it
// would report, asked before saving. A value that is not an http(s) URL
// is atlas.ErrInvalid.
func (s *Service) CheckDuplicates(ctx context.Context, actor uuid.UUID, rawURL string) ([]Duplicate, error) {
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, atlas.Invalid("url", "must be an http:// or https:// URL")
	}
	out, err := s.store.duplicatesOf(ctx, s.pool, actor, Item{SourceURL: u})
	if err != nil {
		return nil, fmt.Errorf("check duplicates: %w", err)
	}
	return out, nil
}
