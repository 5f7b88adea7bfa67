package item_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/item"
)

func TestCreate_WhileTheCollectionIsBeingDeletedIsNotFound(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
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
		_, err := env.App.Items.Create(ctx, u.ID, c.ID, item.CreateParams{Title: "too late", Tags: []string{"x"}})
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
