package item

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
)

// Store is the SQL for items and tags.
type Store struct{}

// itemColumns selects an item with its tags, the version the search index
// holds (0: none yet) and a summary of its page text (NULL: none for the
// current source_url) in the same row, so a page of items with tags is a
// single round trip.
const itemColumns = `i.id, i.collection_id, i.title, i.source_url, i.description, i.notes, i.metadata,
	i.created_by, i.version, i.created_at, i.updated_at,
	ARRAY(SELECT t.name FROM item_tags it JOIN tags t ON t.id = it.tag_id
	      WHERE it.item_id = i.id ORDER BY t.name) AS tags,
	COALESCE((SELECT s.version FROM search_index_state s WHERE s.item_id = i.id), 0) AS indexed_version,
	` + pageTextSummarySQL + ` AS page_text,
	` + linkHealthSQL + ` AS link,
	` + enrichmentSQL + ` AS enrichment,
	` + previewImageSQL + ` AS preview_image,
	` + iconImageSQL + ` AS icon_image`

// previewImageSQL and iconImageSQL are the versions (the first 8 bytes of
// the SHA-256, in hex) of the item's stored thumbnails, "" when there is
// none. The archive package makes, stores and serves them (table
// item_images); items only say which exist, so that a list shows a
// placeholder without asking for an image that is not there. Served by
// item_images' primary key.
const (
	previewImageSQL = `COALESCE((SELECT encode(substr(m.sha256, 1, 8), 'hex') FROM item_images m
		WHERE m.item_id = i.id AND m.kind = 'preview'), '')`
	iconImageSQL = `COALESCE((SELECT encode(substr(m.sha256, 1, 8), 'hex') FROM item_images m
		WHERE m.item_id = i.id AND m.kind = 'icon'), '')`
)

// enrichmentSQL is the state of the item's latest ENRICH_URL job, read from
// River's river_job (the jobs package adds and runs those jobs; items only
// summarise them so that a list shows which links are still being fetched):
// enriching while it waits, retries or runs, done, failed (for good), or
// none (no job, or one an operator cancelled). Served per row by the partial
// index river_job_atlas_item_kinds_idx, whose kind list the query repeats.
const enrichmentSQL = `COALESCE((SELECT CASE
		WHEN j.state IN ('available', 'scheduled', 'pending', 'retryable', 'running') THEN 'enriching'
		WHEN j.state = 'completed' THEN 'done'
		WHEN j.state = 'discarded' OR j.metadata->>'atlas_outcome' = 'failed' THEN 'failed'
		ELSE 'none' END
	FROM river_job j WHERE j.args->>'item_id' = i.id::text AND j.kind IN ('enrich_url', 'reindex_item', 'archive_page', 'fetch_images') AND j.kind = 'enrich_url'
	ORDER BY j.id DESC LIMIT 1), 'none')`

func scanItem(row pgx.Row, extra ...any) (Item, error) {
	var it Item
	dest := append([]any{&it.ID, &it.CollectionID, &it.Title, &it.SourceURL, &it.Description, &it.Notes,
		&it.Metadata, &it.CreatedBy, &it.Version, &it.CreatedAt, &it.UpdatedAt, &it.Tags, &it.IndexedVersion, &it.PageText, &it.Link, &it.Enrichment,
		&it.PreviewImage, &it.IconImage}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Item{}, atlas.Errorf(atlas.ErrNotFound, "item not found")
		}
		return Item{}, err
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if it.Tags == nil {
		it.Tags = []string{}
	}
	return it, nil
}

const insertItemsSQL = `
INSERT INTO items (id, collection_id, title, source_url, description, notes, metadata, created_by, version, created_at, updated_at,
	normalized_url, canonical_url)
SELECT u.id, $1, u.title, u.source_url, u.description, u.notes, u.metadata::jsonb, u.created_by, u.version, u.created_at, u.updated_at,
	u.normalized_url, u.canonical_url
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::bigint[],
            $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[])
  AS u (id, title, source_url, description, notes, metadata, created_by, version, created_at, updated_at, normalized_url, canonical_url)`

// upsertTagsSQL creates the tags of a collection that do not exist yet,
// each with its id and creation time.
const upsertTagsSQL = `
INSERT INTO tags (id, collection_id, name, created_at)
SELECT t.id, $1, t.name, t.created_at FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS t (id, name, created_at)
ON CONFLICT (collection_id, name) DO NOTHING`

// linkTagsSQL gives items tags of their collection: item $2[k] the tag
// named $3[k].
const linkTagsSQL = `
INSERT INTO item_tags (item_id, tag_id)
SELECT l.item_id, t.id FROM unnest($2::uuid[], $3::text[]) AS l (item_id, name)
JOIN tags t ON t.collection_id = $1 AND t.name = l.name`

const unlinkTagsSQL = `DELETE FROM item_tags WHERE item_id = $1`

// queueTags adds the statements that make the item carry exactly tags.
func queueTags(b *pgx.Batch, it Item, replace bool) {
	if replace {
		b.Queue(unlinkTagsSQL, it.ID)
	}
	queueTagLinks(b, it.CollectionID, []Item{it})
}

// queueTagLinks adds the statements that give new items of one collection
// their tags (created as needed, at the time of the first item that
// carries them): two statements however many items and tags there are.
func queueTagLinks(b *pgx.Batch, collectionID uuid.UUID, items []Item) {
	first := map[string]time.Time{} // tag → UpdatedAt of the first item carrying it
	var linkItems []uuid.UUID
	var linkNames []string
	for _, it := range items {
		for _, name := range it.Tags {
			if _, ok := first[name]; !ok {
				first[name] = it.UpdatedAt
			}
			linkItems, linkNames = append(linkItems, it.ID), append(linkNames, name)
		}
	}
	if len(first) == 0 {
		return
	}
	// In name order, so that writes adding the same new tags at once take
	// their locks in one order and cannot deadlock.
	names := slices.Sorted(maps.Keys(first))
	ids, created := make([]uuid.UUID, len(names)), make([]time.Time, len(names))
	for i, name := range names {
		ids[i], created[i] = uuid.Must(uuid.NewV7()), first[name]
	}
	b.Queue(upsertTagsSQL, collectionID, ids, names, created)
	b.Queue(linkTagsSQL, collectionID, linkItems, linkNames)
}

// queueInsert adds the statements that store new items of one collection
// and their tags: three statements however many items there are.
func queueInsert(b *pgx.Batch, collectionID uuid.UUID, items ...Item) {
	if len(items) == 0 {
		return
	}
	n := len(items)
	ids, titles, urls := make([]uuid.UUID, n), make([]string, n), make([]*string, n)
	descs, notes, meta := make([]string, n), make([]string, n), make([]*string, n)
	by, versions, created, updated := make([]*uuid.UUID, n), make([]int64, n), make([]time.Time, n), make([]time.Time, n)
	norms, canons := make([]*string, n), make([]*string, n)
	for i, it := range items {
		norms[i], canons[i] = linkKeys(it)
		ids[i], titles[i], urls[i], descs[i], notes[i] = it.ID, it.Title, it.SourceURL, it.Description, it.Notes
		if it.Metadata != nil {
			m := string(it.Metadata)
			meta[i] = &m
		}
		by[i], versions[i], created[i], updated[i] = it.CreatedBy, it.Version, it.CreatedAt, it.UpdatedAt
	}
	b.Queue(insertItemsSQL, collectionID, ids, titles, urls, descs, notes, meta, by, versions, created, updated, norms, canons)
	queueTagLinks(b, collectionID, items)
}

// send sends b followed by the statements of with (nil: none), such as
// the outbox insert of the write's event, in one round trip.
func send(ctx context.Context, q db.Querier, b, with *pgx.Batch) error {
	if with != nil {
		b.QueuedQueries = append(b.QueuedQueries, with.QueuedQueries...)
	}
	return q.SendBatch(ctx, b).Close()
}

// Insert stores a new item and its tags, and runs the statements of with,
// in one round trip. A collection deleted meanwhile is atlas.ErrNotFound.
func (Store) Insert(ctx context.Context, q db.Querier, it Item, with *pgx.Batch) error {
	b := &pgx.Batch{}
	queueInsert(b, it.CollectionID, it)
	err := send(ctx, q, b, with)
	if db.IsForeignKeyViolation(err, "items_collection_id_fkey") || db.IsForeignKeyViolation(err, "tags_collection_id_fkey") {
		// The collection was deleted after the access check passed.
		return atlas.Errorf(atlas.ErrNotFound, "collection not found")
	}
	if err != nil {
		return fmt.Errorf("insert item: %w", err)
	}
	return nil
}

const updateItemSQL = `
UPDATE items SET title = $2, source_url = $3, description = $4, notes = $5, metadata = $6,
	version = $7, updated_at = $8, normalized_url = $9, canonical_url = $10
WHERE id = $1`

// Update writes every field of an item; with tagsChanged it also replaces
// its tags. It runs the statements of with too, all in one round trip.
func (Store) Update(ctx context.Context, q db.Querier, it Item, tagsChanged bool, with *pgx.Batch) error {
	b := &pgx.Batch{}
	queueUpdate(b, it, tagsChanged)
	if err := send(ctx, q, b, with); err != nil {
		return fmt.Errorf("update item: %w", err)
	}
	return nil
}

// queueUpdate adds the statements that write every field of an item (and
// with tagsChanged, replace its tags).
func queueUpdate(b *pgx.Batch, it Item, tagsChanged bool) {
	norm, canon := linkKeys(it)
	b.Queue(updateItemSQL, it.ID, it.Title, it.SourceURL, it.Description, it.Notes, it.Metadata, it.Version, it.UpdatedAt, norm, canon)
	if tagsChanged {
		queueTags(b, it, true)
	}
}

const byLinkKeySQL = `SELECT ` + itemColumns + ` FROM items i
WHERE i.collection_id = $1 AND i.normalized_url = ANY ($2::text[])
ORDER BY i.created_at, i.id
FOR UPDATE OF i`

// ByLinkKey reads (and locks) a collection's items whose normalised URL
// (package urlnorm) is any of keys, by key; of several items with one key,
// the oldest.
func (Store) ByLinkKey(ctx context.Context, q db.Querier, collectionID uuid.UUID, keys []string) (map[string]Item, error) {
	out := make(map[string]Item, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, byLinkKeySQL, collectionID, keys)
	if err != nil {
		return nil, fmt.Errorf("items by url: %w", err)
	}
	items, err := pgx.CollectRows(rows, itemRow)
	if err != nil {
		return nil, fmt.Errorf("items by url: %w", err)
	}
	for _, it := range items {
		if k, _ := linkKeys(it); k != nil {
			if _, seen := out[*k]; !seen {
				out[*k] = it
			}
		}
	}
	return out, nil
}

const deleteItemSQL = `DELETE FROM items WHERE id = $1`

// Delete removes an item (its tag links cascade) and runs the statements
// of with, in one round trip.
func (Store) Delete(ctx context.Context, q db.Querier, id uuid.UUID, with *pgx.Batch) error {
	b := &pgx.Batch{}
	b.Queue(deleteItemSQL, id)
	if err := send(ctx, q, b, with); err != nil {
		return fmt.Errorf("delete item: %w", err)
	}
	return nil
}

var getForUserSQL = `
SELECT ` + itemColumns + `, ` + collection.RoleSQL("i.collection_id", "$2") + `
FROM items i
WHERE i.id = $1`

// GetForUser reads an item together with userID's role in its collection
// (nil: not a member), for collection.AuthorizeChild. With forUpdate it
// locks the item row.
func (Store) GetForUser(ctx context.Context, q db.Querier, id, userID uuid.UUID, forUpdate bool) (Item, *collection.Role, error) {
	sql := getForUserSQL
	if forUpdate {
		sql += ` FOR UPDATE OF i`
	}
	var scanned *collection.Role
	it, err := scanItem(q.QueryRow(ctx, sql, id, userID), &scanned)
	if err != nil {
		return Item{}, nil, fmt.Errorf("get item: %w", err)
	}
	return it, scanned, nil
}

const getSQL = `SELECT ` + itemColumns + ` FROM items i WHERE i.id = $1`

// Get reads an item by id (no access check: for workers and consumers).
func (Store) Get(ctx context.Context, q db.Querier, id uuid.UUID) (Item, error) {
	it, err := scanItem(q.QueryRow(ctx, getSQL, id))
	if err != nil {
		return Item{}, fmt.Errorf("get item: %w", err)
	}
	return it, nil
}

const byIDsSQL = `SELECT ` + itemColumns + ` FROM items i WHERE i.id = ANY ($1::uuid[])`

// ByIDs reads the items that still exist among ids, in one query and in no
// particular order (no access check: for the search index's syncer).
func (Store) ByIDs(ctx context.Context, q db.Querier, ids []uuid.UUID) ([]Item, error) {
	items, err := collectItems(q.Query(ctx, byIDsSQL, ids))
	if err != nil {
		return nil, fmt.Errorf("read items by id: %w", err)
	}
	return items, nil
}

const pageByIDSQL = `SELECT ` + itemColumns + ` FROM items i WHERE i.id > $1 ORDER BY i.id LIMIT $2`

// PageByID reads up to limit items with ids above after, in id order: a
// keyset walk over every item on the primary key (no access check: for
// rebuilding the search index).
func (Store) PageByID(ctx context.Context, q db.Querier, after uuid.UUID, limit int) ([]Item, error) {
	items, err := collectItems(q.Query(ctx, pageByIDSQL, after, limit))
	if err != nil {
		return nil, fmt.Errorf("read items after %s: %w", after, err)
	}
	return items, nil
}

// collectItems reads rows of itemColumns (an empty result is an empty,
// non-nil slice).
func collectItems(rows pgx.Rows, err error) ([]Item, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, itemRow)
}

// itemRow is scanItem for pgx.CollectRows.
func itemRow(row pgx.CollectableRow) (Item, error) {
	it, err := scanItem(row)
	if err != nil {
		return Item{}, fmt.Errorf("scan item: %w", err)
	}
	return it, nil
}

const listSQL = `
SELECT ` + itemColumns + `
FROM items i
WHERE i.collection_id = $1
  AND (i.created_at, i.id) < ($2, $3)
  AND (cardinality($4::text[]) = 0 OR i.id IN (
        SELECT it.item_id FROM item_tags it JOIN tags t ON t.id = it.tag_id
        WHERE t.collection_id = $1 AND t.name = ANY ($4::text[])
        GROUP BY it.item_id HAVING count(*) = cardinality($4::text[])))
  AND (cardinality($6::text[]) = 0 OR COALESCE((SELECT c.status FROM item_link_checks c
        WHERE c.item_id = i.id AND c.source_url = i.source_url), 'unknown') = ANY ($6::text[]))
ORDER BY i.created_at DESC, i.id DESC
LIMIT $5`

// QueueList queues on b the read of a collection's items, newest first,
// that carry every tag in tags and have one of the link statuses (none:
// any), after the keyset position: once b has run, *into holds them.
func (Store) QueueList(b *pgx.Batch, collectionID uuid.UUID, tags, linkStatuses []string, after *cursor.Keyset, limit int, into *[]Item) {
	at, id := cursor.Args(after, true)
	if tags == nil {
		tags = []string{}
	}
	if linkStatuses == nil {
		linkStatuses = []string{}
	}
	b.Queue(listSQL, collectionID, at, id, tags, limit, linkStatuses).Query(func(rows pgx.Rows) error {
		out, err := collectItems(rows, nil)
		if err != nil {
			return fmt.Errorf("list items: %w", err)
		}
		*into = out
		return nil
	})
}

// Tag is a tag name with the number of items carrying it.
type Tag struct {
	Name      string
	ItemCount int
	CreatedAt time.Time
}

const listTagsSQL = `
SELECT t.name, count(*), t.created_at
FROM tags t JOIN item_tags it ON it.tag_id = t.id
WHERE t.collection_id = $1 AND t.name > $2
GROUP BY t.id
ORDER BY t.name
LIMIT $3`

// Tags lists the tags in use in a collection, by name, after the name
// `after` ("" for the first page).
func (Store) Tags(ctx context.Context, q db.Querier, collectionID uuid.UUID, after string, limit int) ([]Tag, error) {
	rows, err := q.Query(ctx, listTagsSQL, collectionID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Tag])
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}
