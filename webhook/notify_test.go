package webhook_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/testfactory"
	"github.com/atlasapp/atlas/webhook"
)

// setupMail is setup with email on, sending to Mailpit; startWorker runs the
// SEND_EMAIL worker beside the deliveries.
func setupMail(t *testing.T) (fixture, testfactory.Mailpit) {
	t.Helper()
	mp := testfactory.NewMailpit(t)
	env := testfactory.New(t, testfactory.Opts{Configure: mp.Configure})
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	guard := loopbackAllowed(t)
	w, err := params.MailWorker(env.Config, env.Pool, nil)
	require.NoError(t, err)
	return fixture{env: env, owner: owner, coll: c.ID, guard: guard, svc: newService(env, guard, false, nil), mail: w.Register}, mp
}

func (f fixture) mailingDeliverParams() webhook.DeliverParams {
	p := f.deliverParams()
	p.Mail = mail.NewQueue(f.env.River)
	return p
}

func TestDisable_410EmailsTheOwner(t *testing.T) {
	t.Parallel()
	f, mp := setupMail(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	e, _ := f.register(t, rc.URL+"/gone")
	f.startWorker(t, f.mailingDeliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	f.waitForMessage(t, e.ID, webhook.StatusFailed)
	var got testfactory.ReceivedMail
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.Find(c, f.owner.Email, "Atlas disabled your webhook")
		require.Len(c, msgs, 1)
		got = msgs[0]
	}, waitTimeout, 50*time.Millisecond)
	assert.Contains(t, got.Subject, "127.0.0.1")
	text := got.Text
	assert.Contains(t, text, rc.URL+"/gone")
	assert.Contains(t, text, "410 Gone")
	assert.Contains(t, text, "http://atlas.test/collections/"+f.coll.String()+"/webhooks")
}

func TestDisable_FailingForADayEmailsTheOwnerOnce(t *testing.T) {
	t.Parallel()
	f, mp := setupMail(t)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	e, _ := f.register(t, rc.URL)
	var offset atomic.Int64
	p := f.mailingDeliverParams()
	p.NowFunc = func() time.Time { return time.Now().Add(time.Duration(offset.Add(int64(13 * time.Hour)))) }
	f.startWorker(t, p)
	for range 2 { // two messages fail; the endpoint is disabled once
		_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
		require.NoError(t, err)
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, e.ID)
		require.Len(c, ms, 2)
		for _, m := range ms {
			assert.Equal(c, webhook.StatusFailed, m.Status)
		}
	}, waitTimeout, 50*time.Millisecond)
	var got testfactory.ReceivedMail
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.Find(c, f.owner.Email, "Atlas disabled your webhook")
		require.Len(c, msgs, 1)
		got = msgs[0]
	}, waitTimeout, 50*time.Millisecond)
	assert.Contains(t, got.Text, "failing for more than a day")
	assert.Equal(t, 1, f.waitMailJobsDone(t), "one email per disabling")
	assert.Len(t, mp.Find(t, f.owner.Email, "Atlas disabled your webhook"), 1)
}

func TestDisable_NoEmailWhenTheOwnerTurnedNoticesOff(t *testing.T) {
	t.Parallel()
	f, mp := setupMail(t)
	_, err := f.env.Pool.Exec(context.Background(), `UPDATE users SET security_notices = false WHERE id = $1`, f.owner.ID)
	require.NoError(t, err)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	e, _ := f.register(t, rc.URL)
	f.startWorker(t, f.mailingDeliverParams())
	_, err = f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)

	f.waitForMessage(t, e.ID, webhook.StatusFailed)
	ep, err := f.svc.Get(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	require.False(t, ep.Enabled, "the dashboard still shows it disabled")
	require.Equal(t, 1, f.waitMailJobsDone(t), "the email job ran")
	assert.Empty(t, mp.Find(t, f.owner.Email, "Atlas disabled"), "and sent nothing")
}

// waitMailJobsDone waits until every SEND_EMAIL job of a disabled webhook
// has completed and returns how many there were.
func (f fixture) waitMailJobsDone(t *testing.T) int {
	t.Helper()
	var n int
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var open int
		err := f.env.Pool.QueryRow(context.Background(),
			`SELECT count(*), count(*) FILTER (WHERE state <> 'completed') FROM river_job WHERE kind = $1 AND args->>'template' = $2`,
			mail.Kind, mail.TemplateWebhookDisabled).Scan(&n, &open)
		require.NoError(c, err)
		assert.Positive(c, n)
		assert.Zero(c, open)
	}, waitTimeout, 50*time.Millisecond)
	return n
}
