package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/events"
)

// Event is one row of the audit trail: an event envelope as recorded, with
// its place in the hash chain.
type Event struct {
	// Seq is the row's position in the hash chain (1, 2, 3, ...).
	Seq         int64
	EventID     uuid.UUID
	Type        events.Type
	Version     int
	OccurredAt  time.Time
	RecordedAt  time.Time
	ActorUserID *uuid.UUID
	Entity      events.Entity
	// Data is the event's data after redaction, as a JSON object.
	Data      json.RawMessage
	TraceID   string
	RequestID string
	// PrevHash is the hash of row Seq-1 (GenesisHash() for the first row);
	// Hash is SHA-256(PrevHash || CanonicalContent).
	PrevHash []byte
	Hash     []byte
	// Names are what the event's people and things are called, filled in
	// by Service.List (not recorded, not hashed).
	Names Names
}

// GenesisHash returns the prev_hash of the first row: 32 zero bytes. It is
// a new slice each time, so no caller (or a driver scanning into it) can
// change the chain's origin for everyone else.
func GenesisHash() []byte { return make([]byte, sha256.Size) }

// canonicalTag starts the canonical content; a new layout gets a new tag.
const canonicalTag = "atlas.audit_events.v1"

// timeLayout renders timestamps in the canonical content: UTC, microseconds
// (what Postgres keeps).
const timeLayout = "2006-01-02T15:04:05.000000Z"

// CanonicalContent is the byte string a row's hash covers: the tag, then
// these fields in this order, each as a 4-byte big-endian length followed
// by its bytes (so no value can be confused with another):
//
//	seq (decimal), event_id, type, version (decimal), occurred_at,
//	recorded_at, actor_user_id ("" when null), entity_type, entity_id,
//	collection_id ("" when null), trace_id, request_id, data
//
// UUIDs are lower-case hyphenated, timestamps UTC with six fractional digits
// and a Z, and data is the jsonb's text rendering by Postgres (data::text),
// which is canonical for a given JSON value. Only prev_hash and hash are
// left out.
func CanonicalContent(e Event, canonicalData string) []byte {
	actor, coll := "", ""
	if e.ActorUserID != nil {
		actor = e.ActorUserID.String()
	}
	if e.Entity.CollectionID != uuid.Nil {
		coll = e.Entity.CollectionID.String()
	}
	fields := []string{
		strconv.FormatInt(e.Seq, 10),
		e.EventID.String(),
		string(e.Type),
		strconv.Itoa(e.Version),
		e.OccurredAt.UTC().Format(timeLayout),
		e.RecordedAt.UTC().Format(timeLayout),
		actor,
		e.Entity.Type,
		e.Entity.ID.String(),
		coll,
		e.TraceID,
		e.RequestID,
		canonicalData,
	}
	n := len(canonicalTag) + 4
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = appendField(b, canonicalTag)
	for _, f := range fields {
		b = appendField(b, f)
	}
	return b
}

func appendField(b []byte, f string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
	return append(b, f...)
}

// ChainHash returns SHA-256(prev || content).
func ChainHash(prev, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil)
}

// fromDelivery turns a consumed envelope into an unchained row, redacting
// its data.
func fromEnvelope(env events.Envelope, recordedAt time.Time) (Event, Redaction, error) {
	red, err := Redact(env.Data)
	if err != nil {
		return Event{}, Redaction{}, err
	}
	return Event{
		EventID:     env.EventID,
		Type:        env.Type,
		Version:     env.Version,
		OccurredAt:  env.OccurredAt.UTC().Truncate(time.Microsecond),
		RecordedAt:  recordedAt.UTC().Truncate(time.Microsecond),
		ActorUserID: env.ActorUserID,
		Entity:      env.Entity,
		Data:        red.Data,
		TraceID:     env.TraceID,
		RequestID:   env.RequestID,
	}, red, nil
}
