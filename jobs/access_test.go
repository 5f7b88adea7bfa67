package jobs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/testfactory"
)

func TestJobAccess_MembersSeeJobsEditorsStartThemStrangersHearNothing(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	ctx := context.Background()
	it := env.NewItem(t, tm.Owner, tm.Collection.ID, item.CreateParams{})

	_, err := env.Jobs.Create(ctx, tm.Viewer.ID, jobs.TypeReindexItem, it.ID)
	require.ErrorIs(t, err, atlas.ErrForbidden, "a viewer cannot start a job")
	_, err = env.Jobs.Create(ctx, tm.Stranger.ID, jobs.TypeReindexItem, it.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a stranger does not learn the item exists")
	j, err := env.Jobs.Create(ctx, tm.Editor.ID, jobs.TypeReindexItem, it.ID)
	require.NoError(t, err)

	for _, u := range []testfactory.User{tm.Owner, tm.Editor, tm.Viewer} {
		got, err := env.Jobs.Get(ctx, u.ID, j.ID)
		require.NoError(t, err)
		require.Equal(t, j.ID, got.ID)
	}
	_, err = env.Jobs.Get(ctx, tm.Stranger.ID, j.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	require.EqualError(t, err, "job not found")
}
