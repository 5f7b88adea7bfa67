package item

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
)

// Duplicate is an item that holds the same link as another, in a
// collection the person asking may read.
type Duplicate struct {
	ItemID         uuid.UUID
	CollectionID   uuid.UUID
	CollectionName string
	Title          string
	SourceURL      string
	Version        int64
	// CanEdit: the person may change (and so merge) this item.
	CanEdit bool
}

// maxDuplicatesShown caps the matches Create reports.
const maxDuplicatesShown = 20

var duplicatesOfSQL = `
SELECT i.id, i.collection_id, c.name, i.title, i.source_url, i.version, ` + collection.RoleSQL("i.collection_id", "$1") + `
FROM items i JOIN collections c ON c.id = i.collection_id
WHERE i.collection_id IN ` + collection.VisibleIDsSQL("$1") + `
  AND i.normalized_url = $2 AND i.id <> $3
ORDER BY i.created_at, i.id
LIMIT $4`

// duplicatesOf lists the items other than it, in collections actor may
// read, that hold the same normalised URL (oldest first).
func (Store) duplicatesOf(ctx context.Context, q db.Querier, actor uuid.UUID, it Item) ([]Duplicate, error) {
	norm, _ := linkKeys(it)
	if norm == nil {
		return []Duplicate{}, nil
	}
	rows, err := q.Query(ctx, duplicatesOfSQL, actor, *norm, it.ID, maxDuplicatesShown)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDuplicate)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	return out, nil
}

func scanDuplicate(row pgx.CollectableRow) (Duplicate, error) {
	var d Duplicate
	var role *collection.Role
	if err := row.Scan(&d.ItemID, &d.CollectionID, &d.CollectionName, &d.Title, &d.SourceURL, &d.Version, &role); err != nil {
		return Duplicate{}, err
	}
	if r, ok := collection.MemberRole(role); ok {
		d.CanEdit = collection.PermissionsOf(r).WriteItems
	}
	return d, nil
}

// DuplicateKind says why the items of a group are taken for one link.
type DuplicateKind string

// Kinds of duplicate group.
const (
	// DuplicateExact: the same normalised URL.
	DuplicateExact DuplicateKind = "exact"
	// DuplicateCanonical: different URLs whose pages name the same
	// canonical link (a near-duplicate).
	DuplicateCanonical DuplicateKind = "canonical"
	// DuplicateTitleHost: different URLs on one host with the same title
	// (a near-duplicate).
	DuplicateTitleHost DuplicateKind = "title_host"
)

// keyExpr is the SQL grouping key of each kind; keyFilter the condition
// an item must meet to have one.
var (
	keyExpr = map[DuplicateKind]string{
		DuplicateExact:     `i.normalized_url`,
		DuplicateCanonical: `i.canonical_url`,
		DuplicateTitleHost: `(i.url_host || ' ' || lower(i.title))`,
	}
	// keyPresent: the items that have a key of the kind (what the kinds'
	// partial indexes hold).
	keyPresent = map[DuplicateKind]string{
		DuplicateExact:     `i.normalized_url IS NOT NULL`,
		DuplicateCanonical: `i.canonical_url IS NOT NULL`,
		DuplicateTitleHost: `i.url_host IS NOT NULL`,
	}
	// groupRule: an exact group has several items; a near-duplicate group
	// several distinct URLs (otherwise it is an exact group already). Two
	// distinct URLs are a smallest and a largest that differ: unlike
	// count(DISTINCT …), which sorts every group's rows, min and max let
	// Postgres group by hashing (title_host over 100k items: p99 284 ms
	// with count(DISTINCT …)).
	groupRule = map[DuplicateKind]string{
		DuplicateExact:     `count(*) > 1`,
		DuplicateCanonical: `min(i.normalized_url) <> max(i.normalized_url)`,
		DuplicateTitleHost: `min(i.normalized_url) <> max(i.normalized_url)`,
	}
)

// DuplicateGroup is a set of items taken for one link.
type DuplicateGroup struct {
	Kind DuplicateKind
	// Key is what the items share: the normalised URL, the canonical
	// link, or the host and lower-cased title.
	Key   string
	Items []Duplicate
}

// DuplicatesParams selects and pages the duplicates view.
type DuplicatesParams struct {
	// Kind is the kind of group to list (DuplicateExact when empty).
	Kind DuplicateKind
	Page cursor.Page
}

// maxGroupItems caps the items listed per group.
const maxGroupItems = 50

// Duplicates lists, across every collection actor may read, the groups
// of items that hold one link, by key; near-duplicates are their own kinds.
func (s *Service) Duplicates(ctx context.Context, actor uuid.UUID, p DuplicatesParams) ([]DuplicateGroup, string, error) {
	if p.Kind == "" {
		p.Kind = DuplicateExact
	}
	expr, ok := keyExpr[p.Kind]
	if !ok {
		return nil, "", atlas.Invalid("kind", "must be exact, canonical or title_host")
	}
	scope := "duplicates:" + string(p.Kind) + ":" + actor.String()
	var after string
	if p.Page.After != "" {
		if err := s.cursor.Decode(scope, p.Page.After, &after); err != nil {
			return nil, "", err
		}
	}
	keysSQL := `SELECT ` + expr + ` FROM items i
WHERE ` + keyPresent[p.Kind] + ` AND i.collection_id IN ` + collection.VisibleIDsSQL("$1") + ` AND ` + expr + ` > $2
GROUP BY 1 HAVING ` + groupRule[p.Kind] + ` ORDER BY 1 LIMIT $3`
	rows, err := s.pool.Query(ctx, keysSQL, actor, after, p.Page.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list duplicates: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, "", fmt.Errorf("list duplicates: %w", err)
	}
	groups := make([]DuplicateGroup, len(keys))
	at := make(map[string]int, len(keys))
	for i, k := range keys {
		groups[i], at[k] = DuplicateGroup{Kind: p.Kind, Key: k}, i
	}
	shown := keys[:min(len(keys), p.Page.Limit)] // the extra key only says there is a next page
	if len(shown) > 0 {
		itemsSQL := `SELECT k, id, collection_id, name, title, source_url, version, role FROM (
  SELECT ` + expr + ` AS k, i.id, i.collection_id, c.name, i.title, i.source_url, i.version, i.created_at,
         ` + collection.RoleSQL("i.collection_id", "$1") + ` AS role,
         row_number() OVER (PARTITION BY ` + expr + ` ORDER BY i.created_at, i.id) AS n
  FROM items i JOIN collections c ON c.id = i.collection_id
  WHERE i.collection_id IN ` + collection.VisibleIDsSQL("$1") + ` AND ` + expr + ` = ANY ($2::text[])) g
WHERE n <= $3 ORDER BY k, created_at, id`
		rows, err := s.pool.Query(ctx, itemsSQL, actor, shown, maxGroupItems)
		if err != nil {
			return nil, "", fmt.Errorf("list duplicates: %w", err)
		}
		var key string
		var role *collection.Role
		var d Duplicate
		_, err = pgx.ForEachRow(rows, []any{&key, &d.ItemID, &d.CollectionID, &d.CollectionName, &d.Title, &d.SourceURL, &d.Version, &role}, func() error {
			d.CanEdit = false
			if r, ok := collection.MemberRole(role); ok {
				d.CanEdit = collection.PermissionsOf(r).WriteItems
			}
			g := &groups[at[key]]
			g.Items = append(g.Items, d)
			return nil
		})
		if err != nil {
			return nil, "", fmt.Errorf("list duplicates: %w", err)
		}
	}
	return cursor.Trim(s.cursor, scope, groups, p.Page.Limit, func(g DuplicateGroup) any { return g.Key })
}
