package audit

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/events"
)

// Names are what an event's people and things are called, so that the
// trail reads "Ada renamed item 'Go memory model'" rather than a list of
// ids. They are filled in by Service.List when the events are read and are
// not part of the recorded (hashed) event. An item or collection that no
// longer exists is called by the last name the caller's visible trail gave
// it (EntityGone reports it); a name that cannot be found is "".
type Names struct {
	// Actor is the display name of the user who made the change.
	Actor string
	// Entity is the item's title, the collection's name, or the member's
	// or user's display name.
	Entity string
	// EntityGone reports that the item or collection no longer exists.
	EntityGone bool
	// Collection is the name of the collection the event belongs to.
	Collection string
}

const (
	userNamesSQL       = `SELECT id, display_name FROM users WHERE id = ANY ($1::uuid[])`
	itemNamesSQL       = `SELECT id, title FROM items WHERE id = ANY ($1::uuid[])`
	collectionNamesSQL = `SELECT id, name FROM collections WHERE id = ANY ($1::uuid[])`
)

// lastNamesSQL finds the latest name the trail visible to the caller ($3)
// gave each of a kind of entity ($1) among ids ($2): the title or name an
// event recorded (created, deleted) or changed to. Served by
// audit_events_entity_idx.
var lastNamesSQL = `
SELECT DISTINCT ON (a.entity_id) a.entity_id,
	COALESCE(a.data->'changes'->'title'->>'after', a.data->>'title', a.data->'changes'->'name'->>'after', a.data->>'name')
FROM audit_events a
WHERE a.entity_type = $1 AND a.entity_id = ANY ($2::uuid[])
  AND (a.data ? 'title' OR a.data ? 'name' OR a.data->'changes' ? 'title' OR a.data->'changes' ? 'name')
  AND ` + visibleSQL("$3") + `
ORDER BY a.entity_id, a.occurred_at DESC, a.event_id DESC`

// idSet collects ids in first-seen order.
type idSet struct {
	seen map[uuid.UUID]bool
	ids  []uuid.UUID
}

func (s *idSet) add(id uuid.UUID) {
	if id == uuid.Nil || s.seen[id] {
		return
	}
	if s.seen == nil {
		s.seen = map[uuid.UUID]bool{}
	}
	s.seen[id] = true
	s.ids = append(s.ids, id)
}

// queueNames queues a query of (id, name) rows into m.
func queueNames(b *pgx.Batch, sql string, m map[uuid.UUID]string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			var name *string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			if name != nil {
				m[id] = *name
			}
		}
		return rows.Err()
	})
}

// name fills in the Names of evs for caller, in at most two round trips.
func (s *Service) name(ctx context.Context, caller uuid.UUID, evs []Event) error {
	var users, items, colls idSet
	for _, e := range evs {
		if e.ActorUserID != nil {
			users.add(*e.ActorUserID)
		}
		colls.add(e.Entity.CollectionID)
		switch e.Entity.Type {
		case events.EntityItem:
			items.add(e.Entity.ID)
		case events.EntityCollection:
			colls.add(e.Entity.ID)
		case events.EntityMembership, events.EntityUser:
			users.add(e.Entity.ID)
		}
	}
	userNames, itemNames, collNames := map[uuid.UUID]string{}, map[uuid.UUID]string{}, map[uuid.UUID]string{}
	b := &pgx.Batch{}
	queueNames(b, userNamesSQL, userNames, users.ids)
	queueNames(b, itemNamesSQL, itemNames, items.ids)
	queueNames(b, collectionNamesSQL, collNames, colls.ids)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("name audit events: %w", err)
	}
	// What is gone is called by its last name in the trail.
	goneItems, goneColls := missing(items.ids, itemNames), missing(colls.ids, collNames)
	lastItem, lastColl := map[uuid.UUID]string{}, map[uuid.UUID]string{}
	if len(goneItems)+len(goneColls) > 0 {
		b = &pgx.Batch{}
		queueNames(b, lastNamesSQL, lastItem, events.EntityItem, goneItems, caller)
		queueNames(b, lastNamesSQL, lastColl, events.EntityCollection, goneColls, caller)
		if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("name audit events: %w", err)
		}
	}
	lookup := func(current, last map[uuid.UUID]string, id uuid.UUID) (string, bool) {
		if n, ok := current[id]; ok {
			return n, false
		}
		return last[id], true
	}
	for i := range evs {
		e := &evs[i]
		if e.ActorUserID != nil {
			e.Names.Actor = userNames[*e.ActorUserID]
		}
		e.Names.Collection, _ = lookup(collNames, lastColl, e.Entity.CollectionID)
		switch e.Entity.Type {
		case events.EntityItem:
			e.Names.Entity, e.Names.EntityGone = lookup(itemNames, lastItem, e.Entity.ID)
		case events.EntityCollection:
			e.Names.Entity, e.Names.EntityGone = lookup(collNames, lastColl, e.Entity.ID)
		default:
			e.Names.Entity = userNames[e.Entity.ID]
		}
	}
	return nil
}

// missing lists the ids that have no name in m.
func missing(ids []uuid.UUID, m map[uuid.UUID]string) []uuid.UUID {
	out := []uuid.UUID{}
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}
