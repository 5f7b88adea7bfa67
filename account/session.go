package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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
)

// Default session lifetimes.
const (
	DefaultSessionIdleTTL = 30 * 24 * time.Hour
	DefaultSessionMaxTTL  = 90 * 24 * time.Hour
)

// Reasons a SessionRevoked event gives.
const (
	RevokedBySignOut        = "signed_out"
	RevokedFromList         = "revoked"
	RevokedOthers           = "signed_out_elsewhere"
	RevokedByPasswordChange = "password_changed"
)

// Client describes who presents credentials, as recorded on their session.
type Client struct {
	UserAgent string
	IP        string
}

// SignIn is what a login or a refresh hands out: a short access token and a
// new refresh token (the cookie's value) valid until RefreshExpiresAt.
type SignIn struct {
	Access           Token
	RefreshToken     string
	RefreshExpiresAt time.Time
	Session          Session
}

// newSecret returns 32 random bytes, base64url-encoded, with prefix.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how refresh and API tokens are stored: SHA-256 (the
// secrets are 256 random bits, so a fast hash is enough).
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// clip trims s and cuts it to at most n characters (user agents and
// addresses are informational).
func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "")
	s = strings.ReplaceAll(s, "\x00", "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// startSession creates a session for user and issues its first tokens.
func (s *Service) startSession(ctx context.Context, q db.Querier, user uuid.UUID, c Client) (SignIn, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	sess := Session{ID: uuid.Must(uuid.NewV7()), UserID: user, CreatedAt: now, LastUsedAt: now,
		AbsoluteExpiresAt: now.Add(s.maxTTL), UserAgent: clip(c.UserAgent, 512), IP: clip(c.IP, 64)}
	sess.ExpiresAt = minTime(now.Add(s.idleTTL), sess.AbsoluteExpiresAt)
	refresh := newSecret("")
	if err := s.sessions.insert(ctx, q, sess, hashSecret(refresh)); err != nil {
		return SignIn{}, err
	}
	return s.signIn(sess, refresh)
}

func (s *Service) signIn(sess Session, refresh string) (SignIn, error) {
	tok, err := s.tokens.Issue(sess.UserID, sess.ID)
	if err != nil {
		return SignIn{}, err
	}
	return SignIn{Access: tok, RefreshToken: refresh, RefreshExpiresAt: sess.ExpiresAt, Session: sess}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// errSessionEnded answers every refresh that cannot go on.
var errSessionEnded = atlas.Errorf(atlas.ErrUnauthenticated, "the session has ended: sign in again")

// Refresh trades a refresh token for a new access token and a new refresh
// token (rotation), sliding the session's idle expiry. A refresh token that
// was already rotated away is reuse: someone else holds a copy, so the whole
// session is revoked (and a RefreshTokenReuseDetected event recorded). An
// unknown, reused or expired token is atlas.ErrUnauthenticated.
func (s *Service) Refresh(ctx context.Context, refresh string, c Client) (SignIn, error) {
	if refresh == "" {
		return SignIn{}, errSessionEnded
	}
	hash := hashSecret(refresh)
	var out SignIn
	var ended bool
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.now().UTC().Truncate(time.Microsecond)
		sess, err := s.sessions.byRefreshHash(ctx, tx, hash)
		if errors.Is(err, atlas.ErrNotFound) {
			ended = true
			return s.detectReuse(ctx, tx, hash)
		}
		if err != nil {
			return err
		}
		if !sess.activeAt(now) {
			ended = true
			return s.sessions.delete(ctx, tx, sess.UserID, sess.ID)
		}
		next := newSecret("")
		sess.LastUsedAt, sess.UserAgent, sess.IP = now, clip(c.UserAgent, 512), clip(c.IP, 64)
		sess.ExpiresAt = minTime(now.Add(s.idleTTL), sess.AbsoluteExpiresAt)
		if err := s.sessions.rotate(ctx, tx, sess, hash, hashSecret(next)); err != nil {
			return err
		}
		out, err = s.signIn(sess, next)
		return err
	})
	if err != nil {
		return SignIn{}, fmt.Errorf("refresh: %w", err)
	}
	if ended {
		return SignIn{}, errSessionEnded
	}
	return out, nil
}

// detectReuse revokes the session that rotated away from the refresh token
// with this hash, if any.
func (s *Service) detectReuse(ctx context.Context, tx pgx.Tx, hash []byte) error {
	id, err := s.sessions.rotatedFrom(ctx, tx, hash)
	if errors.Is(err, atlas.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	user, err := s.sessions.deleteByID(ctx, tx, id)
	if err != nil {
		return err
	}
	s.active.drop(id)
	return s.events.Record(ctx, tx, events.RefreshTokenReuseDetected, nil, events.UserEntity(user),
		map[string]any{"session_id": id})
}

// sessionActive reports whether the access token's session is still alive:
// one primary-key lookup, remembered for at most revocationTTL.
func (s *Service) sessionActive(ctx context.Context, c Claims) error {
	now := s.now()
	if user, ok := s.active.get(c.SessionID, now); ok {
		if user != c.UserID {
			return errSessionEnded
		}
		return nil
	}
	user, err := s.sessions.activeUser(ctx, s.pool, c.SessionID, now)
	switch {
	case errors.Is(err, atlas.ErrUnauthenticated):
		s.active.put(c.SessionID, uuid.Nil, now)
		return err
	case err != nil:
		return err
	}
	s.active.put(c.SessionID, user, now)
	if user != c.UserID {
		return errSessionEnded
	}
	return nil
}

// Logout ends the principal's own session at once: its refresh token and
// every access token issued for it stop working.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.SessionID == uuid.Nil {
		return atlas.Errorf(atlas.ErrForbidden, "an API token has no session to sign out of: revoke the token instead")
	}
	return s.revokeSessions(ctx, p, RevokedBySignOut, func(tx pgx.Tx) ([]uuid.UUID, error) {
		return []uuid.UUID{p.SessionID}, s.sessions.delete(ctx, tx, p.UserID, p.SessionID)
	})
}

// RevokeSession ends one of the principal's sessions (possibly the current
// one). Another user's or an unknown session is atlas.ErrNotFound.
func (s *Service) RevokeSession(ctx context.Context, p Principal, id uuid.UUID) error {
	if err := p.Authorize(AccessWrite); err != nil {
		return err
	}
	return s.revokeSessions(ctx, p, RevokedFromList, func(tx pgx.Tx) ([]uuid.UUID, error) {
		return []uuid.UUID{id}, s.sessions.delete(ctx, tx, p.UserID, id)
	})
}

// RevokeOtherSessions ends every session of the principal's user except
// the current one (all of them when the principal is an API token).
func (s *Service) RevokeOtherSessions(ctx context.Context, p Principal) error {
	if err := p.Authorize(AccessWrite); err != nil {
		return err
	}
	return s.revokeSessions(ctx, p, RevokedOthers, func(tx pgx.Tx) ([]uuid.UUID, error) {
		return s.sessions.deleteOthers(ctx, tx, p.UserID, p.SessionID)
	})
}

// revokeSessions runs del in a transaction, records one SessionRevoked
// event for the sessions it removed (none: no event) and forgets them in
// the cache, so their access tokens fail from the next request on.
func (s *Service) revokeSessions(ctx context.Context, p Principal, reason string, del func(pgx.Tx) ([]uuid.UUID, error)) error {
	var ids []uuid.UUID
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if ids, err = del(tx); err != nil {
			return err
		}
		return s.recordRevoked(ctx, tx, p.UserID, ids, reason)
	})
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	s.active.drop(ids...)
	return nil
}

func (s *Service) recordRevoked(ctx context.Context, tx pgx.Tx, user uuid.UUID, ids []uuid.UUID, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.events.Record(ctx, tx, events.SessionRevoked, &user, events.UserEntity(user),
		map[string]any{"session_ids": ids, "reason": reason})
}

// ListSessions returns a page of the principal's live sessions, newest
// first.
func (s *Service) ListSessions(ctx context.Context, p Principal, page cursor.Page) ([]Session, string, error) {
	if err := p.Authorize(AccessRead); err != nil {
		return nil, "", err
	}
	return cursor.KeysetPage(s.cursor, "sessions:"+p.UserID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Session, error) {
			return s.sessions.list(ctx, s.pool, p.UserID, s.now(), after, limit)
		},
		func(x Session) cursor.Keyset { return cursor.Keyset{At: x.CreatedAt, ID: x.ID} })
}
