package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/reconcile"
)

// state is what a check found.
type state struct {
	// Converged: every item and collection has its events in the audit
	// trail and its current version in the index, and nothing deleted is
	// searchable.
	Converged bool
	// Lost counts acknowledged writes missing from Postgres plus, when not
	// converged, events missing from the audit trail or the index.
	Lost int
	// Duplicated counts changes recorded more than once.
	Duplicated int
	Detail     string
}

// auditCompletenessSQL compares each item's version (one more per change)
// with its ItemCreated and ItemUpdated rows in the audit trail.
const auditCompletenessSQL = `
SELECT coalesce(sum(greatest(i.version - coalesce(a.n, 0), 0)), 0),
       coalesce(sum(greatest(coalesce(a.n, 0) - i.version, 0)), 0)
FROM items i
LEFT JOIN (SELECT entity_id, count(*) AS n FROM audit_events
           WHERE entity_type = 'item' AND type IN ('ItemCreated', 'ItemUpdated') GROUP BY entity_id) a
       ON a.entity_id = i.id`

// deletionsSQL counts the ItemDeleted rows of the given items.
const deletionsSQL = `
SELECT u.id, (SELECT count(*) FROM audit_events a WHERE a.entity_type = 'item' AND a.entity_id = u.id AND a.type = 'ItemDeleted')
FROM unnest($1::uuid[]) AS u (id)`

// check compares the acknowledged writes with Postgres, and Postgres with
// the audit trail and the index.
func check(ctx context.Context, pool *pgxpool.Pool, rec *reconcile.Reconciler, ack *acks) (state, error) {
	var st state
	var notes []string
	lost, err := lostWrites(ctx, pool, ack)
	if err != nil {
		return st, err
	}
	if len(lost) > 0 {
		notes = append(notes, fmt.Sprintf("acknowledged but not in Postgres: %s", strings.Join(first(lost, 3), "; ")))
	}
	rep, err := rec.Run(ctx, reconcile.Options{})
	if err != nil {
		return st, err
	}
	var auditMissing, auditExtra int
	if err := pool.QueryRow(ctx, auditCompletenessSQL).Scan(&auditMissing, &auditExtra); err != nil {
		return st, fmt.Errorf("audit completeness: %w", err)
	}
	delMissing, delExtra, err := deletions(ctx, pool, ack)
	if err != nil {
		return st, err
	}
	pending := rep.SearchDrift() + rep.ItemsWithoutCreation.Count + rep.CollectionsWithoutCreation.Count + auditMissing + delMissing
	st.Converged = pending == 0 && len(lost) == 0
	st.Lost = len(lost)
	if !st.Converged {
		st.Lost += pending
		notes = append(notes, fmt.Sprintf("index: %d missing, %d stale, %d deleted but searchable; audit: %d items and %d collections without creation, %d changes and %d deletions unrecorded",
			rep.Missing.Count, rep.Stale.Count, rep.Orphans.Count, rep.ItemsWithoutCreation.Count, rep.CollectionsWithoutCreation.Count, auditMissing, delMissing))
	}
	st.Duplicated = rep.DuplicateCreations.Count + auditExtra + delExtra
	if st.Duplicated > 0 {
		notes = append(notes, fmt.Sprintf("duplicated: %d creations, %d changes, %d deletions", rep.DuplicateCreations.Count, auditExtra, delExtra))
	}
	st.Detail = strings.Join(notes, " | ")
	return st, nil
}

// lostWrites lists the acknowledged writes Postgres does not show.
func lostWrites(ctx context.Context, pool *pgxpool.Pool, ack *acks) ([]string, error) {
	ack.mu.Lock()
	items := make(map[uuid.UUID]itemAck, len(ack.items))
	for id, a := range ack.items {
		items[id] = a
	}
	members := make(map[[2]uuid.UUID]memberAck, len(ack.members))
	for k, a := range ack.members {
		members[k] = a
	}
	ack.mu.Unlock()

	ids := make([]uuid.UUID, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	versions := map[uuid.UUID]int64{}
	rows, err := pool.Query(ctx, `SELECT id, version FROM items WHERE id = ANY ($1::uuid[])`, ids)
	if err != nil {
		return nil, fmt.Errorf("read acknowledged items: %w", err)
	}
	for rows.Next() {
		var id uuid.UUID
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		versions[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var lost []string
	for id, a := range items {
		v, ok := versions[id]
		switch {
		case a.Unknown:
		case a.Deleted && ok:
			lost = append(lost, fmt.Sprintf("item %s deleted (2xx) but still there", id))
		case !a.Deleted && !ok:
			lost = append(lost, fmt.Sprintf("item %s created (2xx) but missing", id))
		case !a.Deleted && v < a.Version:
			lost = append(lost, fmt.Sprintf("item %s at version %d, %d was acknowledged", id, v, a.Version))
		}
	}
	for k, a := range members {
		if a.Unknown {
			continue
		}
		var present bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE collection_id = $1 AND user_id = $2)`, k[0], k[1]).Scan(&present); err != nil {
			return nil, fmt.Errorf("read membership: %w", err)
		}
		if present != a.Present {
			lost = append(lost, fmt.Sprintf("membership %s/%s should be present=%v", k[0], k[1], a.Present))
		}
	}
	return lost, nil
}

// deletions counts acknowledged deletions without (or with more than one)
// ItemDeleted row.
func deletions(ctx context.Context, pool *pgxpool.Pool, ack *acks) (missing, extra int, err error) {
	ack.mu.Lock()
	var ids []uuid.UUID
	for id, a := range ack.items {
		if a.Deleted && !a.Unknown {
			ids = append(ids, id)
		}
	}
	ack.mu.Unlock()
	rows, err := pool.Query(ctx, deletionsSQL, ids)
	if err != nil {
		return 0, 0, fmt.Errorf("audit deletions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return 0, 0, err
		}
		switch {
		case n == 0:
			missing++
		case n > 1:
			extra += n - 1
		}
	}
	return missing, extra, rows.Err()
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
