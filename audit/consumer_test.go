package audit_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// kafkaSetup is a fresh events topic, dead-letter topic and consumer group
// on the real broker, with a producer on the topic.
type kafkaSetup struct {
	brokers, topic, dlq, group string
	producer                   *broker.Producer
}

func newKafkaSetup(t testing.TB, partitions int) kafkaSetup {
	t.Helper()
	brokers := brokertest.Brokers(t)
	s := kafkaSetup{
		brokers: brokers,
		topic:   brokertest.UniqueTopic(t, brokers, partitions),
		dlq:     brokertest.UniqueTopic(t, brokers, 1),
		group:   "test-audit-" + uuid.NewString(),
	}
	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Topic: s.topic, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	s.producer = p
	return s
}

func (s kafkaSetup) publish(t testing.TB, envs ...events.Envelope) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for _, env := range envs {
		require.NoError(t, s.producer.Publish(ctx, env))
	}
}

// runConsumer runs an audit consumer with handler h (nil: the recorder's)
// until the returned stop function is called or the test ends.
func (s kafkaSetup) runConsumer(t testing.TB, pool *pgxpool.Pool, h broker.BatchHandler) (stop func(), c *broker.Consumer) {
	t.Helper()
	rec := audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: slog.New(slog.DiscardHandler)})
	if h == nil {
		h = rec.Handle
	}
	c, err := broker.NewConsumer(broker.ConsumerConfig{
		Brokers: s.brokers, GroupID: s.group, Topics: []string{s.topic}, DeadLetterTopic: s.dlq,
		BatchSize: 100, BatchWait: 20 * time.Millisecond, RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond,
		Properties: map[string]string{"heartbeat.interval.ms": "300"},
		Logger:     slog.New(slog.DiscardHandler),
	}, h)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(waitTimeout):
				t.Errorf("audit consumer did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop, c
}

func waitForRows(t testing.TB, pool *pgxpool.Pool, n int64) {
	t.Helper()
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		got, err := audit.Store{}.Count(context.Background(), pool)
		require.NoError(collect, err)
		assert.Equal(collect, n, got, "audit rows")
	}, waitTimeout, 20*time.Millisecond, "waited for %d audit rows", n)
	assert.EqualValues(t, n, count(t, pool), "no more audit rows than events")
}

func TestAuditConsumer_SameEventDeliveredTwiceYieldsOneRow(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := newKafkaSetup(t, 3)
	twice := newEnvelope(t, eventOpts{Data: map[string]any{"title": "twice"}})
	others := []events.Envelope{newEnvelope(t, eventOpts{}), newEnvelope(t, eventOpts{})}
	s.publish(t, twice, others[0], twice, others[1])

	_, c := s.runConsumer(t, pool, nil)
	waitForRows(t, pool, 3)
	require.Eventually(t, func() bool { return lagIsZero(c) }, waitTimeout, 20*time.Millisecond, "consumer caught up")
	assert.EqualValues(t, 3, count(t, pool), "the duplicate added no row")

	s.publish(t, twice) // and once more, much later
	require.Eventually(t, func() bool { return lagIsZero(c) && len(c.Lag()) == 3 }, waitTimeout, 20*time.Millisecond, "consumer caught up again")
	assert.EqualValues(t, 3, count(t, pool))
	got, err := audit.Store{}.ByEventID(context.Background(), pool, twice.EventID)
	require.NoError(t, err)
	assert.JSONEq(t, `{"title":"twice"}`, string(got.Data))
	require.True(t, verify(t, pool).OK())
}

func TestAuditConsumer_RestartMidBatchYieldsOneRowPerEvent(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := newKafkaSetup(t, 2)
	envs := make([]events.Envelope, 500) // at least five batches of at most 100
	for i := range envs {
		envs[i] = newEnvelope(t, eventOpts{Data: map[string]any{"i": i}})
	}
	s.publish(t, envs...)

	// The first process records two batches, then records half of the
	// third and dies before its offsets are committed.
	rec := audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: slog.New(slog.DiscardHandler)})
	var mu sync.Mutex
	calls, crashed := 0, make(chan struct{})
	stop, _ := s.runConsumer(t, pool, func(ctx context.Context, batch []broker.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch {
		case calls <= 2:
			return rec.Handle(ctx, batch)
		case calls == 3: // on the consumer's goroutine: assert, never require
			assert.Greater(t, len(batch), 1)
			assert.NoError(t, rec.Handle(ctx, batch[:len(batch)/2]))
			close(crashed)
		}
		return errors.New("process crashed")
	})
	select {
	case <-crashed:
	case <-time.After(waitTimeout):
		t.Fatal("the first consumer never reached its third batch")
	}
	stop()
	partial := count(t, pool)
	require.Positive(t, partial)
	require.Less(t, partial, int64(len(envs)))

	_, c := s.runConsumer(t, pool, nil) // the restarted process
	waitForRows(t, pool, int64(len(envs)))
	require.Eventually(t, func() bool { return lagIsZero(c) && len(c.Lag()) == 2 }, waitTimeout, 20*time.Millisecond, "consumer caught up")
	assert.EqualValues(t, len(envs), count(t, pool), "each event recorded exactly once")
	rep := verify(t, pool)
	require.True(t, rep.OK(), rep.String())
	assert.EqualValues(t, len(envs), rep.LastSeq, "no chain position wasted on duplicates")
	for _, env := range envs {
		_, err := audit.Store{}.ByEventID(context.Background(), pool, env.EventID)
		require.NoError(t, err, "event %s recorded", env.EventID)
	}
}

func TestRecorder_RedactsBeforeStorage(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	rec := audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: slog.New(slog.DiscardHandler)})
	plain := newEnvelope(t, eventOpts{Type: events.ItemCreated, Data: map[string]any{
		"title": "Go", "notes": "my private notes", "tags": []string{"go"},
	}})
	secret := newEnvelope(t, eventOpts{Data: map[string]any{
		"changes": map[string]any{"title": map[string]any{"before": "a", "after": "b"}},
		"token":   "eyJhbGciOi", "password_hash": "$argon2id$v=19$...",
	}})
	require.NoError(t, rec.Handle(context.Background(), []broker.Delivery{{Envelope: plain}, {Envelope: secret}}))

	got, err := audit.Store{}.ByEventID(context.Background(), pool, plain.EventID)
	require.NoError(t, err)
	assert.JSONEq(t, `{"title":"Go","notes":"[redacted]","tags":["go"]}`, string(got.Data))
	got, err = audit.Store{}.ByEventID(context.Background(), pool, secret.EventID)
	require.NoError(t, err)
	assert.JSONEq(t, `{"changes":{"title":{"before":"a","after":"b"}},"token":"[redacted]","password_hash":"[redacted]"}`, string(got.Data))
	assert.NotContains(t, string(got.Data), "eyJhbGciOi")
	assert.NotContains(t, string(got.Data), "argon2id")
}

func lagIsZero(c *broker.Consumer) bool {
	lag := c.Lag()
	if len(lag) == 0 {
		return false
	}
	for _, n := range lag {
		if n != 0 {
			return false
		}
	}
	return true
}
