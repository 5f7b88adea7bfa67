package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// lockPasswordSetSQL reads whether the user knows their password, locking
// the user's row: unlinks of one account, and a password being set, run
// one after the other, so two unlinks cannot both leave the other method.
const lockPasswordSetSQL = `SELECT password_set FROM users WHERE id = $1 FOR UPDATE`

const deleteIdentitySQL = `DELETE FROM user_identities WHERE user_id = $1 AND provider = $2`

// Unlink removes the principal's linked identity at provider (from the
// account page: a session, not an API token). It never leaves an account
// with no way to sign in: unlinking the last identity of an account whose
// password nobody knows (made by a single sign-on and never reset), or of
// any account while password sign-in is off, is atlas.ErrConflict. An
// identity that is not linked is atlas.ErrNotFound.
func (s *SSO) Unlink(ctx context.Context, p Principal, provider string) error {
	if err := AuthorizeLink(p); err != nil {
		return err
	}
	name := provider
	if sp, ok := s.byName[provider]; ok {
		name = sp.cfg.DisplayName
	}
	a := s.accounts
	err := db.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var passwordSet bool
		err := tx.QueryRow(ctx, lockPasswordSetSQL, p.UserID).Scan(&passwordSet)
		if errors.Is(err, pgx.ErrNoRows) {
			return atlas.Errorf(atlas.ErrNotFound, "user not found")
		}
		if err != nil {
			return err
		}
		ids, err := s.store.list(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		var gone *Identity
		for i := range ids {
			if ids[i].Provider == provider {
				gone = &ids[i]
			}
		}
		switch {
		case gone == nil:
			return atlas.Errorf(atlas.ErrNotFound, "no %s sign-in is linked to your account", name)
		case len(ids) == 1 && s.noPassword:
			return atlas.Errorf(atlas.ErrConflict, "%s is your account's last way to sign in (password sign-in is off on this "+
				"Atlas): link another provider before unlinking it", name)
		case len(ids) == 1 && !passwordSet:
			return atlas.Errorf(atlas.ErrConflict, "%s is your account's last way to sign in: set a password (request a "+
				"password reset by email) or link another provider before unlinking it", name)
		}
		if _, err := tx.Exec(ctx, deleteIdentitySQL, p.UserID, provider); err != nil {
			return fmt.Errorf("delete identity: %w", err)
		}
		return a.events.Record(ctx, tx, events.SSOUnlinked, &p.UserID, events.UserEntity(p.UserID),
			map[string]any{"provider": provider, "subject": gone.Subject})
	})
	if err != nil {
		return fmt.Errorf("sso unlink: %w", err)
	}
	return nil
}

const passwordSetSQL = `SELECT password_set FROM users WHERE id = $1`

// Identities lists the principal's linked sign-ins, each with whether it
// may be unlinked now (Unlink's rule).
func (s *SSO) Identities(ctx context.Context, p Principal) ([]Identity, error) {
	if err := p.Authorize(AccessRead); err != nil {
		return nil, err
	}
	var passwordSet bool
	if err := s.accounts.pool.QueryRow(ctx, passwordSetSQL, p.UserID).Scan(&passwordSet); err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	ids, err := s.store.list(ctx, s.accounts.pool, p.UserID)
	if err != nil {
		return nil, err
	}
	for i := range ids {
		ids[i].Unlinkable = len(ids) > 1 || (passwordSet && !s.noPassword)
	}
	return ids, nil
}
