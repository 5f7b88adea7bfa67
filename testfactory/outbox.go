package testfactory

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// OutboxEvent is one event waiting in atlas_outbox (committed, not yet
// published): its row and its decoded envelope.
type OutboxEvent struct {
	Seq      int64
	Lane     int16
	Key      string
	Envelope events.Envelope
	// Raw is the envelope as stored (JSON), for tests that look for what
	// must never be in an event.
	Raw string
}

// OutboxFilter selects outbox events; zero fields do not filter.
type OutboxFilter struct {
	// EntityID keeps the events of one entity (an item, a collection, a
	// membership's user, a user).
	EntityID *uuid.UUID
	// CollectionID keeps the events of one collection and of what is in it.
	CollectionID *uuid.UUID
	// Type keeps the events of one type.
	Type events.Type
}

const outboxSQL = `
SELECT seq, lane, key, envelope::text FROM atlas_outbox
WHERE ($1::uuid IS NULL OR envelope->'entity'->>'id' = $1::text)
  AND ($2::uuid IS NULL OR envelope->'entity'->>'collection_id' = $2::text)
  AND ($3 = '' OR envelope->>'type' = $3)
ORDER BY seq`

// ReadOutbox returns the events in q's atlas_outbox that f selects, in seq
// (commit) order. It is the one reader of the outbox for tests.
func ReadOutbox(t T, q db.Querier, f OutboxFilter) []OutboxEvent {
	t.Helper()
	rows, err := q.Query(context.Background(), outboxSQL, f.EntityID, f.CollectionID, string(f.Type))
	require.NoError(t, err)
	evs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (OutboxEvent, error) {
		var e OutboxEvent
		if err := row.Scan(&e.Seq, &e.Lane, &e.Key, &e.Raw); err != nil {
			return e, fmt.Errorf("scan outbox row: %w", err)
		}
		if err := json.Unmarshal([]byte(e.Raw), &e.Envelope); err != nil {
			return e, fmt.Errorf("decode outbox event %d: %w", e.Seq, err)
		}
		return e, nil
	})
	require.NoError(t, err, "read atlas_outbox")
	return evs
}

// Outbox is ReadOutbox on the env's database.
func (e *Env) Outbox(t T, f OutboxFilter) []OutboxEvent {
	t.Helper()
	return ReadOutbox(t, e.Pool, f)
}

// Envelopes returns the events' envelopes.
func Envelopes(evs []OutboxEvent) []events.Envelope {
	out := make([]events.Envelope, len(evs))
	for i, e := range evs {
		out[i] = e.Envelope
	}
	return out
}
