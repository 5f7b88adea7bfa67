package item

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// LinkTarget is a link the checker is to check now.
type LinkTarget struct {
	ItemID       uuid.UUID
	CollectionID uuid.UUID
	URL          string
	// ETag and LastModified are the validators of the previous check of
	// this URL, for a conditional request ("" when none).
	ETag, LastModified string
}

const enrolLinksSQL = `
INSERT INTO item_link_checks (item_id, collection_id, source_url, next_check_at)
SELECT i.id, i.collection_id, i.source_url, $1 FROM items i
WHERE i.source_url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM item_link_checks c WHERE c.item_id = i.id)
LIMIT $2
ON CONFLICT (item_id) DO NOTHING`

const claimLinksSQL = `
WITH due AS (
  SELECT c.item_id FROM item_link_checks c
  WHERE c.next_check_at <= $1
  ORDER BY c.next_check_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED)
UPDATE item_link_checks c SET next_check_at = $3
FROM due JOIN items i ON i.id = due.item_id
WHERE c.item_id = due.item_id
RETURNING c.item_id, c.collection_id, i.source_url,
	CASE WHEN c.source_url = i.source_url THEN COALESCE(c.etag, '') ELSE '' END,
	CASE WHEN c.source_url = i.source_url THEN COALESCE(c.last_modified, '') ELSE '' END`

const dropUnlinkedSQL = `DELETE FROM item_link_checks c USING items i
WHERE c.item_id = i.id AND i.source_url IS NULL AND c.next_check_at <= $1`

const countLinksSQL = `SELECT count(*) FROM items WHERE source_url IS NOT NULL`

const countDueSQL = `SELECT count(*) FROM item_link_checks WHERE next_check_at <= $1`

// ClaimLinkChecks enrols links not checked before (up to limit, due now) and takes
// up to limit due links, oldest due first, moving their next check to
// lease from now so that no other checker takes them meanwhile; a check
// recorded later sets the real next check.
func (s *Service) ClaimLinkChecks(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]LinkTarget, error) {
	var out []LinkTarget
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, dropUnlinkedSQL, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, enrolLinksSQL, now, limit); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, claimLinksSQL, now, limit, now.Add(lease))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (LinkTarget, error) {
			var t LinkTarget
			var u *string
			err := r.Scan(&t.ItemID, &t.CollectionID, &u, &t.ETag, &t.LastModified)
			if u != nil {
				t.URL = *u
			}
			return t, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim link checks: %w", err)
	}
	// A link whose URL was removed after enrolment is dropped next time.
	kept := out[:0]
	for _, t := range out {
		if t.URL != "" {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// LinkCounts returns how many items have a link and how many link checks are
// due at now (for pacing and metrics).
func (s *Service) LinkCounts(ctx context.Context, now time.Time) (links, due int, err error) {
	if err := s.pool.QueryRow(ctx, countLinksSQL).Scan(&links); err != nil {
		return 0, 0, fmt.Errorf("count links: %w", err)
	}
	if err := s.pool.QueryRow(ctx, countDueSQL, now).Scan(&due); err != nil {
		return 0, 0, fmt.Errorf("count due links: %w", err)
	}
	return links, due, nil
}

const deferLinkSQL = `UPDATE item_link_checks SET next_check_at = $2 WHERE item_id = $1`

// DeferLinkCheck moves a link's next check to at without recording a check (its
// host asked to wait, or is backed off).
func (s *Service) DeferLinkCheck(ctx context.Context, itemID uuid.UUID, at time.Time) error {
	if _, err := s.pool.Exec(ctx, deferLinkSQL, itemID, at); err != nil {
		return fmt.Errorf("defer link check: %w", err)
	}
	return nil
}

const lockLinkSQL = `
SELECT c.source_url, c.status, c.pending_status, c.pending_count, c.pending_since, i.source_url, i.version
FROM item_link_checks c JOIN items i ON i.id = c.item_id
WHERE c.item_id = $1
FOR UPDATE OF c, i`

const writeLinkSQL = `
UPDATE item_link_checks SET source_url = $2, status = $3, pending_status = $4, pending_count = $5, pending_since = $6,
	http_status = CASE WHEN $7 THEN $8 ELSE http_status END,
	moved_to = CASE WHEN $7 THEN $9 ELSE moved_to END,
	soft_404 = CASE WHEN $7 THEN $10 ELSE soft_404 END,
	detail = CASE WHEN $7 THEN $11 ELSE detail END,
	etag = NULLIF($12, ''), last_modified = NULLIF($13, ''),
	checked_at = $14, changed_at = CASE WHEN $15 THEN $14 ELSE changed_at END, next_check_at = $16
WHERE item_id = $1`

const addLinkHistorySQL = `INSERT INTO item_link_history (item_id, checked_at, status, http_status, detail)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`

// linkHistoryKept is how many checks an item's link history keeps.
const linkHistoryKept = 10

const trimLinkHistorySQL = `DELETE FROM item_link_history WHERE item_id = $1 AND checked_at < (
	SELECT checked_at FROM item_link_history WHERE item_id = $1 ORDER BY checked_at DESC OFFSET $2 LIMIT 1)`

const bumpItemSQL = `UPDATE items SET version = version + 1, updated_at = $2 WHERE id = $1 RETURNING version`

// RecordLinkCheck stores what a check of target found: the history gets the
// observation, and the item's link status changes only when the policy
// confirms it (decideLink). A confirmed change of a status people already
// saw bumps the item's version (the search index re-reads it) and emits
// ItemLinkStatusChanged in the same transaction. A target whose item is
// gone or whose URL changed meanwhile records nothing. It reports whether
// an event was emitted.
func (s *Service) RecordLinkCheck(ctx context.Context, t LinkTarget, obs LinkObservation, p LinkPolicy) (bool, error) {
	announced := false
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var rowURL string
		var st linkState
		var pending *string
		var itemURL *string
		var version int64
		err := tx.QueryRow(ctx, lockLinkSQL, t.ItemID).Scan(&rowURL, &st.Status, &pending, &st.PendingCount, &st.PendingSince, &itemURL, &version)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the item was deleted
		}
		if err != nil {
			return err
		}
		if itemURL == nil || *itemURL != t.URL {
			return nil // the URL changed since the claim: the next claim checks the new one
		}
		if pending != nil {
			ps := LinkStatus(*pending)
			st.Pending = &ps
		}
		if rowURL != t.URL { // a new URL starts afresh
			st = linkState{Status: LinkUnknown}
		}
		now := s.nowUTC()
		before := st.Status
		next, announce, at := decideLink(st, obs.Status, now, p)
		var pendingOut *string
		if next.Pending != nil {
			ps := string(*next.Pending)
			pendingOut = &ps
		}
		var httpStatus *int
		if obs.HTTPStatus != 0 {
			httpStatus = &obs.HTTPStatus
		}
		var movedTo *string
		if obs.MovedTo != "" {
			movedTo = &obs.MovedTo
		}
		b := &pgx.Batch{}
		b.Queue(writeLinkSQL, t.ItemID, t.URL, next.Status, pendingOut, next.PendingCount, next.PendingSince,
			obs.Status == next.Status, httpStatus, movedTo, obs.Soft404, truncateRunes(obs.Detail, 500),
			truncateRunes(obs.ETag, 512), truncateRunes(obs.LastModified, 128), now, next.Status != before, at)
		b.Queue(addLinkHistorySQL, t.ItemID, now, obs.Status, httpStatus, truncateRunes(obs.Detail, 500))
		b.Queue(trimLinkHistorySQL, t.ItemID, linkHistoryKept-1)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if !announce {
			return nil
		}
		if err := tx.QueryRow(ctx, bumpItemSQL, t.ItemID, now).Scan(&version); err != nil {
			return err
		}
		announced = true
		return s.events.Record(ctx, tx, events.ItemLinkStatusChanged, nil,
			events.Entity{Type: events.EntityItem, ID: t.ItemID, CollectionID: t.CollectionID},
			map[string]any{"from": before, "to": next.Status, "http_status": httpStatus, "moved_to": movedTo,
				"source_url": t.URL, "version": version})
	})
	if err != nil {
		return false, fmt.Errorf("record link check: %w", err)
	}
	return announced, nil
}

const linkHistorySQL = `SELECT checked_at, status, http_status, detail FROM item_link_history
WHERE item_id = $1 ORDER BY checked_at DESC`

// LinkHistory returns the latest checks of an item's link, newest first,
// to someone who may read the item.
func (s *Service) LinkHistory(ctx context.Context, actor, id uuid.UUID) ([]LinkCheck, error) {
	if _, err := Authorize(ctx, s.pool, actor, id, collection.ActionRead, false); err != nil {
		return nil, fmt.Errorf("link history: %w", err)
	}
	rows, err := s.pool.Query(ctx, linkHistorySQL, id)
	if err != nil {
		return nil, fmt.Errorf("link history: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LinkCheck, error) {
		var c LinkCheck
		err := r.Scan(&c.CheckedAt, &c.Status, &c.HTTPStatus, &c.Detail)
		c.CheckedAt = c.CheckedAt.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("link history: %w", err)
	}
	return out, nil
}
