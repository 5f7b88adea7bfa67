package search

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

// store is the SQL the search package runs against Postgres: items read back as documents, the
// indexed versions, and the caller's collections.
type store struct{}

// documentColumns selects an item with its tags in one row (see item.Store).
const documentColumns = `i.id, i.collection_id, i.title, i.source_url, i.description, i.notes, i.metadata,
	i.created_by, i.version, i.created_at, i.updated_at,
	ARRAY(SELECT t.name FROM item_tags it JOIN tags t ON t.id = it.tag_id
	      WHERE it.item_id = i.id ORDER BY t.name) AS tags`

// scanDocuments reads rows of documentColumns.
func scanDocuments(rows pgx.Rows) ([]Document, error) {
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var it item.Item
		if err := rows.Scan(&it.ID, &it.CollectionID, &it.Title, &it.SourceURL, &it.Description, &it.Notes,
			&it.Metadata, &it.CreatedBy, &it.Version, &it.CreatedAt, &it.UpdatedAt, &it.Tags); err != nil {
			return nil, err
		}
		out = append(out, DocumentFromItem(it))
	}
	return out, rows.Err()
}

const documentsByIDSQL = `SELECT ` + documentColumns + ` FROM items i WHERE i.id = ANY ($1::uuid[])`

// documents reads the items that still exist among ids, in one query.
func (store) documents(ctx context.Context, q db.Querier, ids []uuid.UUID) ([]Document, error) {
	rows, err := q.Query(ctx, documentsByIDSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	docs, err := scanDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	return docs, nil
}

const documentPageSQL = `SELECT ` + documentColumns + ` FROM items i WHERE i.id > $1 ORDER BY i.id LIMIT $2`

// documentPage reads up to limit items with ids above after, by id (keyset on the primary key).
func (store) documentPage(ctx context.Context, q db.Querier, after uuid.UUID, limit int) ([]Document, error) {
	rows, err := q.Query(ctx, documentPageSQL, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read items after %s: %w", after, err)
	}
	docs, err := scanDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("read items after %s: %w", after, err)
	}
	return docs, nil
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

// collectionsOfSQL is served by memberships_user_page_idx.
const collectionsOfSQL = `SELECT m.collection_id FROM memberships m WHERE m.user_id = $1`

// collectionsOf returns the ids of every collection the user is a member of.
func (store) collectionsOf(ctx context.Context, q db.Querier, userID uuid.UUID) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, collectionsOfSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("read the caller's collections: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("read the caller's collections: %w", err)
	}
	return ids, nil
}
