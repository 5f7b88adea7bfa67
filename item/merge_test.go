package item_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

func ref(it item.Item) item.ItemVersion { return item.ItemVersion{ID: it.ID, Version: it.Version} }

func TestMerge_UnitesTagsAndNotesAndDeletesTheOthers(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	a, b := env.NewCollection(t, u), env.NewCollection(t, other)
	env.AddMember(t, other, b.ID, u, collection.RoleEditor)
	keep := env.NewItem(t, u, a.ID, item.CreateParams{SourceURL: "https://x.example/", Tags: []string{"go"}, Notes: "mine"})
	o1 := env.NewItem(t, other, b.ID, item.CreateParams{SourceURL: "https://www.x.example", Tags: []string{"go", "memory"}, Notes: "theirs"})
	o2 := env.NewItem(t, u, a.ID, item.CreateParams{SourceURL: "https://x.example/#a", Tags: []string{"reading"}, Notes: "mine"})

	got, err := env.Items.Merge(context.Background(), u.ID, item.MergeParams{Keep: ref(keep), Others: []item.ItemVersion{ref(o1), ref(o2)}})
	require.NoError(t, err)
	assert.Equal(t, []string{"go", "memory", "reading"}, got.Tags)
	assert.Equal(t, "mine\n\ntheirs", got.Notes, "each note once")
	assert.Equal(t, keep.Version+1, got.Version)
	stored, err := env.Items.Get(context.Background(), u.ID, keep.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Tags, stored.Tags)
	for _, gone := range []item.Item{o1, o2} {
		_, err := env.Items.Get(context.Background(), u.ID, gone.ID)
		require.ErrorIs(t, err, atlas.ErrNotFound)
		del := env.Outbox(t, testfactory.OutboxFilter{EntityID: &gone.ID, Type: events.ItemDeleted})
		require.Len(t, del, 1)
		assert.Equal(t, &u.ID, del[0].Envelope.ActorUserID)
	}
	upd := env.Outbox(t, testfactory.OutboxFilter{EntityID: &keep.ID, Type: events.ItemUpdated})
	require.Len(t, upd, 1)
}

func TestMerge_WithoutWriteAccessToOneItemIsForbiddenAndChangesNothing(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	a, b, hidden := env.NewCollection(t, u), env.NewCollection(t, other), env.NewCollection(t, other)
	env.AddMember(t, other, b.ID, u, collection.RoleViewer)
	keep := env.NewItem(t, u, a.ID, item.CreateParams{SourceURL: "https://x.example/", Tags: []string{"go"}})
	readOnly := env.NewItem(t, other, b.ID, item.CreateParams{SourceURL: "https://x.example/", Tags: []string{"theirs"}})
	unseen := env.NewItem(t, other, hidden.ID, item.CreateParams{SourceURL: "https://x.example/"})
	mineToo := env.NewItem(t, u, a.ID, item.CreateParams{SourceURL: "https://x.example/"})

	_, err := env.Items.Merge(context.Background(), u.ID, item.MergeParams{Keep: ref(keep), Others: []item.ItemVersion{ref(mineToo), ref(readOnly)}})
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = env.Items.Merge(context.Background(), u.ID, item.MergeParams{Keep: ref(keep), Others: []item.ItemVersion{ref(mineToo), ref(unseen)}})
	require.ErrorIs(t, err, atlas.ErrNotFound)
	// Keeping the read-only one is refused too.
	_, err = env.Items.Merge(context.Background(), u.ID, item.MergeParams{Keep: ref(readOnly), Others: []item.ItemVersion{ref(mineToo)}})
	require.ErrorIs(t, err, atlas.ErrForbidden)

	for _, it := range []item.Item{keep, readOnly, mineToo} {
		now, err := env.Items.GetForSystem(context.Background(), it.ID)
		require.NoError(t, err, "nothing was deleted")
		assert.Equal(t, it.Version, now.Version, "nothing was changed")
		assert.Len(t, env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID}), 1, "only ItemCreated")
	}
}

func TestMerge_RefusesAnItemEditedSinceItWasRead(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	keep := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://x.example/"})
	dup := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://x.example/"})
	ctx := context.Background()

	// Someone edits dup while the merge waits on its lock.
	tx, err := env.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT 1 FROM items WHERE id = $1 FOR UPDATE`, dup.ID)
	require.NoError(t, err)
	merged := make(chan error, 1)
	go func() {
		_, err := env.Items.Merge(ctx, u.ID, item.MergeParams{Keep: ref(keep), Others: []item.ItemVersion{ref(dup)}})
		merged <- err
	}()
	require.Eventually(t, func() bool {
		var waiting int
		err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting > 0
	}, 10*time.Second, 10*time.Millisecond, "the merge never waited for the edit")
	_, err = tx.Exec(ctx, `UPDATE items SET notes = 'edited meanwhile', version = version + 1 WHERE id = $1`, dup.ID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))

	select {
	case err := <-merged:
		require.ErrorIs(t, err, atlas.ErrConflict)
	case <-time.After(10 * time.Second):
		t.Fatal("the merge did not finish after the edit committed")
	}
	got, err := env.Items.Get(ctx, u.ID, dup.ID)
	require.NoError(t, err, "the edited item is not deleted")
	assert.Equal(t, "edited meanwhile", got.Notes, "the edit is not lost")

	// With the version read again, the merge goes through and keeps the edit's notes.
	kept, err := env.Items.Merge(ctx, u.ID, item.MergeParams{Keep: ref(keep), Others: []item.ItemVersion{ref(got)}})
	require.NoError(t, err)
	assert.Equal(t, "edited meanwhile", kept.Notes)
}

func TestMerge_RejectsBadRequests(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	a := env.NewItem(t, u, c.ID, item.CreateParams{})
	for name, p := range map[string]item.MergeParams{
		"no others":    {Keep: ref(a)},
		"keep in both": {Keep: ref(a), Others: []item.ItemVersion{ref(a)}},
		"no version":   {Keep: item.ItemVersion{ID: a.ID}, Others: []item.ItemVersion{{ID: a.ID}}},
	} {
		_, err := env.Items.Merge(context.Background(), u.ID, p)
		require.ErrorIs(t, err, atlas.ErrInvalid, name)
	}
}
