package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/webhook"
)

// holdFirst is a receiver handler that answers 503 to the item's
// ItemCreated until it was refused failures times, 204 to everything
// else, and records the order in which events were accepted.
type holdFirst struct {
	mu       sync.Mutex
	failures int
	refused  int
	accepted []events.Type
	// before counts the events accepted before ItemCreated.
	before int
}

func (h *holdFirst) respond(_ int, w http.ResponseWriter, r *http.Request, body []byte) {
	var env events.Envelope
	_ = json.Unmarshal(body, &env)
	h.mu.Lock()
	defer h.mu.Unlock()
	if env.Type == events.ItemCreated && h.refused < h.failures {
		h.refused++
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	if env.Type != events.ItemCreated && !containsType(h.accepted, events.ItemCreated) {
		h.before++
	}
	h.accepted = append(h.accepted, env.Type)
	w.WriteHeader(http.StatusNoContent)
}

func (h *holdFirst) order() ([]events.Type, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]events.Type(nil), h.accepted...), h.before
}

func containsType(ts []events.Type, t events.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// orderedRun registers an endpoint (ordered or not) for an item's events at
// a receiver that refuses the item's ItemCreated twice, creates the item
// and changes it twice, and returns the order the receiver accepted the
// three events in, and how many it accepted before ItemCreated.
func orderedRun(t *testing.T, ordered bool) ([]events.Type, int, fixture, uuid.UUID) {
	t.Helper()
	f := setup(t)
	h := &holdFirst{failures: 2}
	rc := newReceiverBody(t, h.respond)
	e, secret, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: rc.URL,
		EventTypes: []string{"ItemCreated", "ItemUpdated"}, Ordered: ordered})
	require.NoError(t, err)
	require.Equal(t, ordered, e.Ordered)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	f.startPipeline(t)

	it := f.env.NewItem(t, f.owner, f.coll, item.CreateParams{Title: "First"})
	for _, title := range []string{"Second", "Third"} {
		_, err := f.env.Items.Update(context.Background(), f.owner.ID, it.ID, item.UpdateParams{Title: &title})
		require.NoError(t, err)
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 3)
		for _, m := range ms {
			assert.Equal(c, webhook.StatusDelivered, m.Status)
		}
	}, waitTimeout, 50*time.Millisecond)
	for _, r := range rc.requests() {
		require.NoError(t, r.Verified)
	}
	accepted, before := h.order()
	return accepted, before, f, e.ID
}

func TestOrdered_ALaterEventWaitsWhileAnEarlierOneIsRetried(t *testing.T) {
	t.Parallel()
	accepted, before, f, endpointID := orderedRun(t, true)
	assert.Equal(t, []events.Type{events.ItemCreated, events.ItemUpdated, events.ItemUpdated}, accepted,
		"the receiver got the item's events in the order they happened")
	assert.Zero(t, before)
	ms := f.messages(t, endpointID)
	created := ms[len(ms)-1] // newest first
	require.Equal(t, events.ItemCreated, created.EventType)
	assert.Len(t, created.Attempts, 3, "two refusals, then delivered")
	for _, m := range ms[:2] {
		require.Len(t, m.Attempts, 1, "a waiting event is not attempted before its turn")
		assert.True(t, m.Attempts[0].At.After(created.Attempts[2].At) || m.Attempts[0].At.Equal(created.Attempts[2].At),
			"sent after the earlier event was delivered")
	}
}

func TestUnordered_LaterEventsDoNotWaitForARetriedOne(t *testing.T) {
	t.Parallel()
	accepted, before, _, _ := orderedRun(t, false)
	assert.Len(t, accepted, 3)
	assert.Equal(t, 2, before, "without the option, both changes went out while the creation was retried")
}

func TestOrdered_TurningItOffReleasesWaitingEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var mu sync.Mutex
	refuse := true
	rc := newReceiverBody(t, func(_ int, w http.ResponseWriter, _ *http.Request, body []byte) {
		var env events.Envelope
		_ = json.Unmarshal(body, &env)
		mu.Lock()
		defer mu.Unlock()
		if env.Type == events.ItemCreated && refuse {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	e, _, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: rc.URL,
		EventTypes: []string{"ItemCreated", "ItemUpdated"}, Ordered: true})
	require.NoError(t, err)
	p := f.deliverParams()
	p.Retry.Base, p.Retry.Max = time.Hour, time.Hour // the creation's second attempt is far away
	f.startWorker(t, p)
	f.startPipeline(t)
	it := f.env.NewItem(t, f.owner, f.coll, item.CreateParams{Title: "First"})
	title := "Second"
	_, err = f.env.Items.Update(context.Background(), f.owner.ID, it.ID, item.UpdateParams{Title: &title})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 2)
		assert.Equal(c, webhook.StatusPending, ms[0].Status)
		assert.Contains(c, ms[0].Reason, "waiting for an earlier event")
		assert.Len(c, ms[1].Attempts, 1, "the creation failed once")
	}, waitTimeout, 50*time.Millisecond)

	off := false
	_, err = f.svc.Update(context.Background(), f.owner.ID, e.ID, webhook.UpdateParams{Ordered: &off})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 2)
		assert.Equal(c, webhook.StatusDelivered, ms[0].Status, "the change went out without waiting any longer")
		assert.Equal(c, webhook.StatusPending, ms[1].Status, "the creation waits for its retry")
	}, waitTimeout, 50*time.Millisecond)
}
