package item

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/urlnorm"
)

// FindByURL lists the items, in collections actor may read, that hold the
// link rawURL (compared by normalised URL, as duplicates are), oldest
// first and at most 20: the browser extension's "already saved?".
func (s *Service) FindByURL(ctx context.Context, actor uuid.UUID, rawURL string) ([]Duplicate, error) {
	stored, err := NormalizeURL(rawURL)
	if err != nil || stored == nil {
		return nil, atlas.Invalid("url", "must be an absolute http:// or https:// URL")
	}
	norm, err := urlnorm.Normalize(*stored)
	if err != nil {
		norm = *stored // as linkKeys compares a URL the normaliser refuses
	}
	rows, err := s.pool.Query(ctx, duplicatesOfSQL, actor, norm, uuid.Nil, maxDuplicatesShown)
	if err != nil {
		return nil, fmt.Errorf("find items by URL: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDuplicate)
	if err != nil {
		return nil, fmt.Errorf("find items by URL: %w", err)
	}
	return out, nil
}
