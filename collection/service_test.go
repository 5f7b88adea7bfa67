package collection_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
)

// outboxEvents counts the events a collection's changes put in the outbox.
func outboxEvents(t *testing.T, env *apitest.Env, collectionID uuid.UUID) int {
	t.Helper()
	var n int
	require.NoError(t, env.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM atlas_outbox WHERE envelope->'entity'->>'collection_id' = $1`,
		collectionID.String()).Scan(&n))
	return n
}

func TestChangeRole_TheLastOwnerCannotBeDemotedOrRemoved(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, editor := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, editor, collection.RoleEditor)
	ctx := context.Background()
	svc := env.App.Collections

	_, err := svc.ChangeRole(ctx, owner.ID, c.ID, owner.ID, collection.RoleEditor)
	require.ErrorIs(t, err, atlas.ErrConflict)
	require.ErrorIs(t, svc.RemoveMember(ctx, owner.ID, c.ID, owner.ID), atlas.ErrConflict, "the last owner cannot leave")

	_, err = svc.ChangeRole(ctx, owner.ID, c.ID, editor.ID, collection.RoleOwner)
	require.NoError(t, err)
	require.NoError(t, svc.RemoveMember(ctx, owner.ID, c.ID, owner.ID), "with a second owner, the first may leave")
}

func TestUpdate_ANoOpChangeWritesAndEmitsNothing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	before := outboxEvents(t, env, c.ID)
	require.Equal(t, 1, before, "CollectionCreated is in the outbox")
	name := "  " + c.Name + " " // the same name once trimmed

	got, err := env.App.Collections.Update(context.Background(), owner.ID, c.ID, collection.UpdateParams{Name: &name})
	require.NoError(t, err)
	require.Equal(t, c.UpdatedAt, got.UpdatedAt, "nothing was written")
	require.Equal(t, before, outboxEvents(t, env, c.ID), "no event for a change that changes nothing")
}

func TestVisibleIDs_AreExactlyTheCallersMemberships(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	alice, bob := env.NewUser(t), env.NewUser(t)
	mine := env.NewCollection(t, alice)
	shared := env.NewCollection(t, bob)
	env.NewCollection(t, bob) // bob's alone
	env.AddMember(t, bob, shared.ID, alice, collection.RoleViewer)

	ids, err := env.App.Collections.VisibleIDs(context.Background(), env.Pool, alice.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, []uuid.UUID{mine.ID, shared.ID}, ids)

	require.NoError(t, env.App.Collections.RemoveMember(context.Background(), alice.ID, shared.ID, alice.ID))
	ids, err = env.App.Collections.VisibleIDs(context.Background(), env.Pool, alice.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{mine.ID}, ids, "leaving a collection hides it at once")
}
