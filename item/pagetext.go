package item

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// Page text statuses.
const (
	// PageTextCaptured means the page's readable text is stored (and searchable).
	PageTextCaptured = "captured"
	// PageTextSkipped means the page was fetched but has no text Atlas can read; the summary's
	// SkipReason says why.
	PageTextSkipped = "skipped"
)

// PageText is the readable text of the page behind an item's source_url, as ENRICH_URL extracted
// it. It lives in its own table, not in the item row: it is large, and only search reads it.
type PageText struct {
	// SourceURL is the item URL the text was extracted from; the text applies only while the
	// item still has this URL.
	SourceURL string
	// Content is the text (at most 512 KiB of UTF-8); empty when skipped.
	Content string
	// Truncated is set when the page had more text than was kept.
	Truncated bool
	// Language is the page's language tag, if known.
	Language string
	// ContentType is the media type of the fetched document.
	ContentType string
	// SkipReason says why no text was kept; empty when Content holds text.
	SkipReason string
	// ExtractedAt is when the text was extracted.
	ExtractedAt time.Time
}

// Status is PageTextCaptured or PageTextSkipped.
func (p PageText) Status() string {
	if p.SkipReason != "" {
		return PageTextSkipped
	}
	return PageTextCaptured
}

// PageTextSummary is what item responses say about an item's page text.
type PageTextSummary struct {
	// Status is PageTextCaptured or PageTextSkipped.
	Status string `json:"status"`
	// SizeBytes is the size of the captured text in bytes of UTF-8 (0 when skipped).
	SizeBytes int `json:"size_bytes"`
	// Truncated is set when the page had more text than was kept.
	Truncated bool `json:"truncated"`
	// Language is the page's language tag, if known.
	Language string `json:"language"`
	// SkipReason says why no text was kept.
	SkipReason string `json:"skip_reason"`
	// ExtractedAt is when the text was extracted.
	ExtractedAt time.Time `json:"extracted_at"`
}

// pageTextSummarySQL is the summary of an item's page text as a JSON object, or NULL when there
// is none for the item's current URL (one primary-key lookup).
const pageTextSummarySQL = `(SELECT json_build_object('status', p.status, 'size_bytes', p.size_bytes,
	'truncated', p.truncated, 'language', p.language, 'skip_reason', p.skip_reason, 'extracted_at', p.extracted_at)
	FROM item_page_texts p WHERE p.item_id = i.id AND p.source_url = i.source_url)`

const pageTextDigestSQL = `
SELECT p.source_url, p.status, p.size_bytes, p.content_sha256, p.truncated, p.language, p.content_type, p.skip_reason
FROM item_page_texts p WHERE p.item_id = $1`

const upsertPageTextSQL = `
INSERT INTO item_page_texts (item_id, source_url, status, content, size_bytes, truncated, language, content_type,
	skip_reason, content_sha256, extracted_at)
VALUES ($1, $2, $3, $4, octet_length($4), $5, $6, $7, $8, $9, $10)
ON CONFLICT (item_id) DO UPDATE SET source_url = EXCLUDED.source_url, status = EXCLUDED.status,
	content = EXCLUDED.content, size_bytes = EXCLUDED.size_bytes, truncated = EXCLUDED.truncated,
	language = EXCLUDED.language, content_type = EXCLUDED.content_type, skip_reason = EXCLUDED.skip_reason,
	content_sha256 = EXCLUDED.content_sha256, extracted_at = EXCLUDED.extracted_at`

// pageTextBrief is how an event's changes describe page text.
type pageTextBrief struct {
	SourceURL string `json:"source_url"`
	Status    string `json:"status"`
	SizeBytes int    `json:"size_bytes"`
}

// putPageText stores p as the item's page text. When it differs from what was stored (ignoring
// ExtractedAt) it returns the change for the item's event (before is nil when there was no
// text); unchanged text is not rewritten and the change is nil.
func (Store) putPageText(ctx context.Context, q db.Querier, itemID uuid.UUID, p PageText) (*events.Change, error) {
	sum := sha256.Sum256([]byte(p.Content))
	var old PageText
	var before pageTextBrief
	var oldSum []byte
	err := q.QueryRow(ctx, pageTextDigestSQL, itemID).Scan(&before.SourceURL, &before.Status, &before.SizeBytes, &oldSum,
		&old.Truncated, &old.Language, &old.ContentType, &old.SkipReason)
	change := &events.Change{After: pageTextBrief{SourceURL: p.SourceURL, Status: p.Status(), SizeBytes: len(p.Content)}}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("read page text: %w", err)
	case before.SourceURL == p.SourceURL && before.Status == p.Status() && string(oldSum) == string(sum[:]) &&
		old.Truncated == p.Truncated && old.Language == p.Language && old.ContentType == p.ContentType &&
		old.SkipReason == p.SkipReason:
		return nil, nil
	default:
		change.Before = before
	}
	if _, err := q.Exec(ctx, upsertPageTextSQL, itemID, p.SourceURL, p.Status(), p.Content, p.Truncated,
		p.Language, p.ContentType, p.SkipReason, sum[:], p.ExtractedAt); err != nil {
		return nil, fmt.Errorf("store page text: %w", err)
	}
	return change, nil
}

const pageTextContentsSQL = `
SELECT p.item_id, p.content FROM item_page_texts p JOIN items i ON i.id = p.item_id AND i.source_url = p.source_url
WHERE p.item_id = ANY ($1::uuid[]) AND p.status = 'captured'`

// PageTextContents returns the captured page text of those of ids that have one for their
// current URL, by item id, in one query (for the search index).
func (Store) PageTextContents(ctx context.Context, q db.Querier, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	rows, err := q.Query(ctx, pageTextContentsSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("read page texts: %w", err)
	}
	defer rows.Close()
	out := make(map[uuid.UUID]string, len(ids))
	for rows.Next() {
		var id uuid.UUID
		var content string
		if err := rows.Scan(&id, &content); err != nil {
			return nil, fmt.Errorf("read page texts: %w", err)
		}
		out[id] = content
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read page texts: %w", err)
	}
	return out, nil
}
