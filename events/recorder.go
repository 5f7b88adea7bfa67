package events

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/correlation"
)

// Enqueuer stores envelopes in a transaction (the River-backed Outbox in
// production).
type Enqueuer interface {
	Enqueue(ctx context.Context, tx pgx.Tx, envs ...Envelope) error
}

// Recorder is what domain services use to record an event as part of the
// write that causes it: it builds the envelope (correlation ids come from
// ctx) and enqueues it in the same transaction, so the event exists if and
// only if the write commits.
type Recorder struct {
	outbox Enqueuer
	now    func() time.Time
}

// NewRecorder returns a Recorder writing to outbox; now may be nil.
func NewRecorder(outbox Enqueuer, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{outbox: outbox, now: now}
}

// Record builds one event and enqueues it in tx.
func (r *Recorder) Record(ctx context.Context, tx pgx.Tx, t Type, actor *uuid.UUID, entity Entity, data any) error {
	ids := correlation.From(ctx)
	env, err := New(t, actor, entity, data, Meta{TraceID: ids.TraceID, RequestID: ids.RequestID, NowFunc: r.now})
	if err != nil {
		return fmt.Errorf("record %s: %w", t, err)
	}
	if err := r.outbox.Enqueue(ctx, tx, env); err != nil {
		return fmt.Errorf("record %s: %w", t, err)
	}
	return nil
}

// Changes collects the before/after values of the fields an update changed.
type Changes map[string]Change

// Add records field if before and after differ.
func (c Changes) Add(field string, before, after any) {
	if !reflect.DeepEqual(before, after) {
		c[field] = Change{Before: before, After: after}
	}
}

// Event is one event of a RecordAll call.
type Event struct {
	Type   Type
	Actor  *uuid.UUID
	Entity Entity
	Data   any
}

// RecordAll builds several events and enqueues them in tx with one insert:
// what bulk writes (imports) use instead of one Record per row.
func (r *Recorder) RecordAll(ctx context.Context, tx pgx.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	ids := correlation.From(ctx)
	envs := make([]Envelope, len(evs))
	for i, e := range evs {
		env, err := New(e.Type, e.Actor, e.Entity, e.Data, Meta{TraceID: ids.TraceID, RequestID: ids.RequestID, NowFunc: r.now})
		if err != nil {
			return fmt.Errorf("record %s: %w", e.Type, err)
		}
		envs[i] = env
	}
	if err := r.outbox.Enqueue(ctx, tx, envs...); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	return nil
}
