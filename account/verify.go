package account

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/mail"
)

// VerifyLinkTTL is how long an email verification link works.
const VerifyLinkTTL = 24 * time.Hour

// EmailSettings are an account's email status and preferences.
type EmailSettings struct {
	// Verified: the account's address was confirmed through an emailed link.
	Verified bool
	// SecurityNotices: the account is told by email of password changes,
	// new API tokens and sign-ins from new devices.
	SecurityNotices bool
	// Sending: this server sends email at all (ATLAS_SMTP_HOST).
	Sending bool
}

// errNoEmail refuses what needs email while Atlas sends none.
var errNoEmail = atlas.Errorf(atlas.ErrConflict, "email is off on this server (the operator sets ATLAS_SMTP_HOST)")

// onRegistered runs in the registration's transaction: it emails the new
// account a verification link (when email is on).
func (s *Service) onRegistered(ctx context.Context, tx pgx.Tx, u User) error {
	if s.mail == nil {
		return nil
	}
	return s.mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplateVerifyEmail, Ref: u.ID})
}

const emailSettingsSQL = `SELECT email_verified, security_notices FROM users WHERE id = $1`

// EmailSettings returns the principal's email status and preferences.
func (s *Service) EmailSettings(ctx context.Context, p Principal) (EmailSettings, error) {
	if err := p.Authorize(AccessRead); err != nil {
		return EmailSettings{}, err
	}
	out := EmailSettings{Sending: s.mail != nil}
	err := s.pool.QueryRow(ctx, emailSettingsSQL, p.UserID).Scan(&out.Verified, &out.SecurityNotices)
	if errors.Is(err, pgx.ErrNoRows) {
		return EmailSettings{}, atlas.Errorf(atlas.ErrNotFound, "user not found")
	}
	if err != nil {
		return EmailSettings{}, fmt.Errorf("email settings: %w", err)
	}
	return out, nil
}

const setNoticesSQL = `UPDATE users SET security_notices = $2, updated_at = $3 WHERE id = $1`

// SetSecurityNotices turns the principal's security notices on or off.
func (s *Service) SetSecurityNotices(ctx context.Context, p Principal, on bool) (EmailSettings, error) {
	if err := p.Authorize(AccessWrite); err != nil {
		return EmailSettings{}, err
	}
	if _, err := s.pool.Exec(ctx, setNoticesSQL, p.UserID, on, s.now().UTC()); err != nil {
		return EmailSettings{}, fmt.Errorf("set security notices: %w", err)
	}
	return s.EmailSettings(ctx, p)
}

// SendVerification emails the principal a new verification link. An
// address already verified, or email off, is atlas.ErrConflict.
func (s *Service) SendVerification(ctx context.Context, p Principal) error {
	st, err := s.EmailSettings(ctx, p)
	if err != nil {
		return err
	}
	if err := p.Authorize(AccessWrite); err != nil {
		return err
	}
	switch {
	case s.mail == nil:
		return errNoEmail
	case st.Verified:
		return atlas.Errorf(atlas.ErrConflict, "your address is already verified")
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		return s.mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplateVerifyEmail, Ref: p.UserID})
	})
}

var errVerifyLink = atlas.Invalid("token", "this verification link is invalid, already used or expired: send a new one from your account page")

//nolint:gosec // G101: SQL text, not a credential
const (
	takeVerifySQL = `DELETE FROM email_verification_tokens WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id, email`
	markVerified  = `UPDATE users SET email_verified = true, updated_at = $3 WHERE id = $1 AND lower(email) = lower($2)`
	dropVerifySQL = `DELETE FROM email_verification_tokens WHERE user_id = $1`
	addVerifySQL  = `INSERT INTO email_verification_tokens (token_hash, user_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`
)

// VerifyEmail confirms an account's address with the token of an emailed
// link (no sign-in needed: the link proves the mailbox). The link works
// once, for VerifyLinkTTL, and only while the account still has the address
// it was sent to; otherwise atlas.ErrInvalid on "token".
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	if token == "" {
		return errVerifyLink
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.now().UTC()
		var user uuid.UUID
		var email string
		err := tx.QueryRow(ctx, takeVerifySQL, hashSecret(token), now).Scan(&user, &email)
		if errors.Is(err, pgx.ErrNoRows) {
			return errVerifyLink
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, markVerified, user, email, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errVerifyLink
		}
		_, err = tx.Exec(ctx, dropVerifySQL, user)
		return err
	})
	if err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	return nil
}

// PrepareVerifyEmail is the mail.PrepareFunc of the verification email: it
// makes a new link for the account (replacing its earlier ones) unless the
// address is verified already (mail.ErrSkip).
func PrepareVerifyEmail(pool *pgxpool.Pool, now func() time.Time) mail.PrepareFunc {
	return func(ctx context.Context, a mail.Args) (mail.Prepared, error) {
		u, verified, _, err := noticeTarget(ctx, pool, a.Ref)
		if err != nil {
			return mail.Prepared{}, err
		}
		if verified {
			return mail.Prepared{}, mail.ErrSkip
		}
		token := newSecret("")
		at := now().UTC().Truncate(time.Microsecond)
		err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, dropVerifySQL, u.ID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, addVerifySQL, hashSecret(token), u.ID, u.Email, at, at.Add(VerifyLinkTTL))
			return err
		})
		if err != nil {
			return mail.Prepared{}, fmt.Errorf("store verification link: %w", err)
		}
		return mail.Prepared{To: mail.Address{Name: u.DisplayName, Email: u.Email},
			Data: map[string]any{"Name": u.DisplayName, "Email": u.Email, "Token": token}}, nil
	}
}

const noticeTargetSQL = `SELECT ` + userColumns + `, email_verified, security_notices FROM users WHERE id = $1`

// noticeTarget reads the user an account email goes to; a user that no
// longer exists is mail.ErrSkip.
func noticeTarget(ctx context.Context, q db.Querier, id uuid.UUID) (u User, verified, notices bool, err error) {
	u, err = scanUser(q.QueryRow(ctx, noticeTargetSQL, id), &verified, &notices)
	if errors.Is(err, atlas.ErrNotFound) {
		return User{}, false, false, mail.ErrSkip
	}
	return u, verified, notices, err
}

// notice enqueues a security notice to user in tx (when email is on; the
// user's preference is read when it is sent).
func (s *Service) notice(ctx context.Context, tx pgx.Tx, user uuid.UUID, what, detail string) error {
	if s.mail == nil {
		return nil
	}
	return s.mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplateSecurityNotice, Ref: user, Notice: what, Detail: clip(detail, 300),
		At: s.now().UTC()})
}

// noticeText is how a notice names what happened.
var noticeText = map[string]string{
	mail.NoticePasswordChanged: "Your password was changed",
	mail.NoticeAPITokenCreated: "A new API token was created",
	mail.NoticeNewSignIn:       "Someone signed in from a new device",
}

// PrepareSecurityNotice is the mail.PrepareFunc of security notices:
// mail.ErrSkip when the user turned them off.
func PrepareSecurityNotice(pool *pgxpool.Pool) mail.PrepareFunc {
	return func(ctx context.Context, a mail.Args) (mail.Prepared, error) {
		u, _, notices, err := noticeTarget(ctx, pool, a.Ref)
		if err != nil {
			return mail.Prepared{}, err
		}
		what, ok := noticeText[a.Notice]
		if !notices || !ok {
			return mail.Prepared{}, mail.ErrSkip
		}
		return mail.Prepared{To: mail.Address{Name: u.DisplayName, Email: u.Email}, Data: map[string]any{
			"Name": u.DisplayName, "Email": u.Email, "What": what, "Detail": a.Detail,
			"When": a.At.UTC().Format("2 January 2006, 15:04 MST"),
		}}, nil
	}
}

const (
	addDeviceSQL   = `INSERT INTO known_devices (user_id, device_hash, first_seen) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	countDeviceSQL = `SELECT count(*) FROM known_devices WHERE user_id = $1`
)

// noteSignIn remembers the device (user agent) a user signed in from and,
// when it is new and not their first, sends a security notice naming it.
func (s *Service) noteSignIn(ctx context.Context, user uuid.UUID, c Client) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error { return s.noteSignInTx(ctx, tx, user, c) })
}

// noteSignInTx is noteSignIn in the caller's transaction (a single sign-on
// notes the device in the sign-in's own transaction).
func (s *Service) noteSignInTx(ctx context.Context, tx pgx.Tx, user uuid.UUID, c Client) error {
	device := sha256.Sum256([]byte(clip(c.UserAgent, 512)))
	tag, err := tx.Exec(ctx, addDeviceSQL, user, device[:], s.now().UTC())
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, countDeviceSQL, user).Scan(&n); err != nil || n < 2 {
		return err
	}
	detail := clip(c.UserAgent, 200)
	if detail == "" {
		detail = "an unnamed client"
	}
	if c.IP != "" {
		detail += ", from " + clip(c.IP, 64)
	}
	return s.notice(ctx, tx, user, mail.NoticeNewSignIn, detail)
}
