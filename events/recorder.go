package events

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/telemetry"
)

// Enqueuer stores envelopes in a transaction (the table Outbox in
// production).
type Enqueuer interface {
	// Enqueue stores envs in tx with a statement of its own.
	Enqueue(ctx context.Context, tx pgx.Tx, envs ...Envelope) error
	// Queue adds the statements that store envs to b, which the caller
	// sends in its transaction together with its own statements.
	Queue(b *pgx.Batch, envs ...Envelope) error
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

// Record builds one event and stores it in tx, with a round trip of its
// own; writes that send their statements as a batch use Queue instead.
func (r *Recorder) Record(ctx context.Context, tx pgx.Tx, t Type, actor *uuid.UUID, entity Entity, data any) error {
	env, err := r.build(ctx, t, actor, entity, data)
	if err != nil {
		return err
	}
	if err := r.outbox.Enqueue(ctx, tx, env); err != nil {
		return fmt.Errorf("record %s: %w", t, err)
	}
	return nil
}

// Queue builds one event and adds the statement storing it to b, so that
// it reaches Postgres in the same round trip as the write's own statements
// (b must be sent in the write's transaction).
func (r *Recorder) Queue(ctx context.Context, b *pgx.Batch, t Type, actor *uuid.UUID, entity Entity, data any) error {
	env, err := r.build(ctx, t, actor, entity, data)
	if err != nil {
		return err
	}
	if err := r.outbox.Queue(b, env); err != nil {
		return fmt.Errorf("record %s: %w", t, err)
	}
	return nil
}

func (r *Recorder) build(ctx context.Context, t Type, actor *uuid.UUID, entity Entity, data any) (Envelope, error) {
	ids := correlation.From(ctx)
	env, err := New(t, actor, entity, data, Meta{TraceID: ids.TraceID, RequestID: ids.RequestID, Parent: telemetry.Traceparent(ctx), NowFunc: r.now})
	if err != nil {
		return Envelope{}, fmt.Errorf("record %s: %w", t, err)
	}
	return env, nil
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
		env, err := New(e.Type, e.Actor, e.Entity, e.Data, Meta{TraceID: ids.TraceID, RequestID: ids.RequestID, Parent: telemetry.Traceparent(ctx), NowFunc: r.now})
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
