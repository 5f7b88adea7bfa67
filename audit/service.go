package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
)

// Filter narrows a listing. Every field is optional; fields combine with AND.
type Filter struct {
	// EntityType and EntityID select one entity's history (both or
	// neither), except that EntityType "user" alone means the caller's own
	// account security events.
	EntityType string
	EntityID   *uuid.UUID
	// ActorUserID selects what one user did.
	ActorUserID *uuid.UUID
	// CollectionID selects one collection's events.
	CollectionID *uuid.UUID
	// From (inclusive) and To (exclusive) bound occurred_at.
	From, To *time.Time
	// Type selects one kind of event.
	Type events.Type
}

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool        *pgxpool.Pool
	Collections *collection.Service
	Cursors     *cursor.Codec
}

// Service answers audit queries on behalf of a caller.
type Service struct {
	pool        *pgxpool.Pool
	collections *collection.Service
	cursor      *cursor.Codec
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	return &Service{pool: p.Pool, collections: p.Collections, cursor: p.Cursors}
}

// validate checks a filter's shape; errors are atlas.ErrInvalid naming the
// offending parameter.
func (f Filter) validate() error {
	switch {
	case f.EntityType == "" && f.EntityID != nil:
		return atlas.Errorf(atlas.ErrInvalid, "entity_id needs entity_type")
	case f.EntityType != "" && f.EntityType != events.EntityUser && f.EntityID == nil:
		return atlas.Errorf(atlas.ErrInvalid, "entity_type needs entity_id")
	}
	switch f.EntityType {
	case "", events.EntityItem, events.EntityCollection, events.EntityMembership, events.EntityUser, events.EntityTeam:
	default:
		return atlas.Errorf(atlas.ErrInvalid, "entity_type must be one of item, collection, membership, user, team")
	}
	if f.Type != "" && !slices.Contains(events.Types(), f.Type) {
		return atlas.Errorf(atlas.ErrInvalid, "type must be an event type")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return atlas.Errorf(atlas.ErrInvalid, "to must be after from")
	}
	return nil
}

// forCaller resolves entity_type=user without an id to the caller's own
// account.
func (f Filter) forCaller(caller uuid.UUID) Filter {
	if f.EntityType == events.EntityUser && f.EntityID == nil {
		f.EntityID = &caller
	}
	return f
}

// scope binds a cursor to the caller and the exact filter.
func (f Filter) scope(caller uuid.UUID) string {
	var b strings.Builder
	b.WriteString("audit:")
	b.WriteString(caller.String())
	put := func(name, v string) { b.WriteString("|" + name + "=" + v) }
	put("et", f.EntityType)
	put("ei", idString(f.EntityID))
	put("a", idString(f.ActorUserID))
	put("c", idString(f.CollectionID))
	put("f", timeString(f.From))
	put("t", timeString(f.To))
	put("ty", string(f.Type))
	return b.String()
}

func idString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// List returns the events caller may see that match f, newest first
// (occurred_at, then event_id, descending), with their Names. A caller sees the events of
// the collections they are a member of and the membership events about
// themselves (for example being removed from a collection); a filter on a
// collection they do not belong to yields only the latter. Account
// security events (entity type user) are seen by their account holder
// alone, and only when asked for with entity_type=user.
func (s *Service) List(ctx context.Context, caller uuid.UUID, f Filter, page cursor.Page) ([]Event, string, error) {
	if err := f.validate(); err != nil {
		return nil, "", err
	}
	f = f.forCaller(caller)
	scope := f.scope(caller)
	after, err := s.cursor.DecodeKeyset(scope, page.After)
	if err != nil {
		return nil, "", err
	}
	member := false
	if f.CollectionID != nil {
		_, err := s.collections.Authorize(ctx, s.pool, caller, *f.CollectionID, collection.ActionRead)
		switch {
		case err == nil:
			member = true
		case errors.Is(err, atlas.ErrNotFound):
		default:
			return nil, "", fmt.Errorf("list audit events: %w", err)
		}
	}
	sql, args := listQuery(caller, f, member, after, page.Limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) {
		e, _, err := scanEvent(row)
		return e, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	if err := s.name(ctx, caller, out); err != nil {
		return nil, "", err
	}
	return cursor.Trim(s.cursor, scope, out, page.Limit, func(e Event) any {
		return cursor.Keyset{At: e.OccurredAt, ID: e.EventID}
	})
}

// query accumulates numbered arguments for a statement built from
// constant fragments.
type query struct{ args []any }

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// visibleSQL is the visibility rule as a condition on alias a: an event of
// a collection the caller (the SQL expression me) may see, a membership
// event about the caller, an account security event of the caller's own
// account, or an event of a team the caller belongs to.
func visibleSQL(me string) string {
	return `(a.collection_id IN ` + collection.VisibleIDsSQL(me) + `
    OR (a.entity_type IN ('membership', 'user') AND a.entity_id = ` + me + `)
    OR (a.entity_type = 'team' AND a.entity_id IN ` + collection.TeamIDsSQL(me) + `))`
}

const orderSQL = ` ORDER BY a.occurred_at DESC, a.event_id DESC LIMIT `

// listQuery builds the statement for one of the query shapes, each served
// by its own index (see the 00003 migration):
//
//   - an entity filter walks audit_events_entity_idx;
//   - a collection filter walks audit_events_collection_idx (for a
//     non-member, only membership events about the caller);
//   - an actor filter walks audit_events_actor_idx;
//   - no filter takes the newest rows of each of the caller's collections
//     (audit_events_collection_idx, LIMIT per collection) plus the
//     membership events about the caller and the events of the caller's
//     teams (audit_events_entity_idx), then merges them.
//
// The visibility rule is applied in every shape.
func listQuery(caller uuid.UUID, f Filter, member bool, after *cursor.Keyset, limit int) (string, []any) {
	q := &query{}
	me := q.arg(caller)
	at, id := cursor.Args(after, true)
	keyset := fmt.Sprintf("(a.occurred_at, a.event_id) < (%s, %s)", q.arg(at), q.arg(id))
	lim := q.arg(limit)

	var conds []string
	if f.From != nil {
		conds = append(conds, "a.occurred_at >= "+q.arg(*f.From))
	}
	if f.To != nil {
		conds = append(conds, "a.occurred_at < "+q.arg(*f.To))
	}
	if f.Type != "" {
		conds = append(conds, "a.type = "+q.arg(string(f.Type)))
	}
	if f.ActorUserID != nil {
		conds = append(conds, "a.actor_user_id = "+q.arg(*f.ActorUserID))
	}
	if f.EntityID != nil {
		conds = append(conds, "a.entity_type = "+q.arg(f.EntityType), "a.entity_id = "+q.arg(*f.EntityID))
	}
	if f.CollectionID != nil {
		conds = append(conds, "a.collection_id = "+q.arg(*f.CollectionID))
		if !member {
			conds = append(conds, "a.entity_type = 'membership'", "a.entity_id = "+me)
		}
	}
	conds = append(conds, keyset)

	if f.EntityID != nil || f.CollectionID != nil || f.ActorUserID != nil {
		where := append(conds, visibleSQL(me))
		return `SELECT ` + eventColumns + ` FROM audit_events a WHERE ` + strings.Join(where, " AND ") + orderSQL + lim, q.args
	}

	// No filter: per collection, then the membership events about the
	// caller in collections they no longer belong to.
	cond := strings.Join(conds, " AND ")
	sql := `SELECT v.* FROM (
  SELECT e.* FROM ` + collection.VisibleIDsSQL(me) + ` mine (collection_id) CROSS JOIN LATERAL (
    SELECT ` + eventColumns + ` FROM audit_events a
    WHERE a.collection_id = mine.collection_id AND ` + cond + orderSQL + lim + `
  ) e
  UNION ALL
  (SELECT ` + eventColumns + ` FROM audit_events a
   WHERE a.entity_type = 'membership' AND a.entity_id = ` + me + ` AND ` + cond + `
     AND a.collection_id NOT IN ` + collection.VisibleIDsSQL(me) +
		orderSQL + lim + `)
  UNION ALL
  SELECT e.* FROM ` + collection.TeamIDsSQL(me) + ` teams (team_id) CROSS JOIN LATERAL (
    SELECT ` + eventColumns + ` FROM audit_events a
    WHERE a.entity_type = 'team' AND a.entity_id = teams.team_id AND ` + cond + orderSQL + lim + `
  ) e
) v ORDER BY v.occurred_at DESC, v.event_id DESC LIMIT ` + lim
	return sql, q.args
}
