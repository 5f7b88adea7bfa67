package item

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/urlnorm"
)

// linkKeys are the keys an item is compared by to find duplicates: its
// source URL normalised (nil without one), and the normalised canonical
// link enrichment found on the page at its current source URL (nil when
// none is known). Every write of an item stores them.
func linkKeys(it Item) (norm, canon *string) {
	if it.SourceURL == nil {
		return nil, nil
	}
	n, err := urlnorm.Normalize(*it.SourceURL)
	if err != nil {
		n = *it.SourceURL // NormalizeURL let it through; compare it as written
	}
	var m struct {
		SourceURL    string `json:"source_url"`
		CanonicalURL string `json:"canonical_url"`
	}
	if len(it.Metadata) == 0 || json.Unmarshal(it.Metadata, &m) != nil || m.CanonicalURL == "" || m.SourceURL != *it.SourceURL {
		return &n, nil
	}
	c, err := urlnorm.Normalize(m.CanonicalURL)
	if err != nil {
		return &n, nil
	}
	return &n, &c
}

// backfillBatch is how many items one statement of BackfillLinkKeys writes.
const backfillBatch = 500

const pendingLinkKeysSQL = `SELECT id, source_url, metadata FROM items
WHERE normalized_url IS NULL AND source_url IS NOT NULL AND id > $1 ORDER BY id LIMIT $2`

const writeLinkKeysSQL = `UPDATE items i SET normalized_url = u.norm, canonical_url = u.canon
FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u (id, norm, canon)
WHERE i.id = u.id AND i.normalized_url IS NULL`

// BackfillLinkKeys writes the duplicate-detection keys of items stored
// before Atlas kept them (the migration that added them cannot run Go).
// It is idempotent and resumable, and returns how many items it updated;
// `atlas migrate` runs it after the schema migrations. The keys are
// derived data: no version bump, no event.
func BackfillLinkKeys(ctx context.Context, q db.Querier) (int, error) {
	total := 0
	after := uuid.Nil
	for {
		rows, err := q.Query(ctx, pendingLinkKeysSQL, after, backfillBatch)
		if err != nil {
			return total, fmt.Errorf("backfill link keys: %w", err)
		}
		var ids []uuid.UUID
		var norms, canons []*string
		for rows.Next() {
			var it Item
			if err := rows.Scan(&it.ID, &it.SourceURL, &it.Metadata); err != nil {
				rows.Close()
				return total, fmt.Errorf("backfill link keys: %w", err)
			}
			n, c := linkKeys(it)
			ids, norms, canons = append(ids, it.ID), append(norms, n), append(canons, c)
		}
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("backfill link keys: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		tag, err := q.Exec(ctx, writeLinkKeysSQL, ids, norms, canons)
		if err != nil {
			return total, fmt.Errorf("backfill link keys: %w", err)
		}
		total += int(tag.RowsAffected())
		after = ids[len(ids)-1]
	}
}
