package events

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
)

// EventLanes is how many lanes the outbox spreads events over. Every event
// of one entity (one Kafka key) goes to the same lane, a lane is drained by
// one process at a time, in seq order, so the events of an entity are
// published in commit order while the lanes publish in parallel. The lanes
// are the rows of atlas_outbox_lanes (db/migrations/00040_outbox.sql);
// changing the number means a migration, and reorders only the events in
// flight during the change.
const EventLanes = 8

// Lane is the outbox lane of the events with the given Kafka key.
func Lane(key string) int16 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int16(h.Sum32() % EventLanes)
}

// insertOutboxSQL appends envelopes to the outbox, in array order (seq is
// assigned in that order).
const insertOutboxSQL = `
INSERT INTO atlas_outbox (lane, key, envelope, traceparent)
SELECT e.lane, e.key, e.envelope, nullif(e.traceparent, '')
FROM unnest($1::smallint[], $2::text[], $3::jsonb[], $4::text[]) WITH ORDINALITY AS e (lane, key, envelope, traceparent, n)
ORDER BY e.n`

// Outbox stores envelopes in the atlas_outbox table inside the caller's
// transaction, so an event exists if and only if its write committed. Its
// insert is one statement that can ride in the caller's own pipelined batch
// (Queue), which is what makes the outbox nearly free: the cost of an outbox
// is the extra round trip, not Postgres' work.
type Outbox struct{}

// NewOutbox returns the table outbox.
func NewOutbox() *Outbox { return &Outbox{} }

// Queue adds to b the statement that stores envs. Envelopes must come from
// New, which validated them against the schema.
func (*Outbox) Queue(b *pgx.Batch, envs ...Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	lanes := make([]int16, len(envs))
	keys := make([]string, len(envs))
	docs := make([]string, len(envs))
	parents := make([]string, len(envs))
	for i, env := range envs {
		parents[i] = env.Parent
		doc, err := json.Marshal(env)
		if err != nil {
			return fmt.Errorf("outbox: marshal event %s: %w", env.EventID, err)
		}
		keys[i], lanes[i], docs[i] = env.Key(), Lane(env.Key()), string(doc)
	}
	b.Queue(insertOutboxSQL, lanes, keys, docs, parents)
	return nil
}

// Enqueue stores envs in tx with a statement of its own (one round trip).
// Hot paths use Queue instead, inside the batch of their own statements.
func (o *Outbox) Enqueue(ctx context.Context, tx pgx.Tx, envs ...Envelope) error {
	b := &pgx.Batch{}
	if err := o.Queue(b, envs...); err != nil || b.Len() == 0 {
		return err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("enqueue %d events: %w", len(envs), err)
	}
	return nil
}
