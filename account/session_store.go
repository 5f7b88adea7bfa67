package account

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
)

// Session is one signed-in browser (or other holder of a refresh token).
type Session struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	CreatedAt  time.Time
	LastUsedAt time.Time
	// ExpiresAt slides forward on every refresh (idle timeout), never past
	// AbsoluteExpiresAt.
	ExpiresAt         time.Time
	AbsoluteExpiresAt time.Time
	UserAgent         string
	IP                string
}

// activeAt reports whether the session has not expired at now.
func (s Session) activeAt(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.AbsoluteExpiresAt)
}

// sessionStore is the SQL for sessions and their rotated refresh tokens.
type sessionStore struct{}

const sessionColumns = `id, user_id, created_at, last_used_at, expires_at, absolute_expires_at, user_agent, ip`

func scanSession(row pgx.Row) (Session, error) {
	var s Session
	err := row.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastUsedAt, &s.ExpiresAt, &s.AbsoluteExpiresAt, &s.UserAgent, &s.IP)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, atlas.Errorf(atlas.ErrNotFound, "session not found")
	}
	if err != nil {
		return Session{}, err
	}
	s.CreatedAt, s.LastUsedAt = s.CreatedAt.UTC(), s.LastUsedAt.UTC()
	s.ExpiresAt, s.AbsoluteExpiresAt = s.ExpiresAt.UTC(), s.AbsoluteExpiresAt.UTC()
	return s, nil
}

const insertSessionSQL = `
INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at, absolute_expires_at, user_agent, ip)
VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`

func (sessionStore) insert(ctx context.Context, q db.Querier, s Session, refreshHash []byte) error {
	_, err := q.Exec(ctx, insertSessionSQL, s.ID, s.UserID, refreshHash, s.CreatedAt, s.ExpiresAt, s.AbsoluteExpiresAt, s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

const sessionByRefreshSQL = `SELECT ` + sessionColumns + ` FROM sessions WHERE refresh_hash = $1 FOR UPDATE`

// byRefreshHash finds and locks the session whose current refresh token has
// this hash.
func (sessionStore) byRefreshHash(ctx context.Context, q db.Querier, hash []byte) (Session, error) {
	s, err := scanSession(q.QueryRow(ctx, sessionByRefreshSQL, hash))
	if err != nil {
		return Session{}, fmt.Errorf("session by refresh token: %w", err)
	}
	return s, nil
}

const rotatedSessionSQL = `SELECT session_id FROM session_rotated_tokens WHERE token_hash = $1`

// rotatedFrom returns the session that rotated away from the refresh token
// with this hash.
func (sessionStore) rotatedFrom(ctx context.Context, q db.Querier, hash []byte) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, rotatedSessionSQL, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, atlas.Errorf(atlas.ErrNotFound, "refresh token not found")
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("rotated refresh token: %w", err)
	}
	return id, nil
}

const rotateSessionSQL = `
WITH old AS (
    INSERT INTO session_rotated_tokens (token_hash, session_id, rotated_at) VALUES ($2, $1, $4)
)
UPDATE sessions SET refresh_hash = $3, last_used_at = $4, expires_at = $5, user_agent = $6, ip = $7 WHERE id = $1`

// rotate replaces the session's refresh token (remembering the old one's
// hash) and slides its expiry.
func (sessionStore) rotate(ctx context.Context, q db.Querier, s Session, oldHash, newHash []byte) error {
	_, err := q.Exec(ctx, rotateSessionSQL, s.ID, oldHash, newHash, s.LastUsedAt, s.ExpiresAt, s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

const activeSessionSQL = `SELECT user_id FROM sessions WHERE id = $1 AND expires_at > $2 AND absolute_expires_at > $2`

// activeUser returns the user of a session that is alive at now: one lookup
// by primary key.
func (sessionStore) activeUser(ctx context.Context, q db.Querier, id uuid.UUID, now time.Time) (uuid.UUID, error) {
	var user uuid.UUID
	err := q.QueryRow(ctx, activeSessionSQL, id, now).Scan(&user)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, atlas.Errorf(atlas.ErrUnauthenticated, "the session has ended: sign in again")
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("active session: %w", err)
	}
	return user, nil
}

const deleteSessionSQL = `DELETE FROM sessions WHERE id = $1 AND user_id = $2`

// delete removes one of user's sessions; another user's or an unknown one
// is atlas.ErrNotFound.
func (sessionStore) delete(ctx context.Context, q db.Querier, user, id uuid.UUID) error {
	tag, err := q.Exec(ctx, deleteSessionSQL, id, user)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return atlas.Errorf(atlas.ErrNotFound, "session not found")
	}
	return nil
}

const deleteSessionByIDSQL = `DELETE FROM sessions WHERE id = $1 RETURNING user_id`

// deleteByID removes a session, whoever's it is, and returns its user.
func (sessionStore) deleteByID(ctx context.Context, q db.Querier, id uuid.UUID) (uuid.UUID, error) {
	var user uuid.UUID
	if err := q.QueryRow(ctx, deleteSessionByIDSQL, id).Scan(&user); err != nil {
		return uuid.Nil, fmt.Errorf("delete session: %w", err)
	}
	return user, nil
}

const deleteOtherSessionsSQL = `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id`

// deleteOthers removes every session of user but keep (uuid.Nil: all) and
// returns the ids removed.
func (sessionStore) deleteOthers(ctx context.Context, q db.Querier, user, keep uuid.UUID) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, deleteOtherSessionsSQL, user, keep)
	if err != nil {
		return nil, fmt.Errorf("delete sessions: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("delete sessions: %w", err)
	}
	return ids, nil
}

const listSessionsSQL = `
SELECT ` + sessionColumns + ` FROM sessions
WHERE user_id = $1 AND expires_at > $2 AND absolute_expires_at > $2 AND (created_at, id) < ($3, $4)
ORDER BY created_at DESC, id DESC LIMIT $5`

// list returns a page of user's live sessions, newest first.
func (sessionStore) list(ctx context.Context, q db.Querier, user uuid.UUID, now time.Time, after *cursor.Keyset, limit int) ([]Session, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listSessionsSQL, user, now, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Session, error) { return scanSession(r) })
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}
