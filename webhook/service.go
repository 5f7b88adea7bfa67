package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
)

// Rotation overlap bounds: how long the previous secret keeps signing.
const (
	DefaultRotationOverlap = 24 * time.Hour
	MaxRotationOverlap     = 7 * 24 * time.Hour
)

// ServiceParams are the Service's dependencies.
type ServiceParams struct {
	Pool *pgxpool.Pool
	// Collections decides who may manage a collection's webhooks.
	Collections *collection.Service
	// River enqueues deliveries (sends again, test events).
	River   *river.Client[pgx.Tx]
	Cursors *cursor.Codec
	// Recorder records the endpoints' own events (WebhookCreated, ...).
	Recorder *events.Recorder
	// Guard is the SSRF guard whose rules (and allow list) endpoint URLs
	// must satisfy.
	Guard enrich.Guard
	// RequireHTTPS refuses plain http URLs whose host the allow list does
	// not name (production).
	RequireHTTPS bool
	// AdminEmails are the administrators, who may register endpoints for
	// every collection.
	AdminEmails []string
	NowFunc     func() time.Time
}

// Service manages endpoints and their delivery log.
type Service struct {
	pool        *pgxpool.Pool
	collections *collection.Service
	river       *river.Client[pgx.Tx]
	cursors     *cursor.Codec
	events      *events.Recorder
	rules       urlRules
	access      access
	now         func() time.Time
	store       store
}

// NewService returns the webhook Service.
func NewService(p ServiceParams) *Service {
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Service{pool: p.Pool, collections: p.Collections, river: p.River, cursors: p.Cursors, events: p.Recorder,
		rules:  urlRules{guard: p.Guard, requireHTTPS: p.RequireHTTPS},
		access: access{collections: p.Collections, admins: p.AdminEmails}, now: p.NowFunc}
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// access is the one rule of who may manage an endpoint, and so receive its
// events: an owner of its collection, or an administrator for a global one.
type access struct {
	collections *collection.Service
	admins      []string
}

// check returns nil when user may manage endpoints of collectionID (nil:
// global endpoints). A non-member gets atlas.ErrNotFound, a member who is
// not an owner atlas.ErrForbidden, a non-administrator asking for global
// endpoints atlas.ErrForbidden.
func (a access) check(ctx context.Context, q db.Querier, user uuid.UUID, collectionID *uuid.UUID) error {
	if collectionID != nil {
		_, err := a.collections.Authorize(ctx, q, user, *collectionID, collection.ActionManage)
		return err
	}
	var email string
	err := q.QueryRow(ctx, `SELECT lower(email) FROM users WHERE id = $1`, user).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return atlas.Errorf(atlas.ErrForbidden, "only administrators manage webhooks for every collection")
	}
	if err != nil {
		return fmt.Errorf("look up user: %w", err)
	}
	if !slices.Contains(a.admins, email) {
		return atlas.Errorf(atlas.ErrForbidden, "only administrators manage webhooks for every collection")
	}
	return nil
}

// endpointFor loads an endpoint the actor may manage; one they may not see
// is not found.
func (s *Service) endpointFor(ctx context.Context, actor, id uuid.UUID) (Endpoint, error) {
	e, err := s.store.endpoint(ctx, s.pool, id)
	if err != nil {
		return Endpoint{}, err
	}
	if err := s.access.check(ctx, s.pool, actor, e.CollectionID); err != nil {
		if e.CollectionID == nil {
			return Endpoint{}, atlas.Errorf(atlas.ErrNotFound, "webhook not found")
		}
		return Endpoint{}, err
	}
	return e, nil
}

// CreateParams registers an endpoint.
type CreateParams struct {
	// CollectionID is the collection; nil registers a global endpoint
	// (administrators only).
	CollectionID *uuid.UUID
	URL          string
	Description  string
	EventTypes   []string
	// Enabled defaults to true.
	Enabled *bool
	// Ordered delivers each entity's events in order (Endpoint.Ordered).
	Ordered bool
}

// Create registers an endpoint and returns it with its secret, which is
// never shown again.
func (s *Service) Create(ctx context.Context, actor uuid.UUID, p CreateParams) (Endpoint, string, error) {
	u, err := s.rules.check(p.URL)
	if err != nil {
		return Endpoint{}, "", err
	}
	types, err := validEventTypes(p.EventTypes)
	if err != nil {
		return Endpoint{}, "", err
	}
	desc, err := validDescription(p.Description)
	if err != nil {
		return Endpoint{}, "", err
	}
	if err := s.access.check(ctx, s.pool, actor, p.CollectionID); err != nil {
		return Endpoint{}, "", err
	}
	now := s.nowUTC()
	e := Endpoint{ID: uuid.Must(uuid.NewV7()), OwnerID: actor, CollectionID: p.CollectionID, URL: u.String(), Description: desc,
		EventTypes: types, Enabled: p.Enabled == nil || *p.Enabled, Ordered: p.Ordered, CreatedAt: now, UpdatedAt: now}
	secret := newSecret()
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.insertEndpoint(ctx, tx, e, secret); err != nil {
			return err
		}
		return recordEvent(ctx, s.events, tx, events.WebhookCreated, &actor, e, map[string]any{
			"event_types": e.EventTypes, "enabled": e.Enabled, "ordered": e.Ordered})
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return e, secret, nil
}

// List returns the endpoints of a collection (its owners), or the global
// ones (administrators), oldest first.
func (s *Service) List(ctx context.Context, actor uuid.UUID, collectionID *uuid.UUID, page cursor.Page) ([]Endpoint, string, error) {
	if err := s.access.check(ctx, s.pool, actor, collectionID); err != nil {
		return nil, "", err
	}
	scope := "webhooks:global"
	if collectionID != nil {
		scope = "webhooks:" + collectionID.String()
	}
	return cursor.KeysetPage(s.cursors, scope, page,
		func(after *cursor.Keyset, limit int) ([]Endpoint, error) {
			return s.store.endpoints(ctx, s.pool, collectionID, after, limit)
		},
		func(e Endpoint) cursor.Keyset { return cursor.Keyset{At: e.CreatedAt, ID: e.ID} })
}

// Get returns an endpoint the actor may manage.
func (s *Service) Get(ctx context.Context, actor, id uuid.UUID) (Endpoint, error) {
	return s.endpointFor(ctx, actor, id)
}

// UpdateParams changes an endpoint; nil fields stay as they are.
type UpdateParams struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	// Enabled true also clears the reason Atlas disabled it for.
	Enabled *bool
	// Ordered false lets the messages waiting for an earlier one go.
	Ordered *bool
}

// Update changes an endpoint.
func (s *Service) Update(ctx context.Context, actor, id uuid.UUID, p UpdateParams) (Endpoint, error) {
	e, err := s.endpointFor(ctx, actor, id)
	if err != nil {
		return Endpoint{}, err
	}
	before := e
	if p.URL != nil {
		u, err := s.rules.check(*p.URL)
		if err != nil {
			return Endpoint{}, err
		}
		e.URL = u.String()
	}
	if p.Description != nil {
		if e.Description, err = validDescription(*p.Description); err != nil {
			return Endpoint{}, err
		}
	}
	if p.EventTypes != nil {
		if e.EventTypes, err = validEventTypes(*p.EventTypes); err != nil {
			return Endpoint{}, err
		}
	}
	if p.Enabled != nil {
		if *p.Enabled && !e.Enabled {
			e.DisabledReason, e.FailingSince = "", nil
		}
		e.Enabled = *p.Enabled
	}
	release := p.Ordered != nil && e.Ordered && !*p.Ordered
	if p.Ordered != nil {
		e.Ordered = *p.Ordered
	}
	e.UpdatedAt = s.nowUTC()
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.updateEndpoint(ctx, tx, e); err != nil {
			return err
		}
		if changes := changed(before, e); len(changes) > 0 {
			err := recordEvent(ctx, s.events, tx, events.WebhookUpdated, &actor, e, map[string]any{"changes": changes, "enabled": e.Enabled})
			if err != nil {
				return err
			}
		}
		if release {
			return releaseWaiting(ctx, s.river, tx, e.ID)
		}
		return nil
	})
	if err != nil {
		return Endpoint{}, err
	}
	return e, nil
}

// Delete removes an endpoint and its delivery log.
func (s *Service) Delete(ctx context.Context, actor, id uuid.UUID) error {
	e, err := s.endpointFor(ctx, actor, id)
	if err != nil {
		return err
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.deleteEndpoint(ctx, tx, id); err != nil {
			return err
		}
		return recordEvent(ctx, s.events, tx, events.WebhookDeleted, &actor, e, nil)
	})
}

// RotateSecret gives the endpoint a new secret, returned once. The old one
// keeps signing (both signatures are sent) for overlap (0:
// DefaultRotationOverlap), so receivers can switch without losing events.
func (s *Service) RotateSecret(ctx context.Context, actor, id uuid.UUID, overlap time.Duration) (Endpoint, string, error) {
	if overlap < 0 || overlap > MaxRotationOverlap {
		return Endpoint{}, "", atlas.Invalid("overlap_seconds", "must be between 0 and %d", int(MaxRotationOverlap.Seconds()))
	}
	if overlap == 0 {
		overlap = DefaultRotationOverlap
	}
	e, err := s.endpointFor(ctx, actor, id)
	if err != nil {
		return Endpoint{}, "", err
	}
	now := s.nowUTC()
	secret := newSecret()
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.rotateSecret(ctx, tx, id, secret, now.Add(overlap), now); err != nil {
			return err
		}
		if e, err = s.store.endpoint(ctx, tx, id); err != nil {
			return err
		}
		return recordEvent(ctx, s.events, tx, events.WebhookSecretRotated, &actor, e, map[string]any{"previous_expires_at": e.PreviousSecretExpiresAt})
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return e, secret, nil
}

// Messages lists an endpoint's delivery log, newest first.
func (s *Service) Messages(ctx context.Context, actor, endpointID uuid.UUID, page cursor.Page) ([]Message, string, error) {
	if _, err := s.endpointFor(ctx, actor, endpointID); err != nil {
		return nil, "", err
	}
	return cursor.KeysetPage(s.cursors, "webhook-deliveries:"+endpointID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Message, error) {
			return s.store.messages(ctx, s.pool, endpointID, after, limit)
		},
		func(m Message) cursor.Keyset { return cursor.Keyset{At: m.CreatedAt, ID: m.ID} })
}

// Redeliver sends a message again (same body, same webhook-id), whatever
// became of it; a delivery already queued or running is left alone.
func (s *Service) Redeliver(ctx context.Context, actor, endpointID, messageID uuid.UUID) (Message, error) {
	if _, err := s.endpointFor(ctx, actor, endpointID); err != nil {
		return Message{}, err
	}
	var m Message
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if m, err = s.store.message(ctx, tx, messageID); err != nil {
			return err
		}
		if m.EndpointID != endpointID {
			return atlas.Errorf(atlas.ErrNotFound, "delivery not found")
		}
		m.Status, m.Reason, m.UpdatedAt = StatusPending, "", s.nowUTC()
		if m.Send, err = s.store.sendAgain(ctx, tx, m.ID, m.UpdatedAt); err != nil {
			return err
		}
		return enqueue(ctx, s.river, tx, DeliverArgs{MessageID: m.ID, Send: m.Send})
	})
	return m, err
}

// SendTest sends a WebhookTest event to the endpoint (even a disabled one
// is tried, so an owner can check a receiver before enabling it).
func (s *Service) SendTest(ctx context.Context, actor, endpointID uuid.UUID) (Message, error) {
	e, err := s.endpointFor(ctx, actor, endpointID)
	if err != nil {
		return Message{}, err
	}
	now := s.nowUTC()
	env := events.Envelope{EventID: uuid.Must(uuid.NewV7()), Type: TestEventType, Version: events.EnvelopeVersion, OccurredAt: now,
		ActorUserID: &actor, Entity: events.Entity{Type: "webhook", ID: e.ID}, Data: json.RawMessage(`{"message":"a test event from Atlas"}`),
		TraceID: events.NewTraceID(), RequestID: "webhook-test"}
	if e.CollectionID != nil {
		env.Entity.CollectionID = *e.CollectionID
	}
	body, err := json.Marshal(env)
	if err != nil {
		return Message{}, fmt.Errorf("marshal test event: %w", err)
	}
	m := Message{ID: uuid.Must(uuid.NewV7()), EndpointID: e.ID, EventID: env.EventID, EventType: TestEventType,
		CollectionID: e.CollectionID, Payload: body, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.store.insertMessage(ctx, tx, m); err != nil {
			return err
		}
		return enqueue(ctx, s.river, tx, DeliverArgs{MessageID: m.ID})
	})
	return m, err
}

// enqueue adds a delivery job in tx.
func enqueue(ctx context.Context, rc *river.Client[pgx.Tx], tx pgx.Tx, args DeliverArgs) error {
	if _, err := rc.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue webhook delivery: %w", err)
	}
	return nil
}

// sanitizeExcerpt makes the start of an answer storable as text.
func sanitizeExcerpt(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "")
}

// changed names the fields an update changed.
func changed(before, after Endpoint) []string {
	var out []string
	for _, c := range []struct {
		name string
		diff bool
	}{
		{"url", before.URL != after.URL},
		{"description", before.Description != after.Description},
		{"event_types", !slices.Equal(before.EventTypes, after.EventTypes)},
		{"enabled", before.Enabled != after.Enabled},
		{"ordered", before.Ordered != after.Ordered},
	} {
		if c.diff {
			out = append(out, c.name)
		}
	}
	return out
}
