package collection_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
)

// setupTeam is the domain services on a fresh database with a team: a
// collection with a member of each role, and a stranger.
func setupTeam(t *testing.T) (*testfactory.Env, testfactory.Team) {
	t.Helper()
	env := testfactory.New(t)
	return env, env.NewTeam(t)
}

// roleOf returns user's role in the team's collection ("" for none).
func roleOf(t *testing.T, env *testfactory.Env, tm testfactory.Team, user testfactory.User) collection.Role {
	t.Helper()
	members, _, err := env.Collections.Members(context.Background(), tm.Owner.ID, tm.Collection.ID, cursor.Page{Limit: 100})
	require.NoError(t, err)
	for _, m := range members {
		if m.UserID == user.ID {
			return m.Role
		}
	}
	return ""
}

func TestAddMember_OnlyOwnersAddAndOnlyOnce(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	newcomer := env.NewUser(t)
	ctx := context.Background()
	add := func(actor testfactory.User) error {
		_, err := env.Collections.AddMember(ctx, actor.ID, tm.Collection.ID, collection.AddMemberParams{Email: newcomer.Email, Role: collection.RoleViewer})
		return err
	}
	require.ErrorIs(t, add(tm.Editor), atlas.ErrForbidden)
	require.ErrorIs(t, add(tm.Viewer), atlas.ErrForbidden)
	require.ErrorIs(t, add(tm.Stranger), atlas.ErrNotFound)
	require.NoError(t, add(tm.Owner))
	require.ErrorIs(t, add(tm.Owner), atlas.ErrConflict, "a member is added once")
	assert.Equal(t, collection.RoleViewer, roleOf(t, env, tm, newcomer))

	_, err := env.Collections.AddMember(ctx, tm.Owner.ID, tm.Collection.ID, collection.AddMemberParams{Email: "nobody@example.com", Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrNotFound, "only registered users can be added")
	_, err = env.Collections.AddMember(ctx, tm.Owner.ID, tm.Collection.ID, collection.AddMemberParams{Email: newcomer.Email, Role: "admin"})
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestChangeRole_OnlyOwnersChangeRolesAndEachChangeIsAnEvent(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	_, err := env.Collections.ChangeRole(ctx, tm.Editor.ID, tm.Collection.ID, tm.Viewer.ID, collection.RoleEditor)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = env.Collections.ChangeRole(ctx, tm.Viewer.ID, tm.Collection.ID, tm.Viewer.ID, collection.RoleOwner)
	require.ErrorIs(t, err, atlas.ErrForbidden, "a viewer cannot promote themselves")
	_, err = env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Stranger.ID, collection.RoleEditor)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a stranger has no role to change")

	before := len(collectionEvents(t, env, tm.Collection.ID))
	m, err := env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Viewer.ID, collection.RoleEditor)
	require.NoError(t, err)
	assert.Equal(t, collection.RoleEditor, m.Role)
	assert.Equal(t, collection.RoleEditor, roleOf(t, env, tm, tm.Viewer))
	evs := collectionEvents(t, env, tm.Collection.ID)
	require.Len(t, evs, before+1)
	last := evs[len(evs)-1]
	assert.Equal(t, events.MembershipRoleChanged, last.Type)
	assert.Equal(t, tm.Viewer.ID, last.Entity.ID)
	assert.Equal(t, map[string]any{"role": map[string]any{"before": "viewer", "after": "editor"}}, dataOf(t, last)["changes"])

	_, err = env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Viewer.ID, collection.RoleEditor)
	require.NoError(t, err)
	require.Len(t, collectionEvents(t, env, tm.Collection.ID), before+1, "the same role again changes nothing")
}

func TestChangeRole_TheLastOwnerCannotBeDemoted(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	_, err := env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Owner.ID, collection.RoleEditor)
	require.ErrorIs(t, err, atlas.ErrConflict)
	assert.Equal(t, collection.RoleOwner, roleOf(t, env, tm, tm.Owner))

	_, err = env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Editor.ID, collection.RoleOwner)
	require.NoError(t, err)
	_, err = env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Owner.ID, collection.RoleEditor)
	require.NoError(t, err, "with a second owner, the first may step down")
	_, err = env.Collections.ChangeRole(ctx, tm.Editor.ID, tm.Collection.ID, tm.Editor.ID, collection.RoleViewer)
	require.ErrorIs(t, err, atlas.ErrConflict, "now the other is the last owner")
}

func TestLeave_LastOwnerIsRefused(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Owner.ID, tm.Collection.ID, tm.Owner.ID), atlas.ErrConflict)
	assert.Equal(t, collection.RoleOwner, roleOf(t, env, tm, tm.Owner))

	_, err := env.Collections.ChangeRole(ctx, tm.Owner.ID, tm.Collection.ID, tm.Editor.ID, collection.RoleOwner)
	require.NoError(t, err)
	require.NoError(t, env.Collections.RemoveMember(ctx, tm.Owner.ID, tm.Collection.ID, tm.Owner.ID), "with a second owner, the first may leave")
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Editor.ID, tm.Collection.ID, tm.Editor.ID), atlas.ErrConflict)
}

func TestLeave_EveryRoleMayLeaveAndTheCollectionIsGone(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	for _, u := range []testfactory.User{tm.Viewer, tm.Editor} {
		require.NoError(t, env.Collections.RemoveMember(ctx, u.ID, tm.Collection.ID, u.ID))
		_, err := env.Collections.Get(ctx, u.ID, tm.Collection.ID)
		require.ErrorIs(t, err, atlas.ErrNotFound, "a former member no longer sees the collection")
		evs := collectionEvents(t, env, tm.Collection.ID)
		last := evs[len(evs)-1]
		assert.Equal(t, events.MembershipRemoved, last.Type)
		assert.Equal(t, u.ID, last.Entity.ID)
		assert.Equal(t, true, dataOf(t, last)["left"])
	}
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Stranger.ID, tm.Collection.ID, tm.Stranger.ID), atlas.ErrNotFound,
		"a stranger cannot leave what they do not see")
}

func TestRemoveMember_OnlyOwnersRemoveOthers(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Editor.ID, tm.Collection.ID, tm.Viewer.ID), atlas.ErrForbidden)
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Viewer.ID, tm.Collection.ID, tm.Editor.ID), atlas.ErrForbidden)
	require.ErrorIs(t, env.Collections.RemoveMember(ctx, tm.Stranger.ID, tm.Collection.ID, tm.Viewer.ID), atlas.ErrNotFound)
	assert.Equal(t, collection.RoleViewer, roleOf(t, env, tm, tm.Viewer), "refused removals remove nobody")

	require.NoError(t, env.Collections.RemoveMember(ctx, tm.Owner.ID, tm.Collection.ID, tm.Viewer.ID))
	assert.Equal(t, collection.Role(""), roleOf(t, env, tm, tm.Viewer))
	evs := collectionEvents(t, env, tm.Collection.ID)
	assert.Equal(t, false, dataOf(t, evs[len(evs)-1])["left"], "removed by an owner, not left")
}
