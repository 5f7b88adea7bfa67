package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// waitTimeout bounds how long a test waits for an event to arrive.
const waitTimeout = 30 * time.Second

type storedEvent struct {
	Lane     int16
	Key      string
	Envelope events.Envelope
}

func storedEvents(t *testing.T, pool *pgxpool.Pool) []storedEvent {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT lane, key, envelope FROM atlas_outbox ORDER BY seq`)
	require.NoError(t, err)
	evs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storedEvent, error) {
		var e storedEvent
		var doc []byte
		if err := row.Scan(&e.Lane, &e.Key, &doc); err != nil {
			return e, err
		}
		return e, json.Unmarshal(doc, &e.Envelope)
	})
	require.NoError(t, err)
	return evs
}

func withTx(t *testing.T, pool *pgxpool.Pool, commit bool, fn func(tx pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		return err
	}
	if commit {
		require.NoError(t, tx.Commit(ctx))
	}
	return nil
}

func TestOutbox_StoresEventsInOrderOnlyWhenTheTransactionCommits(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	outbox := events.NewOutbox()
	ctx := context.Background()

	rolledBack := brokertest.ItemEnvelope(t, uuid.New(), nil)
	require.NoError(t, withTx(t, pool, false, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx, rolledBack) }))
	assert.Empty(t, storedEvents(t, pool), "a rolled-back write leaves no event")

	a, b := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"n": 1}), brokertest.ItemEnvelope(t, uuid.New(), nil)
	c := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"n": 3})
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx, a, b) }))
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx) }))
	// Queue rides in the caller's batch, after the caller's own statement.
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		batch.Queue(`SELECT 1`)
		require.NoError(t, outbox.Queue(batch, c))
		return tx.SendBatch(ctx, batch).Close()
	}))

	got := storedEvents(t, pool)
	require.Len(t, got, 3)
	for i, want := range []events.Envelope{a, b, c} {
		assert.Equal(t, want.Key(), got[i].Key)
		assert.Equal(t, events.Lane(want.Key()), got[i].Lane)
		assert.True(t, want.OccurredAt.Equal(got[i].Envelope.OccurredAt))
		// jsonb reformats data (same JSON value).
		assert.JSONEq(t, string(want.Data), string(got[i].Envelope.Data))
		got[i].Envelope.OccurredAt, got[i].Envelope.Data = want.OccurredAt, want.Data
		assert.Equal(t, want, got[i].Envelope)
	}
}

func TestLane_OneKeyOneLaneAndKeysSpreadOverAll(t *testing.T) {
	t.Parallel()
	used := map[int16]bool{}
	for range 200 {
		key := uuid.NewString()
		lane := events.Lane(key)
		require.Equal(t, lane, events.Lane(key))
		require.True(t, lane >= 0 && lane < events.EventLanes, "lane %d", lane)
		used[lane] = true
	}
	assert.Len(t, used, events.EventLanes)
}

// TestDrainer_PublishesCommittedEventsInOrderAndLeavesNone runs the whole
// path against Postgres and Kafka: events committed in the outbox are
// published by a running Drainer, each once, in order per key, and deleted.
func TestDrainer_PublishesCommittedEventsInOrderAndLeavesNone(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	drainer := events.NewDrainer(events.DrainerParams{Pool: pool, Publisher: brokertest.NewProducer(t, brokers, topic), Batch: 7})
	runDrainer(t, drainer)

	keys := []uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New()}
	var envs []events.Envelope
	for i := range 40 {
		env := brokertest.ItemEnvelope(t, keys[i%len(keys)], map[string]any{"n": i})
		envs = append(envs, env)
		require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error { return events.NewOutbox().Enqueue(context.Background(), tx, env) }))
	}
	got := reader.WaitForN(t, waitTimeout, len(envs), brokertest.Any)
	require.Len(t, got, len(envs), "each event once")
	for _, key := range keys {
		var want, seen []uuid.UUID
		for _, env := range envs {
			if env.Key() == key.String() {
				want = append(want, env.EventID)
			}
		}
		for _, r := range got {
			if r.Key == key.String() {
				seen = append(seen, r.Envelope.EventID)
			}
		}
		assert.Equal(t, want, seen, "key %s in commit order", key)
	}
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		var left int
		require.NoError(collect, pool.QueryRow(context.Background(), `SELECT count(*) FROM atlas_outbox`).Scan(&left))
		assert.Zero(collect, left)
	}, waitTimeout, 20*time.Millisecond, "published events are deleted")
}

func runDrainer(t *testing.T, d *events.Drainer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// recordingPublisher acknowledges the first okFirst envelopes of each batch
// (all when negative) and remembers what it acknowledged.
type recordingPublisher struct {
	mu      sync.Mutex
	okFirst int
	got     []events.Envelope
}

var errBrokerDown = errors.New("broker down")

func (p *recordingPublisher) PublishBatch(_ context.Context, envs []events.Envelope) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(envs)
	if p.okFirst >= 0 && p.okFirst < n {
		n = p.okFirst
	}
	p.got = append(p.got, envs[:n]...)
	if n < len(envs) {
		return n, errBrokerDown
	}
	return n, nil
}

func enqueueN(t *testing.T, pool *pgxpool.Pool, key uuid.UUID, n int) []events.Envelope {
	t.Helper()
	envs := make([]events.Envelope, n)
	for i := range envs {
		envs[i] = brokertest.ItemEnvelope(t, key, map[string]any{"n": i})
	}
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error {
		return events.NewOutbox().Enqueue(context.Background(), tx, envs...)
	}))
	return envs
}

func eventIDs(envs []events.Envelope) []uuid.UUID {
	ids := make([]uuid.UUID, len(envs))
	for i, e := range envs {
		ids[i] = e.EventID
	}
	return ids
}

func TestWaitPublished_EndsWhenTheEarlierEventsArePublishedOrWhenTimeIsUp(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	enqueueN(t, pool, uuid.New(), 3)

	// No drainer runs: the events stay, and the wait gives up after its time.
	start := time.Now()
	published, err := events.WaitPublished(ctx, pool, 150*time.Millisecond)
	require.NoError(t, err)
	assert.False(t, published)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	// A drainer publishes them: the wait ends as soon as it has.
	pub := &recordingPublisher{okFirst: -1}
	runDrainer(t, events.NewDrainer(events.DrainerParams{Pool: pool, Publisher: pub}))
	published, err = events.WaitPublished(ctx, pool, waitTimeout)
	require.NoError(t, err)
	assert.True(t, published)
	pub.mu.Lock()
	assert.Len(t, pub.got, 3, "every event committed before the wait was published when it ended")
	pub.mu.Unlock()

	// An empty outbox needs no wait; a cancelled context ends one.
	published, err = events.WaitPublished(ctx, pool, time.Hour)
	require.NoError(t, err)
	assert.True(t, published)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = events.WaitPublished(cancelled, pool, time.Hour)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDrainer_KeepsEverythingAfterTheFirstUnacknowledgedEvent(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	key := uuid.New()
	envs := enqueueN(t, pool, key, 5)
	pub := &recordingPublisher{okFirst: 2}
	d := events.NewDrainer(events.DrainerParams{Pool: pool, Publisher: pub})
	lane := events.Lane(key.String())

	_, err := d.DrainLane(context.Background(), lane)
	require.ErrorIs(t, err, errBrokerDown)
	left := storedEvents(t, pool)
	require.Len(t, left, 3, "the acknowledged prefix is deleted, the rest kept")
	assert.Equal(t, envs[2].EventID, left[0].Envelope.EventID)

	pub.okFirst = -1
	n, err := d.DrainLane(context.Background(), lane)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, eventIDs(envs), eventIDs(pub.got), "each event once, in order, across the failure")
	assert.Empty(t, storedEvents(t, pool))
}

// TestDrainer_LaneHasOneOwnerUntilItsConnectionDies holds a lane the way a
// drainer does, from another connection, then kills that connection as a
// SIGKILL of its process would: the lane is free at once.
func TestDrainer_LaneHasOneOwnerUntilItsConnectionDies(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	key := uuid.New()
	envs := enqueueN(t, pool, key, 3)
	lane := events.Lane(key.String())

	owner, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer owner.Release()
	tx, err := owner.Begin(ctx)
	require.NoError(t, err)
	var pid int
	require.NoError(t, tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	_, err = tx.Exec(ctx, `SELECT lane FROM atlas_outbox_lanes WHERE lane = $1 FOR UPDATE`, lane)
	require.NoError(t, err)

	pub := &recordingPublisher{okFirst: -1}
	d := events.NewDrainer(events.DrainerParams{Pool: pool, Publisher: pub})
	n, err := d.DrainLane(ctx, lane)
	require.NoError(t, err)
	assert.Zero(t, n, "a lane held by another process is left alone")
	assert.Empty(t, pub.got)

	var killed bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&killed))
	require.True(t, killed)
	require.Eventually(t, func() bool {
		n, err := d.DrainLane(ctx, lane)
		return err == nil && n == len(envs)
	}, waitTimeout, 20*time.Millisecond, "the lane is taken over once its owner's connection is gone")
	assert.Equal(t, eventIDs(envs), eventIDs(pub.got))
}
