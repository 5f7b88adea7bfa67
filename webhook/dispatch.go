package webhook

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// GroupID is the dispatcher's consumer group on the events topic.
const GroupID = "atlas-webhooks"

// Dispatcher turns events into deliveries: an events.Handler that, for each
// event about a collection, stores one message per subscribed enabled
// endpoint and enqueues its WEBHOOK_DELIVER job, in one transaction per
// batch. Replays are harmless: a message is unique per (endpoint, event).
//
// A batch costs the same few statements however many events and endpoints
// it has: one lookup of the endpoints of every collection in it, one insert
// of every message, one insert of every job.
type Dispatcher struct {
	pool  *pgxpool.Pool
	river *river.Client[pgx.Tx]
	now   func() time.Time
	store store
}

// NewDispatcher returns the dispatcher; rc inserts jobs (it need not work
// them).
func NewDispatcher(pool *pgxpool.Pool, rc *river.Client[pgx.Tx]) *Dispatcher {
	return &Dispatcher{pool: pool, river: rc, now: time.Now}
}

// Handle implements events.Handler.
func (d *Dispatcher) Handle(ctx context.Context, batch []events.Delivery) error {
	now := d.now().UTC().Truncate(time.Microsecond)
	var colls []uuid.UUID
	for _, dl := range batch {
		if c := dl.Envelope.Entity.CollectionID; c != uuid.Nil && !slices.Contains(colls, c) {
			colls = append(colls, c) // account events concern one user, never a webhook
		}
	}
	if len(colls) == 0 {
		return nil
	}
	return db.InTx(ctx, d.pool, func(tx pgx.Tx) error {
		targets, err := d.store.dispatchTargets(ctx, tx, colls)
		if err != nil {
			return err
		}
		var ms []Message
		for _, dl := range batch {
			env := dl.Envelope
			coll, entity := env.Entity.CollectionID, env.Entity.ID
			if coll == uuid.Nil {
				continue
			}
			for _, t := range targets {
				if t.receives(coll, env.Type) {
					ms = append(ms, Message{ID: uuid.Must(uuid.NewV7()), EndpointID: t.id, EventID: env.EventID, EventType: env.Type,
						CollectionID: &coll, EntityID: &entity, Payload: dl.Value, CreatedAt: now})
				}
			}
		}
		fresh, err := d.store.insertMessages(ctx, tx, ms)
		if err != nil {
			return err
		}
		jobs := make([]river.InsertManyParams, 0, len(fresh))
		for _, m := range ms {
			if fresh[m.ID] { // not a replay: this endpoint has not had the event yet
				jobs = append(jobs, river.InsertManyParams{Args: DeliverArgs{MessageID: m.ID}})
			}
		}
		if len(jobs) == 0 {
			return nil
		}
		if _, err := d.river.InsertManyTx(ctx, tx, jobs); err != nil {
			return fmt.Errorf("enqueue webhook deliveries: %w", err)
		}
		return nil
	})
}
