package item_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// bulkFixture is a team's collection with n items tagged "old", and a
// second collection the team's editor also edits.
type bulkFixture struct {
	env   *testfactory.Env
	team  testfactory.Team
	other uuid.UUID
	items []item.Item
}

func bulkSetup(t *testing.T, n int) bulkFixture {
	t.Helper()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	other := env.NewCollection(t, tm.Owner)
	env.AddMember(t, tm.Owner, other.ID, tm.Editor, collection.RoleEditor)
	f := bulkFixture{env: env, team: tm, other: other.ID}
	for i := range n {
		f.items = append(f.items, env.NewItem(t, tm.Owner, tm.Collection.ID, item.CreateParams{
			Title: fmt.Sprintf("Item %d", i), Tags: []string{"old"}}))
	}
	return f
}

func (f bulkFixture) ids() []uuid.UUID {
	out := make([]uuid.UUID, len(f.items))
	for i, it := range f.items {
		out[i] = it.ID
	}
	return out
}

// events counts the outbox events of type typ about the fixture's items
// (and, for copies, anything in the other collection).
func (f bulkFixture) events(t *testing.T, typ events.Type) int {
	t.Helper()
	n := 0
	for _, id := range f.ids() {
		n += len(f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &id, Type: typ}))
	}
	return n
}

// unchanged checks that every item is as the fixture created it.
func (f bulkFixture) unchanged(t *testing.T) {
	t.Helper()
	for _, want := range f.items {
		got, err := f.env.Items.Get(context.Background(), f.team.Owner.ID, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want.Version, got.Version, "item %s changed", want.ID)
		assert.Equal(t, want.CollectionID, got.CollectionID)
		assert.Equal(t, want.Tags, got.Tags)
	}
	assert.Zero(t, f.events(t, events.ItemUpdated)+f.events(t, events.ItemDeleted), "no event for a refused request")
}

func TestTagBulk_AddsAndRemovesWithOneEventPerChangedItem(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 3)
	ctx := context.Background()
	// The first item already carries "new": adding it changes nothing there
	// but removing "old" does.
	_, err := f.env.Items.Update(ctx, f.team.Owner.ID, f.items[0].ID, item.UpdateParams{Tags: &[]string{"new"}})
	require.NoError(t, err)

	res, err := f.env.Items.TagBulk(ctx, f.team.Editor.ID, append(f.ids(), f.items[1].ID), item.TagParams{Add: []string{"New"}, Remove: []string{"old"}})
	require.NoError(t, err)
	assert.Equal(t, f.ids()[1:], res.Changed, "the first item was already as asked; duplicates count once")
	for _, id := range f.ids() {
		got, err := f.env.Items.Get(ctx, f.team.Owner.ID, id)
		require.NoError(t, err)
		assert.Equal(t, []string{"new"}, got.Tags)
	}
	assert.Equal(t, 3, f.events(t, events.ItemUpdated), "one by Update, one per changed item")
}

func TestBulk_OverTheLimitChangesNothing(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 2)
	ids := f.ids()
	for len(ids) <= item.MaxBulkItems {
		ids = append(ids, uuid.New())
	}
	ctx := context.Background()
	_, err := f.env.Items.TagBulk(ctx, f.team.Owner.ID, ids, item.TagParams{Add: []string{"x"}})
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, err = f.env.Items.DeleteBulk(ctx, f.team.Owner.ID, ids)
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, err = f.env.Items.MoveBulk(ctx, f.team.Owner.ID, ids, f.other)
	require.ErrorIs(t, err, atlas.ErrInvalid)
	f.unchanged(t)
}

// TestBulk_AllOrNothing checks that an item that is gone, or one the caller
// may not change, stops the whole request before anything changes.
func TestBulk_AllOrNothing(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 3)
	ctx := context.Background()
	// An item in a collection where the editor is only a viewer.
	foreign := f.env.NewCollection(t, f.team.Owner)
	f.env.AddMember(t, f.team.Owner, foreign.ID, f.team.Editor, collection.RoleViewer)
	readOnly := f.env.NewItem(t, f.team.Owner, foreign.ID, item.CreateParams{Title: "read only"})
	gone := f.env.NewItem(t, f.team.Owner, f.team.Collection.ID, item.CreateParams{Title: "gone"})
	require.NoError(t, f.env.Items.Delete(ctx, f.team.Owner.ID, gone.ID))
	hidden := f.env.NewItem(t, f.team.Stranger, f.env.NewCollection(t, f.team.Stranger).ID, item.CreateParams{Title: "not yours"})

	cases := []struct {
		name  string
		extra uuid.UUID
		want  error
	}{
		{"an item that no longer exists", gone.ID, atlas.ErrNotFound},
		{"an item of a collection the caller is not in", hidden.ID, atlas.ErrNotFound},
		{"an item the caller may only read", readOnly.ID, atlas.ErrForbidden},
	}
	for _, tc := range cases {
		ids := append(f.ids(), tc.extra)
		_, err := f.env.Items.TagBulk(ctx, f.team.Editor.ID, ids, item.TagParams{Add: []string{"x"}})
		require.ErrorIs(t, err, tc.want, "tag: %s", tc.name)
		assert.Contains(t, err.Error(), tc.extra.String(), "the refusal names the item")
		_, err = f.env.Items.MoveBulk(ctx, f.team.Editor.ID, ids, f.other)
		require.ErrorIs(t, err, tc.want, "move: %s", tc.name)
		_, err = f.env.Items.CopyBulk(ctx, f.team.Editor.ID, ids, f.other)
		require.ErrorIs(t, err, tc.want, "copy: %s", tc.name)
		_, err = f.env.Items.DeleteBulk(ctx, f.team.Editor.ID, ids)
		require.ErrorIs(t, err, tc.want, "delete: %s", tc.name)
	}
	// A target the caller may not write to.
	_, err := f.env.Items.MoveBulk(ctx, f.team.Editor.ID, f.ids(), foreign.ID)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = f.env.Items.MoveBulk(ctx, f.team.Viewer.ID, f.ids(), f.team.Collection.ID)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	f.unchanged(t)
	assert.Empty(t, f.env.Outbox(t, testfactory.OutboxFilter{CollectionID: &f.other, Type: events.ItemCreated}), "no copy was made")
}

// TestMoveBulk_ConcurrentMovesEndWithEachItemInOnePlace moves the same items
// to two collections at once: row locks serialise the moves, so each item
// is moved once by each person (one event each, the second starting where
// the first ended) and ends in one collection.
func TestMoveBulk_ConcurrentMovesEndWithEachItemInOnePlace(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 40)
	ctx := context.Background()
	third := f.env.NewCollection(t, f.team.Owner)
	f.env.AddMember(t, f.team.Owner, third.ID, f.team.Editor, collection.RoleEditor)
	movers := []struct {
		who    testfactory.User
		target uuid.UUID
	}{{f.team.Owner, f.other}, {f.team.Editor, third.ID}}

	var wg sync.WaitGroup
	errs := make([]error, len(movers))
	start := make(chan struct{})
	for i, m := range movers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.env.Items.MoveBulk(ctx, m.who.ID, f.ids(), m.target)
		}()
	}
	close(start)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])

	var final uuid.UUID
	for i, id := range f.ids() {
		got, err := f.env.Items.Get(ctx, f.team.Owner.ID, id)
		require.NoError(t, err)
		if i == 0 {
			final = got.CollectionID
		}
		assert.Equal(t, final, got.CollectionID, "every item ends where the later move put it")
		assert.Equal(t, []string{"old"}, got.Tags, "tags follow the item")
		evs := f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &id, Type: events.ItemUpdated})
		require.Len(t, evs, 2, "one event per move")
		var first, second struct {
			Changes map[string]struct{ Before, After uuid.UUID }
			Version int64
		}
		require.NoError(t, json.Unmarshal(evs[0].Envelope.Data, &first))
		require.NoError(t, json.Unmarshal(evs[1].Envelope.Data, &second))
		assert.Equal(t, f.team.Collection.ID, first.Changes["collection_id"].Before)
		assert.Equal(t, first.Changes["collection_id"].After, second.Changes["collection_id"].Before, "the second move starts where the first ended")
		assert.Equal(t, final, second.Changes["collection_id"].After)
		assert.Equal(t, int64(3), second.Version)
	}
	assert.Contains(t, []uuid.UUID{f.other, third.ID}, final)
}

func TestCopyBulk_MakesNewItemsInTheTarget(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 2)
	ctx := context.Background()
	res, err := f.env.Items.CopyBulk(ctx, f.team.Editor.ID, f.ids(), f.other)
	require.NoError(t, err)
	require.Len(t, res.Changed, 2)
	for i, id := range res.Changed {
		got, err := f.env.Items.Get(ctx, f.team.Editor.ID, id)
		require.NoError(t, err)
		assert.Equal(t, f.other, got.CollectionID)
		assert.Equal(t, f.items[i].Title, got.Title)
		assert.Equal(t, []string{"old"}, got.Tags)
		assert.Len(t, f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &id, Type: events.ItemCreated}), 1)
	}
	f.unchanged(t)
}

func TestDeleteBulk_UndoRestoresTheItemsOnce(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 3)
	ctx := context.Background()
	res, err := f.env.Items.DeleteBulk(ctx, f.team.Editor.ID, f.ids())
	require.NoError(t, err)
	assert.Equal(t, f.ids(), res.Deleted)
	assert.Equal(t, 3, f.events(t, events.ItemDeleted), "one event per item")
	for _, id := range f.ids() {
		_, err := f.env.Items.Get(ctx, f.team.Owner.ID, id)
		require.ErrorIs(t, err, atlas.ErrNotFound)
	}

	_, err = f.env.Items.RestoreBulk(ctx, f.team.Viewer.ID, res.UndoToken)
	require.ErrorIs(t, err, atlas.ErrForbidden, "a viewer cannot undo")
	_, err = f.env.Items.RestoreBulk(ctx, f.team.Stranger.ID, res.UndoToken)
	require.ErrorIs(t, err, atlas.ErrNotFound)

	restored, err := f.env.Items.RestoreBulk(ctx, f.team.Editor.ID, res.UndoToken)
	require.NoError(t, err)
	assert.ElementsMatch(t, f.ids(), restored.Changed)
	for _, want := range f.items {
		got, err := f.env.Items.Get(ctx, f.team.Owner.ID, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want.Title, got.Title)
		assert.Equal(t, want.Tags, got.Tags)
		assert.Equal(t, want.Version+2, got.Version, "deleting took a version, restoring another")
	}
	assert.Equal(t, 6, f.events(t, events.ItemCreated), "created, then restored")

	_, err = f.env.Items.RestoreBulk(ctx, f.team.Editor.ID, res.UndoToken)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a token is used once")
}

func TestRestoreBulk_AfterTheUndoWindowIsNotFound(t *testing.T) {
	t.Parallel()
	f := bulkSetup(t, 1)
	ctx := context.Background()
	res, err := f.env.Items.DeleteBulk(ctx, f.team.Owner.ID, f.ids())
	require.NoError(t, err)
	_, err = f.env.Pool.Exec(ctx, `UPDATE item_trash SET deleted_at = deleted_at - interval '11 minutes' WHERE undo_token = $1`, res.UndoToken)
	require.NoError(t, err)
	_, err = f.env.Items.RestoreBulk(ctx, f.team.Owner.ID, res.UndoToken)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = f.env.Items.Get(ctx, f.team.Owner.ID, f.items[0].ID)
	require.ErrorIs(t, err, atlas.ErrNotFound, "still deleted")
}
