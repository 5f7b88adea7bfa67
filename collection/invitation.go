package collection

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/mail"
)

// InvitationTTL is how long an invitation's link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation is a pending invitation to a collection, sent to an email
// address that had no account.
type Invitation struct {
	ID           uuid.UUID
	CollectionID uuid.UUID
	Email        string
	Role         Role
	// InvitedBy is the owner who invited (nil once their account is gone).
	InvitedBy *uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InviteParams describe an invitation.
type InviteParams struct {
	Email string
	Role  Role
}

// errEmailOff refuses invitations while Atlas sends no email.
var errEmailOff = atlas.Errorf(atlas.ErrConflict,
	"email is off on this server, so no invitation can be sent: the operator sets ATLAS_SMTP_HOST; until then the person registers first and is added as a member")

// Invite shares the collection with an address that has no account (owners
// only): it stores a pending invitation (replacing the address's earlier
// one) and emails its link. An address with an account is
// atlas.ErrConflict (add the user as a member instead); with email off
// every invitation is atlas.ErrConflict saying so.
func (s *Service) Invite(ctx context.Context, actor, collectionID uuid.UUID, p InviteParams) (Invitation, error) {
	if !p.Role.Valid() {
		return Invitation{}, atlas.Invalid("role", "must be one of owner, editor, viewer")
	}
	email, err := account.NormalizeEmail(p.Email)
	if err != nil {
		return Invitation{}, err
	}
	now := s.nowUTC()
	inv := Invitation{ID: uuid.Must(uuid.NewV7()), CollectionID: collectionID, Email: email, Role: p.Role, InvitedBy: &actor,
		CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		if s.mail == nil {
			return errEmailOff
		}
		if _, _, err := s.users.ByEmail(ctx, tx, email); err == nil {
			return atlas.Errorf(atlas.ErrConflict, "an account has this address: add them as a member")
		} else if !errors.Is(err, atlas.ErrNotFound) {
			return err
		}
		var err error
		if inv, err = (invitationStore{}).upsert(ctx, tx, inv); err != nil {
			return err
		}
		if err := s.recordInvitation(ctx, tx, events.InvitationCreated, actor, inv, nil); err != nil {
			return err
		}
		return s.mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplateInvitation, Ref: inv.ID})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	return inv, nil
}

func (s *Service) recordInvitation(ctx context.Context, tx pgx.Tx, t events.Type, actor uuid.UUID, inv Invitation, extra map[string]any) error {
	data := map[string]any{"invitation_id": inv.ID, "email": inv.Email, "role": inv.Role}
	for k, v := range extra {
		data[k] = v
	}
	return s.events.Record(ctx, tx, t, &actor,
		events.Entity{Type: events.EntityCollection, ID: inv.CollectionID, CollectionID: inv.CollectionID}, data)
}

// Invitations lists the collection's pending invitations, newest first
// (owners only; expired ones too, until revoked or renewed).
func (s *Service) Invitations(ctx context.Context, actor, collectionID uuid.UUID, page cursor.Page) ([]Invitation, string, error) {
	if _, err := s.Authorize(ctx, s.pool, actor, collectionID, ActionManage); err != nil {
		return nil, "", err
	}
	return cursor.KeysetPage(s.cursor, "invitations:"+collectionID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Invitation, error) {
			return invitationStore{}.list(ctx, s.pool, collectionID, after, limit)
		},
		func(i Invitation) cursor.Keyset { return cursor.Keyset{At: i.CreatedAt, ID: i.ID} })
}

// RevokeInvitation deletes a pending invitation (owners only); its link
// stops working at once. An unknown one is atlas.ErrNotFound.
func (s *Service) RevokeInvitation(ctx context.Context, actor, collectionID, id uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		inv, err := invitationStore{}.delete(ctx, tx, collectionID, id)
		if err != nil {
			return err
		}
		return s.recordInvitation(ctx, tx, events.InvitationRevoked, actor, inv, nil)
	})
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	return nil
}

// errInvitationLink answers every invitation token that cannot be used.
var errInvitationLink = atlas.Invalid("token", "this invitation is invalid, already used, expired or revoked: ask the collection's owner for a new one")

// AcceptInvitation makes the signed-in user a member of the invitation's
// collection with its role, using up the invitation (its link works once,
// for InvitationTTL, for whoever holds it: the link went to the invited
// address). A user who is already a member is atlas.ErrConflict, and the
// invitation stays.
func (s *Service) AcceptInvitation(ctx context.Context, user uuid.UUID, token string) (Member, error) {
	if token == "" {
		return Member{}, errInvitationLink
	}
	var out Member
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.nowUTC()
		inv, err := invitationStore{}.take(ctx, tx, hashToken(token), now)
		if err != nil {
			return err
		}
		if _, err := s.store.Get(ctx, tx, inv.CollectionID, true); err != nil {
			return err
		}
		if err := s.store.InsertMembership(ctx, tx, inv.CollectionID, user, inv.Role, now); err != nil {
			return err
		}
		if out, err = s.store.Member(ctx, tx, inv.CollectionID, user); err != nil {
			return err
		}
		if err := s.events.Record(ctx, tx, events.MembershipAdded, &user,
			events.Entity{Type: events.EntityMembership, ID: user, CollectionID: inv.CollectionID},
			map[string]any{"user_id": user, "role": inv.Role, "invitation_id": inv.ID}); err != nil {
			return err
		}
		return s.recordInvitation(ctx, tx, events.InvitationAccepted, user, inv, map[string]any{"user_id": user})
	})
	if err != nil {
		return Member{}, fmt.Errorf("accept invitation: %w", err)
	}
	return out, nil
}
