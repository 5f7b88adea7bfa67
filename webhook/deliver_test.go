package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/webhook"
)

var pageAll = cursor.Page{Limit: 100}

func TestSendTest_SignedWithTheSecretShownOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL+"/hook")
	require.Regexp(t, `^whsec_[A-Za-z0-9+/]+=*$`, secret)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())

	m, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	got := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	reqs := rc.requests()
	require.Len(t, reqs, 1)
	require.NoError(t, reqs[0].Verified, "the reference library verifies the signature")
	assert.Equal(t, m.EventID.String(), reqs[0].ID, "webhook-id is the event id")
	var env map[string]any
	require.NoError(t, json.Unmarshal(reqs[0].Body, &env))
	assert.Equal(t, "WebhookTest", env["type"])
	assert.Equal(t, m.EventID.String(), env["event_id"])
	require.Len(t, got.Attempts, 1)
	assert.Equal(t, webhook.OutcomeDelivered, got.Attempts[0].Outcome)
	assert.Equal(t, 204, *got.Attempts[0].StatusCode)
}

func TestDeliver_500ThenSuccessRetries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 2 {
			http.Error(w, "database down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	require.Len(t, m.Attempts, 3)
	assert.Equal(t, webhook.OutcomeFailed, m.Attempts[0].Outcome)
	assert.Equal(t, 500, *m.Attempts[0].StatusCode)
	assert.Equal(t, "database down\n", m.Attempts[0].ResponseExcerpt)
	assert.Equal(t, webhook.OutcomeDelivered, m.Attempts[2].Outcome)
	assert.Equal(t, 1, rc.uniqueIDs(), "every attempt carries the same webhook-id")
	ep, err := f.svc.Get(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	assert.Nil(t, ep.FailingSince, "a success ends the failing streak")
}

func TestDeliver_ReceiverTimeoutIsAFailedAttempt(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var calls atomic.Int32
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if n == 0 {
			select { // slower than the attempt's timeout
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	p := f.deliverParams()
	p.Timeout = time.Second
	f.startWorker(t, p)
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	require.Len(t, m.Attempts, 2)
	assert.Equal(t, webhook.OutcomeFailed, m.Attempts[0].Outcome)
	assert.Nil(t, m.Attempts[0].StatusCode)
	assert.Contains(t, m.Attempts[0].Error, "Timeout")
	assert.Less(t, m.Attempts[0].Latency, 5*time.Second)
}

func TestDeliver_410DisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusFailed)
	require.Len(t, m.Attempts, 1, "410 is not retried")
	assert.Equal(t, webhook.OutcomeGone, m.Attempts[0].Outcome)
	ep, err := f.svc.Get(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	assert.False(t, ep.Enabled)
	assert.Contains(t, ep.DisabledReason, "410")
}

func TestDeliver_RedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var reached atomic.Int32
	private := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(private.Close)
	targets := []string{"http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/", private.URL}
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, targets[n%len(targets)], http.StatusFound)
	})
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	p := f.deliverParams()
	f.startWorker(t, p)
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 1)
		require.GreaterOrEqual(c, len(ms[0].Attempts), 3)
		for _, a := range ms[0].Attempts {
			assert.Equal(c, webhook.OutcomeFailed, a.Outcome)
			assert.Equal(c, http.StatusFound, *a.StatusCode)
			assert.Contains(c, a.Error, "redirects are not followed")
		}
	}, waitTimeout, 20*time.Millisecond)
	assert.Zero(t, reached.Load(), "the redirect target was never requested")
}

func TestDeliver_HugeAnswerIsCapped(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte("x"), 10<<20))
	})
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	require.Len(t, m.Attempts, 1)
	assert.Len(t, m.Attempts[0].ResponseExcerpt, webhook.ExcerptBytes)
}

func TestDeliver_PrivateTargetRefusedWithoutTheAllowList(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, _ := f.register(t, rc.URL) // registered while the operator allowed 127.0.0.1
	p := f.deliverParams()
	p.Guard = enrich.Guard{} // ... then removed it from ATLAS_FETCH_ALLOW
	f.startWorker(t, p)
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 1)
		require.NotEmpty(c, ms[0].Attempts)
		assert.Equal(c, webhook.OutcomeRefused, ms[0].Attempts[0].Outcome)
		assert.Contains(c, ms[0].Attempts[0].Error, "ATLAS_FETCH_ALLOW")
	}, waitTimeout, 20*time.Millisecond)
	assert.Empty(t, rc.requests(), "nothing reached the private address")
}

func TestDeliver_FailingForADayDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	e, _ := f.register(t, rc.URL)
	var offset atomic.Int64 // the worker's clock runs ahead by this much after each attempt
	p := f.deliverParams()
	p.NowFunc = func() time.Time { return time.Now().Add(time.Duration(offset.Add(int64(13 * time.Hour)))) }
	f.startWorker(t, p)
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusFailed)
	assert.Len(t, m.Attempts, 3, "13 h, 26 h, 39 h: the third failure is more than a day after the first")
	assert.Contains(t, m.Reason, "failed for a day")
	ep, err := f.svc.Get(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	assert.False(t, ep.Enabled)
	assert.Contains(t, ep.DisabledReason, "more than a day")
}

func TestDeliver_500ForAnHourKeepsRetryingAndTheEndpointStaysEnabled(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	var offset atomic.Int64 // the worker's clock runs 30 min ahead more after each attempt
	p := f.deliverParams()
	p.NowFunc = func() time.Time { return time.Now().Add(time.Duration(offset.Add(int64(30 * time.Minute)))) }
	f.startWorker(t, p)
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	m := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	require.Len(t, m.Attempts, 4, "500 at 30, 60 and 90 minutes, delivered at two hours")
	assert.Equal(t, time.Hour, m.Attempts[2].At.Sub(m.Attempts[0].At).Round(time.Minute), "the receiver failed for an hour")
	for _, a := range m.Attempts[:3] {
		assert.Equal(t, webhook.OutcomeFailed, a.Outcome)
		assert.Equal(t, http.StatusInternalServerError, *a.StatusCode)
	}
	ep, err := f.svc.Get(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	assert.True(t, ep.Enabled, "an hour of failures does not disable an endpoint")
	assert.Nil(t, ep.FailingSince, "the success ends the failing streak")
	for _, r := range rc.requests() { // (signed in the worker's future: not verifiable against the wall clock)
		assert.Equal(t, m.EventID.String(), r.ID, "every retry carries the same webhook-id")
	}
}
