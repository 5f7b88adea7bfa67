package jobs_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/jobs"
)

// TestJobs_FollowAMovedItem checks that an item's jobs move with it: only
// the members of its new collection see them afterwards.
func TestJobs_FollowAMovedItem(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	left := f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.collection, left, collection.RoleViewer)
	target := f.env.NewCollection(t, f.owner)
	it := f.newItem(t, "https://example.com/moving")
	j := f.onlyJob(t, it.ID)
	_, err := f.env.Jobs.Get(ctx, left.ID, j.ID)
	require.NoError(t, err, "a member of the item's collection sees its job")

	_, err = f.env.Items.MoveBulk(ctx, f.owner.ID, []uuid.UUID{it.ID}, target.ID)
	require.NoError(t, err)
	got := f.job(t, j.ID)
	assert.Equal(t, target.ID, got.CollectionID)
	_, err = f.env.Jobs.Get(ctx, left.ID, j.ID)
	require.Error(t, err, "a member of the old collection no longer sees it")
	list, _, err := f.env.Jobs.List(ctx, left.ID, jobs.ListParams{Page: pageOf(10)})
	require.NoError(t, err)
	assert.Empty(t, list)
}
