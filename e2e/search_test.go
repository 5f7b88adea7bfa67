package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
)

// searchPipeline is an API searching an index of the test's own, whose
// drainer publishes to a topic the indexer consumes.
type searchPipeline struct {
	*pipeline
	index   *search.Index
	handled handled
}

func newSearchPipeline(t *testing.T, refresh search.Refresh) *searchPipeline {
	t.Helper()
	ix := searchtest.NewIndex(t, refresh)
	e := &searchPipeline{pipeline: newPipeline(t, apitest.New(t).WithSearch(t, ix), true), index: ix}
	syncer, err := search.NewSyncer(search.SyncerParams{DB: e.Pool, Index: ix})
	require.NoError(t, err)
	c, err := broker.NewEventsConsumer(e.consumerConfig(t, "atlas-indexer-test"), search.GroupID, syncer.Handle, e.handled.wrap)
	require.NoError(t, err)
	run(t, c)
	return e
}

func TestSearch_CreateUpdateDeleteFlowThroughKafkaIntoTheIndex(t *testing.T) {
	t.Parallel()
	// The production refresh policy: writes become visible with the next periodic refresh.
	e := newSearchPipeline(t, search.RefreshNone)
	u := e.NewUser(t)
	c := e.NewCollection(t, u)
	const within = 20 * time.Second

	resp := e.Do(t, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/items", u.Token,
		map[string]any{"title": "Raft consensus explained", "tags": []string{"Distributed"}, "notes": "leader election"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	created := resp.Map(t)
	assert.Equal(t, "pending", created["index_status"], "a new item is pending until the indexer has written it")
	id := created["id"].(string)

	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Len(collect, searchAPI(collect, e.Env, u.Token, "q", "raft").Items, 1)
	}, within, 50*time.Millisecond, "the new item is searchable")
	hit := searchAPI(t, e.Env, u.Token, "q", "raft").Items[0]
	assert.Equal(t, id, hit.ID.String())
	assert.Equal(t, []string{"distributed"}, hit.Tags)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Equal(collect, "indexed", e.Do(collect, http.MethodGet, "/api/v1/items/"+id, u.Token, nil).Map(collect)["index_status"])
	}, within, 50*time.Millisecond, "the item reports index_status indexed")

	resp = e.Do(t, http.MethodPatch, "/api/v1/items/"+id, u.Token, map[string]any{"title": "Paxos made simple"})
	require.Equal(t, http.StatusOK, resp.Status)
	assert.Equal(t, "pending", resp.Map(t)["index_status"], "a change is pending until indexed")
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Len(collect, searchAPI(collect, e.Env, u.Token, "q", "paxos").Items, 1)
		assert.Empty(collect, searchAPI(collect, e.Env, u.Token, "q", "raft").Items)
	}, within, 50*time.Millisecond, "the new title is searchable and the old one is not")
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		list := e.Do(collect, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/items", u.Token, nil).Map(collect)
		items, _ := list["items"].([]any)
		if assert.Len(collect, items, 1) {
			assert.Equal(collect, "indexed", items[0].(map[string]any)["index_status"])
		}
	}, within, 50*time.Millisecond, "the list shows the item indexed")

	require.Equal(t, http.StatusNoContent, e.Do(t, http.MethodDelete, "/api/v1/items/"+id, u.Token, nil).Status)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Empty(collect, searchAPI(collect, e.Env, u.Token, "q", "paxos").Items)
	}, within, 50*time.Millisecond, "the deleted item is gone from search")

	// Deleting a collection removes its documents from the index (not only from results).
	c2 := e.NewCollection(t, u)
	for i := range 3 {
		e.NewItem(t, u, c2.ID, item.CreateParams{Title: fmt.Sprintf("doomed %d", i)})
	}
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.EqualValues(collect, 3, searchAPI(collect, e.Env, u.Token, "collection_id", c2.ID.String()).Total.Value)
	}, within, 50*time.Millisecond, "the second collection's items are searchable")
	require.Equal(t, http.StatusNoContent, e.Do(t, http.MethodDelete, "/api/v1/collections/"+c2.ID.String(), u.Token, nil).Status)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		res, err := e.index.Search(context.Background(), search.Params{CollectionIDs: []uuid.UUID{c2.ID}})
		require.NoError(collect, err)
		assert.Zero(collect, res.Total)
	}, within, 50*time.Millisecond, "the deleted collection's documents are removed from the index")
}

func TestSearch_ReplayedAndReorderedKafkaEventsLeaveTheLatestState(t *testing.T) {
	t.Parallel()
	e := newSearchPipeline(t, search.RefreshNone)
	u := e.NewUser(t)
	c := e.NewCollection(t, u)
	ctx := context.Background()

	live := e.NewItem(t, u, c.ID, item.CreateParams{Title: "first title"})
	for _, title := range []string{"second title", "final title"} {
		_, err := e.App.Items.Update(ctx, u.ID, live.ID, item.UpdateParams{Title: &title})
		require.NoError(t, err)
	}
	gone := e.NewItem(t, u, c.ID, item.CreateParams{Title: "removed later"})
	require.NoError(t, e.App.Items.Delete(ctx, u.ID, gone.ID))
	// The events as the worker published them (the drainer empties the outbox meanwhile).
	published := func(id uuid.UUID, n int) []events.Envelope {
		recs := e.reader.WaitForN(t, eventWait, n, brokertest.EntityID(id))
		require.Len(t, recs, n, "events of %s", id)
		envs := make([]events.Envelope, n)
		for i, r := range recs {
			envs[i] = r.Envelope
		}
		return envs
	}
	liveEvents, goneEvents := published(live.ID, 3), published(gone.ID, 2)
	waitHandled := func(evs []events.Envelope) {
		require.EventuallyWithT(t, func(collect *assert.CollectT) {
			for _, ev := range evs {
				assert.True(collect, e.handled.has(ev.EventID), "event %s", ev.EventID)
			}
		}, 20*time.Second, 50*time.Millisecond, "the indexer handled every event")
	}
	waitHandled(append(slices.Clone(liveEvents), goneEvents...))
	state := func() map[uuid.UUID]search.Document {
		require.NoError(t, e.index.Refresh(ctx))
		res, err := e.index.Search(ctx, search.Params{CollectionIDs: []uuid.UUID{c.ID}})
		require.NoError(t, err)
		out := map[uuid.UUID]search.Document{}
		for _, h := range res.Hits {
			out[h.ID] = h.Document
		}
		return out
	}
	before := state()
	require.Len(t, before, 1)
	require.Equal(t, "final title", before[live.ID].Title)

	// Replay every event again, newest first, twice, through Kafka, as a redelivery would.
	producer, err := broker.NewProducer(broker.ProducerConfig{Brokers: e.brokers, Topic: e.topic})
	require.NoError(t, err)
	defer producer.Close()
	var replayed []events.Envelope
	for range 2 {
		for _, ev := range slices.Backward(append(slices.Clone(liveEvents), goneEvents...)) {
			ev.EventID = uuid.Must(uuid.NewV7()) // a distinct record, so the test can wait for it
			require.NoError(t, producer.Publish(ctx, ev))
			replayed = append(replayed, ev)
		}
	}
	waitHandled(replayed)
	after := state()
	assert.Len(t, after, 1, "the deleted item stays deleted")
	assert.Equal(t, "final title", after[live.ID].Title, "the item is not rolled back")
	assert.EqualValues(t, 3, after[live.ID].Version)
}
