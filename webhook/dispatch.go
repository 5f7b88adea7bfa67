package webhook

import (
	"context"
	"fmt"
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
	return db.InTx(ctx, d.pool, func(tx pgx.Tx) error {
		for _, dl := range batch {
			env := dl.Envelope
			if env.Entity.CollectionID == uuid.Nil {
				continue // account events concern one user, never a webhook
			}
			targets, err := d.store.dispatchTargets(ctx, tx, env.Entity.CollectionID, env.Type)
			if err != nil {
				return err
			}
			coll := env.Entity.CollectionID
			for _, endpointID := range targets {
				m := Message{ID: uuid.Must(uuid.NewV7()), EndpointID: endpointID, EventID: env.EventID, EventType: env.Type,
					CollectionID: &coll, Payload: dl.Value, CreatedAt: now}
				fresh, err := d.store.insertMessage(ctx, tx, m)
				if err != nil {
					return err
				}
				if !fresh {
					continue // a replay: this endpoint has the event already
				}
				if err := enqueue(ctx, d.river, tx, DeliverArgs{MessageID: m.ID}); err != nil {
					return fmt.Errorf("dispatch %s: %w", env.EventID, err)
				}
			}
		}
		return nil
	})
}
