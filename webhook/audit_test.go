package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
	"github.com/atlasapp/atlas/webhook"
)

// webhookEvent is the data of an endpoint's event.
type webhookEvent struct {
	WebhookID uuid.UUID `json:"webhook_id"`
	Host      string    `json:"host"`
	Changes   []string  `json:"changes"`
	Reason    string    `json:"reason"`
}

// recorded returns the collection's one event of type t, and its data.
func (f fixture) recorded(t *testing.T, typ events.Type) (testfactory.OutboxEvent, webhookEvent) {
	t.Helper()
	evs := f.env.Outbox(t, testfactory.OutboxFilter{CollectionID: &f.coll, Type: typ})
	require.Len(t, evs, 1, "%s", typ)
	var data webhookEvent
	require.NoError(t, json.Unmarshal(evs[0].Envelope.Data, &data))
	return evs[0], data
}

func TestEndpointChanges_RecordTheirEventsWithoutSecretsOrTheURLsPath(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL+"/hooks/s3cr3t-path-token?key=s3cr3t-query")
	desc, ordered := "chat notifications", true
	_, err := f.svc.Update(ctx, f.owner.ID, e.ID, webhook.UpdateParams{Description: &desc, Ordered: &ordered})
	require.NoError(t, err)
	_, rotated, err := f.svc.RotateSecret(ctx, f.owner.ID, e.ID, 0)
	require.NoError(t, err)
	require.NoError(t, f.svc.Delete(ctx, f.owner.ID, e.ID))

	host := must(url.Parse(rc.URL)).Host
	for _, typ := range []events.Type{events.WebhookCreated, events.WebhookUpdated, events.WebhookSecretRotated, events.WebhookDeleted} {
		ev, data := f.recorded(t, typ)
		assert.Equal(t, events.EntityCollection, ev.Envelope.Entity.Type, "%s", typ)
		assert.Equal(t, f.owner.ID, *ev.Envelope.ActorUserID, "%s", typ)
		assert.Equal(t, e.ID, data.WebhookID, "%s", typ)
		assert.Equal(t, host, data.Host, "%s", typ)
		for _, never := range []string{secret, rotated, "s3cr3t-path-token", "s3cr3t-query"} {
			assert.NotContains(t, ev.Raw, never, "%s carries no secret and no part of the URL but its host", typ)
		}
	}
	_, data := f.recorded(t, events.WebhookUpdated)
	assert.Equal(t, []string{"description", "ordered"}, data.Changes)
}

func TestEndpointDisabledByAtlas_RecordsWebhookDisabledWithoutAnActor(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	e, _ := f.register(t, rc.URL)
	f.startWorker(t, f.deliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	f.waitForMessage(t, e.ID, webhook.StatusFailed)

	ev, data := f.recorded(t, events.WebhookDisabled)
	assert.Nil(t, ev.Envelope.ActorUserID, "Atlas did it")
	assert.Equal(t, e.ID, data.WebhookID)
	assert.Contains(t, data.Reason, "410 Gone")
}

func TestEventTypes_NeverOfferTheEndpointsOwnEvents(t *testing.T) {
	t.Parallel()
	for _, typ := range []events.Type{events.WebhookCreated, events.WebhookUpdated, events.WebhookSecretRotated, events.WebhookDisabled, events.WebhookDeleted} {
		assert.NotContains(t, webhook.EventTypes(), typ)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
