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
)

// Entity types named in an envelope.
const (
	EntityItem       = "item"
	EntityCollection = "collection"
	EntityMembership = "membership"
)

// Entity identifies what an event is about. For a membership, ID is the
// member's user id.
type Entity struct {
	Type         string    `json:"type"`
	ID           uuid.UUID `json:"id"`
	CollectionID uuid.UUID `json:"collection_id"`
}

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
}

// Key is the Kafka record key: events that must stay in order share it.
// Item events are ordered per item; collection and membership events per
// collection.
func (e Envelope) Key() string {
	if e.Entity.Type == EntityItem {
		return e.Entity.ID.String()
	}
	return e.Entity.CollectionID.String()
}

// Change is one changed field of an update: its value before and after.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}
