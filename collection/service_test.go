package collection_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
)

// collectionEvents returns the outbox's events of a collection and of what
// is in it, in commit order.
func collectionEvents(t *testing.T, env *testfactory.Env, id uuid.UUID) []events.Envelope {
	t.Helper()
	return testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{CollectionID: &id}))
}

// dataOf decodes an event's data.
func dataOf(t *testing.T, env events.Envelope) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(env.Data, &m))
	return m
}

func TestCreate_TheCreatorIsItsOnlyOwner(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	ctx := context.Background()
	require.Equal(t, collection.RoleOwner, c.Role)
	require.Equal(t, &owner.ID, c.CreatedBy)

	got, err := env.Collections.Get(ctx, owner.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, collection.RoleOwner, got.Role)
	members, _, err := env.Collections.Members(ctx, owner.ID, c.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, owner.ID, members[0].UserID)
	assert.Equal(t, collection.RoleOwner, members[0].Role)

	evs := collectionEvents(t, env, c.ID)
	require.Len(t, evs, 1)
	assert.Equal(t, events.CollectionCreated, evs[0].Type)
	assert.Equal(t, owner.ID.String(), dataOf(t, evs[0])["owner_user_id"])
}

func TestCreate_ANameIsRequired(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	_, err := env.Collections.Create(context.Background(), owner.ID, collection.CreateParams{Name: "   "})
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestGet_AStrangerHearsTheCollectionDoesNotExist(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	_, err := env.Collections.Get(context.Background(), tm.Stranger.ID, tm.Collection.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = env.Collections.Get(context.Background(), tm.Owner.ID, uuid.New())
	require.ErrorIs(t, err, atlas.ErrNotFound, "an unknown collection answers the same")
	for _, r := range collection.Roles {
		got, err := env.Collections.Get(context.Background(), tm.Member(r).ID, tm.Collection.ID)
		require.NoError(t, err, r)
		assert.Equal(t, r, got.Role, "each member sees their own role")
	}
}

func TestUpdate_OnlyOwnersRenameOrDelete(t *testing.T) {
	t.Parallel()
	env, tm := setupTeam(t)
	ctx := context.Background()
	name := "Renamed"
	for _, u := range []testfactory.User{tm.Editor, tm.Viewer} {
		_, err := env.Collections.Update(ctx, u.ID, tm.Collection.ID, collection.UpdateParams{Name: &name})
		require.ErrorIs(t, err, atlas.ErrForbidden)
		require.ErrorIs(t, env.Collections.Delete(ctx, u.ID, tm.Collection.ID), atlas.ErrForbidden)
	}
	_, err := env.Collections.Update(ctx, tm.Stranger.ID, tm.Collection.ID, collection.UpdateParams{Name: &name})
	require.ErrorIs(t, err, atlas.ErrNotFound)

	got, err := env.Collections.Update(ctx, tm.Owner.ID, tm.Collection.ID, collection.UpdateParams{Name: &name})
	require.NoError(t, err)
	assert.Equal(t, name, got.Name)
	require.NoError(t, env.Collections.Delete(ctx, tm.Owner.ID, tm.Collection.ID))
	_, err = env.Collections.Get(ctx, tm.Owner.ID, tm.Collection.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	evs := collectionEvents(t, env, tm.Collection.ID)
	assert.Equal(t, events.CollectionDeleted, evs[len(evs)-1].Type, "one event stands for the whole cascade")
}

func TestUpdate_ANoOpChangeWritesAndEmitsNothing(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	before := collectionEvents(t, env, c.ID)
	require.Len(t, before, 1, "CollectionCreated is in the outbox")
	name := "  " + c.Name + " " // the same name once trimmed

	got, err := env.Collections.Update(context.Background(), owner.ID, c.ID, collection.UpdateParams{Name: &name})
	require.NoError(t, err)
	require.Equal(t, c.UpdatedAt, got.UpdatedAt, "nothing was written")
	require.Len(t, collectionEvents(t, env, c.ID), len(before), "no event for a change that changes nothing")
}

func TestVisibleIDs_AreExactlyTheCallersMemberships(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	alice, bob := env.NewUser(t), env.NewUser(t)
	mine := env.NewCollection(t, alice)
	shared := env.NewCollection(t, bob)
	env.NewCollection(t, bob) // bob's alone
	env.AddMember(t, bob, shared.ID, alice, collection.RoleViewer)

	ids, err := env.Collections.VisibleIDs(context.Background(), env.Pool, alice.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, []uuid.UUID{mine.ID, shared.ID}, ids)

	require.NoError(t, env.Collections.RemoveMember(context.Background(), alice.ID, shared.ID, alice.ID))
	ids, err = env.Collections.VisibleIDs(context.Background(), env.Pool, alice.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{mine.ID}, ids, "leaving a collection hides it at once")
}
