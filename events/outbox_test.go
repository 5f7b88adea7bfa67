package events_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// waitTimeout bounds how long a test waits for an event to arrive.
const waitTimeout = 30 * time.Second

type storedJob struct {
	Kind        string
	Queue       string
	MaxAttempts int
	State       string
	Args        events.PublishArgs
}

func storedJobs(t *testing.T, pool *pgxpool.Pool) []storedJob {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT kind, queue, max_attempts, state::text, args FROM river_job ORDER BY id`)
	require.NoError(t, err)
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storedJob, error) {
		var j storedJob
		var args []byte
		if err := row.Scan(&j.Kind, &j.Queue, &j.MaxAttempts, &j.State, &args); err != nil {
			return j, err
		}
		return j, json.Unmarshal(args, &j.Args)
	})
	require.NoError(t, err)
	return jobs
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

func TestOutbox_EnqueueStoresOneJobPerEnvelopeOnlyWhenTheTransactionCommits(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(t, err)
	outbox := events.NewOutbox(client)
	ctx := context.Background()

	rolledBack := brokertest.ItemEnvelope(t, uuid.New(), nil)
	require.NoError(t, withTx(t, pool, false, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx, rolledBack) }))
	assert.Empty(t, storedJobs(t, pool), "a rolled-back write leaves no event")

	a, b := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"n": 1}), brokertest.ItemEnvelope(t, uuid.New(), nil)
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx, a, b) }))
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx) }))

	jobs := storedJobs(t, pool)
	require.Len(t, jobs, 2)
	for i, want := range []events.Envelope{a, b} {
		got := jobs[i]
		assert.Equal(t, events.KindPublishEvent, got.Kind)
		assert.Equal(t, events.LaneQueue(want.Key()), got.Queue)
		assert.Equal(t, events.PublishMaxAttempts, got.MaxAttempts)
		assert.Equal(t, "available", got.State)
		assert.True(t, want.OccurredAt.Equal(got.Args.Envelope.OccurredAt))
		// River keeps args as jsonb, which reformats data (same JSON value).
		assert.JSONEq(t, string(want.Data), string(got.Args.Envelope.Data))
		got.Args.Envelope.OccurredAt, got.Args.Envelope.Data = want.OccurredAt, want.Data
		assert.Equal(t, want, got.Args.Envelope)
	}
}

// TestOutbox_CommittedEventIsPublishedByRiverWorker runs the whole write
// path: the envelope is committed as a River job, a River client working the
// events queue publishes it, and it reaches Kafka exactly once.
func TestOutbox_CommittedEventIsPublishedByRiverWorker(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 6)
	producer := brokertest.NewProducer(t, brokers, topic)
	reader := brokertest.NewReader(t, brokers, topic)

	workers := river.NewWorkers()
	river.AddWorker(workers, events.NewPublishWorker(producer))
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            laneQueues(),
		Workers:           workers,
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	completed, cancelSub := client.Subscribe(river.EventKindJobCompleted)
	defer cancelSub()

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		assert.NoError(t, client.Stop(stopCtx))
	})

	env := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"title": "x"})
	require.NoError(t, withTx(t, pool, true, func(tx pgx.Tx) error {
		return events.NewOutbox(client).Enqueue(ctx, tx, env)
	}))

	select {
	case ev := <-completed:
		require.Equal(t, events.KindPublishEvent, ev.Job.Kind)
	case <-ctx.Done():
		t.Fatalf("publish_event job not completed: %v", ctx.Err())
	}
	reader.CatchUp(t, waitTimeout)
	got := reader.All(brokertest.EventID(env.EventID))
	require.Len(t, got, 1, "published exactly once")
	assert.Equal(t, env.TraceID, got[0].Envelope.TraceID)
	assert.Equal(t, env.Key(), got[0].Key)
}

// laneQueues configures every outbox lane with one worker, as atlas worker does.
func laneQueues() map[string]river.QueueConfig {
	qs := map[string]river.QueueConfig{}
	for _, q := range events.LaneQueues() {
		qs[q] = river.QueueConfig{MaxWorkers: 1}
	}
	return qs
}
