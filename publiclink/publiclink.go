// Package publiclink publishes a collection read-only to people outside it:
// an owner creates a public link, an unguessable secret (256 random bits,
// kept only as its SHA-256 hash) with an optional expiry, and whoever holds
// it may read the collection's name, items, tags and search, and its feed,
// without an account. Nothing else of the owner's is reachable through it:
// Resolve answers one collection, and the public reads are scoped to it.
//
// Revoking deletes the link, so it stops working with the next request (the
// lookup is not cached). An unknown, revoked or expired secret is
// atlas.ErrNotFound, the same answer for every case, so a guesser learns
// nothing; the HTTP edge rate-limits public reads per client IP.
// Creating and revoking links are owner decisions (collection.ActionManage),
// recorded as PublicLinkCreated / PublicLinkRevoked in the collection's
// audit trail through the outbox, in the same transaction.
package publiclink

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// secretBytes is the entropy of a link's secret: 256 bits.
const secretBytes = 32

// secretLen is the length of a secret, base64url without padding.
var secretLen = base64.RawURLEncoding.EncodedLen(secretBytes)

// Link is a public link as the collection's members see it (never the
// secret).
type Link struct {
	ID           uuid.UUID
	CollectionID uuid.UUID
	CreatedBy    *uuid.UUID
	CreatedAt    time.Time
	// ExpiresAt is when the link stops working; nil: never.
	ExpiresAt *time.Time
	// Indexable lets search engines index the public page.
	Indexable bool
}

// Shared is what a public link opens: the link and its collection's public
// face.
type Shared struct {
	Link        Link
	Name        string
	Description string
	// UpdatedAt is when the collection itself (name, description) changed.
	UpdatedAt time.Time
}

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool        *pgxpool.Pool
	Collections *collection.Service
	Cursors     *cursor.Codec
	Recorder    *events.Recorder
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
}

// Service creates, lists, revokes and resolves public links.
type Service struct {
	pool        *pgxpool.Pool
	collections *collection.Service
	cursor      *cursor.Codec
	events      *events.Recorder
	now         func() time.Time
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Service{pool: p.Pool, collections: p.Collections, cursor: p.Cursors, events: p.Recorder, now: p.NowFunc}
}

// CreateParams describes a new public link.
type CreateParams struct {
	// ExpiresAt is optional: nil means the link works until revoked.
	ExpiresAt *time.Time
	// Indexable lets search engines index the public page (default: the
	// page asks them not to).
	Indexable bool
}

// Create publishes a collection through a new link and returns it with its
// secret, which is never shown again. Owners only.
func (s *Service) Create(ctx context.Context, actor, collectionID uuid.UUID, in CreateParams) (Link, string, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	l := Link{ID: uuid.Must(uuid.NewV7()), CollectionID: collectionID, CreatedBy: &actor, CreatedAt: now, Indexable: in.Indexable}
	if in.ExpiresAt != nil {
		at := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !at.After(now) {
			return Link{}, "", atlas.Invalid("expires_at", "must be in the future")
		}
		l.ExpiresAt = &at
	}
	secret := newSecret()
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.collections.Authorize(ctx, tx, actor, collectionID, collection.ActionManage); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertSQL, l.ID, l.CollectionID, hash(secret), l.CreatedBy, l.CreatedAt, l.ExpiresAt, l.Indexable); err != nil {
			return fmt.Errorf("insert public link: %w", err)
		}
		return s.events.Record(ctx, tx, events.PublicLinkCreated, &actor, entity(collectionID), eventData(l))
	})
	if err != nil {
		return Link{}, "", fmt.Errorf("create public link: %w", err)
	}
	return l, secret, nil
}

// List returns a page of a collection's public links, newest first. Every
// member may see them (the secrets are not shown).
func (s *Service) List(ctx context.Context, actor, collectionID uuid.UUID, page cursor.Page) ([]Link, string, error) {
	if _, err := s.collections.Authorize(ctx, s.pool, actor, collectionID, collection.ActionRead); err != nil {
		return nil, "", fmt.Errorf("list public links: %w", err)
	}
	return cursor.KeysetPage(s.cursor, "public-links:"+collectionID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Link, error) {
			at, id := cursor.Args(after, true)
			rows, err := s.pool.Query(ctx, listSQL, collectionID, at, id, limit)
			if err != nil {
				return nil, fmt.Errorf("list public links: %w", err)
			}
			return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Link, error) { return scanLink(r) })
		},
		func(l Link) cursor.Keyset { return cursor.Keyset{At: l.CreatedAt, ID: l.ID} })
}

// Revoke deletes a public link of the collection: it stops working at
// once. Owners only; an unknown link is atlas.ErrNotFound.
func (s *Service) Revoke(ctx context.Context, actor, collectionID, linkID uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.collections.Authorize(ctx, tx, actor, collectionID, collection.ActionManage); err != nil {
			return err
		}
		l, err := scanLink(tx.QueryRow(ctx, deleteSQL, linkID, collectionID))
		if err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.PublicLinkRevoked, &actor, entity(collectionID), eventData(l))
	})
	if err != nil {
		return fmt.Errorf("revoke public link: %w", err)
	}
	return nil
}

// errNoLink is the one answer to every secret that opens nothing.
var errNoLink = atlas.Errorf(atlas.ErrNotFound, "public link not found")

// Resolve returns what the secret of a public link opens. An unknown,
// malformed, revoked or expired secret is atlas.ErrNotFound. It is the
// one authorization of every public read: callers read only
// Shared.Link.CollectionID through it.
func (s *Service) Resolve(ctx context.Context, secret string) (Shared, error) {
	if len(secret) != secretLen {
		return Shared{}, errNoLink
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return Shared{}, errNoLink
	}
	var sh Shared
	l, err := scanLink(s.pool.QueryRow(ctx, resolveSQL, hash(secret)), &sh.Name, &sh.Description, &sh.UpdatedAt)
	switch {
	case errors.Is(err, atlas.ErrNotFound):
		return Shared{}, errNoLink
	case err != nil:
		return Shared{}, fmt.Errorf("resolve public link: %w", err)
	}
	if l.ExpiresAt != nil && !s.now().Before(*l.ExpiresAt) {
		return Shared{}, errNoLink
	}
	sh.Link, sh.UpdatedAt = l, sh.UpdatedAt.UTC()
	return sh, nil
}

func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b)
}

// hash is how secrets are stored: SHA-256 (they are 256 random bits, so a
// fast hash is enough).
func hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func entity(collectionID uuid.UUID) events.Entity {
	return events.Entity{Type: events.EntityCollection, ID: collectionID, CollectionID: collectionID}
}

func eventData(l Link) map[string]any {
	return map[string]any{"link_id": l.ID, "expires_at": l.ExpiresAt, "indexable": l.Indexable}
}

const linkColumns = `l.id, l.collection_id, l.created_by, l.created_at, l.expires_at, l.indexable`

const insertSQL = `
INSERT INTO public_links (id, collection_id, token_hash, created_by, created_at, expires_at, indexable)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

const listSQL = `
SELECT ` + linkColumns + ` FROM public_links l
WHERE l.collection_id = $1 AND (l.created_at, l.id) < ($2, $3)
ORDER BY l.created_at DESC, l.id DESC LIMIT $4`

const deleteSQL = `DELETE FROM public_links l WHERE l.id = $1 AND l.collection_id = $2 RETURNING ` + linkColumns

const resolveSQL = `
SELECT ` + linkColumns + `, c.name, c.description, c.updated_at
FROM public_links l JOIN collections c ON c.id = l.collection_id
WHERE l.token_hash = $1`

func scanLink(row pgx.Row, extra ...any) (Link, error) {
	var l Link
	err := row.Scan(append([]any{&l.ID, &l.CollectionID, &l.CreatedBy, &l.CreatedAt, &l.ExpiresAt, &l.Indexable}, extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, errNoLink
	}
	if err != nil {
		return Link{}, err
	}
	l.CreatedAt = l.CreatedAt.UTC()
	if l.ExpiresAt != nil {
		*l.ExpiresAt = l.ExpiresAt.UTC()
	}
	return l, nil
}
