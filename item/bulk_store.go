package item

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
)

// lockManySQL reads items with the caller's role in each one's collection
// and locks them, in id order so that two bulk writes over the same items
// take their locks in one order and cannot deadlock.
var lockManySQL = `
SELECT ` + itemColumns + `, ` + collection.RoleSQL("i.collection_id", "$2") + `
FROM items i
WHERE i.id = ANY ($1::uuid[])
ORDER BY i.id
FOR UPDATE OF i`

// lockedItem is an item with the caller's role in its collection (nil: not
// a member).
type lockedItem struct {
	Item
	Role *collection.Role
}

// LockMany reads and locks the items among ids that exist, with userID's
// role in each one's collection.
func (Store) LockMany(ctx context.Context, tx pgx.Tx, ids []uuid.UUID, userID uuid.UUID) ([]lockedItem, error) {
	rows, err := tx.Query(ctx, lockManySQL, ids, userID)
	if err != nil {
		return nil, fmt.Errorf("lock items: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lockedItem, error) {
		var l lockedItem
		var err error
		l.Item, err = scanItem(row, &l.Role)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("lock items: %w", err)
	}
	return out, nil
}

const moveItemSQL = `UPDATE items SET collection_id = $2, version = $3, updated_at = $4 WHERE id = $1`

// queueMove adds the statements that move an item to it.CollectionID and
// give it its tags there.
func queueMove(b *pgx.Batch, it Item) {
	b.Queue(moveItemSQL, it.ID, it.CollectionID, it.Version, it.UpdatedAt)
	queueTags(b, it, true)
}

// trashedItem is the snapshot of a deleted item kept for undo.
type trashedItem struct {
	Title       string          `json:"title"`
	SourceURL   *string         `json:"source_url"`
	Description string          `json:"description"`
	Notes       string          `json:"notes"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedBy   *uuid.UUID      `json:"created_by"`
	Version     int64           `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	Tags        []string        `json:"tags"`
}

const trashSQL = `
INSERT INTO item_trash (item_id, undo_token, collection_id, deleted_by, deleted_at, item)
SELECT u.id, $1, u.collection_id, $2, $3, u.item FROM unnest($4::uuid[], $5::uuid[], $6::jsonb[]) AS u (id, collection_id, item)`

const deleteManySQL = `DELETE FROM items WHERE id = ANY ($1::uuid[])`

const purgeTrashSQL = `DELETE FROM item_trash WHERE deleted_at < $1`

// queueTrash adds the statements that delete items, keep their snapshots
// under token, and purge snapshots deleted before purgeBefore.
func queueTrash(b *pgx.Batch, items []Item, token, actor uuid.UUID, at, purgeBefore time.Time) error {
	ids, colls, snaps := make([]uuid.UUID, len(items)), make([]uuid.UUID, len(items)), make([]string, len(items))
	for i, it := range items {
		raw, err := json.Marshal(trashedItem{Title: it.Title, SourceURL: it.SourceURL, Description: it.Description,
			Notes: it.Notes, Metadata: it.Metadata, CreatedBy: it.CreatedBy, Version: it.Version, CreatedAt: it.CreatedAt, Tags: it.Tags})
		if err != nil {
			return fmt.Errorf("snapshot item %s: %w", it.ID, err)
		}
		ids[i], colls[i], snaps[i] = it.ID, it.CollectionID, string(raw)
	}
	b.Queue(purgeTrashSQL, purgeBefore)
	b.Queue(trashSQL, token, actor, at, ids, colls, snaps)
	b.Queue(deleteManySQL, ids)
	return nil
}

// takeTrashSQL removes and returns a batch of snapshots still inside the
// undo window, with the caller's role in each one's collection.
var takeTrashSQL = `
DELETE FROM item_trash t
WHERE t.undo_token = $1 AND t.deleted_at >= $2
RETURNING t.item_id, t.collection_id, t.item, ` + collection.RoleSQL("t.collection_id", "$3")

// TakeTrash removes the snapshots of token deleted at or after since and
// returns them as items (at the version of their deletion), with userID's
// role in each one's collection.
func (Store) TakeTrash(ctx context.Context, q db.Querier, token uuid.UUID, since time.Time, userID uuid.UUID) ([]lockedItem, error) {
	rows, err := q.Query(ctx, takeTrashSQL, token, since, userID)
	if err != nil {
		return nil, fmt.Errorf("take trash: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lockedItem, error) {
		var (
			l    lockedItem
			raw  []byte
			snap trashedItem
		)
		if err := row.Scan(&l.ID, &l.CollectionID, &raw, &l.Role); err != nil {
			return l, err
		}
		if err := json.Unmarshal(raw, &snap); err != nil {
			return l, fmt.Errorf("snapshot of item %s: %w", l.ID, err)
		}
		l.Title, l.SourceURL, l.Description, l.Notes = snap.Title, snap.SourceURL, snap.Description, snap.Notes
		l.Metadata, l.CreatedBy, l.Version, l.CreatedAt, l.Tags = snap.Metadata, snap.CreatedBy, snap.Version, snap.CreatedAt.UTC(), snap.Tags
		if l.Tags == nil {
			l.Tags = []string{}
		}
		return l, nil
	})
	if err != nil {
		return nil, fmt.Errorf("take trash: %w", err)
	}
	return out, nil
}
