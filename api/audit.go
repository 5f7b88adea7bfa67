package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/events"
)

// ListAuditInput filters and pages the audit trail.
type ListAuditInput struct {
	PageParams
	EntityType   string              `query:"entity_type" enum:"item,collection,membership,user,team" doc:"With entity_id: the history of one entity. For a membership, the id is the member's user id (or the team's id for a team's membership). team: a team you belong to (its creation, renames and member changes). user (without entity_id): your own account security events (sessions revoked, password changed, API tokens created or revoked, refresh-token reuse); nobody else sees them."`
	EntityID     Optional[uuid.UUID] `query:"entity_id" format:"uuid" doc:"With entity_type: the history of one entity."`
	ActorUserID  Optional[uuid.UUID] `query:"actor_user_id" format:"uuid" doc:"Only what this user did."`
	CollectionID Optional[uuid.UUID] `query:"collection_id" format:"uuid" doc:"Only events of this collection."`
	From         time.Time           `query:"from" doc:"Only events that occurred at or after this time (RFC 3339)." example:"2026-01-01T00:00:00Z"`
	To           time.Time           `query:"to" doc:"Only events that occurred before this time (RFC 3339)." example:"2026-02-01T00:00:00Z"`
	Type         string              `query:"type" doc:"Only events of this type (one of the event types, for example ItemDeleted); another value is 422." example:"ItemDeleted"`
}

// AuditEntity names what an audit event is about.
type AuditEntity struct {
	Type           string     `json:"type"`
	ID             uuid.UUID  `json:"id" doc:"The entity's id; for a membership, the member's user id; for a user, the account's id."`
	CollectionID   *uuid.UUID `json:"collection_id" doc:"The collection the entity belongs to; null for a user."`
	Name           string     `json:"name" doc:"What the entity is called: the item's title, the collection's name, the member's or user's display name. For an item or collection that no longer exists, the last name the trail gave it (see gone); empty if unknown." example:"The Go Memory Model"`
	Gone           bool       `json:"gone" doc:"The item or collection no longer exists (name is its last known name): \"deleted item 'X'\"."`
	CollectionName string     `json:"collection_name" doc:"The name of the collection the entity belongs to (its last known name if deleted); empty for a user."`
}

// AuditEvent is one recorded domain event: the event envelope's fields as
// recorded, with personal fields redacted.
type AuditEvent struct {
	EventID     uuid.UUID      `json:"event_id" doc:"The event's id (UUIDv7)."`
	Type        string         `json:"type"`
	Version     int            `json:"version" doc:"Envelope schema version."`
	OccurredAt  time.Time      `json:"occurred_at" doc:"When the change was committed."`
	RecordedAt  time.Time      `json:"recorded_at" doc:"When the audit trail recorded it."`
	ActorUserID *uuid.UUID     `json:"actor_user_id" doc:"Who made the change; null for system changes."`
	ActorName   *string        `json:"actor_name" doc:"The display name of who made the change; null for system changes."`
	Entity      AuditEntity    `json:"entity"`
	Data        map[string]any `json:"data" doc:"The change; for updates, changed fields with before/after values. Personal fields read \"[redacted]\"."`
	TraceID     string         `json:"trace_id" doc:"W3C trace id of the request that caused the change."`
	RequestID   string         `json:"request_id" doc:"Id of the request that caused the change."`
}

// TransformSchema takes the entity type enum from events.EntityTypes, the
// one list of them.
func (AuditEntity) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	s.Properties["type"].Enum = enumOf(events.EntityTypes())
	return s
}

// TransformSchema takes the event type enum from events.Types, the one list
// of them.
func (AuditEvent) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	s.Properties["type"].Enum = enumOf(events.Types())
	return s
}

// enumOf converts a list of names to a schema enum.
func enumOf[S ~string](names []S) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}

func toAuditEvent(e audit.Event) AuditEvent {
	data := map[string]any{}
	_ = json.Unmarshal(e.Data, &data)
	var coll *uuid.UUID
	if e.Entity.CollectionID != uuid.Nil {
		coll = &e.Entity.CollectionID
	}
	var actor *string
	if e.ActorUserID != nil {
		actor = &e.Names.Actor
	}
	return AuditEvent{
		EventID: e.EventID, Type: string(e.Type), Version: e.Version, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
		ActorUserID: e.ActorUserID, ActorName: actor,
		Entity: AuditEntity{Type: e.Entity.Type, ID: e.Entity.ID, CollectionID: coll, Name: e.Names.Entity, Gone: e.Names.EntityGone,
			CollectionName: e.Names.Collection},
		Data: data, TraceID: e.TraceID, RequestID: e.RequestID,
	}
}

// filter converts the query parameters to an audit.Filter.
func (in *ListAuditInput) filter() audit.Filter {
	f := audit.Filter{EntityType: in.EntityType, EntityID: in.EntityID.Ptr(), ActorUserID: in.ActorUserID.Ptr(),
		CollectionID: in.CollectionID.Ptr(), Type: events.Type(in.Type)}
	if !in.From.IsZero() {
		f.From = &in.From
	}
	if !in.To.IsZero() {
		f.To = &in.To
	}
	return f
}

func (s *Server) registerAudit() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit",
		Summary: "List audit events, newest first",
		Description: "The immutable record of every change. You see the events of the collections you are a member of, " +
			"and the membership events about yourself; filters only narrow that. entity_type=user lists your own account " +
			"security events, which only you can see. Filters combine: " +
			"entity_type + entity_id (one entity's history), actor_user_id (what one user did), " +
			"collection_id, and from/to (a time range on occurred_at).",
		Tags: []string{"Audit"}, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ListAuditInput) (*ListOutput[AuditEvent], error) {
		evs, next, err := s.audit.List(ctx, caller(ctx), in.filter(), in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(evs, next, toAuditEvent), nil
	})
}
