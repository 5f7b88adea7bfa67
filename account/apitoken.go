package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/mail"
)

// APITokenPrefix starts every personal API token, so secret scanners and
// people recognise one.
const APITokenPrefix = "atlas_pat_"

// FeedTokenPrefix starts every feed token (an API token of ScopeFeed): a
// different prefix from APITokenPrefix, so the JSON API never mistakes one
// for a bearer token and a feed URL that leaks opens nothing but feeds.
const FeedTokenPrefix = "atlas_feed_"

// lastUsedGranularity is how stale an API token's last_used_at may get:
// using a token writes at most once per this period.
const lastUsedGranularity = time.Minute

// APIToken is a personal API token as its owner sees it (never the secret).
type APIToken struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Name       string
	Scope      Scope
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}

// CreateTokenParams describes a new API token.
type CreateTokenParams struct {
	Name  string
	Scope Scope
	// ExpiresAt is optional: nil means the token never expires.
	ExpiresAt *time.Time
}

// CreateToken creates a personal API token for the principal's user and
// returns it with its secret, which is never shown again (only its hash is
// stored). Only a session may create tokens.
func (s *Service) CreateToken(ctx context.Context, p Principal, in CreateTokenParams) (APIToken, string, error) {
	if err := p.Authorize(AccessCredentials); err != nil {
		return APIToken{}, "", err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	name := strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return APIToken{}, "", atlas.Invalid("name", "must be between 1 and 100 characters")
	}
	prefix := APITokenPrefix
	switch in.Scope {
	case ScopeRead, ScopeWrite:
	case ScopeFeed:
		prefix = FeedTokenPrefix
	default:
		return APIToken{}, "", atlas.Invalid("scope", "must be read, write or feed")
	}
	tok := APIToken{ID: uuid.Must(uuid.NewV7()), UserID: p.UserID, Name: name, Scope: in.Scope, CreatedAt: now}
	if in.ExpiresAt != nil {
		at := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !at.After(now) {
			return APIToken{}, "", atlas.Invalid("expires_at", "must be in the future")
		}
		tok.ExpiresAt = &at
	}
	secret := newSecret(prefix)
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.apiTokens.insert(ctx, tx, tok, hashSecret(secret)); err != nil {
			return err
		}
		if err := s.notice(ctx, tx, p.UserID, mail.NoticeAPITokenCreated, tok.Name); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.APITokenCreated, &p.UserID, events.UserEntity(p.UserID), tokenEventData(tok))
	})
	if err != nil {
		return APIToken{}, "", fmt.Errorf("create API token: %w", err)
	}
	return tok, secret, nil
}

func tokenEventData(t APIToken) map[string]any {
	return map[string]any{"token_id": t.ID, "name": t.Name, "scope": t.Scope}
}

// ListTokens returns a page of the principal's API tokens, newest first.
func (s *Service) ListTokens(ctx context.Context, p Principal, page cursor.Page) ([]APIToken, string, error) {
	if err := p.Authorize(AccessRead); err != nil {
		return nil, "", err
	}
	return cursor.KeysetPage(s.cursor, "api-tokens:"+p.UserID.String(), page,
		func(after *cursor.Keyset, limit int) ([]APIToken, error) {
			return s.apiTokens.list(ctx, s.pool, p.UserID, after, limit)
		},
		func(t APIToken) cursor.Keyset { return cursor.Keyset{At: t.CreatedAt, ID: t.ID} })
}

// RevokeToken deletes one of the principal's API tokens; it stops working
// at once in this process and within revocationTTL everywhere. Another
// user's or an unknown token is atlas.ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id uuid.UUID) error {
	if err := p.Authorize(AccessWrite); err != nil {
		return err
	}
	var hash []byte
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tok, h, err := s.apiTokens.delete(ctx, tx, p.UserID, id)
		if err != nil {
			return err
		}
		hash = h
		return s.events.Record(ctx, tx, events.APITokenRevoked, &p.UserID, events.UserEntity(p.UserID), tokenEventData(tok))
	})
	if err != nil {
		return fmt.Errorf("revoke API token: %w", err)
	}
	s.tokenCache.drop(string(hash))
	return nil
}

// errBadAPIToken answers every unknown, revoked or expired API token.
var errBadAPIToken = atlas.Errorf(atlas.ErrUnauthenticated, "invalid, revoked or expired API token")

// errBadFeedToken answers every unknown, revoked or expired feed token.
var errBadFeedToken = atlas.Errorf(atlas.ErrUnauthenticated, "invalid, revoked or expired feed token")

// AuthenticateFeed resolves the feed token of a feed URL to its user (a
// principal of ScopeFeed). Anything but a live feed token (a revoked or
// expired one, an API token of another scope, an access token) is
// atlas.ErrUnauthenticated. Revocation takes effect as for API tokens.
func (s *Service) AuthenticateFeed(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, FeedTokenPrefix) {
		return Principal{}, errBadFeedToken
	}
	p, err := s.lookupAPIToken(ctx, secret)
	if errors.Is(err, errBadAPIToken) || (err == nil && p.Scope != ScopeFeed) {
		return Principal{}, errBadFeedToken
	}
	return p, err
}

// authenticateAPIToken resolves an API token secret for the JSON API: feed
// tokens are refused.
func (s *Service) authenticateAPIToken(ctx context.Context, secret string) (Principal, error) {
	p, err := s.lookupAPIToken(ctx, secret)
	if err == nil && p.Scope == ScopeFeed {
		return Principal{}, errBadAPIToken
	}
	return p, err
}

// lookupAPIToken resolves an API token secret: one lookup by its hash,
// remembered for at most revocationTTL; last_used_at is refreshed at most
// once per lastUsedGranularity.
func (s *Service) lookupAPIToken(ctx context.Context, secret string) (Principal, error) {
	hash := hashSecret(secret)
	now := s.now()
	tok, ok := s.tokenCache.get(string(hash), now)
	if !ok {
		var err error
		tok, err = s.apiTokens.byHash(ctx, s.pool, hash)
		switch {
		case errors.Is(err, atlas.ErrNotFound):
			s.tokenCache.put(string(hash), APIToken{}, now)
			return Principal{}, errBadAPIToken
		case err != nil:
			return Principal{}, err
		}
		if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= lastUsedGranularity {
			if err := s.apiTokens.touch(ctx, s.pool, tok.ID, now.UTC()); err != nil {
				return Principal{}, err
			}
		}
		s.tokenCache.put(string(hash), tok, now)
	}
	if tok.ID == uuid.Nil || (tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt)) {
		return Principal{}, errBadAPIToken
	}
	return Principal{UserID: tok.UserID, TokenID: tok.ID, Scope: tok.Scope}, nil
}

// apiTokenStore is the SQL for personal API tokens.
type apiTokenStore struct{}

//nolint:gosec // G101: column names, not a credential
const apiTokenColumns = `id, user_id, name, scope, created_at, expires_at, last_used_at`

func scanAPIToken(row pgx.Row, extra ...any) (APIToken, error) {
	var t APIToken
	err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Scope, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt}, extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return APIToken{}, atlas.Errorf(atlas.ErrNotFound, "API token not found")
	}
	if err != nil {
		return APIToken{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	for _, p := range []*time.Time{t.ExpiresAt, t.LastUsedAt} {
		if p != nil {
			*p = p.UTC()
		}
	}
	return t, nil
}

//nolint:gosec // G101: SQL text, not a credential
const insertAPITokenSQL = `
INSERT INTO api_tokens (id, user_id, name, scope, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`

func (apiTokenStore) insert(ctx context.Context, q db.Querier, t APIToken, hash []byte) error {
	if _, err := q.Exec(ctx, insertAPITokenSQL, t.ID, t.UserID, t.Name, t.Scope, hash, t.CreatedAt, t.ExpiresAt); err != nil {
		return fmt.Errorf("insert API token: %w", err)
	}
	return nil
}

const apiTokenByHashSQL = `SELECT ` + apiTokenColumns + ` FROM api_tokens WHERE token_hash = $1`

func (apiTokenStore) byHash(ctx context.Context, q db.Querier, hash []byte) (APIToken, error) {
	t, err := scanAPIToken(q.QueryRow(ctx, apiTokenByHashSQL, hash))
	if err != nil {
		return APIToken{}, fmt.Errorf("API token by hash: %w", err)
	}
	return t, nil
}

const touchAPITokenSQL = `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`

func (apiTokenStore) touch(ctx context.Context, q db.Querier, id uuid.UUID, now time.Time) error {
	if _, err := q.Exec(ctx, touchAPITokenSQL, id, now); err != nil {
		return fmt.Errorf("touch API token: %w", err)
	}
	return nil
}

const deleteAPITokenSQL = `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING ` + apiTokenColumns + `, token_hash`

// delete removes one of user's tokens and returns it with its hash.
func (apiTokenStore) delete(ctx context.Context, q db.Querier, user, id uuid.UUID) (APIToken, []byte, error) {
	var hash []byte
	t, err := scanAPIToken(q.QueryRow(ctx, deleteAPITokenSQL, id, user), &hash)
	if err != nil {
		return APIToken{}, nil, fmt.Errorf("delete API token: %w", err)
	}
	return t, hash, nil
}

const listAPITokensSQL = `
SELECT ` + apiTokenColumns + ` FROM api_tokens WHERE user_id = $1 AND (created_at, id) < ($2, $3)
ORDER BY created_at DESC, id DESC LIMIT $4`

func (apiTokenStore) list(ctx context.Context, q db.Querier, user uuid.UUID, after *cursor.Keyset, limit int) ([]APIToken, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listAPITokensSQL, user, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIToken, error) { return scanAPIToken(r) })
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}
