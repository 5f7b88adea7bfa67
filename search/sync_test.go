package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
	"github.com/atlasapp/atlas/testfactory"
)

// syncSetup is the domain services with a syncer writing to an index of the test's own.
type syncSetup struct {
	env    *testfactory.Env
	index  *search.Index
	syncer *search.Syncer
	owner  testfactory.User
	coll   uuid.UUID
}

func setupSync(t *testing.T) syncSetup {
	t.Helper()
	env := testfactory.New(t)
	ix := searchtest.NewIndex(t, search.RefreshWaitFor)
	syncer, err := search.NewSyncer(search.SyncerParams{DB: env.Pool, Index: ix, PageSize: 7})
	require.NoError(t, err)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	return syncSetup{env: env, index: ix, syncer: syncer, owner: owner, coll: c.ID}
}

// indexed returns the documents the index holds for the collections, by id.
func (s syncSetup) indexed(t *testing.T, colls ...uuid.UUID) map[uuid.UUID]search.Document {
	t.Helper()
	if len(colls) == 0 {
		colls = []uuid.UUID{s.coll}
	}
	out := map[uuid.UUID]search.Document{}
	p := search.Params{CollectionIDs: colls, Limit: search.MaxLimit}
	for {
		res, err := s.index.Search(context.Background(), p)
		require.NoError(t, err)
		for _, h := range res.Hits {
			out[h.ID] = h.Document
		}
		if res.NextSearchAfter == nil {
			return out
		}
		p.SearchAfter = res.NextSearchAfter
	}
}

func (s syncSetup) get(t *testing.T, id uuid.UUID) item.Item {
	t.Helper()
	it, err := s.env.Items.Get(context.Background(), s.owner.ID, id)
	require.NoError(t, err)
	return it
}

func (s syncSetup) update(t *testing.T, id uuid.UUID, title string) item.Item {
	t.Helper()
	it, err := s.env.Items.Update(context.Background(), s.owner.ID, id, item.UpdateParams{Title: &title})
	require.NoError(t, err)
	return it
}

// outbox returns the envelopes the outbox stored for an entity, in commit order.
func (s syncSetup) outbox(t *testing.T, entityID uuid.UUID) []events.Envelope {
	t.Helper()
	out := testfactory.Envelopes(s.env.Outbox(t, testfactory.OutboxFilter{EntityID: &entityID}))
	require.NotEmpty(t, out, "no outbox event for %s", entityID)
	return out
}

func deliveries(envs ...events.Envelope) []broker.Delivery {
	out := make([]broker.Delivery, len(envs))
	for i, e := range envs {
		out[i] = broker.Delivery{Envelope: e}
	}
	return out
}

func TestSyncItem_IndexesCurrentStateAndRecordsIndexedVersion(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	ctx := context.Background()
	it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{Title: "Memory model", SourceURL: "https://go.dev/ref/mem",
		Notes: "happens before", Tags: []string{"Go", "concurrency"}})
	require.True(t, s.get(t, it.ID).IndexPending(), "a new item is pending until the index acknowledges it")

	require.NoError(t, s.syncer.SyncItem(ctx, it.ID))
	doc, ok := s.indexed(t)[it.ID]
	require.True(t, ok, "the item is indexed")
	assert.Equal(t, search.DocumentFromItem(s.get(t, it.ID)), doc, "the document is the item as Postgres has it")
	got := s.get(t, it.ID)
	assert.EqualValues(t, 1, got.IndexedVersion)
	assert.False(t, got.IndexPending())

	s.update(t, it.ID, "The Go memory model")
	require.True(t, s.get(t, it.ID).IndexPending(), "a change is pending until indexed")
	require.NoError(t, s.syncer.SyncItem(ctx, it.ID))
	doc = s.indexed(t)[it.ID]
	assert.Equal(t, "The Go memory model", doc.Title)
	assert.EqualValues(t, 2, doc.Version)
	assert.False(t, s.get(t, it.ID).IndexPending())

	require.NoError(t, s.syncer.SyncItem(ctx, it.ID), "syncing again is harmless")
	assert.EqualValues(t, 2, s.get(t, it.ID).IndexedVersion)
}

func TestSyncItem_GoneItemIsDeletedAboveTheStoredVersion(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	ctx := context.Background()
	it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{Title: "short lived"})
	s.update(t, it.ID, "short lived, changed")
	require.NoError(t, s.syncer.SyncItem(ctx, it.ID))
	stale := s.indexed(t)[it.ID]
	require.EqualValues(t, 2, stale.Version)

	require.NoError(t, s.env.Items.Delete(ctx, s.owner.ID, it.ID))
	require.NoError(t, s.syncer.SyncItem(ctx, it.ID), "no event version is known: the stored one is used")
	assert.NotContains(t, s.indexed(t), it.ID)

	// A writer that read the item before it was deleted comes late: the tombstone refuses it.
	require.NoError(t, s.index.Upsert(ctx, stale))
	assert.NotContains(t, s.indexed(t), it.ID, "a late write of the old version must not resurrect the item")

	require.NoError(t, s.syncer.SyncItem(ctx, uuid.New()), "an item unknown to Postgres and to the index is no error")
}

func TestSync_OneQueryForManyItems(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	var changes []search.Change
	for range 30 {
		it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{})
		changes = append(changes, search.Change{ItemID: it.ID}, search.Change{ItemID: it.ID})
	}
	res, err := s.syncer.Sync(context.Background(), changes)
	require.NoError(t, err)
	assert.Equal(t, 30, res.Upserted, "each item is written once per batch")
	assert.Len(t, s.indexed(t), 30)
}

func TestHandle_ReplayedAndReorderedEventsLeaveTheLatestState(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	ctx := context.Background()
	it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{Title: "v1"})
	s.update(t, it.ID, "v2")
	s.update(t, it.ID, "v3")
	evs := s.outbox(t, it.ID)
	require.Len(t, evs, 3)

	// Newest first, with duplicates, in one batch and then one by one.
	reordered := []events.Envelope{evs[2], evs[0], evs[1], evs[0], evs[2]}
	require.NoError(t, s.syncer.Handle(ctx, deliveries(reordered...)))
	assert.Equal(t, "v3", s.indexed(t)[it.ID].Title)
	for _, e := range slices.Backward(evs) {
		require.NoError(t, s.syncer.Handle(ctx, deliveries(e)))
		doc := s.indexed(t)[it.ID]
		assert.Equal(t, "v3", doc.Title, "replaying %s must not roll the item back", e.Type)
		assert.EqualValues(t, 3, doc.Version)
	}

	// Deleted: replays of older events afterwards change nothing.
	require.NoError(t, s.env.Items.Delete(ctx, s.owner.ID, it.ID))
	evs = s.outbox(t, it.ID)
	require.Equal(t, events.ItemDeleted, evs[len(evs)-1].Type)
	require.NoError(t, s.syncer.Handle(ctx, deliveries(evs[len(evs)-1])))
	assert.NotContains(t, s.indexed(t), it.ID)
	require.NoError(t, s.syncer.Handle(ctx, deliveries(evs[0], evs[1], evs[len(evs)-1], evs[2])))
	assert.NotContains(t, s.indexed(t), it.ID)
}

func TestHandle_CollectionDeletedRemovesItsDocumentsOnly(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	ctx := context.Background()
	other := s.env.NewCollection(t, s.owner)
	var ids []uuid.UUID
	for range 12 {
		ids = append(ids, s.env.NewItem(t, s.owner, s.coll, item.CreateParams{}).ID)
	}
	kept := s.env.NewItem(t, s.owner, other.ID, item.CreateParams{}).ID
	changes := []search.Change{{ItemID: kept}}
	for _, id := range ids {
		changes = append(changes, search.Change{ItemID: id})
	}
	_, err := s.syncer.Sync(ctx, changes)
	require.NoError(t, err)
	require.Len(t, s.indexed(t, s.coll, other.ID), 13)

	require.NoError(t, s.env.Collections.Delete(ctx, s.owner.ID, s.coll))
	evs := s.outbox(t, s.coll)
	require.Equal(t, events.CollectionDeleted, evs[len(evs)-1].Type)
	// Unrelated events in the same batch are ignored.
	require.NoError(t, s.syncer.Handle(ctx, deliveries(evs...)))
	left := s.indexed(t, s.coll, other.ID)
	assert.Len(t, left, 1)
	assert.Contains(t, left, kept)
}

func TestHandle_RecreatesAMissingIndex(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{Title: "after the index was dropped"})
	require.NoError(t, s.index.DeleteIndices(context.Background()))
	require.NoError(t, s.syncer.Handle(context.Background(), deliveries(s.outbox(t, it.ID)...)))
	assert.Contains(t, s.indexed(t), it.ID)
}

func TestSyncerRebuild_LoadsEveryItemAndSwapsTheAlias(t *testing.T) {
	t.Parallel()
	s := setupSync(t)
	other := s.env.NewCollection(t, s.owner)
	want := map[uuid.UUID]bool{}
	for i := range 23 { // several pages of 7
		c := s.coll
		if i%3 == 0 {
			c = other.ID
		}
		want[s.env.NewItem(t, s.owner, c, item.CreateParams{}).ID] = true
	}
	n, err := s.syncer.Rebuild(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 23, n)
	got := s.indexed(t, s.coll, other.ID)
	assert.Len(t, got, 23)
	for id := range want {
		assert.Contains(t, got, id)
	}
}
