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
	"github.com/atlasapp/atlas/preview"
)

// StoredImage is a thumbnail stored for an item (a row of item_images).
type StoredImage struct {
	Kind preview.Kind
	// SourceURL is the URL the thumbnail was made from.
	SourceURL   string
	BlobKey     string
	ContentType string
	Size        int64
	Width       int
	Height      int
	SHA256      []byte
	CreatedAt   time.Time
}

const imagesSQL = `
SELECT kind, source_url, blob_key, content_type, size_bytes, width, height, sha256, created_at
FROM item_images WHERE item_id = $1`

// images returns an item's stored thumbnails by kind.
func (store) images(ctx context.Context, q db.Querier, itemID uuid.UUID) (map[preview.Kind]StoredImage, error) {
	rows, err := q.Query(ctx, imagesSQL, itemID)
	if err != nil {
		return nil, fmt.Errorf("read item images: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredImage, error) {
		var m StoredImage
		err := r.Scan(&m.Kind, &m.SourceURL, &m.BlobKey, &m.ContentType, &m.Size, &m.Width, &m.Height, &m.SHA256, &m.CreatedAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("read item images: %w", err)
	}
	out := make(map[preview.Kind]StoredImage, len(list))
	for _, m := range list {
		out[m.Kind] = m
	}
	return out, nil
}

const lockImageSQL = `SELECT blob_key FROM item_images WHERE item_id = $1 AND kind = $2 FOR UPDATE`

const upsertImageSQL = `
INSERT INTO item_images (item_id, kind, source_url, blob_key, content_type, size_bytes, width, height, sha256, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (item_id, kind) DO UPDATE SET source_url = excluded.source_url, blob_key = excluded.blob_key,
    content_type = excluded.content_type, size_bytes = excluded.size_bytes, width = excluded.width,
    height = excluded.height, sha256 = excluded.sha256, created_at = excluded.created_at`

// putImage records an item's thumbnail of m.Kind, returning the blob key
// of the row it replaced ("" when there was none).
func (store) putImage(ctx context.Context, tx pgx.Tx, itemID uuid.UUID, m StoredImage) (string, error) {
	var old string
	err := tx.QueryRow(ctx, lockImageSQL, itemID, string(m.Kind)).Scan(&old)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("record item image: %w", err)
	}
	_, err = tx.Exec(ctx, upsertImageSQL, itemID, string(m.Kind), m.SourceURL, m.BlobKey, m.ContentType, m.Size,
		m.Width, m.Height, m.SHA256, m.CreatedAt)
	if err != nil {
		return "", fmt.Errorf("record item image: %w", notFoundIfGone(err))
	}
	return old, nil
}

const deleteImageSQL = `DELETE FROM item_images WHERE item_id = $1 AND kind = $2 RETURNING blob_key`

// deleteImage removes an item's thumbnail of kind k, returning its blob
// key (atlas.ErrNotFound when there was none).
func (store) deleteImage(ctx context.Context, q db.Querier, itemID uuid.UUID, k preview.Kind) (string, error) {
	var key string
	err := q.QueryRow(ctx, deleteImageSQL, itemID, string(k)).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", atlas.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("delete item image: %w", err)
	}
	return key, nil
}
