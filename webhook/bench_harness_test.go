package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/testfactory"
	"github.com/atlasapp/atlas/webhook"
)

// The webhook benchmarks run the whole way an event takes in production,
// in one process: item.Service writes (the item and its outbox row in one
// transaction) on the API's pool; on a pool of its own, as `atlas worker`
// has, the outbox drainer publishes to a fresh Kafka topic, the dispatcher
// consumes it as consumer group with the production consumer settings and
// enqueues the deliveries, and River's webhook queue (webhook.Workers
// workers, production poll settings) posts them to real HTTP receivers on
// loopback, which verify every signature with the reference Standard
// Webhooks library. Settings come from the same config and app/params as
// the processes', with ATLAS_FETCH_ALLOW=127.0.0.1 so that loopback
// receivers are allowed.

// benchEnvInt reads a scale knob: a positive integer from the environment,
// or def.
func benchEnvInt(b *testing.B, name string, def int) int {
	b.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	require.NoError(b, err, name)
	require.Positive(b, n, name)
	return n
}

// receiverMode is how a bench receiver answers.
type receiverMode int32

const (
	answer204 receiverMode = iota
	answer500
	hangUntilTimeout
)

// benchReceiver is a real HTTP server on loopback that verifies each
// request's signature and records, per item, when its first request
// arrived.
type benchReceiver struct {
	*httptest.Server
	mode     atomic.Int32
	hook     *standardwebhooks.Webhook
	release  chan struct{}
	mu       sync.Mutex
	arrived  map[uuid.UUID]time.Time
	bad      int // requests whose signature or body did not check
	requests int
}

func newBenchReceiver(b *testing.B, release chan struct{}) *benchReceiver {
	b.Helper()
	rc := &benchReceiver{release: release, arrived: map[uuid.UUID]time.Time{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	b.Cleanup(rc.Close)
	return rc
}

func (rc *benchReceiver) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(r.Body)
	var env events.Envelope
	ok := rc.hook.Verify(body, r.Header) == nil && json.Unmarshal(body, &env) == nil
	rc.mu.Lock()
	rc.requests++
	switch {
	case !ok:
		rc.bad++
	case rc.arrived[env.Entity.ID].IsZero():
		rc.arrived[env.Entity.ID] = now
	}
	rc.mu.Unlock()
	switch receiverMode(rc.mode.Load()) {
	case answer500:
		w.WriteHeader(http.StatusInternalServerError)
	case hangUntilTimeout:
		select { // until Atlas gives up (its timeout) or the benchmark ends
		case <-r.Context().Done():
		case <-rc.release:
		}
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// arrival is when the first request about itemID arrived.
func (rc *benchReceiver) arrival(itemID uuid.UUID) (time.Time, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	at, ok := rc.arrived[itemID]
	return at, ok
}

// badRequests counts the requests that failed verification.
func (rc *benchReceiver) badRequests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bad
}

// benchPipeline is a database, the owner of its collections and the
// worker side of the pipeline on it.
type benchPipeline struct {
	env     *testfactory.Env
	owner   testfactory.User
	release chan struct{}
	// handled stamps when the dispatcher got each item's event: the
	// write → Kafka → consumer part of the latency, the baseline.
	handledMu sync.Mutex
	handled   map[uuid.UUID]time.Time
}

func newBenchPipeline(b *testing.B) *benchPipeline {
	b.Helper()
	env := testfactory.New(b, testfactory.Opts{Configure: func(c *config.Config) { c.FetchAllow = []string{"127.0.0.1"} }})
	p := &benchPipeline{env: env, owner: env.NewUser(b), release: make(chan struct{}), handled: map[uuid.UUID]time.Time{}}
	// Registered first, so it runs last: hanging receivers return before
	// the worker and the servers stop.
	b.Cleanup(func() { close(p.release) })
	return p
}

// receiver starts a receiver for an endpoint registered on collection
// coll, subscribed to ItemCreated.
func (p *benchPipeline) receiver(b *testing.B, coll uuid.UUID) *benchReceiver {
	b.Helper()
	rc := newBenchReceiver(b, p.release)
	_, secret, err := p.env.Webhooks.Create(context.Background(), p.owner.ID,
		webhook.CreateParams{CollectionID: &coll, URL: rc.URL, EventTypes: []string{string(events.ItemCreated)}})
	require.NoError(b, err)
	rc.hook, err = standardwebhooks.NewWebhook(secret)
	require.NoError(b, err)
	return rc
}

// start runs the worker side: drainer, dispatcher and delivery workers,
// on a pool of their own, until the benchmark ends.
func (p *benchPipeline) start(b *testing.B) {
	b.Helper()
	cfg := p.env.Config
	ctx := context.Background()
	pool, err := db.Open(ctx, db.PoolParams{URL: p.env.Pool.Config().ConnString(), MaxConns: cfg.DBMaxConns})
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	brokers := brokertest.Brokers(b)
	topic := brokertest.UniqueTopic(b, brokers, broker.DefaultPartitions)

	dp, err := params.WebhookDelivery(cfg)
	require.NoError(b, err)
	dp.Pool, dp.Collections = pool, p.env.Collections
	wp := params.JobWorker(cfg)
	wp.Pool, wp.Register = pool, webhook.Register(dp, cfg.WebhookRetention)
	wp.Queues = map[string]river.QueueConfig{webhook.Queue: {MaxWorkers: webhook.Workers}}
	worker, err := jobs.NewWorkerClient(wp)
	require.NoError(b, err)
	require.NoError(b, worker.Start(ctx))
	b.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		require.NoError(b, worker.Stop(stopCtx))
	})

	inserts, err := jobs.NewInsertClient(pool, slog.New(slog.DiscardHandler))
	require.NoError(b, err)
	d := webhook.NewDispatcher(pool, inserts)
	group := "bench-webhooks-" + uuid.NewString()
	props := cfg.ConsumerGroupSettings(group)
	props["auto.offset.reset"] = "earliest"
	c, err := broker.NewEventsConsumer(broker.ConsumerConfig{Brokers: brokers, Topics: []string{topic},
		DeadLetterTopic: brokertest.UniqueTopic(b, brokers, 1), Properties: props, Logger: slog.New(slog.DiscardHandler)},
		group, func(ctx context.Context, batch []events.Delivery) error {
			now := time.Now()
			p.handledMu.Lock()
			for _, dl := range batch {
				if _, seen := p.handled[dl.Envelope.Entity.ID]; !seen {
					p.handled[dl.Envelope.Entity.ID] = now
				}
			}
			p.handledMu.Unlock()
			return d.Handle(ctx, batch)
		}, nil)
	require.NoError(b, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	b.Cleanup(func() {
		cancel()
		require.NoError(b, <-done)
	})
	brokertest.StartDrainer(b, pool, brokers, topic)
}

// write is one item written and when its transaction had committed (when
// Create returned).
type write struct {
	item      uuid.UUID
	coll      uuid.UUID
	committed time.Time
}

// writeAt creates items at rate per second for d, the i-th in
// colls[i%len(colls)], each from a goroutine of its own (a slow write does
// not hold up the next), and returns them with the achieved rate of
// commits.
func (p *benchPipeline) writeAt(b *testing.B, rate int, d time.Duration, colls []uuid.UUID) ([]write, float64) {
	b.Helper()
	total := int(d.Seconds() * float64(rate))
	out := make([]write, total)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range total {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			coll := colls[i%len(colls)]
			it, err := p.env.Items.Create(context.Background(), p.owner.ID, coll, item.CreateParams{Title: "Webhook bench " + strconv.Itoa(i)})
			if err != nil {
				b.Errorf("write %d: %v", i, err) // off the benchmark's goroutine: no FailNow
				return
			}
			out[i] = write{item: it.ID, coll: coll, committed: time.Now()}
		}()
	}
	wg.Wait()
	require.False(b, b.Failed(), "every write succeeded")
	first, last := out[0].committed, out[0].committed
	for _, w := range out {
		first, last = minTime(first, w.committed), maxTime(last, w.committed)
	}
	return out, float64(total-1) / last.Sub(first).Seconds()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// latencies waits up to wait for every write to arrive at each of its
// collection's receivers in to, and returns commit → first arrival of
// each (write, receiver), sorted, with those that never arrived counted
// as wait (a lower bound), and how many never did.
func latencies(b *testing.B, ws []write, to map[uuid.UUID][]*benchReceiver, wait time.Duration) ([]time.Duration, int) {
	b.Helper()
	deadline := time.Now().Add(wait)
	var lat []time.Duration
	missing := 0
	for _, w := range ws {
		for _, rc := range to[w.coll] {
			at, ok := rc.arrival(w.item)
			for !ok && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond) // polls the receiver until its deadline
				at, ok = rc.arrival(w.item)
			}
			if !ok {
				missing++
				lat = append(lat, wait)
				continue
			}
			lat = append(lat, at.Sub(w.committed))
		}
	}
	slices.Sort(lat)
	return lat, missing
}

// dispatched returns commit → the dispatcher's consumer getting the event
// of each write that reached it, sorted.
func (p *benchPipeline) dispatched(ws []write) []time.Duration {
	p.handledMu.Lock()
	defer p.handledMu.Unlock()
	var lat []time.Duration
	for _, w := range ws {
		if at, ok := p.handled[w.item]; ok {
			lat = append(lat, at.Sub(w.committed))
		}
	}
	slices.Sort(lat)
	return lat
}

// pctMS is the p-th quantile (0..1) of sorted, in milliseconds.
func pctMS(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))].Microseconds()) / 1000
}
