package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/db"
)

// Ordering by entity, for endpoints registered with Ordered.
//
// Each message remembers its event's entity and the order the dispatcher
// stored it in (seq: Kafka's order, since an entity's events share a
// partition). Before an attempt, the gate looks for an earlier pending
// message of the same entity to the same endpoint; if there is one, the
// message is marked waiting and its job ends without an attempt. When a
// message reaches a final status (delivered, or given up), the earliest
// pending message of its entity, if waiting, is enqueued again. Both steps
// hold one transaction-scoped advisory lock per (endpoint, entity), so a
// message cannot be marked waiting after the one it waits for has ended:
// no message is left waiting forever, and no polling is needed while an
// earlier one is retried for up to a day.

// waitingReason is what the delivery log says of a waiting message.
const waitingReason = "waiting for an earlier event of the same entity"

// lockEntity takes the (endpoint, entity) ordering lock until tx ends.
func lockEntity(ctx context.Context, tx pgx.Tx, endpointID, entityID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('webhook-order:' || $1::text || ':' || $2::text, 0))`, endpointID, entityID)
	if err != nil {
		return fmt.Errorf("lock webhook entity order: %w", err)
	}
	return nil
}

// waitBehindSQL marks message $1 (of send $3) waiting when an earlier
// message of its entity to its endpoint is pending.
const waitBehindSQL = `UPDATE webhook_messages m SET waiting = true, reason = $2
WHERE m.id = $1 AND m.send = $3 AND m.status = 'pending' AND EXISTS (
    SELECT 1 FROM webhook_messages o
    WHERE o.endpoint_id = m.endpoint_id AND o.entity_id = m.entity_id AND o.status = 'pending' AND o.seq < m.seq)`

// mustWait is the gate: in its own transaction, it reports whether msg has
// to wait for an earlier message of its entity (and marks it waiting).
func (w *DeliverWorker) mustWait(ctx context.Context, msg Message) (bool, error) {
	if msg.EntityID == nil {
		return false, nil
	}
	var waits bool
	err := db.InTx(ctx, w.p.Pool, func(tx pgx.Tx) error {
		if err := lockEntity(ctx, tx, msg.EndpointID, *msg.EntityID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, waitBehindSQL, msg.ID, waitingReason, msg.Send)
		if err != nil {
			return fmt.Errorf("order webhook message: %w", err)
		}
		waits = tag.RowsAffected() == 1
		return nil
	})
	return waits, err
}

// wakeNextSQL takes the earliest pending message of an entity to an
// endpoint out of waiting, as a new send (a job of the send that waited
// may not have ended yet), and returns it.
const wakeNextSQL = `UPDATE webhook_messages SET waiting = false, reason = '', send = send + 1
WHERE id = (SELECT id FROM webhook_messages WHERE endpoint_id = $1 AND entity_id = $2 AND status = 'pending' ORDER BY seq LIMIT 1)
  AND waiting
RETURNING id, send`

// wakeNext enqueues the next message of msg's entity when it is waiting;
// tx must hold the entity's lock and have moved msg to a final status.
func wakeNext(ctx context.Context, tx pgx.Tx, msg Message) error {
	if msg.EntityID == nil {
		return nil
	}
	var args DeliverArgs
	err := tx.QueryRow(ctx, wakeNextSQL, msg.EndpointID, *msg.EntityID).Scan(&args.MessageID, &args.Send)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("wake the next webhook message: %w", err)
	}
	rc, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("wake the next webhook message: %w", err)
	}
	return enqueue(ctx, rc, tx, args)
}

// releaseWaitingSQL takes every waiting message of an endpoint out of
// waiting, as a new send, and returns them.
const releaseWaitingSQL = `UPDATE webhook_messages SET waiting = false, reason = '', send = send + 1
WHERE endpoint_id = $1 AND waiting AND status = 'pending' RETURNING id, send`

// releaseWaiting enqueues every waiting message of an endpoint that is no
// longer ordered.
func releaseWaiting(ctx context.Context, rc *river.Client[pgx.Tx], tx pgx.Tx, endpointID uuid.UUID) error {
	rows, err := tx.Query(ctx, releaseWaitingSQL, endpointID)
	if err != nil {
		return fmt.Errorf("release waiting webhook messages: %w", err)
	}
	waiting, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeliverArgs, error) {
		var a DeliverArgs
		return a, r.Scan(&a.MessageID, &a.Send)
	})
	if err != nil {
		return fmt.Errorf("release waiting webhook messages: %w", err)
	}
	for _, a := range waiting {
		if err := enqueue(ctx, rc, tx, a); err != nil {
			return err
		}
	}
	return nil
}
