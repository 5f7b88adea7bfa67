package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/collection"
)

// ListMembersInput pages a collection's members.
type ListMembersInput struct {
	CollectionPath
	PageParams
}

// AddMemberInput adds a registered user by email or id, or a team.
type AddMemberInput struct {
	CollectionPath
	Body struct {
		Email  string     `json:"email,omitempty" maxLength:"254" doc:"The user's email (give one of email, user_id, team_id)." example:"grace@example.com"`
		UserID *uuid.UUID `json:"user_id,omitempty" doc:"The user's id (give one of email, user_id, team_id)."`
		TeamID *uuid.UUID `json:"team_id,omitempty" doc:"A team you belong to (give one of email, user_id, team_id): each of its members gets the role, or their own if higher."`
		Role   string     `json:"role" enum:"owner,editor,viewer"`
	}
}

// MemberPath addresses one membership.
type MemberPath struct {
	ID     uuid.UUID `path:"id" format:"uuid" doc:"Collection id."`
	UserID uuid.UUID `path:"user_id" format:"uuid" doc:"Member's user id."`
}

// ChangeRoleInput sets a member's role.
type ChangeRoleInput struct {
	MemberPath
	Body struct {
		Role string `json:"role" enum:"owner,editor,viewer"`
	}
}

// TeamMembershipPath addresses a team's membership of a collection.
type TeamMembershipPath struct {
	ID     uuid.UUID `path:"id" format:"uuid" doc:"Collection id."`
	TeamID uuid.UUID `path:"team_id" format:"uuid" doc:"Member team's id."`
}

// ChangeTeamMembershipRoleInput sets a team's role in a collection.
type ChangeTeamMembershipRoleInput struct {
	TeamMembershipPath
	Body struct {
		Role string `json:"role" enum:"owner,editor,viewer"`
	}
}

// MemberOutput answers with one membership.
type MemberOutput struct {
	Body Member
}

func (s *Server) registerMembers() {
	tags := []string{"Members"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-members", Method: http.MethodGet, Path: "/api/v1/collections/{id}/members",
		Summary: "List a collection's members", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListMembersInput) (*ListOutput[Member], error) {
		ms, next, err := s.collections.Members(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(ms, next, toMember), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "add-member", Method: http.MethodPost, Path: "/api/v1/collections/{id}/members",
		Summary: "Add a registered user or a team to a collection (owners)", Tags: tags, Security: secured,
		Description:   "A team must be one you belong to; an unknown team, like an unknown user, is 404.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *AddMemberInput) (*MemberOutput, error) {
		m, err := s.collections.AddMember(ctx, caller(ctx), in.ID, collection.AddMemberParams{
			UserID: in.Body.UserID, Email: in.Body.Email, TeamID: in.Body.TeamID, Role: collection.Role(in.Body.Role),
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &MemberOutput{Body: toMember(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "change-member-role", Method: http.MethodPatch, Path: "/api/v1/collections/{id}/members/{user_id}",
		Summary: "Change a member's role (owners)", Tags: tags, Security: secured,
		Description: "Demoting the last owner is refused with 409: a collection always keeps an owner.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ChangeRoleInput) (*MemberOutput, error) {
		m, err := s.collections.ChangeRole(ctx, caller(ctx), in.ID, in.UserID, collection.Role(in.Body.Role))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &MemberOutput{Body: toMember(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "remove-member", Method: http.MethodDelete, Path: "/api/v1/collections/{id}/members/{user_id}",
		Summary: "Remove a member (owners), or leave (your own membership)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Description:   "Removing the last owner is refused with 409.",
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *MemberPath) (*struct{}, error) {
		if err := s.collections.RemoveMember(ctx, caller(ctx), in.ID, in.UserID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "change-team-membership-role", Method: http.MethodPatch, Path: "/api/v1/collections/{id}/members/teams/{team_id}",
		Summary: "Change a team's role in a collection (owners)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ChangeTeamMembershipRoleInput) (*MemberOutput, error) {
		m, err := s.collections.ChangeTeamRole(ctx, caller(ctx), in.ID, in.TeamID, collection.Role(in.Body.Role))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &MemberOutput{Body: toMember(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "remove-team-membership", Method: http.MethodDelete, Path: "/api/v1/collections/{id}/members/teams/{team_id}",
		Summary: "Remove a team from a collection (owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Description:   "Its members keep only their own membership, from their next request.",
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *TeamMembershipPath) (*struct{}, error) {
		if err := s.collections.RemoveTeam(ctx, caller(ctx), in.ID, in.TeamID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
