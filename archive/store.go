package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
)

// Kind is a kind of archived copy.
type Kind string

// The copy kinds.
const (
	// KindHTML is the self-contained page.
	KindHTML Kind = "html"
	// KindReadable is the sanitised readable version.
	KindReadable Kind = "readable"
)

// Status is an item's latest archiving attempt and its copies.
type Status struct {
	ItemID       uuid.UUID
	CollectionID uuid.UUID
	// SourceURL is the URL that was archived.
	SourceURL string
	// State is StateArchived, StateFailed or StateNone.
	State string
	// Code and Reason say why the attempt failed ("" when archived).
	Code   Code
	Reason string
	// BlockedResources counts sub-resources the guard refused.
	BlockedResources int
	AttemptedAt      time.Time
	// CapturedBy says who made the copies: CapturedByServer or
	// CapturedByBrowser.
	CapturedBy string
	// Copies are the stored copies (from the latest successful attempt).
	Copies []Copy
}

// Copy is one stored copy.
type Copy struct {
	Kind        Kind
	BlobKey     string
	ContentType string
	Size        int64
	SHA256      []byte
	CreatedAt   time.Time
}

// The states of Status.State.
const (
	StateArchived = "archived"
	StateFailed   = "failed"
	// StateNone: the item was never archived.
	StateNone = "none"
)

// Who made an item's copies (Status.CapturedBy).
const (
	// CapturedByServer: the ARCHIVE_PAGE job fetched the page.
	CapturedByServer = "server"
	// CapturedByBrowser: the browser extension sent the page as the person
	// saw it; preferred over the server's capture of the same URL.
	CapturedByBrowser = "browser"
)

// Prefix is where the blobs of all archived copies live in the blob store.
const Prefix = "items/"

// itemPrefix is the blob key prefix of an item's copies.
func itemPrefix(collectionID, itemID uuid.UUID) string {
	return Prefix + collectionID.String() + "/" + itemID.String() + "/"
}

// collectionPrefix is the blob key prefix of a collection's copies.
func collectionPrefix(collectionID uuid.UUID) string { return Prefix + collectionID.String() + "/" }

type store struct{}

const statusSQL = `
SELECT a.item_id, a.collection_id, a.source_url, a.status, a.code, a.reason, a.blocked_resources, a.attempted_at, a.captured_by
FROM item_archives a WHERE a.item_id = $1`

const copiesSQL = `
SELECT kind, blob_key, content_type, size_bytes, sha256, created_at
FROM item_archive_copies WHERE item_id = $1 ORDER BY kind`

// get returns an item's archive status (atlas.ErrNotFound if never archived).
func (store) get(ctx context.Context, q db.Querier, itemID uuid.UUID) (Status, error) {
	var s Status
	var code string
	err := q.QueryRow(ctx, statusSQL, itemID).Scan(&s.ItemID, &s.CollectionID, &s.SourceURL, &s.State, &code, &s.Reason, &s.BlockedResources, &s.AttemptedAt, &s.CapturedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return Status{}, atlas.ErrNotFound
	}
	if err != nil {
		return Status{}, fmt.Errorf("read archive status: %w", err)
	}
	s.Code = Code(code)
	rows, err := q.Query(ctx, copiesSQL, itemID)
	if err != nil {
		return Status{}, fmt.Errorf("read archive copies: %w", err)
	}
	s.Copies, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Copy, error) {
		var c Copy
		err := r.Scan(&c.Kind, &c.BlobKey, &c.ContentType, &c.Size, &c.SHA256, &c.CreatedAt)
		return c, err
	})
	if err != nil {
		return Status{}, fmt.Errorf("read archive copies: %w", err)
	}
	return s, nil
}

const upsertStatusSQL = `
INSERT INTO item_archives (item_id, collection_id, source_url, status, code, reason, blocked_resources, attempted_at, captured_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (item_id) DO UPDATE SET source_url = excluded.source_url, status = excluded.status,
    code = excluded.code, reason = excluded.reason, blocked_resources = excluded.blocked_resources,
    attempted_at = excluded.attempted_at, captured_by = excluded.captured_by
WHERE excluded.captured_by = 'browser' OR item_archives.captured_by = 'server'
   OR item_archives.status <> 'archived' OR item_archives.source_url <> excluded.source_url
RETURNING item_id`

// putStatus records an attempt (the copies are left as they are). It
// reports false, changing nothing, when a server attempt meets the
// browser's copy of the same URL, which is preferred.
func (store) putStatus(ctx context.Context, q db.Querier, s Status) (bool, error) {
	if s.CapturedBy == "" {
		s.CapturedBy = CapturedByServer
	}
	var id uuid.UUID
	err := q.QueryRow(ctx, upsertStatusSQL, s.ItemID, s.CollectionID, s.SourceURL, s.State, string(s.Code), s.Reason,
		s.BlockedResources, s.AttemptedAt, s.CapturedBy).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record archive status: %w", notFoundIfGone(err))
	}
	return true, nil
}

const deleteCopiesSQL = `DELETE FROM item_archive_copies WHERE item_id = $1 RETURNING blob_key`

const insertCopySQL = `
INSERT INTO item_archive_copies (item_id, kind, blob_key, content_type, size_bytes, sha256, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// replaceCopies replaces an item's copies, returning the blob keys of the
// rows it removed.
func (store) replaceCopies(ctx context.Context, tx pgx.Tx, itemID uuid.UUID, copies []Copy) ([]string, error) {
	rows, err := tx.Query(ctx, deleteCopiesSQL, itemID)
	if err != nil {
		return nil, fmt.Errorf("replace archive copies: %w", err)
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("replace archive copies: %w", err)
	}
	for _, c := range copies {
		if _, err := tx.Exec(ctx, insertCopySQL, itemID, string(c.Kind), c.BlobKey, c.ContentType, c.Size, c.SHA256, c.CreatedAt); err != nil {
			return nil, fmt.Errorf("insert archive copy: %w", notFoundIfGone(err))
		}
	}
	return old, nil
}

const usageSQL = `
SELECT coalesce(sum(c.size_bytes), 0)::bigint FROM item_archive_copies c
JOIN item_archives a ON a.item_id = c.item_id WHERE a.collection_id = $1`

// usage returns the bytes a collection's copies take.
func (store) usage(ctx context.Context, q db.Querier, collectionID uuid.UUID) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, usageSQL, collectionID).Scan(&n); err != nil {
		return 0, fmt.Errorf("archive usage: %w", err)
	}
	return n, nil
}

const knownKeysSQL = `SELECT blob_key FROM item_archive_copies WHERE blob_key = ANY($1)
UNION ALL SELECT blob_key FROM item_images WHERE blob_key = ANY($1)`

// known returns which of keys a row names: an archived copy's or an item
// image's (both live under Prefix).
func (store) known(ctx context.Context, q db.Querier, keys []string) (map[string]bool, error) {
	rows, err := q.Query(ctx, knownKeysSQL, keys)
	if err != nil {
		return nil, fmt.Errorf("archive keys: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("archive keys: %w", err)
	}
	out := make(map[string]bool, len(found))
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}

// notFoundIfGone translates the foreign-key violation of a row whose item
// was deleted meanwhile into atlas.ErrNotFound.
func notFoundIfGone(err error) error {
	if db.IsForeignKeyViolation(err, "") {
		return atlas.ErrNotFound
	}
	return err
}
