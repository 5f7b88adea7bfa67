package item_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

func TestCreate_WhileTheCollectionIsBeingDeletedIsNotFound(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	ctx := context.Background()

	// The delete holds the collection row; the create passes its access
	// check (the membership is still visible) and waits on the foreign key.
	tx, err := env.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `DELETE FROM collections WHERE id = $1`, c.ID)
	require.NoError(t, err)

	created := make(chan error, 1)
	go func() {
		_, err := env.Items.Create(ctx, u.ID, c.ID, item.CreateParams{Title: "too late", Tags: []string{"x"}})
		created <- err
	}()
	require.Eventually(t, func() bool {
		var waiting int
		err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting > 0
	}, 10*time.Second, 10*time.Millisecond, "the create never waited for the delete")
	require.NoError(t, tx.Commit(ctx))

	select {
	case err := <-created:
		require.ErrorIs(t, err, atlas.ErrNotFound)
	case <-time.After(10 * time.Second):
		t.Fatal("the create did not finish after the delete committed")
	}
}

func TestUpdate_ANoOpChangeWritesAndEmitsNothing(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	ctx := context.Background()
	it := env.NewItem(t, u, c.ID, item.CreateParams{Title: "Go Memory Model", SourceURL: "https://go.dev/ref/mem", Tags: []string{"go", "concurrency"}})
	before := env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID})
	require.Len(t, before, 1, "ItemCreated is in the outbox")

	// The same values as they are stored once normalised: padded title, tags
	// in another order and case.
	title, tags, url := "  Go Memory Model ", []string{"Concurrency", " GO"}, "https://go.dev/ref/mem"
	got, err := env.Items.Update(ctx, u.ID, it.ID, item.UpdateParams{Title: &title, Tags: &tags, SourceURL: &url})
	require.NoError(t, err)
	require.Equal(t, it.Version, got.Version, "no version bump")
	require.Equal(t, it.UpdatedAt, got.UpdatedAt, "nothing was written")
	stored, err := env.Items.Get(ctx, u.ID, it.ID)
	require.NoError(t, err)
	require.Equal(t, it.Version, stored.Version)
	after := env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID})
	require.Len(t, after, 1, "no event for a change that changes nothing")

	// A real change does write and emit: the assertions above can fail.
	title = "The Go Memory Model"
	got, err = env.Items.Update(ctx, u.ID, it.ID, item.UpdateParams{Title: &title})
	require.NoError(t, err)
	require.Equal(t, it.Version+1, got.Version)
	after = env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID})
	require.Len(t, after, 2)
}
