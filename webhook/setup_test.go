package webhook_test

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/testfactory"
	"github.com/atlasapp/atlas/webhook"
)

const waitTimeout = 60 * time.Second

// loopbackAllowed is the allow list of the tests: their receivers listen on
// 127.0.0.1, which an operator would allow with ATLAS_FETCH_ALLOW=127.0.0.1.
func loopbackAllowed(t testing.TB) enrich.Guard {
	t.Helper()
	l, err := enrich.ParseAllowList([]string{"127.0.0.1"})
	require.NoError(t, err)
	return enrich.Guard{Allow: l}
}

// fixture is a database with an owner's collection and the webhook
// service, its guard allowing 127.0.0.1.
type fixture struct {
	env   *testfactory.Env
	owner testfactory.User
	coll  uuid.UUID
	svc   *webhook.Service
	guard enrich.Guard
	// mail registers the SEND_EMAIL worker beside the deliveries (setupMail):
	// a worker client works the default queue, so one without that worker
	// would take email jobs it cannot run and push them into River's backoff.
	mail func(*river.Workers) error
}

func setup(t *testing.T) fixture {
	t.Helper()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	guard := loopbackAllowed(t)
	return fixture{env: env, owner: owner, coll: c.ID, guard: guard, svc: newService(env, guard, false, nil)}
}

func newService(env *testfactory.Env, guard enrich.Guard, https bool, admins []string) *webhook.Service {
	return webhook.NewService(webhook.ServiceParams{Pool: env.Pool, Collections: env.Collections, River: env.River,
		Cursors: env.Cursors, Recorder: env.Recorder, Guard: guard, RequireHTTPS: https, AdminEmails: admins})
}

// deliverParams are fast test settings: 2 s attempts, millisecond retries.
func (f fixture) deliverParams() webhook.DeliverParams {
	return webhook.DeliverParams{Pool: f.env.Pool, Collections: f.env.Collections, Recorder: f.env.Recorder, Guard: f.guard,
		Timeout: 2 * time.Second, Retry: retry.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}}
}

// startWorker works the webhook queue with p (p.Workers workers, default
// 5) until the test ends.
func (f fixture) startWorker(t *testing.T, p webhook.DeliverParams) {
	t.Helper()
	register := webhook.Register(p, 0)
	if f.mail != nil {
		register = func(w *river.Workers) error {
			if err := webhook.Register(p, 0)(w); err != nil {
				return err
			}
			return f.mail(w)
		}
	}
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: f.env.Pool, Register: register,
		Queues: map[string]river.QueueConfig{webhook.Queue: {MaxWorkers: cmp.Or(p.Workers, 5)}}, PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, c.Stop(ctx))
	})
}

// startPipeline publishes the database's outbox to a fresh topic and runs
// a dispatcher consumer group on it until the test ends: the path events
// take in production.
func (f fixture) startPipeline(t *testing.T) (brokers, topic string) {
	t.Helper()
	brokers = brokertest.Brokers(t)
	topic = brokertest.UniqueTopic(t, brokers, 3)
	brokertest.StartDrainer(t, f.env.Pool, brokers, topic)
	f.runDispatcher(t, brokers, topic, "test-webhooks-"+uuid.NewString())
	return brokers, topic
}

// runDispatcher runs a dispatcher in consumer group group on topic until
// the test ends.
func (f fixture) runDispatcher(t *testing.T, brokers, topic, group string) {
	t.Helper()
	d := webhook.NewDispatcher(f.env.Pool, f.env.River)
	c, err := broker.NewConsumer(broker.ConsumerConfig{
		Brokers: brokers, GroupID: group, Topics: []string{topic}, DeadLetterTopic: brokertest.UniqueTopic(t, brokers, 1),
		BatchSize: 100, BatchWait: 20 * time.Millisecond, RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond,
		Properties: map[string]string{"heartbeat.interval.ms": "300", "auto.offset.reset": "earliest"},
		Logger:     slog.New(slog.DiscardHandler),
	}, d.Handle)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(waitTimeout):
			t.Errorf("dispatcher did not stop")
		}
	})
}

// register registers an endpoint of the fixture's collection for types.
func (f fixture) register(t *testing.T, url string, types ...string) (webhook.Endpoint, string) {
	t.Helper()
	if len(types) == 0 {
		types = []string{"ItemCreated"}
	}
	e, secret, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: url, EventTypes: types})
	require.NoError(t, err)
	return e, secret
}

// messages reads an endpoint's delivery log as its owner.
func (f fixture) messages(t testfactory.T, endpointID uuid.UUID) []webhook.Message {
	t.Helper()
	ms, _, err := f.svc.Messages(context.Background(), f.owner.ID, endpointID, pageAll)
	require.NoError(t, err)
	return ms
}

// waitForMessage waits until the endpoint's only message has status.
func (f fixture) waitForMessage(t *testing.T, endpointID uuid.UUID, status webhook.Status) webhook.Message {
	t.Helper()
	var out webhook.Message
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, endpointID)
		require.Len(c, ms, 1)
		assert.Equal(c, status, ms[0].Status)
		out = ms[0]
	}, waitTimeout, 20*time.Millisecond)
	return out
}

// request is what a receiver got.
type request struct {
	ID       string
	Body     []byte
	Verified error
}

// receiver is a real HTTP server on loopback that verifies every request's
// signature with the reference Standard Webhooks library.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	secret string
}

// newReceiver starts a receiver that answers request n (0-based) with
// respond; nil answers 204.
func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	if respond == nil {
		return newReceiverBody(t, nil)
	}
	return newReceiverBody(t, func(n int, w http.ResponseWriter, r *http.Request, _ []byte) { respond(n, w, r) })
}

// newReceiverBody is newReceiver whose respond also gets the body read.
func newReceiverBody(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		verified := assert.AnError
		if wh, err := standardwebhooks.NewWebhook(rc.secret); err == nil {
			verified = wh.Verify(body, r.Header)
		}
		rc.got = append(rc.got, request{ID: r.Header.Get("webhook-id"), Body: body, Verified: verified})
		rc.mu.Unlock()
		if respond == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		respond(n, w, r, body)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// setSecret is the secret the receiver verifies with.
func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

// requests returns what the receiver got so far.
func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.got...)
}

// uniqueIDs counts the distinct webhook-ids: what a receiver that
// deduplicates on webhook-id processes.
func (rc *receiver) uniqueIDs() int {
	seen := map[string]bool{}
	for _, r := range rc.requests() {
		seen[r.ID] = true
	}
	return len(seen)
}

// demote makes member a viewer of the fixture's collection.
func (f fixture) demote(t *testing.T, member testfactory.User) {
	t.Helper()
	_, err := f.env.Collections.ChangeRole(context.Background(), f.owner.ID, f.coll, member.ID, collection.RoleViewer)
	require.NoError(t, err)
}
