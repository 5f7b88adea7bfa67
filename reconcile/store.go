package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
)

// row is an entity's id, its version (items) and when it last changed.
type row struct {
	ID        uuid.UUID
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const itemPageSQL = `SELECT id, version, created_at, updated_at FROM items WHERE id > $1 ORDER BY id LIMIT $2`

const itemsByIDSQL = `SELECT id, version, created_at, updated_at FROM items WHERE id = ANY ($1::uuid[])`

const collectionPageSQL = `SELECT id, 1, created_at, updated_at FROM collections WHERE id > $1 ORDER BY id LIMIT $2`

// creationCountsSQL counts the creation events of entities in the audit
// trail; audit_events_entity_idx serves it.
const creationCountsSQL = `
SELECT entity_id, count(*) FROM audit_events
WHERE entity_type = $1 AND type = $2 AND entity_id = ANY ($3::uuid[])
GROUP BY entity_id`

func scanRows(rows pgx.Rows, err error) ([]row, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return x, err
	})
}

func itemPage(ctx context.Context, q db.Querier, after uuid.UUID, limit int) ([]row, error) {
	rs, err := scanRows(q.Query(ctx, itemPageSQL, after, limit))
	if err != nil {
		return nil, fmt.Errorf("read items after %s: %w", after, err)
	}
	return rs, nil
}

func collectionPage(ctx context.Context, q db.Querier, after uuid.UUID, limit int) ([]row, error) {
	rs, err := scanRows(q.Query(ctx, collectionPageSQL, after, limit))
	if err != nil {
		return nil, fmt.Errorf("read collections after %s: %w", after, err)
	}
	return rs, nil
}

func itemsByID(ctx context.Context, q db.Querier, ids []uuid.UUID) (map[uuid.UUID]row, error) {
	rs, err := scanRows(q.Query(ctx, itemsByIDSQL, ids))
	if err != nil {
		return nil, fmt.Errorf("re-read items: %w", err)
	}
	out := make(map[uuid.UUID]row, len(rs))
	for _, r := range rs {
		out[r.ID] = r
	}
	return out, nil
}

// creationCounts returns how many creation events (eventType) of the given
// entity type the audit trail holds per id; ids without one are absent.
func creationCounts(ctx context.Context, q db.Querier, entityType, eventType string, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	rows, err := q.Query(ctx, creationCountsSQL, entityType, eventType, ids)
	if err != nil {
		return nil, fmt.Errorf("count %s events: %w", eventType, err)
	}
	defer rows.Close()
	out := make(map[uuid.UUID]int, len(ids))
	for rows.Next() {
		var id uuid.UUID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count %s events: %w", eventType, err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count %s events: %w", eventType, err)
	}
	return out, nil
}
