package search

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

// store is the SQL the search package runs against Postgres: the indexed versions. Items are
// read through item.Store and the caller's collections through collection.Service, which own
// those rules.
type store struct{}

// documents converts items read from Postgres into index documents, with the page text of those
// that have one captured for their current URL (one more query).
func (s *Syncer) documents(ctx context.Context, items []item.Item) ([]Document, error) {
	out := make([]Document, len(items))
	var withText []uuid.UUID
	for i, it := range items {
		out[i] = DocumentFromItem(it)
		if it.PageText != nil && it.PageText.Status == item.PageTextCaptured {
			withText = append(withText, it.ID)
		}
	}
	if len(withText) == 0 {
		return out, nil
	}
	texts, err := s.items.PageTextContents(ctx, s.db, withText)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Content = texts[out[i].ID]
	}
	return out, nil
}

// markIndexedSQL records indexed versions. Only items that still exist get a row; locking them
// (FOR KEY SHARE, as the foreign key check would) makes a concurrent delete wait or be skipped
// rather than fail the statement. A version never goes back.
const markIndexedSQL = `
INSERT INTO search_index_state (item_id, version, indexed_at)
SELECT i.id, u.version, $3
FROM unnest($1::uuid[], $2::bigint[]) AS u (id, version) JOIN items i ON i.id = u.id
ORDER BY i.id
FOR KEY SHARE OF i
ON CONFLICT (item_id) DO UPDATE
SET version = GREATEST(search_index_state.version, EXCLUDED.version), indexed_at = EXCLUDED.indexed_at`

// markIndexed records that the index acknowledged these documents' versions.
func (store) markIndexed(ctx context.Context, q db.Querier, docs []Document, at time.Time) error {
	if len(docs) == 0 {
		return nil
	}
	sorted := slices.Clone(docs)
	slices.SortFunc(sorted, func(a, b Document) int { return slices.Compare(a.ID[:], b.ID[:]) })
	ids := make([]uuid.UUID, 0, len(sorted))
	versions := make([]int64, 0, len(sorted))
	for i, d := range sorted {
		if i > 0 && d.ID == sorted[i-1].ID {
			continue
		}
		ids = append(ids, d.ID)
		versions = append(versions, d.Version)
	}
	if _, err := q.Exec(ctx, markIndexedSQL, ids, versions, at); err != nil {
		return fmt.Errorf("record indexed versions: %w", err)
	}
	return nil
}
