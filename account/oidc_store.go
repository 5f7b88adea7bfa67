package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
)

// Identity is an OpenID Connect identity linked to a user: the provider's
// subject (its stable user id) at one provider.
type Identity struct {
	Provider    string
	Subject     string
	UserID      uuid.UUID
	Email       string
	CreatedAt   time.Time
	LastLoginAt time.Time
	// Unlinkable is set by SSO.Identities: unlinking it now would leave the
	// account another way to sign in.
	Unlinkable bool
}

// pendingLogin is a sign-in between the redirect to the provider and its
// callback (table oidc_logins).
type pendingLogin struct {
	StateHash, BindingHash []byte
	Provider               string
	Nonce, CodeVerifier    string
	Next                   string
	LinkUser               *uuid.UUID
	ExpiresAt              time.Time
}

// identityStore reads and writes user_identities and oidc_logins.
type identityStore struct{}

const insertPendingSQL = `
INSERT INTO oidc_logins (state_hash, binding_hash, provider, nonce, code_verifier, next_path, link_user_id, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// startLogin stores p and drops the sign-ins that expired.
func (identityStore) startLogin(ctx context.Context, q db.Querier, p pendingLogin, now time.Time) error {
	if _, err := q.Exec(ctx, `DELETE FROM oidc_logins WHERE expires_at < $1`, now); err != nil {
		return fmt.Errorf("prune sign-ins: %w", err)
	}
	if _, err := q.Exec(ctx, insertPendingSQL, p.StateHash, p.BindingHash, p.Provider, p.Nonce, p.CodeVerifier,
		p.Next, p.LinkUser, p.ExpiresAt); err != nil {
		return fmt.Errorf("store sign-in: %w", err)
	}
	return nil
}

const takePendingSQL = `
DELETE FROM oidc_logins WHERE state_hash = $1
RETURNING binding_hash, provider, nonce, code_verifier, next_path, link_user_id, expires_at`

// takeLogin removes and returns the sign-in of a state (single use);
// unknown: atlas.ErrNotFound.
func (identityStore) takeLogin(ctx context.Context, q db.Querier, stateHash []byte) (pendingLogin, error) {
	p := pendingLogin{StateHash: stateHash}
	err := q.QueryRow(ctx, takePendingSQL, stateHash).Scan(&p.BindingHash, &p.Provider, &p.Nonce, &p.CodeVerifier,
		&p.Next, &p.LinkUser, &p.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return pendingLogin{}, atlas.ErrNotFound
	}
	if err != nil {
		return pendingLogin{}, fmt.Errorf("take sign-in: %w", err)
	}
	return p, nil
}

const identityColumns = `provider, subject, user_id, email, created_at, last_login_at`

func scanIdentity(row pgx.Row) (Identity, error) {
	var i Identity
	err := row.Scan(&i.Provider, &i.Subject, &i.UserID, &i.Email, &i.CreatedAt, &i.LastLoginAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Identity{}, atlas.ErrNotFound
	}
	return i, err
}

const touchIdentitySQL = `
UPDATE user_identities SET last_login_at = $3, email = $4 WHERE provider = $1 AND subject = $2
RETURNING ` + identityColumns

// touch records a sign-in with an identity and returns it; unknown:
// atlas.ErrNotFound.
func (identityStore) touch(ctx context.Context, q db.Querier, provider, subject, email string, now time.Time) (Identity, error) {
	i, err := scanIdentity(q.QueryRow(ctx, touchIdentitySQL, provider, subject, now, email))
	if err != nil && !errors.Is(err, atlas.ErrNotFound) {
		return Identity{}, fmt.Errorf("identity: %w", err)
	}
	return i, err
}

const insertIdentitySQL = `
INSERT INTO user_identities (provider, subject, user_id, email, created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $5)`

// link stores a new identity of a user; a user who already has an
// identity at the provider is atlas.ErrConflict.
func (identityStore) link(ctx context.Context, q db.Querier, i Identity) error {
	_, err := q.Exec(ctx, insertIdentitySQL, i.Provider, i.Subject, i.UserID, i.Email, i.CreatedAt)
	switch {
	case db.IsUniqueViolation(err, "user_identities_user_provider_key"):
		return atlas.Errorf(atlas.ErrConflict, "your account is already linked to another identity at this provider")
	case db.IsUniqueViolation(err, "user_identities_pkey"):
		return atlas.Errorf(atlas.ErrConflict, "this identity is already linked to an account")
	case err != nil:
		return fmt.Errorf("link identity: %w", err)
	}
	return nil
}

const listIdentitiesSQL = `SELECT ` + identityColumns + ` FROM user_identities WHERE user_id = $1 ORDER BY provider`

// list returns a user's identities by provider.
func (identityStore) list(ctx context.Context, q db.Querier, user uuid.UUID) ([]Identity, error) {
	rows, err := q.Query(ctx, listIdentitiesSQL, user)
	if err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Identity, error) { return scanIdentity(r) })
	if err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	return out, nil
}
