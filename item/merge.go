package item

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// ItemVersion names an item in the state the caller saw it.
type ItemVersion struct {
	ID uuid.UUID
	// Version is the item's version the caller read; a merge refuses an
	// item that changed since (atlas.ErrConflict), so no edit is lost.
	Version int64
}

// MergeParams merges duplicates into the one item kept.
type MergeParams struct {
	Keep   ItemVersion
	Others []ItemVersion
}

// MaxMergeOthers caps the items one merge deletes.
const MaxMergeOthers = 50

func (p MergeParams) validate() error {
	if len(p.Others) == 0 || len(p.Others) > MaxMergeOthers {
		return atlas.Invalid("others", "must name between 1 and %d items", MaxMergeOthers)
	}
	seen := map[uuid.UUID]bool{p.Keep.ID: true}
	for _, o := range append([]ItemVersion{p.Keep}, p.Others...) {
		if o.Version < 1 {
			return atlas.Invalid("others", "every item needs the version it was read at")
		}
	}
	for _, o := range p.Others {
		if seen[o.ID] {
			return atlas.Invalid("others", "an item appears twice (or is also the one kept)")
		}
		seen[o.ID] = true
	}
	return nil
}

// Merge unites duplicates into the item kept: it gets the union of their
// tags and their notes appended to its own, and the others are deleted,
// all in one transaction with their ItemUpdated and ItemDeleted events.
// The caller must be allowed to edit every item involved (otherwise
// atlas.ErrForbidden, or atlas.ErrNotFound for an item they may not see,
// and nothing changes), and every item must still be at the version the
// caller read (atlas.ErrConflict otherwise). It returns the kept item.
func (s *Service) Merge(ctx context.Context, actor uuid.UUID, p MergeParams) (Item, error) {
	if err := p.validate(); err != nil {
		return Item{}, err
	}
	var out Item
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		all := append([]ItemVersion{p.Keep}, p.Others...)
		// Lock in id order, so that merges and edits over the same items
		// cannot deadlock; each lock holds until the merge commits.
		order := slices.Clone(all)
		slices.SortFunc(order, func(a, b ItemVersion) int { return strings.Compare(a.ID.String(), b.ID.String()) })
		byID := make(map[uuid.UUID]Item, len(all))
		for _, ref := range order {
			it, err := Authorize(ctx, tx, actor, ref.ID, collection.ActionWriteItems, true)
			if err != nil {
				return err
			}
			if it.Version != ref.Version {
				return atlas.Errorf(atlas.ErrConflict, "item %s changed since it was read (version %d, now %d); reload and merge again",
					ref.ID, ref.Version, it.Version)
			}
			byID[ref.ID] = it
		}
		keep := byID[p.Keep.ID]
		merged, err := unite(keep, p.Others, byID)
		if err != nil {
			return err
		}
		ev := &pgx.Batch{}
		mergedFrom := make([]uuid.UUID, len(p.Others))
		for i, o := range p.Others {
			mergedFrom[i] = o.ID
			gone := byID[o.ID]
			if err := s.events.Queue(ctx, ev, events.ItemDeleted, &actor, itemEntity(gone),
				map[string]any{"title": gone.Title, "version": gone.Version + 1, "merged_into": keep.ID}); err != nil {
				return err
			}
			if err := s.store.Delete(ctx, tx, gone.ID, ev); err != nil {
				return err
			}
			ev = &pgx.Batch{}
		}
		out = keep
		changes := diff(keep, merged)
		if len(changes) == 0 {
			return nil // the others held nothing the kept item lacks
		}
		merged.Version++
		merged.UpdatedAt = s.nowUTC()
		if err := s.events.Queue(ctx, ev, events.ItemUpdated, &actor, itemEntity(merged),
			map[string]any{"changes": changes, "version": merged.Version, "merged_from": mergedFrom}); err != nil {
			return err
		}
		_, tagsChanged := changes["tags"]
		if err := s.store.Update(ctx, tx, merged, tagsChanged, ev); err != nil {
			return err
		}
		for _, hook := range s.onUpdate {
			if err := hook(ctx, tx, keep, merged); err != nil {
				return err
			}
		}
		out = merged
		return nil
	})
	if err != nil {
		return Item{}, fmt.Errorf("merge items: %w", err)
	}
	return out, nil
}

// unite gives keep the tags of every other item and appends their notes
// (each only once) to its own.
func unite(keep Item, others []ItemVersion, byID map[uuid.UUID]Item) (Item, error) {
	tags := slices.Clone(keep.Tags)
	notes := keep.Notes
	for _, o := range others {
		it := byID[o.ID]
		tags = append(tags, it.Tags...)
		if n := strings.TrimSpace(it.Notes); n != "" && !strings.Contains(notes, n) {
			if notes != "" {
				notes += "\n\n"
			}
			notes += n
		}
	}
	var err error
	if keep.Tags, err = NormalizeTags(tags); err != nil {
		return Item{}, err
	}
	if utf8.RuneCountInString(notes) > MaxNotesLen {
		return Item{}, atlas.Invalid("notes", "the merged notes would be over %d characters", MaxNotesLen)
	}
	keep.Notes = notes
	return keep, nil
}
