package webhook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// store is the SQL of endpoints, messages and attempts.
type store struct{}

const endpointColumns = `id, owner_id, collection_id, url, description, event_types, enabled, ordered, disabled_reason,
	failing_since, previous_expires_at, created_at, updated_at`

// dest is where a row of endpointColumns is scanned; the event types go
// to types (see setTypes).
func (e *Endpoint) dest(types *[]string) []any {
	return []any{&e.ID, &e.OwnerID, &e.CollectionID, &e.URL, &e.Description, types, &e.Enabled, &e.Ordered,
		&e.DisabledReason, &e.FailingSince, &e.PreviousSecretExpiresAt, &e.CreatedAt, &e.UpdatedAt}
}

func (e *Endpoint) setTypes(types []string) {
	for _, t := range types {
		e.EventTypes = append(e.EventTypes, events.Type(t))
	}
}

func scanEndpoint(row pgx.Row, extra ...any) (Endpoint, error) {
	var e Endpoint
	var types []string
	err := row.Scan(append(e.dest(&types), extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Endpoint{}, atlas.Errorf(atlas.ErrNotFound, "webhook not found")
	}
	if err != nil {
		return Endpoint{}, err
	}
	e.setTypes(types)
	return e, nil
}

// qualified is a column list with each column prefixed by alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func typeStrings(ts []events.Type) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

const insertEndpointSQL = `INSERT INTO webhook_endpoints (id, owner_id, collection_id, url, description, event_types, enabled, secret, created_at, updated_at, ordered)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`

func (store) insertEndpoint(ctx context.Context, q db.Querier, e Endpoint, secret string) error {
	_, err := q.Exec(ctx, insertEndpointSQL, e.ID, e.OwnerID, e.CollectionID, e.URL, e.Description, typeStrings(e.EventTypes), e.Enabled, secret, e.CreatedAt, e.Ordered)
	if err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

func (store) endpoint(ctx context.Context, q db.Querier, id uuid.UUID) (Endpoint, error) {
	e, err := scanEndpoint(q.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id))
	if err != nil && !errors.Is(err, atlas.ErrNotFound) {
		return Endpoint{}, fmt.Errorf("get webhook: %w", err)
	}
	return e, err
}

const listEndpointsSQL = `SELECT ` + endpointColumns + ` FROM webhook_endpoints
WHERE collection_id IS NOT DISTINCT FROM $1 AND (created_at, id) > ($2, $3)
ORDER BY created_at, id LIMIT $4`

func (store) endpoints(ctx context.Context, q db.Querier, collectionID *uuid.UUID, after *cursor.Keyset, limit int) ([]Endpoint, error) {
	at, id := cursor.Args(after, false)
	rows, err := q.Query(ctx, listEndpointsSQL, collectionID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Endpoint, error) { return scanEndpoint(r) })
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

const updateEndpointSQL = `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, enabled = $5,
	disabled_reason = $6, failing_since = $7, updated_at = $8, ordered = $9 WHERE id = $1`

func (store) updateEndpoint(ctx context.Context, q db.Querier, e Endpoint) error {
	_, err := q.Exec(ctx, updateEndpointSQL, e.ID, e.URL, e.Description, typeStrings(e.EventTypes), e.Enabled, e.DisabledReason, e.FailingSince, e.UpdatedAt, e.Ordered)
	if err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	return nil
}

func (store) deleteEndpoint(ctx context.Context, q db.Querier, id uuid.UUID) error {
	if _, err := q.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return nil
}

// rotateSecretSQL makes the current secret the previous one, signing until
// $3, and installs $2.
//
//nolint:gosec // G101: SQL text, not a credential
const rotateSecretSQL = `UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = $3, secret = $2, updated_at = $4 WHERE id = $1`

func (store) rotateSecret(ctx context.Context, q db.Querier, id uuid.UUID, secret string, until, now time.Time) error {
	if _, err := q.Exec(ctx, rotateSecretSQL, id, secret, until, now); err != nil {
		return fmt.Errorf("rotate webhook secret: %w", err)
	}
	return nil
}

// signingSecrets are the secrets that sign at now: the current one and,
// until the rotation's overlap ends, the previous one.
func signingSecrets(cur string, prev *string, until *time.Time, now time.Time) []string {
	out := []string{cur}
	if prev != nil && until != nil && now.Before(*until) {
		out = append(out, *prev)
	}
	return out
}

// delivery is what one attempt at a message needs, read in one round trip:
// the message, its endpoint, the endpoint's signing secrets and its owner's
// role in the endpoint's collection (nil: not a member, or a global
// endpoint, whose owner deliver checks apart).
type delivery struct {
	msg     Message
	ep      Endpoint
	secrets []string
	role    *collection.Role
}

var deliverySQL = `SELECT ` + qualified("wm", messageColumns) + `, ` + qualified("we", endpointColumns) + `,
	we.secret, we.previous_secret, CASE WHEN we.collection_id IS NULL THEN NULL ELSE ` + collection.RoleSQL("we.collection_id", "we.owner_id") + ` END
FROM webhook_messages wm JOIN webhook_endpoints we ON we.id = wm.endpoint_id
WHERE wm.id = $1`

// delivery reads the message id with its endpoint (atlas.ErrNotFound when
// either is gone), the secrets that sign at now and the owner's role.
func (store) delivery(ctx context.Context, q db.Querier, id uuid.UUID, now time.Time) (delivery, error) {
	var d delivery
	var types []string
	var secret string
	var previous *string
	dest := append(d.msg.dest(), d.ep.dest(&types)...)
	err := q.QueryRow(ctx, deliverySQL, id).Scan(append(dest, &secret, &previous, &d.role)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return delivery{}, atlas.Errorf(atlas.ErrNotFound, "delivery not found")
	}
	if err != nil {
		return delivery{}, fmt.Errorf("read webhook delivery: %w", err)
	}
	d.ep.setTypes(types)
	d.secrets = signingSecrets(secret, previous, d.ep.PreviousSecretExpiresAt, now)
	return d, nil
}

// dispatchTargetsSQL finds the enabled endpoints events about the
// collections $1 may go to: theirs and the global ones.
const dispatchTargetsSQL = `SELECT id, collection_id, event_types FROM webhook_endpoints
WHERE enabled AND (collection_id = ANY ($1) OR collection_id IS NULL) ORDER BY created_at, id`

// target is an endpoint events may go to.
type target struct {
	id         uuid.UUID
	collection *uuid.UUID // nil: every collection
	types      []string
}

// receives reports whether an event of type t about collection coll goes
// to the endpoint.
func (t target) receives(coll uuid.UUID, typ events.Type) bool {
	return (t.collection == nil || *t.collection == coll) && slices.Contains(t.types, string(typ))
}

func (store) dispatchTargets(ctx context.Context, q db.Querier, colls []uuid.UUID) ([]target, error) {
	rows, err := q.Query(ctx, dispatchTargetsSQL, colls)
	if err != nil {
		return nil, fmt.Errorf("find webhook endpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (target, error) {
		var t target
		err := r.Scan(&t.id, &t.collection, &t.types)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("find webhook endpoints: %w", err)
	}
	return out, nil
}
