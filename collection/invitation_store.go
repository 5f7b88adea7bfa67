package collection

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
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/mail"
)

// invitationStore is the SQL for pending invitations.
type invitationStore struct{}

const invitationColumns = `id, collection_id, email, role, invited_by, created_at, expires_at`

func scanInvitation(row pgx.Row) (Invitation, error) {
	var i Invitation
	err := row.Scan(&i.ID, &i.CollectionID, &i.Email, &i.Role, &i.InvitedBy, &i.CreatedAt, &i.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Invitation{}, atlas.Errorf(atlas.ErrNotFound, "invitation not found")
	}
	if err != nil {
		return Invitation{}, err
	}
	i.CreatedAt, i.ExpiresAt = i.CreatedAt.UTC(), i.ExpiresAt.UTC()
	return i, nil
}

// upsertInvitationSQL renews the address's pending invitation, if any: new
// role, inviter and expiry, and no link until its email is prepared.
const upsertInvitationSQL = `
INSERT INTO collection_invitations (id, collection_id, email, role, invited_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (collection_id, lower(email)) DO UPDATE
SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, created_at = EXCLUDED.created_at,
    expires_at = EXCLUDED.expires_at, token_hash = NULL
RETURNING ` + invitationColumns

func (invitationStore) upsert(ctx context.Context, q db.Querier, i Invitation) (Invitation, error) {
	out, err := scanInvitation(q.QueryRow(ctx, upsertInvitationSQL, i.ID, i.CollectionID, i.Email, i.Role, i.InvitedBy, i.CreatedAt, i.ExpiresAt))
	if err != nil {
		return Invitation{}, fmt.Errorf("store invitation: %w", err)
	}
	return out, nil
}

const listInvitationsSQL = `
SELECT ` + invitationColumns + ` FROM collection_invitations
WHERE collection_id = $1 AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`

func (invitationStore) list(ctx context.Context, q db.Querier, collectionID uuid.UUID, after *cursor.Keyset, limit int) ([]Invitation, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listInvitationsSQL, collectionID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invitation, error) { return scanInvitation(r) })
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return out, nil
}

const deleteInvitationSQL = `DELETE FROM collection_invitations WHERE collection_id = $1 AND id = $2 RETURNING ` + invitationColumns

func (invitationStore) delete(ctx context.Context, q db.Querier, collectionID, id uuid.UUID) (Invitation, error) {
	i, err := scanInvitation(q.QueryRow(ctx, deleteInvitationSQL, collectionID, id))
	if err != nil {
		return Invitation{}, fmt.Errorf("delete invitation: %w", err)
	}
	return i, nil
}

//nolint:gosec // G101: SQL text, not a credential
const takeInvitationSQL = `DELETE FROM collection_invitations WHERE token_hash = $1 AND expires_at > $2 RETURNING ` + invitationColumns

// take deletes and returns the live invitation whose link has this hash:
// a link is used once (the row lock makes two concurrent uses succeed at
// most once). Unknown, used, revoked or expired: errInvitationLink.
func (invitationStore) take(ctx context.Context, q db.Querier, hash []byte, now time.Time) (Invitation, error) {
	i, err := scanInvitation(q.QueryRow(ctx, takeInvitationSQL, hash, now))
	if errors.Is(err, atlas.ErrNotFound) {
		return Invitation{}, errInvitationLink
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("use invitation: %w", err)
	}
	return i, nil
}

// hashToken is how an invitation link's token is stored: SHA-256 (it is
// 256 random bits).
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

const invitationMailSQL = `
SELECT i.email, i.role, i.expires_at, c.name, coalesce(u.display_name, '')
FROM collection_invitations i
JOIN collections c ON c.id = i.collection_id
LEFT JOIN users u ON u.id = i.invited_by
WHERE i.id = $1 AND i.expires_at > $2`

//nolint:gosec // G101: SQL text, not a credential
const setInvitationTokenSQL = `UPDATE collection_invitations SET token_hash = $2 WHERE id = $1`

// PrepareInvitationEmail is the mail.PrepareFunc of the invitation email:
// it reads the pending invitation (revoked, accepted or expired:
// mail.ErrSkip), makes its link's token and stores the token's hash
// (replacing an earlier link's).
func PrepareInvitationEmail(pool *pgxpool.Pool, now func() time.Time) mail.PrepareFunc {
	return func(ctx context.Context, a mail.Args) (mail.Prepared, error) {
		var email, role, collectionName, inviter string
		var expires time.Time
		err := pool.QueryRow(ctx, invitationMailSQL, a.Ref, now()).Scan(&email, &role, &expires, &collectionName, &inviter)
		if errors.Is(err, pgx.ErrNoRows) {
			return mail.Prepared{}, mail.ErrSkip
		}
		if err != nil {
			return mail.Prepared{}, fmt.Errorf("read invitation: %w", err)
		}
		b := make([]byte, 32)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
		token := base64.RawURLEncoding.EncodeToString(b)
		tag, err := pool.Exec(ctx, setInvitationTokenSQL, a.Ref, hashToken(token))
		if err != nil {
			return mail.Prepared{}, fmt.Errorf("store invitation link: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return mail.Prepared{}, mail.ErrSkip // revoked or accepted meanwhile
		}
		if inviter == "" {
			inviter = "Someone"
		}
		return mail.Prepared{To: mail.Address{Email: email}, Data: map[string]any{
			"Inviter": inviter, "Collection": collectionName, "Role": role, "Token": token,
			"Expires": expires.UTC().Format("2 January 2006, 15:04 MST"),
		}}, nil
	}
}
