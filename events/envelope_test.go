package events

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validEnvelopeJSON returns a valid wire envelope as a generic map, for
// tests to break one field at a time.
func validEnvelopeJSON(t *testing.T) map[string]any {
	t.Helper()
	return map[string]any{
		"event_id":      uuid.Must(uuid.NewV7()).String(),
		"type":          "ItemUpdated",
		"version":       1,
		"occurred_at":   "2025-03-04T05:06:07.123456Z",
		"actor_user_id": uuid.NewString(),
		"entity": map[string]any{
			"type":          "item",
			"id":            uuid.NewString(),
			"collection_id": uuid.NewString(),
		},
		"data":       map[string]any{"title": map[string]any{"before": "a", "after": "b"}},
		"trace_id":   "4bf92f3577b34da6a3ce929d0e0e4736",
		"request_id": "req-1",
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestValidateJSON_AcceptsValidEnvelopes(t *testing.T) {
	t.Parallel()
	tests := map[string]func(m map[string]any){
		"as built":     func(map[string]any) {},
		"null actor":   func(m map[string]any) { m["actor_user_id"] = nil },
		"nanoseconds":  func(m map[string]any) { m["occurred_at"] = "2025-03-04T05:06:07.123456789Z" },
		"milliseconds": func(m map[string]any) { m["occurred_at"] = "2025-03-04T05:06:07.120Z" },
		"empty data":   func(m map[string]any) { m["data"] = map[string]any{} },
		"collection event": func(m map[string]any) {
			m["type"] = "CollectionDeleted"
			m["entity"].(map[string]any)["type"] = "collection"
		},
		"membership event": func(m map[string]any) {
			m["type"] = "MembershipRoleChanged"
			m["entity"].(map[string]any)["type"] = "membership"
		},
		"user event without collection": func(m map[string]any) {
			m["type"] = "SessionRevoked"
			m["entity"] = map[string]any{"type": "user", "id": uuid.NewString(), "collection_id": nil}
		},
		"uuid v4 entity ids":   func(m map[string]any) { m["entity"].(map[string]any)["id"] = "0f8fad5b-d9cb-469f-a165-70867728950e" },
		"any request id shape": func(m map[string]any) { m["request_id"] = "01J9 anything/at:all" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := validEnvelopeJSON(t)
			mutate(m)
			assert.NoError(t, ValidateJSON(mustJSON(t, m)))
		})
	}
}

func TestValidateJSON_RejectsDefects(t *testing.T) {
	t.Parallel()
	entity := func(m map[string]any) map[string]any { return m["entity"].(map[string]any) }
	tests := map[string]func(m map[string]any){
		"extra field":                      func(m map[string]any) { m["extra"] = 1 },
		"event_id not a uuid":              func(m map[string]any) { m["event_id"] = "not-a-uuid" },
		"event_id uuid v4":                 func(m map[string]any) { m["event_id"] = "0f8fad5b-d9cb-469f-a165-70867728950e" },
		"event_id upper case":              func(m map[string]any) { m["event_id"] = "0190A5B2-7C3D-7E4F-8A5B-6C7D8E9F0A1B" },
		"unknown type":                     func(m map[string]any) { m["type"] = "ItemArchived" },
		"version 2":                        func(m map[string]any) { m["version"] = 2 },
		"version as string":                func(m map[string]any) { m["version"] = "1" },
		"occurred_at without fraction":     func(m map[string]any) { m["occurred_at"] = "2025-03-04T05:06:07Z" },
		"occurred_at with offset":          func(m map[string]any) { m["occurred_at"] = "2025-03-04T05:06:07.123+02:00" },
		"occurred_at date only":            func(m map[string]any) { m["occurred_at"] = "2025-03-04" },
		"occurred_at impossible date":      func(m map[string]any) { m["occurred_at"] = "2025-13-04T05:06:07.123Z" },
		"occurred_at as number":            func(m map[string]any) { m["occurred_at"] = 1741064767 },
		"actor_user_id not a uuid":         func(m map[string]any) { m["actor_user_id"] = "bob" },
		"actor_user_id as number":          func(m map[string]any) { m["actor_user_id"] = 7 },
		"entity type unknown":              func(m map[string]any) { entity(m)["type"] = "account" },
		"user entity with a collection":    func(m map[string]any) { entity(m)["type"] = "user" },
		"item entity without a collection": func(m map[string]any) { entity(m)["collection_id"] = nil },
		"entity id not a uuid":             func(m map[string]any) { entity(m)["id"] = "42" },
		"entity id nil uuid":               func(m map[string]any) { entity(m)["id"] = uuid.Nil.String() },
		"entity without collection_id":     func(m map[string]any) { delete(entity(m), "collection_id") },
		"entity with extra field":          func(m map[string]any) { entity(m)["name"] = "x" },
		"entity not an object":             func(m map[string]any) { m["entity"] = "item" },
		"data array":                       func(m map[string]any) { m["data"] = []any{1, 2} },
		"data string":                      func(m map[string]any) { m["data"] = "changed" },
		"data null":                        func(m map[string]any) { m["data"] = nil },
		"trace_id upper case":              func(m map[string]any) { m["trace_id"] = "4BF92F3577B34DA6A3CE929D0E0E4736" },
		"trace_id too short":               func(m map[string]any) { m["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e473" },
		"trace_id all zero":                func(m map[string]any) { m["trace_id"] = "00000000000000000000000000000000" },
		"request_id empty":                 func(m map[string]any) { m["request_id"] = "" },
		"request_id null":                  func(m map[string]any) { m["request_id"] = nil },
		"missing event_id":                 func(m map[string]any) { delete(m, "event_id") },
		"missing type":                     func(m map[string]any) { delete(m, "type") },
		"missing version":                  func(m map[string]any) { delete(m, "version") },
		"missing occurred_at":              func(m map[string]any) { delete(m, "occurred_at") },
		"missing actor_user_id (not null)": func(m map[string]any) { delete(m, "actor_user_id") },
		"missing entity":                   func(m map[string]any) { delete(m, "entity") },
		"missing data":                     func(m map[string]any) { delete(m, "data") },
		"missing trace_id":                 func(m map[string]any) { delete(m, "trace_id") },
		"missing request_id":               func(m map[string]any) { delete(m, "request_id") },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := validEnvelopeJSON(t)
			mutate(m)
			err := ValidateJSON(mustJSON(t, m))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidEnvelope)
		})
	}
}

func TestValidateJSON_RejectsNonEnvelopes(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{`, `[]`, `null`, `"x"`, `{} {}`} {
		err := ValidateJSON([]byte(in))
		assert.ErrorIs(t, err, ErrInvalidEnvelope, "input %q", in)
	}
}

func TestNew_FillsGeneratedFields(t *testing.T) {
	t.Parallel()
	actor := uuid.New()
	entity := Entity{Type: EntityItem, ID: uuid.New(), CollectionID: uuid.New()}
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))
	env, err := New(ItemCreated, &actor, entity, map[string]any{"title": "hello"}, Meta{
		TraceID:   "4bf92f3577b34da6a3ce929d0e0e4736",
		RequestID: "req-42",
		NowFunc:   func() time.Time { return at },
	})
	require.NoError(t, err)

	assert.Equal(t, uuid.Version(7), env.EventID.Version())
	assert.Equal(t, ItemCreated, env.Type)
	assert.Equal(t, EnvelopeVersion, env.Version)
	assert.Equal(t, time.UTC, env.OccurredAt.Location())
	assert.True(t, env.OccurredAt.Equal(at.Truncate(time.Microsecond)), "occurred_at %s", env.OccurredAt)
	assert.Equal(t, &actor, env.ActorUserID)
	assert.Equal(t, entity, env.Entity)
	assert.JSONEq(t, `{"title":"hello"}`, string(env.Data))
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", env.TraceID)
	assert.Equal(t, "req-42", env.RequestID)

	b, err := json.Marshal(env)
	require.NoError(t, err)
	require.NoError(t, ValidateJSON(b))
	var wire map[string]any
	require.NoError(t, json.Unmarshal(b, &wire))
	assert.Equal(t, "2025-03-04T04:06:07.123456Z", wire["occurred_at"])
}

func TestNew_DefaultsDataTraceAndClock(t *testing.T) {
	t.Parallel()
	before := time.Now()
	env, err := New(CollectionDeleted, nil,
		Entity{Type: EntityCollection, ID: uuid.New(), CollectionID: uuid.New()}, nil, Meta{RequestID: "r"})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(env.Data))
	assert.Regexp(t, `^[0-9a-f]{32}$`, env.TraceID)
	assert.Nil(t, env.ActorUserID)
	assert.False(t, env.OccurredAt.Before(before.Truncate(time.Microsecond)))
	assert.False(t, env.OccurredAt.After(time.Now()))

	other, err := New(CollectionDeleted, nil, env.Entity, nil, Meta{RequestID: "r"})
	require.NoError(t, err)
	assert.NotEqual(t, env.TraceID, other.TraceID, "each new trace gets its own id")
	assert.NotEqual(t, env.EventID, other.EventID)
}

func TestNew_RejectsInvalidInput(t *testing.T) {
	t.Parallel()
	item := Entity{Type: EntityItem, ID: uuid.New(), CollectionID: uuid.New()}
	meta := Meta{RequestID: "r"}
	tests := map[string]func() (Envelope, error){
		"unknown type": func() (Envelope, error) { return New("ItemArchived", nil, item, nil, meta) },
		"unknown entity": func() (Envelope, error) {
			return New(ItemCreated, nil, Entity{Type: "user", ID: item.ID, CollectionID: item.CollectionID}, nil, meta)
		},
		"zero collection id": func() (Envelope, error) {
			return New(ItemCreated, nil, Entity{Type: EntityItem, ID: item.ID}, nil, meta)
		},
		"array data":         func() (Envelope, error) { return New(ItemCreated, nil, item, []int{1}, meta) },
		"unmarshalable data": func() (Envelope, error) { return New(ItemCreated, nil, item, map[string]any{"f": func() {}}, meta) },
		"empty request id":   func() (Envelope, error) { return New(ItemCreated, nil, item, nil, Meta{}) },
		"bad trace id": func() (Envelope, error) {
			return New(ItemCreated, nil, item, nil, Meta{RequestID: "r", TraceID: "xyz"})
		},
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := build()
			require.Error(t, err)
		})
	}
}

func TestEnvelope_MarshalKeepsSubSecondPrecisionOnWholeSeconds(t *testing.T) {
	t.Parallel()
	env, err := New(ItemDeleted, nil, Entity{Type: EntityItem, ID: uuid.New(), CollectionID: uuid.New()}, nil, Meta{
		RequestID: "r",
		NowFunc:   func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
	})
	require.NoError(t, err)
	b, err := json.Marshal(env)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"occurred_at":"2025-01-02T03:04:05.000000Z"`)

	var back Envelope
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.OccurredAt.Equal(env.OccurredAt))
	back.OccurredAt = env.OccurredAt
	assert.Equal(t, env, back, "an envelope survives a JSON round trip")
}

func TestEnvelope_KeyOrdersPerItemOrPerCollection(t *testing.T) {
	t.Parallel()
	id, coll := uuid.New(), uuid.New()
	assert.Equal(t, id.String(), Envelope{Entity: Entity{Type: EntityItem, ID: id, CollectionID: coll}}.Key())
	assert.Equal(t, coll.String(), Envelope{Entity: Entity{Type: EntityCollection, ID: id, CollectionID: coll}}.Key())
	assert.Equal(t, coll.String(), Envelope{Entity: Entity{Type: EntityMembership, ID: id, CollectionID: coll}}.Key())
	assert.Equal(t, id.String(), Envelope{Entity: UserEntity(id)}.Key())
}

func TestNew_UserEventRoundTripsWithNullCollection(t *testing.T) {
	t.Parallel()
	user := uuid.New()
	env, err := New(PasswordChanged, &user, UserEntity(user), nil, Meta{RequestID: "req-1"})
	require.NoError(t, err)
	b, err := json.Marshal(env)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"collection_id":null`)
	var back Envelope
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, UserEntity(user), back.Entity)
}

func TestTraceparent_IsW3CFormat(t *testing.T) {
	t.Parallel()
	tp := Traceparent(NewTraceID(), NewSpanID())
	assert.Regexp(t, regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`), tp)
	assert.NotEqual(t, NewSpanID(), NewSpanID())
}

func TestEnvelopeSchema_IsTheEmbeddedFile(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(EnvelopeSchema(), &doc))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"])
	assert.Equal(t, schemaURL, doc["$id"])
	_, err := compiledSchema()
	require.NoError(t, err)
}
