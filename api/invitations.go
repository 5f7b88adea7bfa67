package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/collection"
)

// Invitation is a pending invitation to a collection, sent by email to an
// address that had no account.
type Invitation struct {
	ID        uuid.UUID  `json:"id"`
	Email     string     `json:"email"`
	Role      string     `json:"role" enum:"owner,editor,viewer"`
	InvitedBy *uuid.UUID `json:"invited_by" doc:"The owner who invited (null once their account is gone)."`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at" doc:"The link stops working then; the invitation stays listed until revoked or renewed."`
}

func toInvitation(i collection.Invitation) Invitation {
	return Invitation{ID: i.ID, Email: i.Email, Role: string(i.Role), InvitedBy: i.InvitedBy, CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt}
}

// ListInvitationsInput pages a collection's pending invitations.
type ListInvitationsInput struct {
	CollectionPath
	PageParams
}

// CreateInvitationInput invites an address that has no account.
type CreateInvitationInput struct {
	CollectionPath
	Body struct {
		Email string `json:"email" maxLength:"254" example:"grace@example.com"`
		Role  string `json:"role" enum:"owner,editor,viewer"`
	}
}

// InvitationPath addresses one invitation.
type InvitationPath struct {
	ID           uuid.UUID `path:"id" format:"uuid" doc:"Collection id."`
	InvitationID uuid.UUID `path:"invitation_id" format:"uuid" doc:"Invitation id."`
}

// InvitationOutput answers with one invitation.
type InvitationOutput struct {
	Body Invitation
}

// Joined is the membership an accepted invitation gave.
type Joined struct {
	CollectionID uuid.UUID `json:"collection_id"`
	Role         string    `json:"role" enum:"owner,editor,viewer"`
}

// JoinedOutput answers an accepted invitation.
type JoinedOutput struct {
	Body Joined
}

// AcceptInvitationInput uses an invitation link.
type AcceptInvitationInput struct {
	Body struct {
		Token string `json:"token" maxLength:"128" doc:"The token of the emailed link (after #token=)."`
	}
}

func (s *Server) registerInvitations() {
	tags := []string{"Members"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-invitations", Method: http.MethodGet, Path: "/api/v1/collections/{id}/invitations",
		Summary: "List a collection's pending invitations (owners)", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *ListInvitationsInput) (*ListOutput[Invitation], error) {
		list, next, err := s.collections.Invitations(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(list, next, toInvitation), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "create-invitation", Method: http.MethodPost, Path: "/api/v1/collections/{id}/invitations",
		Summary: "Invite an email address that has no account (owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated,
		Description: "Emails a link (single use, valid 7 days) that makes whoever signs in with it (after registering) a member " +
			"with the role. Inviting the address again renews its invitation and sends a new link. " +
			"An address with an account is 409 (add them as a member); with email off on the server every invitation is 409, saying so.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateInvitationInput) (*InvitationOutput, error) {
		inv, err := s.collections.Invite(ctx, caller(ctx), in.ID, collection.InviteParams{Email: in.Body.Email, Role: collection.Role(in.Body.Role)})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &InvitationOutput{Body: toInvitation(inv)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-invitation", Method: http.MethodDelete, Path: "/api/v1/collections/{id}/invitations/{invitation_id}",
		Summary: "Revoke a pending invitation (owners)", Tags: tags, Security: secured, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *InvitationPath) (*struct{}, error) {
		if err := s.collections.RevokeInvitation(ctx, caller(ctx), in.ID, in.InvitationID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "accept-invitation", Method: http.MethodPost, Path: "/api/v1/invitations/accept",
		Summary: "Accept an invitation: join its collection with its role", Tags: tags, Security: secured,
		Description: "The link works once, until it expires; an unknown, used, expired or revoked token is 422. " +
			"Already a member of the collection: 409, and the invitation stays.",
		Errors: []int{http.StatusUnauthorized, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *AcceptInvitationInput) (*JoinedOutput, error) {
		m, err := s.collections.AcceptInvitation(ctx, caller(ctx), in.Body.Token)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &JoinedOutput{Body: Joined{CollectionID: m.CollectionID, Role: string(m.Role)}}, nil
	})
}
