package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// Status is where a message stands.
type Status string

// The message statuses.
const (
	// StatusPending: not delivered yet; an attempt is due or under way.
	StatusPending Status = "pending"
	// StatusDelivered: a 2xx answer was received.
	StatusDelivered Status = "delivered"
	// StatusFailed: given up (retries exhausted, endpoint disabled or gone,
	// or its owner no longer allowed); Reason says which.
	StatusFailed Status = "failed"
)

// Outcome is what one attempt came to.
type Outcome string

// The attempt outcomes.
const (
	// OutcomeDelivered: a 2xx answer.
	OutcomeDelivered Outcome = "delivered"
	// OutcomeFailed: any other answer, a timeout or a connection error.
	OutcomeFailed Outcome = "failed"
	// OutcomeGone: 410 Gone; the endpoint was disabled.
	OutcomeGone Outcome = "gone"
	// OutcomeRefused: not sent (the URL's address is refused by the SSRF
	// guard, or the URL no longer satisfies the rules).
	OutcomeRefused Outcome = "refused"
)

// Message is one event for one endpoint: what was (or will be) sent and
// its attempts.
type Message struct {
	ID         uuid.UUID
	EndpointID uuid.UUID
	// EventID is the webhook-id header.
	EventID      uuid.UUID
	EventType    events.Type
	CollectionID *uuid.UUID
	// EntityID is the event's entity (nil for test events): the key of an
	// ordered endpoint's order.
	EntityID *uuid.UUID
	Payload  []byte
	Status   Status
	Reason   string
	// Send counts the times it was sent again ("send again").
	Send      int
	CreatedAt time.Time
	UpdatedAt time.Time
	// Attempts are the logged attempts, oldest first.
	Attempts []Attempt
}

// Attempt is one logged delivery attempt.
type Attempt struct {
	Outcome    Outcome
	StatusCode *int
	Latency    time.Duration
	// ResponseExcerpt is the start of the answer's body (ExcerptBytes).
	ResponseExcerpt string
	Error           string
	At              time.Time
}

const messageColumns = `id, endpoint_id, event_id, event_type, collection_id, entity_id, payload, status, reason, send, created_at, updated_at`

// dest is where a row of messageColumns is scanned.
func (m *Message) dest() []any {
	return []any{&m.ID, &m.EndpointID, &m.EventID, &m.EventType, &m.CollectionID, &m.EntityID, &m.Payload, &m.Status, &m.Reason, &m.Send, &m.CreatedAt, &m.UpdatedAt}
}

func scanMessage(row pgx.Row) (Message, error) {
	var m Message
	err := row.Scan(m.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, atlas.Errorf(atlas.ErrNotFound, "delivery not found")
	}
	return m, err
}

// insertMessageSQL stores a message unless the endpoint has one for the
// event already (a replay): then nothing is returned.
const insertMessageSQL = `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, collection_id, payload, status, created_at, updated_at, entity_id)
VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)
ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`

// insertMessage stores m and reports whether it is new.
func (store) insertMessage(ctx context.Context, q db.Querier, m Message) (bool, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, insertMessageSQL, m.ID, m.EndpointID, m.EventID, string(m.EventType), m.CollectionID, m.Payload, m.CreatedAt, m.EntityID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert webhook message: %w", err)
	}
	return true, nil
}

// insertMessagesSQL stores messages unless their endpoint has one for the
// event already (a replay), and returns the ids of those stored.
const insertMessagesSQL = `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, collection_id, payload, status, created_at, updated_at, entity_id)
SELECT m.id, m.endpoint_id, m.event_id, m.event_type, m.collection_id, m.payload, 'pending', $7, $7, m.entity_id
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::bytea[], $8::uuid[])
  WITH ORDINALITY AS m (id, endpoint_id, event_id, event_type, collection_id, payload, entity_id, n)
ORDER BY m.n
ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`

// insertMessages stores ms (all created at the same time) in one statement
// and returns the ids of those that are new.
func (store) insertMessages(ctx context.Context, q db.Querier, ms []Message) (map[uuid.UUID]bool, error) {
	fresh := make(map[uuid.UUID]bool, len(ms))
	if len(ms) == 0 {
		return fresh, nil
	}
	ids, endpoints, eventIDs, colls := make([]uuid.UUID, len(ms)), make([]uuid.UUID, len(ms)), make([]uuid.UUID, len(ms)), make([]*uuid.UUID, len(ms))
	types, payloads, entities := make([]string, len(ms)), make([][]byte, len(ms)), make([]*uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i], endpoints[i], eventIDs[i], types[i], colls[i], payloads[i] = m.ID, m.EndpointID, m.EventID, string(m.EventType), m.CollectionID, m.Payload
		entities[i] = m.EntityID
	}
	// In the batch's order, so that an ordered endpoint's sequence follows the events'.
	rows, err := q.Query(ctx, insertMessagesSQL, ids, endpoints, eventIDs, types, colls, payloads, ms[0].CreatedAt, entities)
	if err != nil {
		return nil, fmt.Errorf("insert webhook messages: %w", err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("insert webhook messages: %w", err)
	}
	for _, id := range stored {
		fresh[id] = true
	}
	return fresh, nil
}

func (store) message(ctx context.Context, q db.Querier, id uuid.UUID) (Message, error) {
	m, err := scanMessage(q.QueryRow(ctx, `SELECT `+messageColumns+` FROM webhook_messages WHERE id = $1`, id))
	if err != nil && !errors.Is(err, atlas.ErrNotFound) {
		return Message{}, fmt.Errorf("get webhook message: %w", err)
	}
	return m, err
}

const listMessagesSQL = `SELECT ` + messageColumns + ` FROM webhook_messages
WHERE endpoint_id = $1 AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`

// messages lists an endpoint's messages, newest first, with their attempts.
func (s store) messages(ctx context.Context, q db.Querier, endpointID uuid.UUID, after *cursor.Keyset, limit int) ([]Message, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listMessagesSQL, endpointID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list webhook messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("list webhook messages: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(out))
	index := map[uuid.UUID]int{}
	for i, m := range out {
		ids[i], index[m.ID] = m.ID, i
	}
	rows, err = q.Query(ctx, `SELECT message_id, outcome, status_code, latency_ms, response_excerpt, error, created_at
FROM webhook_attempts WHERE message_id = ANY ($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mid uuid.UUID
		var a Attempt
		var ms int
		if err := rows.Scan(&mid, &a.Outcome, &a.StatusCode, &ms, &a.ResponseExcerpt, &a.Error, &a.At); err != nil {
			return nil, fmt.Errorf("scan webhook attempt: %w", err)
		}
		a.Latency = time.Duration(ms) * time.Millisecond
		out[index[mid]].Attempts = append(out[index[mid]].Attempts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	return out, nil
}

// insertAttempt logs one attempt and moves its message's status, unless
// the message was sent again meanwhile (its send is no longer send).
func (store) insertAttempt(ctx context.Context, q db.Querier, msgID uuid.UUID, send int, a Attempt, status Status, reason string) error {
	b := &pgx.Batch{}
	queueAttempt(b, msgID, send, a, status, reason)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("log webhook attempt: %w", err)
	}
	return nil
}

// queueAttempt queues on b the statements that log attempt a at message
// msgID (of send) and move the message to status.
func queueAttempt(b *pgx.Batch, msgID uuid.UUID, send int, a Attempt, status Status, reason string) {
	b.Queue(`INSERT INTO webhook_attempts (message_id, outcome, status_code, latency_ms, response_excerpt, error, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, msgID, string(a.Outcome), a.StatusCode, a.Latency.Milliseconds(), a.ResponseExcerpt, a.Error, a.At)
	b.Queue(`UPDATE webhook_messages SET status = $2, reason = $3, attempts = attempts + 1, updated_at = $4 WHERE id = $1 AND send = $5`,
		msgID, string(status), reason, a.At, send)
}

// giveUp marks a message of send failed without an attempt.
func (store) giveUp(ctx context.Context, q db.Querier, msgID uuid.UUID, send int, reason string, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE webhook_messages SET status = 'failed', reason = $2, updated_at = $3 WHERE id = $1 AND send = $4`, msgID, reason, now, send)
	if err != nil {
		return fmt.Errorf("give webhook message up: %w", err)
	}
	return nil
}

// sendAgain queues a message again and returns its new send number.
func (store) sendAgain(ctx context.Context, q db.Querier, msgID uuid.UUID, now time.Time) (int, error) {
	var send int
	err := q.QueryRow(ctx, `UPDATE webhook_messages SET status = 'pending', reason = '', waiting = false, send = send + 1, updated_at = $2 WHERE id = $1 RETURNING send`, msgID, now).Scan(&send)
	if err != nil {
		return 0, fmt.Errorf("send webhook message again: %w", err)
	}
	return send, nil
}

// deleteOlder deletes up to limit messages (and their attempts) created
// before cutoff and returns how many it deleted.
func (store) deleteOlder(ctx context.Context, q db.Querier, cutoff time.Time, limit int) (int64, error) {
	tag, err := q.Exec(ctx, `DELETE FROM webhook_messages WHERE id IN (
SELECT id FROM webhook_messages WHERE created_at < $1 ORDER BY created_at LIMIT $2)`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("delete old webhook messages: %w", err)
	}
	return tag.RowsAffected(), nil
}
