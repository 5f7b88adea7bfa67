// Package events is Atlas' domain event vocabulary: the versioned envelope
// every write produces (types, entities, changes), the Recorder domain
// services call inside their transaction, the transactional outbox that
// stores each envelope in the same Postgres transaction (and round trip) as
// its write, and the Drainer that publishes the outbox in order. It
// knows nothing of Kafka: the producer, consumers, topics and dead-letter
// handling live in events/broker, so a domain package that records events
// does not link the Kafka client.
package events

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// EnvelopeVersion is the version of the envelope schema written by this code.
const EnvelopeVersion = 1

// Type names a kind of domain event.
type Type string

// The domain events Atlas emits.
const (
	ItemCreated           Type = "ItemCreated"
	ItemUpdated           Type = "ItemUpdated"
	ItemDeleted           Type = "ItemDeleted"
	CollectionCreated     Type = "CollectionCreated"
	CollectionUpdated     Type = "CollectionUpdated"
	CollectionDeleted     Type = "CollectionDeleted"
	MembershipAdded       Type = "MembershipAdded"
	MembershipRoleChanged Type = "MembershipRoleChanged"
	MembershipRemoved     Type = "MembershipRemoved"

	// Account security events, about a user (entity type "user", no
	// collection); only that user sees them in the audit trail.

	// SessionRevoked: sessions ended before their time (sign-out, revoked
	// from the session list, or by a password change). data.session_ids
	// lists them, data.reason says why.
	SessionRevoked Type = "SessionRevoked"
	// RefreshTokenReuseDetected: a refresh token that had already been
	// rotated was presented again; the session (data.session_id) was
	// revoked.
	RefreshTokenReuseDetected Type = "RefreshTokenReuseDetected"
	// PasswordChanged: the user changed their password.
	PasswordChanged Type = "PasswordChanged"
	// APITokenCreated and APITokenRevoked: a personal API token
	// (data.token_id, data.name, data.scope) was created or revoked.
	APITokenCreated Type = "APITokenCreated"
	APITokenRevoked Type = "APITokenRevoked"

	// ImportFinished: a bookmark import into a collection ended (its
	// entity is the collection; data holds the import's counts).
	ImportFinished Type = "ImportFinished"

	// Team events, about a team (entity type "team", no collection); the
	// team's members see them in the audit trail. A team's membership of
	// a collection is a Membership* event whose entity id and
	// data.team_id are the team's id.

	// TeamCreated: data.name, data.owner_user_id.
	TeamCreated Type = "TeamCreated"
	// TeamUpdated: data.changes (the name).
	TeamUpdated Type = "TeamUpdated"
	// TeamDeleted: data.name, data.collection_ids (the collections it
	// was a member of, each also recorded as a MembershipRemoved).
	TeamDeleted Type = "TeamDeleted"
	// TeamMemberAdded: data.user_id, data.role (owner or member).
	TeamMemberAdded Type = "TeamMemberAdded"
	// TeamMemberRoleChanged: data.user_id, data.changes.
	TeamMemberRoleChanged Type = "TeamMemberRoleChanged"
	// TeamMemberRemoved: data.user_id, data.role, data.left (removed
	// themselves).
	TeamMemberRemoved Type = "TeamMemberRemoved"

	// Single sign-on, account security events about a user (entity type
	// "user", like SessionRevoked).

	// SSOLinked (the user.sso_linked): an OpenID Connect identity
	// (data.provider, data.subject) was linked to the account, at its first
	// single sign-on or from the account page (data.via).
	SSOLinked Type = "SSOLinked"
	// SSOUnlinked: the user removed a linked identity (data.provider,
	// data.subject) from their account page.
	SSOUnlinked Type = "SSOUnlinked"
	// UserLoggedIn (user.login): the user signed in through single sign-on
	// (data.provider, data.session_id).
	UserLoggedIn Type = "UserLoggedIn"
	// InvitationCreated, InvitationAccepted and InvitationRevoked: an
	// invitation to a collection by email (entity: the collection;
	// data.invitation_id, data.email, data.role; accepted also
	// data.user_id, who accepted it).
	InvitationCreated  Type = "InvitationCreated"
	InvitationAccepted Type = "InvitationAccepted"
	InvitationRevoked  Type = "InvitationRevoked"
	// PublicLinkCreated and PublicLinkRevoked: an owner published the
	// collection read-only through a public link, or revoked one (entity:
	// the collection; data.link_id, data.expires_at, data.indexable).
	PublicLinkCreated Type = "PublicLinkCreated"
	PublicLinkRevoked Type = "PublicLinkRevoked"
	// ItemLinkStatusChanged: the link checker confirmed a new status of an
	// item's source_url (data.from, data.to, data.http_status,
	// data.moved_to, data.version); flapping links emit nothing.
	ItemLinkStatusChanged Type = "ItemLinkStatusChanged"
	// WebhookCreated, WebhookUpdated, WebhookSecretRotated and
	// WebhookDeleted: an owner (or an administrator) registered, changed
	// (data.changes), gave a new secret to (data.previous_expires_at) or
	// deleted a webhook endpoint; WebhookDisabled: Atlas disabled one
	// (data.reason; no actor). Entity: the collection; a global endpoint's
	// events are about its administrator (entity type user, no
	// collection). data.webhook_id and data.host (never the URL's path or
	// query, which may carry a receiver's token). They are never sent to
	// webhooks.
	WebhookCreated       Type = "WebhookCreated"
	WebhookUpdated       Type = "WebhookUpdated"
	WebhookSecretRotated Type = "WebhookSecretRotated"
	WebhookDisabled      Type = "WebhookDisabled"
	WebhookDeleted       Type = "WebhookDeleted"
)

// Types lists every event type in the order of the constants above. It is
// the one list: the envelope schema's enum (events/schema), the audit
// trail's CHECK constraint (db/migrations) and the API's enum are checked
// against it by tests (TestTypes_*), so a new type added here and not there
// fails the build's tests.
func Types() []Type {
	return []Type{
		ItemCreated, ItemUpdated, ItemDeleted,
		CollectionCreated, CollectionUpdated, CollectionDeleted,
		MembershipAdded, MembershipRoleChanged, MembershipRemoved,
		SessionRevoked, RefreshTokenReuseDetected, PasswordChanged, APITokenCreated, APITokenRevoked,
		ImportFinished,
		TeamCreated, TeamUpdated, TeamDeleted, TeamMemberAdded, TeamMemberRoleChanged, TeamMemberRemoved,
		SSOLinked, SSOUnlinked, UserLoggedIn,
		InvitationCreated, InvitationAccepted, InvitationRevoked,
		PublicLinkCreated, PublicLinkRevoked,
		ItemLinkStatusChanged,
		WebhookCreated, WebhookUpdated, WebhookSecretRotated, WebhookDisabled, WebhookDeleted,
	}
}

// EntityTypes lists every entity type an envelope may name, checked against
// the schema and the database like Types.
func EntityTypes() []string {
	return []string{EntityItem, EntityCollection, EntityMembership, EntityUser, EntityTeam}
}

// Entity types named in an envelope.
const (
	EntityItem       = "item"
	EntityCollection = "collection"
	EntityMembership = "membership"
	// EntityUser is an account; its events belong to no collection
	// (CollectionID is uuid.Nil, null on the wire).
	EntityUser = "user"
	// EntityTeam is a team; like a user it belongs to no collection.
	EntityTeam = "team"
)

// Entity identifies what an event is about. For a membership, ID is the
// member's user id, or the team's id for a team's membership. A user or
// team entity has no collection: CollectionID is uuid.Nil, written as null.
type Entity struct {
	Type         string    `json:"type"`
	ID           uuid.UUID `json:"id"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// MarshalJSON writes a nil collection id as null.
func (e Entity) MarshalJSON() ([]byte, error) {
	var coll *uuid.UUID
	if e.CollectionID != uuid.Nil {
		coll = &e.CollectionID
	}
	return json.Marshal(struct {
		Type         string     `json:"type"`
		ID           uuid.UUID  `json:"id"`
		CollectionID *uuid.UUID `json:"collection_id"`
	}{e.Type, e.ID, coll})
}

// UnmarshalJSON reads a null collection id as uuid.Nil.
func (e *Entity) UnmarshalJSON(b []byte) error {
	var v struct {
		Type         string     `json:"type"`
		ID           uuid.UUID  `json:"id"`
		CollectionID *uuid.UUID `json:"collection_id"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = Entity{Type: v.Type, ID: v.ID}
	if v.CollectionID != nil {
		e.CollectionID = *v.CollectionID
	}
	return nil
}

// TeamEntity is the entity of a team event.
func TeamEntity(team uuid.UUID) Entity { return Entity{Type: EntityTeam, ID: team} }

// UserEntity is the entity of an account security event about user.
func UserEntity(user uuid.UUID) Entity { return Entity{Type: EntityUser, ID: user} }

// Envelope is the wire form of every domain event (see events/schema).
type Envelope struct {
	EventID     uuid.UUID       `json:"event_id"`
	Type        Type            `json:"type"`
	Version     int             `json:"version"`
	OccurredAt  time.Time       `json:"occurred_at"`
	ActorUserID *uuid.UUID      `json:"actor_user_id"`
	Entity      Entity          `json:"entity"`
	Data        json.RawMessage `json:"data"`
	TraceID     string          `json:"trace_id"`
	RequestID   string          `json:"request_id"`
	// Parent is the W3C traceparent of the span the event was recorded
	// in (the API request's, or a job's), or "". It is not part of the
	// wire form: the outbox keeps it beside the envelope, and the publish
	// span becomes its child.
	Parent string `json:"-"`
}

// Key is the Kafka record key: events that must stay in order share it.
// Item events are ordered per item, user events per user, team events per
// team; collection and membership events per collection.
func (e Envelope) Key() string {
	if e.Entity.Type == EntityItem || e.Entity.Type == EntityUser || e.Entity.Type == EntityTeam {
		return e.Entity.ID.String()
	}
	return e.Entity.CollectionID.String()
}

// Change is one changed field of an update: its value before and after.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}
