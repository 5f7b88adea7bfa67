package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/collection"
)

// Team is a team as its members see it.
type Team struct {
	ID          uuid.UUID  `json:"id"`
	Name        string     `json:"name" example:"Platform"`
	Role        string     `json:"role" enum:"owner,member" doc:"The caller's role in the team."`
	CanManage   bool       `json:"can_manage" doc:"Whether the caller may rename or delete the team and manage its members (its owners may), as the server decides it."`
	MemberCount int        `json:"member_count" doc:"How many users belong to the team."`
	CreatedBy   *uuid.UUID `json:"created_by" doc:"Creator's user id; null if that account is gone."`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func toTeam(t collection.Team) Team {
	role := t.Role
	return Team{ID: t.ID, Name: t.Name, Role: string(t.Role), CanManage: collection.DecideTeam(&role, collection.TeamManage) == nil,
		MemberCount: t.MemberCount, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// TeamMember is a user's membership of a team.
type TeamMember struct {
	UserID      uuid.UUID `json:"user_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role" enum:"owner,member"`
	JoinedAt    time.Time `json:"joined_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toTeamMember(m collection.TeamMember) TeamMember {
	return TeamMember{UserID: m.UserID, Email: m.Email, DisplayName: m.DisplayName, Role: string(m.Role),
		JoinedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// TeamPath addresses one team.
type TeamPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Team id."`
}

// TeamNameInput creates or renames a team.
type TeamNameInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"200" example:"Platform"`
	}
}

// RenameTeamInput renames a team.
type RenameTeamInput struct {
	TeamPath
	TeamNameInput
}

// TeamOutput answers with one team.
type TeamOutput struct {
	Location string `header:"Location"`
	Body     Team
}

// ListTeamsInput pages the caller's teams.
type ListTeamsInput struct {
	PageParams
}

// ListTeamMembersInput pages a team's members.
type ListTeamMembersInput struct {
	TeamPath
	PageParams
}

// AddTeamMemberInput adds a registered user to a team by email or id.
type AddTeamMemberInput struct {
	TeamPath
	Body struct {
		Email  string     `json:"email,omitempty" maxLength:"254" doc:"The user's email (give this or user_id)." example:"grace@example.com"`
		UserID *uuid.UUID `json:"user_id,omitempty" doc:"The user's id (give this or email)."`
		Role   string     `json:"role" enum:"owner,member" doc:"owner: manages the team and its members; member: belongs to it."`
	}
}

// TeamMemberPath addresses one member of a team.
type TeamMemberPath struct {
	ID     uuid.UUID `path:"id" format:"uuid" doc:"Team id."`
	UserID uuid.UUID `path:"user_id" format:"uuid" doc:"Member's user id."`
}

// ChangeTeamMemberRoleInput sets a team member's role.
type ChangeTeamMemberRoleInput struct {
	TeamMemberPath
	Body struct {
		Role string `json:"role" enum:"owner,member"`
	}
}

// TeamMemberOutput answers with one team member.
type TeamMemberOutput struct {
	Body TeamMember
}

func (s *Server) registerTeams() {
	tags := []string{"Teams"}
	notFound := []int{http.StatusUnauthorized, http.StatusNotFound}
	managed := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}

	huma.Register(s.api, huma.Operation{
		OperationID: "list-teams", Method: http.MethodGet, Path: "/api/v1/teams",
		Summary: "List your teams", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, func(ctx context.Context, in *ListTeamsInput) (*ListOutput[Team], error) {
		ts, next, err := s.collections.Teams(ctx, caller(ctx), in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(ts, next, toTeam), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "create-team", Method: http.MethodPost, Path: "/api/v1/teams",
		Summary: "Create a team (you become its owner)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *TeamNameInput) (*TeamOutput, error) {
		t, err := s.collections.CreateTeam(ctx, caller(ctx), in.Body.Name)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &TeamOutput{Location: "/api/v1/teams/" + t.ID.String(), Body: toTeam(t)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-team", Method: http.MethodGet, Path: "/api/v1/teams/{id}",
		Summary: "Get a team you belong to", Tags: tags, Security: secured, Errors: notFound,
	}, func(ctx context.Context, in *TeamPath) (*TeamOutput, error) {
		t, err := s.collections.Team(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &TeamOutput{Body: toTeam(t)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-team", Method: http.MethodPatch, Path: "/api/v1/teams/{id}",
		Summary: "Rename a team (team owners)", Tags: tags, Security: secured, Errors: managed,
	}, func(ctx context.Context, in *RenameTeamInput) (*TeamOutput, error) {
		t, err := s.collections.RenameTeam(ctx, caller(ctx), in.ID, in.Body.Name)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &TeamOutput{Body: toTeam(t)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-team", Method: http.MethodDelete, Path: "/api/v1/teams/{id}",
		Summary: "Delete a team and its memberships of collections (team owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Description:   "Its members lose what the team gave them in every collection, from their next request.",
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *TeamPath) (*struct{}, error) {
		if err := s.collections.DeleteTeam(ctx, caller(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	s.registerTeamMembers(tags, managed)
}

func (s *Server) registerTeamMembers(tags []string, managed []int) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-team-members", Method: http.MethodGet, Path: "/api/v1/teams/{id}/members",
		Summary: "List a team's members", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListTeamMembersInput) (*ListOutput[TeamMember], error) {
		ms, next, err := s.collections.TeamMembers(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(ms, next, toTeamMember), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "add-team-member", Method: http.MethodPost, Path: "/api/v1/teams/{id}/members",
		Summary: "Add a registered user to a team (team owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated, Errors: managed,
	}, func(ctx context.Context, in *AddTeamMemberInput) (*TeamMemberOutput, error) {
		m, err := s.collections.AddTeamMember(ctx, caller(ctx), in.ID, collection.AddTeamMemberParams{
			UserID: in.Body.UserID, Email: in.Body.Email, Role: collection.TeamRole(in.Body.Role),
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &TeamMemberOutput{Body: toTeamMember(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "change-team-member-role", Method: http.MethodPatch, Path: "/api/v1/teams/{id}/members/{user_id}",
		Summary: "Change a team member's role (team owners)", Tags: tags, Security: secured,
		Description: "Demoting the last owner is refused with 409: a team always keeps an owner.", Errors: managed,
	}, func(ctx context.Context, in *ChangeTeamMemberRoleInput) (*TeamMemberOutput, error) {
		m, err := s.collections.ChangeTeamMemberRole(ctx, caller(ctx), in.ID, in.UserID, collection.TeamRole(in.Body.Role))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &TeamMemberOutput{Body: toTeamMember(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "remove-team-member", Method: http.MethodDelete, Path: "/api/v1/teams/{id}/members/{user_id}",
		Summary: "Remove a team member (team owners), or leave (yourself)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Description:   "They lose what the team gave them in every collection from their next request. Removing the last owner is refused with 409.",
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *TeamMemberPath) (*struct{}, error) {
		if err := s.collections.RemoveTeamMember(ctx, caller(ctx), in.ID, in.UserID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
