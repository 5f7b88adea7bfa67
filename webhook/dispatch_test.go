package webhook_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/webhook"
)

func TestDispatch_ItemCreatedReachesTheReceiverSigned(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL, "ItemCreated")
	other, _ := f.register(t, rc.URL+"/deletes", "ItemDeleted")
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	f.startPipeline(t)

	it := f.env.NewItem(t, f.owner, f.coll, item.CreateParams{Title: "Hello hooks"})
	m := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	reqs := rc.requests()
	require.Len(t, reqs, 1)
	require.NoError(t, reqs[0].Verified)
	var env events.Envelope
	require.NoError(t, json.Unmarshal(reqs[0].Body, &env), "the body is the event envelope")
	require.NoError(t, events.ValidateJSON(reqs[0].Body), "as Kafka carries it: schema-valid")
	assert.Equal(t, events.ItemCreated, env.Type)
	assert.Equal(t, it.ID, env.Entity.ID)
	assert.Equal(t, env.EventID.String(), reqs[0].ID)
	assert.Equal(t, env.EventID, m.EventID)
	assert.Empty(t, f.messages(t, other.ID), "an endpoint not subscribed to the type gets nothing")
}

func TestDispatch_ReplayedEventsAreNotDeliveredTwice(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 3)
	env, err := events.New(events.ItemCreated, &f.owner.ID,
		events.Entity{Type: events.EntityItem, ID: f.owner.ID, CollectionID: f.coll}, map[string]any{"title": "x"}, events.Meta{RequestID: "req-replay"})
	require.NoError(t, err)
	p := brokertest.NewProducer(t, brokers, topic)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, p.Publish(ctx, env))
	require.NoError(t, p.Publish(ctx, env)) // the same event again, as a replay publishes it

	group := "test-webhooks-replay-" + env.EventID.String()
	f.runDispatcher(t, brokers, topic, group)
	f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	f.runDispatcher(t, brokers, topic, group+"-again") // a second group reads the whole topic again
	require.Eventually(t, func() bool { return len(rc.requests()) >= 1 }, waitTimeout, 20*time.Millisecond)
	require.Never(t, func() bool { return len(rc.requests()) > 1 }, 2*time.Second, 50*time.Millisecond,
		"a replayed event is sent once")
	assert.Equal(t, 1, rc.uniqueIDs())
	assert.Len(t, f.messages(t, e.ID), 1)
}

func TestDispatch_OwnerDemotedToViewerGetsNoMoreEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	coOwner := f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.coll, coOwner, collection.RoleOwner)
	rc := newReceiver(t, nil)
	e, secret, err := f.svc.Create(context.Background(), coOwner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: rc.URL, EventTypes: []string{"ItemCreated"}})
	require.NoError(t, err)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	f.startPipeline(t)

	f.env.NewItem(t, f.owner, f.coll, item.CreateParams{Title: "Before"})
	require.Eventually(t, func() bool { return len(rc.requests()) == 1 }, waitTimeout, 20*time.Millisecond)
	f.demote(t, coOwner)
	f.env.NewItem(t, f.owner, f.coll, item.CreateParams{Title: "After"})

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 2)
		assert.Equal(c, webhook.StatusFailed, ms[0].Status, "the newest message")
		assert.Contains(c, ms[0].Reason, "no longer manage")
		assert.Empty(c, ms[0].Attempts, "nothing was sent")
	}, waitTimeout, 20*time.Millisecond)
	assert.Len(t, rc.requests(), 1)
}

// delivery is an event as the dispatcher's consumer hands it over.
func delivery(t *testing.T, typ events.Type, actor uuid.UUID, coll uuid.UUID) events.Delivery {
	t.Helper()
	env, err := events.New(typ, &actor, events.Entity{Type: events.EntityItem, ID: uuid.New(), CollectionID: coll},
		map[string]any{"title": "x"}, events.Meta{RequestID: "req-batch"})
	require.NoError(t, err)
	value, err := json.Marshal(env)
	require.NoError(t, err)
	return events.Delivery{Envelope: env, Value: value}
}

func TestDispatch_ABatchGoesToEachSubscribedEndpointOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := f.env.NewUser(t)
	svc := newService(f.env, f.guard, false, []string{admin.Email})
	other := f.env.NewCollection(t, f.owner).ID
	created, _ := f.register(t, "http://127.0.0.1:9/created", "ItemCreated")
	deleted, _ := f.register(t, "http://127.0.0.1:9/deleted", "ItemDeleted")
	elsewhere, _, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &other,
		URL: "http://127.0.0.1:9/other", EventTypes: []string{"ItemCreated"}})
	require.NoError(t, err)
	global, _, err := svc.Create(context.Background(), admin.ID, webhook.CreateParams{URL: "http://127.0.0.1:9/all",
		EventTypes: []string{"ItemCreated", "ItemDeleted"}})
	require.NoError(t, err)

	a := delivery(t, events.ItemCreated, f.owner.ID, f.coll)
	b := delivery(t, events.ItemDeleted, f.owner.ID, f.coll)
	c := delivery(t, events.ItemCreated, f.owner.ID, other)
	d := webhook.NewDispatcher(f.env.Pool, f.env.River)
	require.NoError(t, d.Handle(context.Background(), []events.Delivery{a, b, a, c})) // a twice: redelivered within the batch
	require.NoError(t, d.Handle(context.Background(), []events.Delivery{b, c}))       // and a replay of the others

	eventIDs := func(ms []webhook.Message) []uuid.UUID {
		out := make([]uuid.UUID, len(ms))
		for i, m := range ms {
			out[i] = m.EventID
		}
		return out
	}
	assert.Equal(t, []uuid.UUID{a.Envelope.EventID}, eventIDs(f.messages(t, created.ID)))
	assert.Equal(t, []uuid.UUID{b.Envelope.EventID}, eventIDs(f.messages(t, deleted.ID)))
	ms, _, err := f.svc.Messages(context.Background(), f.owner.ID, elsewhere.ID, pageAll)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{c.Envelope.EventID}, eventIDs(ms))
	ms, _, err = svc.Messages(context.Background(), admin.ID, global.ID, pageAll)
	require.NoError(t, err)
	assert.ElementsMatch(t, []uuid.UUID{a.Envelope.EventID, b.Envelope.EventID, c.Envelope.EventID}, eventIDs(ms))
	for _, m := range ms {
		assert.Equal(t, webhook.StatusPending, m.Status)
	}
	var jobs int
	require.NoError(t, f.env.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = $1`, webhook.KindDeliver).Scan(&jobs))
	assert.Equal(t, 6, jobs, "one delivery job per (event, endpoint)")
}
