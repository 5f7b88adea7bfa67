package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

// SyncerParams configures a Syncer.
type SyncerParams struct {
	// DB is where items are read and indexed versions recorded (normally the pool).
	DB db.Querier
	// Index is the Elasticsearch index written to.
	Index *Index
	// PageSize is the number of items Feed reads per query; default 1000.
	PageSize int
	// Logger receives what a sync did (at debug); nil discards.
	Logger *slog.Logger
	// NowFunc stamps indexed_at; default time.Now.
	NowFunc func() time.Time
}

// Syncer copies items from Postgres to the index. It is what the indexer runs for every batch of
// events and what REINDEX_ITEM jobs call (it implements jobs.ItemIndexer). It is safe for
// concurrent use.
type Syncer struct {
	db       db.Querier
	index    *Index
	store    store
	items    item.Store
	pageSize int
	log      *slog.Logger
	now      func() time.Time
}

// NewSyncer returns a Syncer.
func NewSyncer(p SyncerParams) (*Syncer, error) {
	if p.DB == nil || p.Index == nil {
		return nil, errors.New("new search syncer: DB and Index are required")
	}
	if p.PageSize <= 0 {
		p.PageSize = 1000
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Syncer{db: p.DB, index: p.Index, pageSize: p.PageSize, log: p.Logger, now: p.NowFunc}, nil
}

// Index returns the index the Syncer writes to.
func (s *Syncer) Index() *Index { return s.index }

// Change names an item whose index entry may be out of date.
type Change struct {
	// ItemID is the item.
	ItemID uuid.UUID
	// MinDeleteVersion is a lower bound, learnt from events, of the version the item's deletion
	// has if the item turns out to be gone (0: unknown). ItemDeleted carries that version; an
	// ItemCreated or ItemUpdated at version v implies a deletion at v+1 or later.
	MinDeleteVersion int64
}

// SyncResult says what a sync wrote.
type SyncResult struct {
	// Upserted is the number of documents written from Postgres' current state.
	Upserted int
	// Deleted is the number of tombstones written for items Postgres no longer has.
	Deleted int
}

// SyncItem brings one item's index entry up to date with Postgres: it indexes the item's current
// state, or removes it from the index if the item no longer exists. Safe to repeat.
func (s *Syncer) SyncItem(ctx context.Context, itemID uuid.UUID) error {
	if _, err := s.Sync(ctx, []Change{{ItemID: itemID}}); err != nil {
		return fmt.Errorf("sync item %s: %w", itemID, err)
	}
	return nil
}

// Sync brings the index entries of the changed items up to date with Postgres: the items still
// there are read in one query and written with their versions; the others are deleted with a
// version above both the version the index holds and c.MinDeleteVersion. All of it goes out in
// bulk requests. Once Elasticsearch has acknowledged, the indexed versions are recorded (see
// item.Item.IndexedVersion). Replays and out-of-order changes are harmless: the index never goes
// back to an older version.
func (s *Syncer) Sync(ctx context.Context, changes []Change) (SyncResult, error) {
	if len(changes) == 0 {
		return SyncResult{}, nil
	}
	minDelete := make(map[uuid.UUID]int64, len(changes))
	ids := make([]uuid.UUID, 0, len(changes))
	for _, c := range changes {
		v, seen := minDelete[c.ItemID]
		if !seen {
			ids = append(ids, c.ItemID)
		}
		minDelete[c.ItemID] = max(v, c.MinDeleteVersion)
	}
	items, err := s.items.ByIDs(ctx, s.db, ids)
	if err != nil {
		return SyncResult{}, err
	}
	docs, err := s.documents(ctx, items)
	if err != nil {
		return SyncResult{}, err
	}
	present := make(map[uuid.UUID]bool, len(docs))
	for _, d := range docs {
		present[d.ID] = true
	}
	var gone []uuid.UUID
	for _, id := range ids {
		if !present[id] {
			gone = append(gone, id)
		}
	}
	var tombstones []Tombstone
	if len(gone) > 0 {
		stored, err := s.index.StoredVersions(ctx, gone)
		if err != nil {
			return SyncResult{}, err
		}
		for _, id := range gone {
			v := minDelete[id]
			if sv, ok := stored[id]; ok {
				v = max(v, sv+1)
			}
			if v > 0 { // unknown to the index and to the events: nothing to delete
				tombstones = append(tombstones, Tombstone{ID: id, Version: v})
			}
		}
	}
	if err := s.index.Apply(ctx, docs, tombstones); err != nil {
		return SyncResult{}, err
	}
	if err := s.store.markIndexed(ctx, s.db, docs, s.now().UTC()); err != nil {
		return SyncResult{}, err
	}
	return SyncResult{Upserted: len(docs), Deleted: len(tombstones)}, nil
}

// DeleteCollection removes every document of a deleted collection from the index.
func (s *Syncer) DeleteCollection(ctx context.Context, collectionID uuid.UUID) error {
	return s.index.DeleteByCollection(ctx, collectionID)
}

// Feed streams every item in Postgres as a document, a page at a time in id order. Rebuild uses
// it; pages are separate queries, and changes made while it runs reach the new index through the
// indexer (see Index.Rebuild).
func (s *Syncer) Feed() FeedFunc {
	return func(ctx context.Context, emit func(docs ...Document) error) error {
		after := uuid.Nil
		for {
			items, err := s.items.PageByID(ctx, s.db, after, s.pageSize)
			if err != nil {
				return err
			}
			docs, err := s.documents(ctx, items)
			if err != nil {
				return err
			}
			if len(docs) == 0 {
				return nil
			}
			if err := emit(docs...); err != nil {
				return err
			}
			if len(docs) < s.pageSize {
				return nil
			}
			after = docs[len(docs)-1].ID
		}
	}
}

// Rebuild loads every item from Postgres into a new concrete index and swaps the alias to it (see
// Index.Rebuild). It returns the number of documents loaded.
func (s *Syncer) Rebuild(ctx context.Context) (int, error) {
	n := 0
	feed := s.Feed()
	counted := func(ctx context.Context, emit func(docs ...Document) error) error {
		return feed(ctx, func(docs ...Document) error {
			n += len(docs)
			return emit(docs...)
		})
	}
	if err := s.index.Rebuild(ctx, counted); err != nil {
		return 0, err
	}
	return n, nil
}
