package item

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// OnCreateFunc runs inside the transaction that creates an item, after the
// item is stored: the jobs package uses it to enqueue URL enrichment
// atomically with the item.
type OnCreateFunc func(ctx context.Context, tx pgx.Tx, it Item) error

// OnUpdateFunc runs inside the transaction that changes an item, after the
// change is stored, with the item before and after it.
type OnUpdateFunc func(ctx context.Context, tx pgx.Tx, before, after Item) error

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool        *pgxpool.Pool
	Collections *collection.Service
	Cursors     *cursor.Codec
	Recorder    *events.Recorder
	// OnCreate hooks run in the creating transaction (may be empty).
	OnCreate []OnCreateFunc
	// OnUpdate hooks run in the transaction of a user's change (may be empty).
	OnUpdate []OnUpdateFunc
	// OnImportQueued hooks run in the transaction storing an upload (the
	// jobs package adds its IMPORT_BOOKMARKS job).
	OnImportQueued []OnImportQueuedFunc
	// OnImport hooks run in each import batch's transaction with the items
	// it created (the jobs package queues their enrichment).
	OnImport []OnImportFunc
	// ImportMaxBytes caps an import file (DefaultImportMaxBytes when zero).
	ImportMaxBytes int64
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
}

// Service manages items on behalf of a caller.
type Service struct {
	pool        *pgxpool.Pool
	store       Store
	collections *collection.Service
	cursor      *cursor.Codec
	events      *events.Recorder
	onCreate    []OnCreateFunc
	onUpdate    []OnUpdateFunc
	now         func() time.Time

	imports        importStore
	importMax      int64
	onImportQueued []OnImportQueuedFunc
	onImport       []OnImportFunc
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	if p.ImportMaxBytes <= 0 {
		p.ImportMaxBytes = DefaultImportMaxBytes
	}
	return &Service{pool: p.Pool, collections: p.Collections, cursor: p.Cursors, events: p.Recorder,
		onCreate: p.OnCreate, onUpdate: p.OnUpdate, now: p.NowFunc,
		importMax: p.ImportMaxBytes, onImportQueued: p.OnImportQueued, onImport: p.OnImport}
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// CreateParams describes a new item.
type CreateParams struct {
	Title       string
	SourceURL   string
	Description string
	Notes       string
	Tags        []string
}

func itemEntity(it Item) events.Entity {
	return events.Entity{Type: events.EntityItem, ID: it.ID, CollectionID: it.CollectionID}
}

// Create adds an item to a collection (owners and editors).
func (s *Service) Create(ctx context.Context, actor, collectionID uuid.UUID, p CreateParams) (Item, error) {
	now := s.nowUTC()
	it := Item{ID: uuid.Must(uuid.NewV7()), CollectionID: collectionID, Metadata: json.RawMessage(`{}`),
		CreatedBy: &actor, Version: 1, CreatedAt: now, UpdatedAt: now}
	var err error
	if it.Title, err = normalizeTitle(p.Title); err != nil {
		return Item{}, err
	}
	if it.SourceURL, err = NormalizeURL(p.SourceURL); err != nil {
		return Item{}, err
	}
	if it.Description, err = checkLen("description", p.Description, MaxDescriptionLen); err != nil {
		return Item{}, err
	}
	if it.Notes, err = checkLen("notes", p.Notes, MaxNotesLen); err != nil {
		return Item{}, err
	}
	if it.Tags, err = NormalizeTags(p.Tags); err != nil {
		return Item{}, err
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.collections.Authorize(ctx, tx, actor, collectionID, collection.ActionWriteItems); err != nil {
			return err
		}
		// The event rides in the item's own batch: no extra round trip.
		ev := &pgx.Batch{}
		if err := s.events.Queue(ctx, ev, events.ItemCreated, &actor, itemEntity(it), map[string]any{
			"title": it.Title, "source_url": it.SourceURL, "description": it.Description,
			"notes": it.Notes, "tags": it.Tags, "version": it.Version,
		}); err != nil {
			return err
		}
		if err := s.store.Insert(ctx, tx, it, ev); err != nil {
			return err
		}
		for _, hook := range s.onCreate {
			if err := hook(ctx, tx, it); err != nil {
				return err
			}
		}
		dups, err := s.store.duplicatesOf(ctx, tx, actor, it)
		it.Duplicates = dups
		return err
	})
	if err != nil {
		return Item{}, fmt.Errorf("create item: %w", err)
	}
	return it, nil
}

// Authorize is the one access check on an existing item: it reads the item
// with actor's role in its collection and asks collection.AuthorizeChild
// whether actor may perform a on it. A non-member gets atlas.ErrNotFound, as if the item did not
// exist. With lock the item row stays locked until q (a transaction) ends,
// so the decision holds for the write that follows. Other domains acting
// on an item for a user (jobs) call it too.
func Authorize(ctx context.Context, q db.Querier, actor, id uuid.UUID, a collection.Action, lock bool) (Item, error) {
	it, role, err := Store{}.GetForUser(ctx, q, id, actor, lock)
	if err != nil {
		return Item{}, err
	}
	if _, err := collection.AuthorizeChild(collection.ChildItem, role, a); err != nil {
		return Item{}, err
	}
	return it, nil
}

// Get returns an item the actor may read.
func (s *Service) Get(ctx context.Context, actor, id uuid.UUID) (Item, error) {
	return Authorize(ctx, s.pool, actor, id, collection.ActionRead, false)
}

// GetForSystem reads an item without an access check, for workers acting
// on behalf of the system (enrichment).
func (s *Service) GetForSystem(ctx context.Context, id uuid.UUID) (Item, error) {
	return s.store.Get(ctx, s.pool, id)
}

// ListParams filters and pages a collection's items.
type ListParams struct {
	// Tags: an item must carry every one of them.
	Tags []string
	// LinkStatus: an item's link status must be one of them (see
	// ParseLinkStatuses; empty: any).
	LinkStatus []string
	Page       cursor.Page
}

// List returns a collection's items, newest first.
func (s *Service) List(ctx context.Context, actor, collectionID uuid.UUID, p ListParams) ([]Item, string, error) {
	tags, err := NormalizeTags(p.Tags)
	var statuses []string
	if err == nil {
		statuses, err = ParseLinkStatuses(p.LinkStatus)
	}
	// The cursor is bound to the collection and the filters it was made for.
	scope := fmt.Sprintf("items:%s:%q", collectionID, tags)
	if len(statuses) > 0 {
		scope += fmt.Sprintf(":%q", statuses)
	}
	var after *cursor.Keyset
	if err == nil {
		after, err = s.cursor.DecodeKeyset(scope, p.Page.After)
	}
	if err != nil {
		// Someone who may not read the collection hears that first.
		if _, aerr := s.collections.Authorize(ctx, s.pool, actor, collectionID, collection.ActionRead); aerr != nil {
			return nil, "", fmt.Errorf("list items: %w", aerr)
		}
		return nil, "", err
	}
	// The access check and the page go to Postgres in one round trip (the
	// list people look at most, and under load every round trip waits for
	// a core); the page is dropped unless the check passes.
	b := &pgx.Batch{}
	decide := s.collections.QueueAuthorize(b, actor, collectionID, collection.ActionRead)
	var rows []Item
	s.store.QueueList(b, collectionID, tags, statuses, after, p.Page.Limit+1, &rows)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, "", fmt.Errorf("list items: %w", err)
	}
	if _, err := decide(); err != nil {
		return nil, "", fmt.Errorf("list items: %w", err)
	}
	return cursor.Trim(s.cursor, scope, rows, p.Page.Limit, func(it Item) any {
		return cursor.Keyset{At: it.CreatedAt, ID: it.ID}
	})
}

// ListPublished returns a page of a collection's items like List, without
// an access check: for readers who reached the collection through a public
// link or a feed, whose access their own service decided
// (publiclink.Service.Resolve, or List/Authorize for a feed token's user).
func (s *Service) ListPublished(ctx context.Context, collectionID uuid.UUID, p ListParams) ([]Item, string, error) {
	tags, err := NormalizeTags(p.Tags)
	if err != nil {
		return nil, "", err
	}
	scope := fmt.Sprintf("published-items:%s:%q", collectionID, tags)
	after, err := s.cursor.DecodeKeyset(scope, p.Page.After)
	if err != nil {
		return nil, "", err
	}
	b := &pgx.Batch{}
	var rows []Item
	s.store.QueueList(b, collectionID, tags, nil, after, p.Page.Limit+1, &rows)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, "", fmt.Errorf("list published items: %w", err)
	}
	return cursor.Trim(s.cursor, scope, rows, p.Page.Limit, func(it Item) any {
		return cursor.Keyset{At: it.CreatedAt, ID: it.ID}
	})
}

// UpdateParams changes an item; nil fields stay as they are. An empty
// SourceURL removes the URL; Tags replaces the whole tag set.
type UpdateParams struct {
	Title       *string
	SourceURL   *string
	Description *string
	Notes       *string
	Tags        *[]string
}

// Update changes an item (owners and editors).
func (s *Service) Update(ctx context.Context, actor, id uuid.UUID, p UpdateParams) (Item, error) {
	var out Item
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		it, err := Authorize(ctx, tx, actor, id, collection.ActionWriteItems, true)
		if err != nil {
			return err
		}
		before := it
		if p.Title != nil {
			if it.Title, err = normalizeTitle(*p.Title); err != nil {
				return err
			}
		}
		if p.SourceURL != nil {
			if it.SourceURL, err = NormalizeURL(*p.SourceURL); err != nil {
				return err
			}
		}
		if p.Description != nil {
			if it.Description, err = checkLen("description", *p.Description, MaxDescriptionLen); err != nil {
				return err
			}
		}
		if p.Notes != nil {
			if it.Notes, err = checkLen("notes", *p.Notes, MaxNotesLen); err != nil {
				return err
			}
		}
		if p.Tags != nil {
			if it.Tags, err = NormalizeTags(*p.Tags); err != nil {
				return err
			}
		}
		out, err = s.write(ctx, tx, actor, before, it)
		return err
	})
	if err != nil {
		return Item{}, fmt.Errorf("update item: %w", err)
	}
	return out, nil
}

// write stores an actor's change of an item (before → it) in tx with its
// ItemUpdated event and the update hooks, bumping the version; a change
// that changes nothing writes nothing and returns before.
func (s *Service) write(ctx context.Context, tx pgx.Tx, actor uuid.UUID, before, it Item) (Item, error) {
	changes := diff(before, it)
	if len(changes) == 0 {
		return before, nil // nothing changed: no write, no version bump, no event
	}
	it.Version++
	it.UpdatedAt = s.nowUTC()
	_, tagsChanged := changes["tags"]
	ev := &pgx.Batch{}
	if err := s.events.Queue(ctx, ev, events.ItemUpdated, &actor, itemEntity(it),
		map[string]any{"changes": changes, "version": it.Version}); err != nil {
		return Item{}, err
	}
	if err := s.store.Update(ctx, tx, it, tagsChanged, ev); err != nil {
		return Item{}, err
	}
	for _, hook := range s.onUpdate {
		if err := hook(ctx, tx, before, it); err != nil {
			return Item{}, err
		}
	}
	return it, nil
}

// SetMetadata stores enrichment results for an item on behalf of the system
// (no actor). It is idempotent: the same metadata again changes nothing.
func (s *Service) SetMetadata(ctx context.Context, id uuid.UUID, metadata json.RawMessage) (Item, error) {
	return s.SetEnrichment(ctx, id, EnrichmentParams{Metadata: metadata})
}

// EnrichmentParams is what one ENRICH_URL run learnt about an item's URL.
type EnrichmentParams struct {
	// Metadata replaces the item's metadata; nil keeps it.
	Metadata json.RawMessage
	// PageText replaces the item's page text; nil keeps it.
	PageText *PageText
}

// SetEnrichment stores enrichment results for an item on behalf of the
// system (no actor), in one transaction with one ItemUpdated event when
// anything changed (the page text appears in the event's changes as its
// URL, status and size, never its content). It is idempotent: the same
// results again change nothing, so the item's version moves only when the
// page does.
func (s *Service) SetEnrichment(ctx context.Context, id uuid.UUID, p EnrichmentParams) (Item, error) {
	var out Item
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		it, _, err := s.store.GetForUser(ctx, tx, id, uuid.Nil, true)
		if err != nil {
			return err
		}
		before := it
		if p.Metadata != nil {
			it.Metadata = p.Metadata
		}
		changes := diff(before, it)
		if p.PageText != nil {
			change, err := s.store.putPageText(ctx, tx, id, *p.PageText)
			if err != nil {
				return err
			}
			if change != nil {
				changes["page_text"] = *change
			}
		}
		out = it
		if len(changes) == 0 {
			return nil
		}
		it.Version++
		it.UpdatedAt = s.nowUTC()
		ev := &pgx.Batch{}
		if err := s.events.Queue(ctx, ev, events.ItemUpdated, nil, itemEntity(it),
			map[string]any{"changes": changes, "version": it.Version}); err != nil {
			return err
		}
		if err := s.store.Update(ctx, tx, it, false, ev); err != nil {
			return err
		}
		// Read back: the page text summary comes from its own table.
		got, err := s.store.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		out = got
		return nil
	})
	if err != nil {
		return Item{}, fmt.Errorf("set item enrichment: %w", err)
	}
	return out, nil
}

// diff lists the fields that differ between two states of an item.
func diff(before, after Item) events.Changes {
	c := events.Changes{}
	c.Add("title", before.Title, after.Title)
	c.Add("source_url", before.SourceURL, after.SourceURL)
	c.Add("description", before.Description, after.Description)
	c.Add("notes", before.Notes, after.Notes)
	c.Add("tags", before.Tags, after.Tags)
	if !jsonEqual(before.Metadata, after.Metadata) {
		c["metadata_json"] = events.Change{Before: before.Metadata, After: after.Metadata}
	}
	return c
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return reflect.DeepEqual(x, y)
}

// Delete removes an item (owners and editors).
func (s *Service) Delete(ctx context.Context, actor, id uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		it, err := Authorize(ctx, tx, actor, id, collection.ActionWriteItems, true)
		if err != nil {
			return err
		}
		ev := &pgx.Batch{}
		if err := s.events.Queue(ctx, ev, events.ItemDeleted, &actor, itemEntity(it),
			map[string]any{"title": it.Title, "version": it.Version + 1}); err != nil {
			return err
		}
		return s.store.Delete(ctx, tx, id, ev)
	})
	if err != nil {
		return fmt.Errorf("delete item: %w", err)
	}
	return nil
}

// Tags lists the tags in use in a collection with their item counts.
func (s *Service) Tags(ctx context.Context, actor, collectionID uuid.UUID, page cursor.Page) ([]Tag, string, error) {
	if _, err := s.collections.Authorize(ctx, s.pool, actor, collectionID, collection.ActionRead); err != nil {
		return nil, "", fmt.Errorf("list tags: %w", err)
	}
	return s.TagsPublished(ctx, collectionID, page)
}

// TagsPublished is Tags without an access check, for a collection reached
// through a public link (see ListPublished).
func (s *Service) TagsPublished(ctx context.Context, collectionID uuid.UUID, page cursor.Page) ([]Tag, string, error) {
	scope := "tags:" + collectionID.String()
	var after string
	if page.After != "" {
		if err := s.cursor.Decode(scope, page.After, &after); err != nil {
			return nil, "", err
		}
	}
	tags, err := s.store.Tags(ctx, s.pool, collectionID, after, page.Limit+1)
	if err != nil {
		return nil, "", err
	}
	return cursor.Trim(s.cursor, scope, tags, page.Limit, func(t Tag) any { return t.Name })
}
