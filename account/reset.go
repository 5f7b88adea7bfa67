package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/mail"
)

// ResetLinkTTL is how long a password reset link works.
const ResetLinkTTL = time.Hour

// RevokedByPasswordReset is the reason of the SessionRevoked event of a
// password reset (every session ends).
const RevokedByPasswordReset = "password_reset"

// MailQueue enqueues an email in the caller's transaction (mail.Queue).
type MailQueue interface {
	Enqueue(ctx context.Context, tx pgx.Tx, a mail.Args) error
}

// RequestPasswordReset asks for a reset link to be emailed to email. It
// answers the same, after the same work, whether or not an account has the
// address: it only enqueues a SEND_EMAIL job naming the address, and the
// job (PrepareResetEmail) finds the account, if any, when it runs. With
// email off it does nothing (and still answers the same). Only a malformed
// address is refused.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if s.mail == nil {
		return nil
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		return s.mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplatePasswordReset, Email: email})
	})
	if err != nil {
		return fmt.Errorf("request password reset: %w", err)
	}
	return nil
}

// errResetLink answers every reset link that cannot be used.
var errResetLink = atlas.Invalid("token", "this reset link is invalid, already used or expired: ask for a new one")

// ConfirmPasswordReset sets a new password with a reset link's token. The
// link works once and for ResetLinkTTL; using it ends every session of the
// user (API tokens stay valid, as with a password change) and invalidates
// the user's other links. An unknown, used or expired token is
// atlas.ErrInvalid on the field "token".
func (s *Service) ConfirmPasswordReset(ctx context.Context, token, newPassword string) error {
	if err := checkPassword("new_password", newPassword); err != nil {
		return err
	}
	if token == "" {
		return errResetLink
	}
	hash, err := argon2id.CreateHash(newPassword, s.hash)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var revoked []uuid.UUID
	var user uuid.UUID
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.now().UTC()
		if user, err = useResetToken(ctx, tx, hashSecret(token), now); err != nil {
			return err
		}
		if err := s.store.setPassword(ctx, tx, user, hash, now); err != nil {
			return err
		}
		if revoked, err = s.sessions.deleteOthers(ctx, tx, user, uuid.Nil); err != nil {
			return err
		}
		if err := s.events.Record(ctx, tx, events.PasswordChanged, &user, events.UserEntity(user),
			map[string]any{"via": "reset_link"}); err != nil {
			return err
		}
		if err := s.notice(ctx, tx, user, mail.NoticePasswordChanged, "with an emailed reset link"); err != nil {
			return err
		}
		return s.recordRevoked(ctx, tx, user, revoked, RevokedByPasswordReset)
	})
	if err != nil {
		return fmt.Errorf("confirm password reset: %w", err)
	}
	s.active.drop(revoked...)
	return nil
}

// PrepareResetEmail is the mail.PrepareFunc of the password reset email:
// it finds the account with the job's address (none: mail.ErrSkip), makes a
// new link for it (replacing the account's unused ones) and stores only
// its token's hash.
func PrepareResetEmail(pool *pgxpool.Pool, now func() time.Time) mail.PrepareFunc {
	return func(ctx context.Context, a mail.Args) (mail.Prepared, error) {
		u, _, err := Store{}.ByEmail(ctx, pool, a.Email)
		if errors.Is(err, atlas.ErrNotFound) {
			return mail.Prepared{}, mail.ErrSkip
		}
		if err != nil {
			return mail.Prepared{}, err
		}
		token := newSecret("")
		at := now().UTC().Truncate(time.Microsecond)
		err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return replaceResetToken(ctx, tx, u.ID, hashSecret(token), at, at.Add(ResetLinkTTL))
		})
		if err != nil {
			return mail.Prepared{}, fmt.Errorf("store reset link: %w", err)
		}
		return mail.Prepared{To: mail.Address{Name: u.DisplayName, Email: u.Email},
			Data: map[string]any{"Name": u.DisplayName, "Email": u.Email, "Token": token}}, nil
	}
}

const (
	deleteUnusedResetSQL = `DELETE FROM password_reset_tokens WHERE user_id = $1 AND used_at IS NULL`
	insertResetSQL       = `INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`
	//nolint:gosec // G101: SQL text, not a credential
	useResetSQL = `
UPDATE password_reset_tokens SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
RETURNING user_id`
)

// replaceResetToken stores a new link's hash for user, deleting the user's
// unused links (only the newest email's link works).
func replaceResetToken(ctx context.Context, q db.Querier, user uuid.UUID, hash []byte, now, expires time.Time) error {
	if _, err := q.Exec(ctx, deleteUnusedResetSQL, user); err != nil {
		return err
	}
	_, err := q.Exec(ctx, insertResetSQL, hash, user, now, expires)
	return err
}

// useResetToken marks the link with this hash used and returns its user;
// a link that is unknown, used or expired is errResetLink. The row lock of
// the UPDATE makes two concurrent uses of one link succeed at most once.
func useResetToken(ctx context.Context, q db.Querier, hash []byte, now time.Time) (uuid.UUID, error) {
	var user uuid.UUID
	err := q.QueryRow(ctx, useResetSQL, hash, now).Scan(&user)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, errResetLink
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("use reset link: %w", err)
	}
	if _, err := q.Exec(ctx, deleteUnusedResetSQL, user); err != nil {
		return uuid.Nil, fmt.Errorf("drop other reset links: %w", err)
	}
	return user, nil
}
