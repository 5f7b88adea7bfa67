package item

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// Bulk limits.
const (
	// MaxBulkItems is how many items one bulk request may name.
	MaxBulkItems = 1000
	// UndoWindow is how long a bulk deletion can be undone.
	UndoWindow = 10 * time.Minute
)

// BulkResult says what a bulk write did.
type BulkResult struct {
	// Changed lists the items that changed (for a copy: the new items),
	// in the order of the request; items already as asked are left out.
	Changed []uuid.UUID
}

// DeleteResult says what a bulk deletion did and how to undo it.
type DeleteResult struct {
	Deleted []uuid.UUID
	// UndoToken restores the items until UndoUntil (RestoreBulk).
	UndoToken uuid.UUID
	UndoUntil time.Time
}

// bulkIDs checks and de-duplicates the ids of a bulk request, keeping their
// order.
func bulkIDs(ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, atlas.Invalid("item_ids", "name at least one item")
	}
	if len(ids) > MaxBulkItems {
		return nil, atlas.Invalid("item_ids", "at most %d items per request (got %d)", MaxBulkItems, len(ids))
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// lockForWrite locks the items of a bulk request, all or nothing: an item
// that does not exist or whose collection actor is not a member of is
// atlas.ErrNotFound, one actor may only read is atlas.ErrForbidden, and
// either ends the request before anything is written. The items come back
// in the order of ids.
func (s *Service) lockForWrite(ctx context.Context, tx pgx.Tx, actor uuid.UUID, ids []uuid.UUID) ([]Item, error) {
	locked, err := s.store.LockMany(ctx, tx, ids, actor)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]lockedItem, len(locked))
	for _, l := range locked {
		byID[l.ID] = l
	}
	out := make([]Item, 0, len(ids))
	for _, id := range ids {
		l, ok := byID[id]
		if !ok {
			return nil, atlas.Errorf(atlas.ErrNotFound, "item %s not found", id)
		}
		if _, err := collection.AuthorizeChild(collection.ChildItem, l.Role, collection.ActionWriteItems); err != nil {
			return nil, namedFailure(id, err)
		}
		out = append(out, l.Item)
	}
	return out, nil
}

// namedFailure is an access failure on one item of a bulk request, naming
// the item so that the caller knows which one stopped it.
func namedFailure(id uuid.UUID, err error) error {
	kind := atlas.ErrForbidden
	if errors.Is(err, atlas.ErrNotFound) {
		kind = atlas.ErrNotFound
	}
	var ae *atlas.Error
	msg := err.Error()
	if errors.As(err, &ae) {
		msg = ae.Message
	}
	return atlas.Errorf(kind, "item %s: %s", id, msg)
}

// TagParams adds and removes tags on many items.
type TagParams struct {
	Add, Remove []string
}

// TagBulk adds p.Add and removes p.Remove on every named item (owners and
// editors of each item's collection), in one transaction with one
// ItemUpdated event per item that changed.
func (s *Service) TagBulk(ctx context.Context, actor uuid.UUID, ids []uuid.UUID, p TagParams) (BulkResult, error) {
	ids, err := bulkIDs(ids)
	if err != nil {
		return BulkResult{}, err
	}
	add, err := NormalizeTags(p.Add)
	if err != nil {
		return BulkResult{}, err
	}
	remove, err := NormalizeTags(p.Remove)
	if err != nil {
		return BulkResult{}, err
	}
	if len(add)+len(remove) == 0 {
		return BulkResult{}, atlas.Invalid("add", "name tags to add or remove")
	}
	var res BulkResult
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		items, err := s.lockForWrite(ctx, tx, actor, ids)
		if err != nil {
			return err
		}
		b, now := &pgx.Batch{}, s.nowUTC()
		var evs []events.Event
		for _, it := range items {
			tags := slices.DeleteFunc(append(slices.Clone(it.Tags), add...), func(t string) bool { return slices.Contains(remove, t) })
			next := it
			if next.Tags, err = NormalizeTags(tags); err != nil {
				return fmt.Errorf("item %s: %w", it.ID, err)
			}
			changes := diff(it, next)
			if len(changes) == 0 {
				continue
			}
			next.Version, next.UpdatedAt = it.Version+1, now
			queueUpdate(b, next, true)
			evs = append(evs, events.Event{Type: events.ItemUpdated, Actor: &actor, Entity: itemEntity(next),
				Data: map[string]any{"changes": changes, "version": next.Version}})
			res.Changed = append(res.Changed, it.ID)
		}
		return s.finishBulk(ctx, tx, b, evs)
	})
	if err != nil {
		return BulkResult{}, fmt.Errorf("tag items: %w", err)
	}
	return res, nil
}

// finishBulk sends a bulk write's statements and records its events.
func (s *Service) finishBulk(ctx context.Context, tx pgx.Tx, b *pgx.Batch, evs []events.Event) error {
	if b.Len() > 0 {
		err := tx.SendBatch(ctx, b).Close()
		if db.IsForeignKeyViolation(err, "items_collection_id_fkey") || db.IsForeignKeyViolation(err, "tags_collection_id_fkey") {
			return atlas.Errorf(atlas.ErrNotFound, "collection not found")
		}
		if err != nil {
			return err
		}
	}
	return s.events.RecordAll(ctx, tx, evs)
}

// MoveBulk moves the named items to the target collection: actor must be
// an owner or editor of each item's collection and of the target. Items
// keep their ids, versions move on, tags follow them; one ItemUpdated event
// per moved item (changes.collection_id). Items locked by another write
// wait for it, so two people moving the same items end with each item in
// one place, moved once by each.
func (s *Service) MoveBulk(ctx context.Context, actor uuid.UUID, ids []uuid.UUID, target uuid.UUID) (BulkResult, error) {
	return s.moveOrCopy(ctx, actor, ids, target, false)
}

// CopyBulk copies the named items into the target collection (readable by
// nothing less than write access on both sides, as a move): new items with
// the same fields and tags, one ItemCreated event each, their links queued
// for enrichment. Result.Changed lists the copies, in the order of ids.
func (s *Service) CopyBulk(ctx context.Context, actor uuid.UUID, ids []uuid.UUID, target uuid.UUID) (BulkResult, error) {
	return s.moveOrCopy(ctx, actor, ids, target, true)
}

func (s *Service) moveOrCopy(ctx context.Context, actor uuid.UUID, ids []uuid.UUID, target uuid.UUID, copying bool) (BulkResult, error) {
	ids, err := bulkIDs(ids)
	if err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.collections.Authorize(ctx, tx, actor, target, collection.ActionWriteItems); err != nil {
			return err
		}
		items, err := s.lockForWrite(ctx, tx, actor, ids)
		if err != nil {
			return err
		}
		b, now := &pgx.Batch{}, s.nowUTC()
		var evs []events.Event
		var copies []Item
		var moved [][2]Item
		for _, it := range items {
			if copying {
				c := Item{ID: uuid.Must(uuid.NewV7()), CollectionID: target, Title: it.Title, SourceURL: it.SourceURL,
					Description: it.Description, Notes: it.Notes, Tags: it.Tags, Metadata: it.Metadata, CreatedBy: &actor,
					Version: 1, CreatedAt: now, UpdatedAt: now}
				copies = append(copies, c)
				evs = append(evs, events.Event{Type: events.ItemCreated, Actor: &actor, Entity: itemEntity(c), Data: map[string]any{
					"title": c.Title, "source_url": c.SourceURL, "description": c.Description, "notes": c.Notes,
					"tags": c.Tags, "version": c.Version, "copied_from": it.ID}})
				res.Changed = append(res.Changed, c.ID)
				continue
			}
			if it.CollectionID == target {
				continue
			}
			next := it
			next.CollectionID, next.Version, next.UpdatedAt = target, it.Version+1, now
			queueMove(b, next)
			moved = append(moved, [2]Item{it, next})
			evs = append(evs, events.Event{Type: events.ItemUpdated, Actor: &actor, Entity: itemEntity(next), Data: map[string]any{
				"changes": events.Changes{"collection_id": events.Change{Before: it.CollectionID, After: target}}, "version": next.Version}})
			res.Changed = append(res.Changed, it.ID)
		}
		if len(copies) > 0 {
			queueInsert(b, target, copies...)
		}
		if err := s.finishBulk(ctx, tx, b, evs); err != nil {
			return err
		}
		for _, m := range moved {
			for _, hook := range s.onUpdate {
				if err := hook(ctx, tx, m[0], m[1]); err != nil {
					return err
				}
			}
		}
		return s.runOnImport(ctx, tx, copies)
	})
	if err != nil {
		return BulkResult{}, fmt.Errorf("move items: %w", err)
	}
	return res, nil
}

// runOnImport queues the enrichment of items added in bulk (copies,
// restores) the way an import does, at low priority.
func (s *Service) runOnImport(ctx context.Context, tx pgx.Tx, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	for _, hook := range s.onImport {
		if err := hook(ctx, tx, items); err != nil {
			return err
		}
	}
	return nil
}

// DeleteBulk deletes the named items (owners and editors of each one's
// collection) in one transaction with one ItemDeleted event each. For
// UndoWindow, RestoreBulk with the returned token brings them back.
func (s *Service) DeleteBulk(ctx context.Context, actor uuid.UUID, ids []uuid.UUID) (DeleteResult, error) {
	ids, err := bulkIDs(ids)
	if err != nil {
		return DeleteResult{}, err
	}
	now := s.nowUTC()
	res := DeleteResult{UndoToken: uuid.New(), UndoUntil: now.Add(UndoWindow)}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		items, err := s.lockForWrite(ctx, tx, actor, ids)
		if err != nil {
			return err
		}
		evs := make([]events.Event, len(items))
		for i, it := range items {
			evs[i] = events.Event{Type: events.ItemDeleted, Actor: &actor, Entity: itemEntity(it),
				Data: map[string]any{"title": it.Title, "version": it.Version + 1}}
			res.Deleted = append(res.Deleted, it.ID)
		}
		b := &pgx.Batch{}
		if err := queueTrash(b, items, res.UndoToken, actor, now, now.Add(-UndoWindow)); err != nil {
			return err
		}
		return s.finishBulk(ctx, tx, b, evs)
	})
	if err != nil {
		return DeleteResult{}, fmt.Errorf("delete items: %w", err)
	}
	return res, nil
}

// RestoreBulk undoes a bulk deletion within UndoWindow: the items come back
// with their ids, fields and tags (their page text is fetched again), one
// ItemCreated event each (data.restored). actor must still be an owner or
// editor of every item's collection; a token that is unknown, used or past
// its window is atlas.ErrNotFound.
func (s *Service) RestoreBulk(ctx context.Context, actor, token uuid.UUID) (BulkResult, error) {
	var res BulkResult
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.nowUTC()
		trashed, err := s.store.TakeTrash(ctx, tx, token, now.Add(-UndoWindow), actor)
		if err != nil {
			return err
		}
		if len(trashed) == 0 {
			return atlas.Errorf(atlas.ErrNotFound, "nothing to restore: the undo window has passed or the items were restored")
		}
		b := &pgx.Batch{}
		byCollection := map[uuid.UUID][]Item{}
		var order []uuid.UUID
		var all []Item
		var evs []events.Event
		for _, l := range trashed {
			if _, err := collection.AuthorizeChild(collection.ChildItem, l.Role, collection.ActionWriteItems); err != nil {
				return namedFailure(l.ID, err)
			}
			it := l.Item
			// Deleting took version v+1; the item comes back at v+2.
			it.Version, it.UpdatedAt = it.Version+2, now
			if _, ok := byCollection[it.CollectionID]; !ok {
				order = append(order, it.CollectionID)
			}
			byCollection[it.CollectionID] = append(byCollection[it.CollectionID], it)
			all = append(all, it)
			evs = append(evs, events.Event{Type: events.ItemCreated, Actor: &actor, Entity: itemEntity(it), Data: map[string]any{
				"title": it.Title, "source_url": it.SourceURL, "description": it.Description, "notes": it.Notes,
				"tags": it.Tags, "version": it.Version, "restored": true}})
			res.Changed = append(res.Changed, it.ID)
		}
		for _, c := range order {
			queueInsert(b, c, byCollection[c]...)
		}
		if err := s.finishBulk(ctx, tx, b, evs); err != nil {
			return err
		}
		return s.runOnImport(ctx, tx, all)
	})
	if err != nil {
		return BulkResult{}, fmt.Errorf("restore items: %w", err)
	}
	return res, nil
}
