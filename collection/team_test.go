package collection_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// shared is a collection with an item, shared with a team: its owner owns
// both; member belongs to the team only.
type shared struct {
	env    *testfactory.Env
	owner  testfactory.User
	member testfactory.User
	coll   collection.Collection
	team   collection.Team
	item   item.Item
}

func setupShared(t *testing.T, role collection.Role) shared {
	t.Helper()
	env := testfactory.New(t)
	s := shared{env: env, owner: env.NewUser(t), member: env.NewUser(t)}
	s.coll = env.NewCollection(t, s.owner)
	s.item = env.NewItem(t, s.owner, s.coll.ID, item.CreateParams{Title: "Shared"})
	s.team = env.NewTeamOf(t, s.owner, s.member)
	env.ShareWithTeam(t, s.owner, s.coll.ID, s.team.ID, role)
	return s
}

// roleIn is user's role in the collection through Get ("" when they may not see it).
func (s shared) roleIn(t *testing.T, user testfactory.User) collection.Role {
	t.Helper()
	c, err := s.env.Collections.Get(context.Background(), user.ID, s.coll.ID)
	if err != nil {
		require.ErrorIs(t, err, atlas.ErrNotFound)
		return ""
	}
	return c.Role
}

// lostAccess asserts that user can reach neither the collection nor its
// item, and that it is not among their visible collections.
func (s shared) lostAccess(t *testing.T, user testfactory.User) {
	t.Helper()
	ctx := context.Background()
	_, err := s.env.Collections.Get(ctx, user.ID, s.coll.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = s.env.Items.Get(ctx, user.ID, s.item.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound, "the item is as unknown as the collection")
	ids, err := s.env.Collections.VisibleIDs(ctx, s.env.Pool, user.ID)
	require.NoError(t, err)
	assert.NotContains(t, ids, s.coll.ID)
	list, _, err := s.env.Collections.List(ctx, user.ID, cursor.Page{Limit: 100})
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestTeamMembership_GivesTheTeamsRole(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleEditor)
	ctx := context.Background()
	assert.Equal(t, collection.RoleEditor, s.roleIn(t, s.member))
	got, err := s.env.Items.Get(ctx, s.member.ID, s.item.ID)
	require.NoError(t, err, "a team member reads the collection's items")
	assert.Equal(t, s.item.ID, got.ID)
	_, err = s.env.Items.Create(ctx, s.member.ID, s.coll.ID, item.CreateParams{Title: "By the team"})
	require.NoError(t, err, "an editor through a team writes items")
	_, err = s.env.Collections.Update(ctx, s.member.ID, s.coll.ID, collection.UpdateParams{Name: new(string)})
	require.ErrorIs(t, err, atlas.ErrForbidden, "an editor through a team does not manage")

	ids, err := s.env.Collections.VisibleIDs(ctx, s.env.Pool, s.member.ID)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{s.coll.ID}, ids)
	list, _, err := s.env.Collections.List(ctx, s.member.ID, cursor.Page{Limit: 100})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, collection.RoleEditor, list[0].Role)
}

func TestEffectiveRole_IsTheHighestOfDirectAndTeamRoles(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleViewer)
	env, ctx := s.env, context.Background()
	second := env.NewTeamOf(t, s.owner, s.member)

	steps := []struct {
		name string
		do   func()
		want collection.Role
	}{
		{"team viewer only", func() {}, collection.RoleViewer},
		{"and direct editor", func() { env.AddMember(t, s.owner, s.coll.ID, s.member, collection.RoleEditor) }, collection.RoleEditor},
		{"and a second team as owner", func() { env.ShareWithTeam(t, s.owner, s.coll.ID, second.ID, collection.RoleOwner) }, collection.RoleOwner},
		{"the second team demoted to viewer", func() {
			_, err := env.Collections.ChangeTeamRole(ctx, s.owner.ID, s.coll.ID, second.ID, collection.RoleViewer)
			require.NoError(t, err)
		}, collection.RoleEditor},
		{"direct membership removed", func() {
			require.NoError(t, env.Collections.RemoveMember(ctx, s.owner.ID, s.coll.ID, s.member.ID))
		}, collection.RoleViewer},
	}
	for _, st := range steps {
		st.do()
		assert.Equal(t, st.want, s.roleIn(t, s.member), st.name)
		list, _, err := env.Collections.List(ctx, s.member.ID, cursor.Page{Limit: 100})
		require.NoError(t, err)
		require.Len(t, list, 1, "%s: the collection is listed once", st.name)
		assert.Equal(t, st.want, list[0].Role, st.name)
		ids, err := env.Collections.VisibleIDs(ctx, env.Pool, s.member.ID)
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{s.coll.ID}, ids, "%s: visible once", st.name)
	}
}

func TestRemoveFromTeam_TakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleViewer)
	require.Equal(t, collection.RoleViewer, s.roleIn(t, s.member))
	require.NoError(t, s.env.Collections.RemoveTeamMember(context.Background(), s.owner.ID, s.team.ID, s.member.ID))
	s.lostAccess(t, s.member)
	assert.Equal(t, collection.RoleOwner, s.roleIn(t, s.owner), "the owner's own membership is untouched")
}

func TestRemoveTeam_ATeamUsedAfterItsRemovalGets404(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleOwner)
	ctx := context.Background()
	_, err := s.env.Collections.Update(ctx, s.member.ID, s.coll.ID, collection.UpdateParams{Description: new(string)})
	require.NoError(t, err, "an owner through a team manages the collection")

	_, err = s.env.Collections.ChangeTeamRole(ctx, s.owner.ID, s.coll.ID, s.team.ID, "admin")
	require.ErrorIs(t, err, atlas.ErrInvalid)
	require.NoError(t, s.env.Collections.RemoveTeam(ctx, s.owner.ID, s.coll.ID, s.team.ID))
	s.lostAccess(t, s.member)
	_, err = s.env.Collections.ChangeTeamRole(ctx, s.member.ID, s.coll.ID, s.team.ID, collection.RoleOwner)
	require.ErrorIs(t, err, atlas.ErrNotFound, "the removed team's member cannot put it back")
	require.ErrorIs(t, s.env.Collections.RemoveTeam(ctx, s.owner.ID, s.coll.ID, s.team.ID), atlas.ErrNotFound, "already removed")

	evs := collectionEvents(t, s.env, s.coll.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, events.MembershipRemoved, last.Type)
	assert.Equal(t, s.team.ID, last.Entity.ID)
	assert.Equal(t, s.team.ID.String(), dataOf(t, last)["team_id"])
}

func TestDeleteTeam_RemovesItsCollectionMemberships(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleEditor)
	ctx := context.Background()
	require.ErrorIs(t, s.env.Collections.DeleteTeam(ctx, s.member.ID, s.team.ID), atlas.ErrForbidden, "a member does not delete the team")
	require.NoError(t, s.env.Collections.DeleteTeam(ctx, s.owner.ID, s.team.ID))
	s.lostAccess(t, s.member)
	_, err := s.env.Collections.Team(ctx, s.owner.ID, s.team.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	members, _, err := s.env.Collections.Members(ctx, s.owner.ID, s.coll.ID, cursor.Page{Limit: 100})
	require.NoError(t, err)
	require.Len(t, members, 1, "only the owner is left")

	evs := collectionEvents(t, s.env, s.coll.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, events.MembershipRemoved, last.Type, "the collection's trail records the team's removal")
	assert.Equal(t, true, dataOf(t, last)["team_deleted"])
	teamEvs := testfactory.Envelopes(s.env.Outbox(t, testfactory.OutboxFilter{EntityID: &s.team.ID, Type: events.TeamDeleted}))
	require.Len(t, teamEvs, 1)
	assert.Equal(t, []any{s.coll.ID.String()}, dataOf(t, teamEvs[0])["collection_ids"])
}

func TestMembers_ListsTeamsDistinctly(t *testing.T) {
	t.Parallel()
	s := setupShared(t, collection.RoleViewer)
	ctx := context.Background()
	other := s.env.NewUser(t)
	s.env.AddMember(t, s.owner, s.coll.ID, other, collection.RoleEditor)

	var all []collection.Member
	page := cursor.Page{Limit: 1}
	for {
		ms, next, err := s.env.Collections.Members(ctx, s.member.ID, s.coll.ID, page)
		require.NoError(t, err, "a team member reads the members")
		all = append(all, ms...)
		if next == "" {
			break
		}
		page.After = next
	}
	require.Len(t, all, 3, "one page at a time, users and teams")
	assert.Equal(t, s.owner.ID, all[0].UserID)
	assert.True(t, all[1].IsTeam())
	assert.Equal(t, s.team.ID, all[1].TeamID)
	assert.Equal(t, s.team.Name, all[1].TeamName)
	assert.Equal(t, collection.RoleViewer, all[1].Role)
	assert.Equal(t, uuid.Nil, all[1].UserID)
	assert.Equal(t, other.ID, all[2].UserID)
}

func TestAddTeamToCollection_OnlyOwnersShareAndOnlyTheirTeams(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	ctx := context.Background()
	tm := env.NewTeam(t)
	ownTeam := env.NewTeamOf(t, tm.Owner, tm.Editor)
	foreign := env.NewTeamOf(t, tm.Stranger)
	add := func(actor testfactory.User, team uuid.UUID) error {
		_, err := env.Collections.AddMember(ctx, actor.ID, tm.Collection.ID, collection.AddMemberParams{TeamID: &team, Role: collection.RoleViewer})
		return err
	}
	require.ErrorIs(t, add(tm.Editor, ownTeam.ID), atlas.ErrForbidden, "an editor does not share")
	require.ErrorIs(t, add(tm.Stranger, foreign.ID), atlas.ErrNotFound, "a stranger does not see the collection")
	require.ErrorIs(t, add(tm.Owner, foreign.ID), atlas.ErrNotFound, "a team the owner is not in is unknown to them")
	require.ErrorIs(t, add(tm.Owner, uuid.Must(uuid.NewV7())), atlas.ErrNotFound)
	require.NoError(t, add(tm.Owner, ownTeam.ID))
	require.ErrorIs(t, add(tm.Owner, ownTeam.ID), atlas.ErrConflict, "a team is added once")
	_, err := env.Collections.AddMember(ctx, tm.Owner.ID, tm.Collection.ID, collection.AddMemberParams{TeamID: &ownTeam.ID, Email: tm.Stranger.Email, Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrInvalid, "a team or a user, not both")

	evs := collectionEvents(t, env, tm.Collection.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, events.MembershipAdded, last.Type)
	assert.Equal(t, ownTeam.ID, last.Entity.ID)
	assert.Equal(t, ownTeam.ID.String(), dataOf(t, last)["team_id"])
	assert.Equal(t, "viewer", dataOf(t, last)["role"])
}

func TestTeams_OwnersManageMembersMayLeaveAndATeamKeepsAnOwner(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	ctx := context.Background()
	owner, member, stranger, newcomer := env.NewUser(t), env.NewUser(t), env.NewUser(t), env.NewUser(t)
	team := env.NewTeamOf(t, owner, member)

	_, err := env.Collections.CreateTeam(ctx, owner.ID, "  ")
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, err = env.Collections.Team(ctx, stranger.ID, team.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a stranger does not see the team")
	got, err := env.Collections.Team(ctx, member.ID, team.ID)
	require.NoError(t, err)
	assert.Equal(t, collection.TeamRoleMember, got.Role)
	assert.Equal(t, 2, got.MemberCount)

	_, err = env.Collections.RenameTeam(ctx, member.ID, team.ID, "Mine now")
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = env.Collections.AddTeamMember(ctx, member.ID, team.ID, collection.AddTeamMemberParams{Email: newcomer.Email, Role: collection.TeamRoleMember})
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = env.Collections.AddTeamMember(ctx, owner.ID, team.ID, collection.AddTeamMemberParams{Email: newcomer.Email, Role: "admin"})
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, err = env.Collections.AddTeamMember(ctx, owner.ID, team.ID, collection.AddTeamMemberParams{Email: "nobody@example.com", Role: collection.TeamRoleMember})
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = env.Collections.AddTeamMember(ctx, owner.ID, team.ID, collection.AddTeamMemberParams{Email: newcomer.Email, Role: collection.TeamRoleMember})
	require.NoError(t, err)
	_, err = env.Collections.AddTeamMember(ctx, owner.ID, team.ID, collection.AddTeamMemberParams{UserID: &newcomer.ID, Role: collection.TeamRoleMember})
	require.ErrorIs(t, err, atlas.ErrConflict)
	require.ErrorIs(t, env.Collections.RemoveTeamMember(ctx, member.ID, team.ID, newcomer.ID), atlas.ErrForbidden)
	require.NoError(t, env.Collections.RemoveTeamMember(ctx, newcomer.ID, team.ID, newcomer.ID), "a member may leave")

	_, err = env.Collections.ChangeTeamMemberRole(ctx, owner.ID, team.ID, owner.ID, collection.TeamRoleMember)
	require.ErrorIs(t, err, atlas.ErrConflict, "the last owner cannot step down")
	require.ErrorIs(t, env.Collections.RemoveTeamMember(ctx, owner.ID, team.ID, owner.ID), atlas.ErrConflict, "nor leave")
	_, err = env.Collections.ChangeTeamMemberRole(ctx, owner.ID, team.ID, member.ID, collection.TeamRoleOwner)
	require.NoError(t, err)
	require.NoError(t, env.Collections.RemoveTeamMember(ctx, owner.ID, team.ID, owner.ID), "with a second owner, the first may leave")
	renamed, err := env.Collections.RenameTeam(ctx, member.ID, team.ID, " Platform ")
	require.NoError(t, err, "the promoted member now manages the team")
	assert.Equal(t, "Platform", renamed.Name)

	mine, _, err := env.Collections.Teams(ctx, member.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, collection.TeamRoleOwner, mine[0].Role)
	gone, _, err := env.Collections.Teams(ctx, owner.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, gone)

	var types []events.Type
	for _, e := range testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{EntityID: &team.ID})) {
		assert.Equal(t, events.EntityTeam, e.Entity.Type)
		types = append(types, e.Type)
	}
	assert.Equal(t, []events.Type{events.TeamCreated, events.TeamMemberAdded, events.TeamMemberAdded, events.TeamMemberRemoved,
		events.TeamMemberRoleChanged, events.TeamMemberRemoved, events.TeamUpdated}, types)
}
