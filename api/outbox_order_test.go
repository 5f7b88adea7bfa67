package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// TestOutbox_ConcurrentWritesOfOneEntityAreStoredInCommitOrder sends many
// concurrent updates to one item and to one collection. The outbox's seq
// order is the drain order, so it must be their commit order: the item's
// versions follow each other without a gap, and each change's "before" is
// the previous change's "after". It fails if an event's seq were taken
// before the row lock that serialises the writes.
func TestOutbox_ConcurrentWritesOfOneEntityAreStoredInCommitOrder(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	own := env.NewUser(t)
	c := env.NewCollection(t, own)
	it := env.NewItem(t, own, c.ID, item.CreateParams{Title: "t-start"})
	const clients, each = 8, 10
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				name := fmt.Sprintf("w%d-%d", w, i)
				resp, err := env.Send(http.MethodPatch, "/api/v1/items/"+it.ID.String(), own.Token, map[string]any{"title": name})
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				}
				resp, err = env.Send(http.MethodPatch, "/api/v1/collections/"+c.ID.String(), own.Token, map[string]any{"name": name})
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				}
			}
		}()
	}
	wg.Wait()

	itemEvents := testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID}))
	require.Len(t, itemEvents, 1+clients*each)
	assertChain(t, itemEvents, "title", "t-start")
	for i, e := range itemEvents {
		var data struct{ Version int }
		require.NoError(t, json.Unmarshal(e.Data, &data))
		require.Equal(t, i+1, data.Version, "item event %d (%s) out of commit order", i, e.Type)
	}
	collectionEvents := testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{EntityID: &c.ID}))
	var renames []events.Envelope
	for _, e := range collectionEvents {
		if e.Type == events.CollectionUpdated {
			renames = append(renames, e)
		}
	}
	require.Len(t, renames, clients*each)
	var first struct {
		Changes map[string]events.Change
	}
	require.NoError(t, json.Unmarshal(renames[0].Data, &first))
	assertChain(t, renames, "name", first.Changes["name"].Before.(string))
}

// assertChain checks that each event's change of field starts where the
// previous one ended, from start.
func assertChain(t *testing.T, envs []events.Envelope, field, start string) {
	t.Helper()
	last := start
	for i, e := range envs {
		var data struct {
			Changes map[string]events.Change
			Title   string
		}
		require.NoError(t, json.Unmarshal(e.Data, &data))
		if e.Type == events.ItemCreated {
			last = data.Title
			continue
		}
		ch, ok := data.Changes[field]
		require.True(t, ok, "event %d changes no %s", i, field)
		require.Equal(t, last, ch.Before, "event %d of %s (%s) does not follow the one before it", i, e.Entity.ID, e.Type)
		last = ch.After.(string)
	}
}
