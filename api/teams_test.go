package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// teamBody is the part of a team the tests read.
type teamBody struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	CanManage   bool      `json:"can_manage"`
	MemberCount int       `json:"member_count"`
}

// memberBody is a collection member as the API shows it.
type memberBody struct {
	Kind     string     `json:"kind"`
	UserID   *uuid.UUID `json:"user_id"`
	TeamID   *uuid.UUID `json:"team_id"`
	TeamName string     `json:"team_name"`
	Role     string     `json:"role"`
}

// problemDetail asserts a response is a problem with status.
func problemDetail(t *testing.T, resp apitest.Response, status int) string {
	t.Helper()
	require.Equal(t, status, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	d, _ := resp.Map(t)["detail"].(string)
	return d
}

func TestTeams_CreateRenameMembersAndDeleteOverHTTP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, member, stranger := env.NewUser(t), env.NewUser(t), env.NewUser(t)

	problemDetail(t, env.Do(t, http.MethodPost, "/api/v1/teams", owner.Token, map[string]any{"name": ""}), http.StatusUnprocessableEntity)
	problemDetail(t, env.Do(t, http.MethodPost, "/api/v1/teams", owner.Token, map[string]any{"name": "   "}), http.StatusUnprocessableEntity)
	resp := env.Do(t, http.MethodPost, "/api/v1/teams", owner.Token, map[string]any{"name": "Platform"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var team teamBody
	resp.JSON(t, &team)
	assert.Equal(t, "/api/v1/teams/"+team.ID.String(), resp.Header.Get("Location"))
	assert.Equal(t, teamBody{ID: team.ID, Name: "Platform", Role: "owner", CanManage: true, MemberCount: 1}, team)
	base := "/api/v1/teams/" + team.ID.String()

	problemDetail(t, env.Do(t, http.MethodPost, base+"/members", owner.Token, map[string]any{"email": member.Email, "role": "admin"}), http.StatusUnprocessableEntity)
	problemDetail(t, env.Do(t, http.MethodPost, base+"/members", owner.Token, map[string]any{"role": "member"}), http.StatusUnprocessableEntity)
	problemDetail(t, env.Do(t, http.MethodPost, base+"/members", owner.Token, map[string]any{"email": "nobody@example.com", "role": "member"}), http.StatusNotFound)
	resp = env.Do(t, http.MethodPost, base+"/members", owner.Token, map[string]any{"email": member.Email, "role": "member"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	problemDetail(t, env.Do(t, http.MethodPost, base+"/members", owner.Token, map[string]any{"user_id": member.ID, "role": "member"}), http.StatusConflict)

	resp = env.Do(t, http.MethodGet, base, member.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	resp.JSON(t, &team)
	assert.Equal(t, teamBody{ID: team.ID, Name: "Platform", Role: "member", CanManage: false, MemberCount: 2}, team)
	problemDetail(t, env.Do(t, http.MethodGet, base, stranger.Token, nil), http.StatusNotFound)
	problemDetail(t, env.Do(t, http.MethodGet, "/api/v1/teams/not-a-uuid", owner.Token, nil), http.StatusBadRequest)

	var members struct {
		Items []struct {
			UserID uuid.UUID `json:"user_id"`
			Role   string    `json:"role"`
		} `json:"items"`
	}
	env.Do(t, http.MethodGet, base+"/members", member.Token, nil).JSON(t, &members)
	require.Len(t, members.Items, 2)
	assert.Equal(t, owner.ID, members.Items[0].UserID)
	assert.Equal(t, "member", members.Items[1].Role)

	d := problemDetail(t, env.Do(t, http.MethodPatch, base+"/members/"+owner.ID.String(), owner.Token, map[string]any{"role": "member"}), http.StatusConflict)
	assert.Contains(t, d, "keep at least one owner")
	problemDetail(t, env.Do(t, http.MethodPatch, base, member.Token, map[string]any{"name": "Mine"}), http.StatusForbidden)
	resp = env.Do(t, http.MethodPatch, base+"/members/"+member.ID.String(), owner.Token, map[string]any{"role": "owner"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = env.Do(t, http.MethodPatch, base, member.Token, map[string]any{"name": "Infra"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &team)
	assert.Equal(t, "Infra", team.Name)

	var mine struct {
		Items []teamBody `json:"items"`
	}
	env.Do(t, http.MethodGet, "/api/v1/teams", member.Token, nil).JSON(t, &mine)
	require.Len(t, mine.Items, 1)
	assert.Equal(t, "Infra", mine.Items[0].Name)
	env.Do(t, http.MethodGet, "/api/v1/teams", stranger.Token, nil).JSON(t, &mine)
	assert.Empty(t, mine.Items)

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, base+"/members/"+owner.ID.String(), owner.Token, nil).Status, "the first owner leaves")
	problemDetail(t, env.Do(t, http.MethodGet, base, owner.Token, nil), http.StatusNotFound)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, base, member.Token, nil).Status)
	problemDetail(t, env.Do(t, http.MethodGet, base, member.Token, nil), http.StatusNotFound)
}

// teamShare is a collection with an item, shared with a team; member is in
// the collection through the team only.
type teamShare struct {
	owner, member, stranger apitest.User
	collectionID, teamID    uuid.UUID
	itemID                  uuid.UUID
}

func newTeamShare(t *testing.T, env *apitest.Env, title string) teamShare {
	t.Helper()
	s := teamShare{owner: env.NewUser(t), member: env.NewUser(t), stranger: env.NewUser(t)}
	c := env.NewCollection(t, s.owner)
	it := env.NewItem(t, s.owner, c.ID, item.CreateParams{Title: title})
	tm := env.NewTeamOf(t, s.owner, s.member)
	s.collectionID, s.teamID, s.itemID = c.ID, tm.ID, it.ID

	membersPath := "/api/v1/collections/" + c.ID.String() + "/members"
	problemDetail(t, env.Do(t, http.MethodPost, membersPath, s.owner.Token, map[string]any{"team_id": tm.ID, "email": s.member.Email, "role": "viewer"}), http.StatusUnprocessableEntity)
	problemDetail(t, env.Do(t, http.MethodPost, membersPath, s.owner.Token, map[string]any{"team_id": uuid.New(), "role": "viewer"}), http.StatusNotFound)
	resp := env.Do(t, http.MethodPost, membersPath, s.owner.Token, map[string]any{"team_id": tm.ID, "role": "viewer"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var m memberBody
	resp.JSON(t, &m)
	assert.Equal(t, memberBody{Kind: "team", TeamID: &tm.ID, TeamName: tm.Name, Role: "viewer"}, m)
	problemDetail(t, env.Do(t, http.MethodPost, membersPath, s.owner.Token, map[string]any{"team_id": tm.ID, "role": "viewer"}), http.StatusConflict)
	return s
}

func TestTeamShare_MembersListShowsTheTeamAndOwnersChangeItsRole(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	s := newTeamShare(t, env, "Shared note")
	membersPath := "/api/v1/collections/" + s.collectionID.String() + "/members"

	var list struct {
		Items []memberBody `json:"items"`
	}
	env.Do(t, http.MethodGet, membersPath, s.member.Token, nil).JSON(t, &list)
	require.Len(t, list.Items, 2)
	assert.Equal(t, memberBody{Kind: "user", UserID: &s.owner.ID, Role: "owner"}, list.Items[0])
	assert.Equal(t, "team", list.Items[1].Kind)
	assert.Equal(t, &s.teamID, list.Items[1].TeamID)
	assert.Nil(t, list.Items[1].UserID)

	teamPath := membersPath + "/teams/" + s.teamID.String()
	problemDetail(t, env.Do(t, http.MethodPatch, teamPath, s.member.Token, map[string]any{"role": "owner"}), http.StatusForbidden)
	problemDetail(t, env.Do(t, http.MethodPatch, teamPath, s.owner.Token, map[string]any{"role": "admin"}), http.StatusUnprocessableEntity)
	resp := env.Do(t, http.MethodPatch, teamPath, s.owner.Token, map[string]any{"role": "editor"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = env.Do(t, http.MethodPatch, "/api/v1/items/"+s.itemID.String(), s.member.Token, map[string]any{"title": "Edited by the team"})
	require.Equal(t, http.StatusOK, resp.Status, "an editor through the team edits: %s", resp.Body)

	var coll struct {
		Role        string          `json:"role"`
		Permissions map[string]bool `json:"permissions"`
	}
	env.Do(t, http.MethodGet, "/api/v1/collections/"+s.collectionID.String(), s.member.Token, nil).JSON(t, &coll)
	assert.Equal(t, "editor", coll.Role)
	assert.Equal(t, map[string]bool{"read": true, "write_items": true, "manage": false}, coll.Permissions)

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, teamPath, s.owner.Token, nil).Status)
	problemDetail(t, env.Do(t, http.MethodGet, "/api/v1/items/"+s.itemID.String(), s.member.Token, nil), http.StatusNotFound)
	problemDetail(t, env.Do(t, http.MethodDelete, teamPath, s.owner.Token, nil), http.StatusNotFound)
}

// copyOutboxToAudit records every event of the outbox in the audit trail,
// as the audit consumer would.
func copyOutboxToAudit(t *testing.T, env *apitest.Env) {
	t.Helper()
	var rows []audit.Event
	for _, e := range testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{})) {
		rows = append(rows, audit.Event{EventID: e.EventID, Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt,
			RecordedAt: time.Now().UTC(), ActorUserID: e.ActorUserID, Entity: e.Entity, Data: e.Data,
			TraceID: e.TraceID, RequestID: e.RequestID})
	}
	_, err := audit.Store{}.Append(context.Background(), env.Pool, rows)
	require.NoError(t, err)
}

// auditTypes lists the types of the audit events GET path answers with.
func auditTypes(t *testing.T, env *apitest.Env, token, path string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	resp := env.Do(t, http.MethodGet, path, token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &page)
	out := []string{}
	for _, e := range page.Items {
		out = append(out, e.Type)
	}
	return out
}

func TestTeamShare_ItemsSearchJobsAndAuditThroughATeamEndWithTheTeamMembership(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t, nil)
	s := newTeamShare(t, e.Env, "quarterly roadmap")
	e.syncAll(t)
	c := s.collectionID.String()
	job, err := e.App.Jobs.Create(context.Background(), s.owner.ID, "REINDEX_ITEM", s.itemID)
	require.NoError(t, err)
	copyOutboxToAudit(t, e.Env)

	reads := []string{
		"/api/v1/collections/" + c, "/api/v1/collections/" + c + "/items", "/api/v1/items/" + s.itemID.String(),
		"/api/v1/collections/" + c + "/tags", "/api/v1/collections/" + c + "/export?format=json",
		"/api/v1/collections/" + c + "/imports", fmt.Sprintf("/api/v1/jobs/%d", job.ID),
	}
	for _, p := range reads {
		require.Equal(t, http.StatusOK, e.Do(t, http.MethodGet, p, s.member.Token, nil).Status, "GET %s as a team member", p)
		problemDetail(t, e.Do(t, http.MethodGet, p, s.stranger.Token, nil), http.StatusNotFound)
	}
	assert.Equal(t, []string{"quarterly roadmap"}, titles(e.searchOK(t, s.member.Token, values("q", "roadmap"))))
	assert.Equal(t, []string{"quarterly roadmap"}, titles(e.searchOK(t, s.member.Token, values("q", "roadmap", "collection_id", c))))
	assert.Contains(t, auditTypes(t, e.Env, s.member.Token, auditPath("collection_id", c)), "ItemCreated")
	assert.Contains(t, auditTypes(t, e.Env, s.member.Token, auditPath()), "TeamMemberAdded", "a member sees their team's events")
	assert.Contains(t, auditTypes(t, e.Env, s.member.Token, auditPath("entity_type", "team", "entity_id", s.teamID.String())), "TeamCreated")
	assert.Empty(t, auditTypes(t, e.Env, s.stranger.Token, auditPath("entity_type", "team", "entity_id", s.teamID.String())))
	var jobs struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	e.Do(t, http.MethodGet, "/api/v1/jobs?item_id="+s.itemID.String(), s.member.Token, nil).JSON(t, &jobs)
	require.Len(t, jobs.Items, 1, "a team member lists the item's jobs")

	resp := e.Do(t, http.MethodDelete, "/api/v1/teams/"+s.teamID.String()+"/members/"+s.member.ID.String(), s.owner.Token, nil)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)

	// The very next requests: nothing to wait for, nothing cached.
	for _, p := range reads {
		problemDetail(t, e.Do(t, http.MethodGet, p, s.member.Token, nil), http.StatusNotFound)
	}
	assert.Empty(t, e.searchOK(t, s.member.Token, values("q", "roadmap")).Items)
	status, _ := e.search(t, s.member.Token, values("q", "roadmap", "collection_id", c))
	assert.Equal(t, http.StatusNotFound, status)
	assert.NotContains(t, auditTypes(t, e.Env, s.member.Token, auditPath("collection_id", c)), "ItemCreated")
	assert.Empty(t, auditTypes(t, e.Env, s.member.Token, auditPath("entity_type", "team", "entity_id", s.teamID.String())))
	e.Do(t, http.MethodGet, "/api/v1/jobs?item_id="+s.itemID.String(), s.member.Token, nil).JSON(t, &jobs)
	assert.Empty(t, jobs.Items)
	problemDetail(t, e.Do(t, http.MethodPost, "/api/v1/collections/"+c+"/items", s.member.Token, map[string]any{"title": "x"}), http.StatusNotFound)
}
