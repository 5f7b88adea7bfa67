package broker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

const waitTimeout = 30 * time.Second

// setup returns the broker list and a fresh topic of the given partition
// count, and a producer writing to it that is closed when the test ends.
func setup(t *testing.T, partitions int) (brokers, topic string, p *broker.Producer) {
	t.Helper()
	brokers = brokertest.Brokers(t)
	topic = brokertest.UniqueTopic(t, brokers, partitions)
	return brokers, topic, brokertest.NewProducer(t, brokers, topic)
}

// unusedAddr returns a loopback address nothing listens on.
func unusedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func partitionCount(t *testing.T, brokers, topic string) int {
	t.Helper()
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers})
	require.NoError(t, err)
	defer admin.Close()
	md, err := admin.GetMetadata(&topic, false, 10000)
	require.NoError(t, err)
	require.Contains(t, md.Topics, topic)
	return len(md.Topics[topic].Partitions)
}

func TestEnsureTopics_CreatesMissingTopicsAndIsIdempotent(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	suffix := uuid.NewString()[:8]
	events6 := "test.ensure.events." + suffix
	dlq3 := "test.ensure.dlq." + suffix
	specs := []broker.TopicSpec{
		{Name: events6},
		{Name: dlq3, Partitions: 3, Config: map[string]string{"retention.ms": "3600000"}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	require.NoError(t, broker.EnsureTopics(ctx, brokers, broker.Security{}, specs...))
	assert.Equal(t, broker.DefaultPartitions, partitionCount(t, brokers, events6))
	assert.Equal(t, 3, partitionCount(t, brokers, dlq3))

	// Again, and with a spec that differs from the existing topic: no error,
	// and the existing topic is left alone.
	require.NoError(t, broker.EnsureTopics(ctx, brokers, broker.Security{}, specs...))
	require.NoError(t, broker.EnsureTopics(ctx, brokers, broker.Security{}, broker.TopicSpec{Name: dlq3, Partitions: 5}))
	assert.Equal(t, 3, partitionCount(t, brokers, dlq3))

	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers})
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.DeleteTopics(ctx, []string{events6, dlq3})
	require.NoError(t, err)
}

func TestEnsureTopics_FailsWhenBrokerUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	err := broker.EnsureTopics(ctx, unusedAddr(t), broker.Security{}, broker.TopicSpec{Name: "test.unreachable"})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 15*time.Second)
}

func TestPublish_DeliversEnvelopeWithKeyAndHeaders(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	env := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"title": events.Change{Before: "old", After: "new"}})

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, p.Publish(ctx, env))

	got := reader.WaitFor(t, waitTimeout, brokertest.EventID(env.EventID))
	require.Len(t, got, 1)
	rec := got[0]
	require.NoError(t, rec.DecodeErr)
	require.NoError(t, events.ValidateJSON(rec.Value), "published value must satisfy the schema")

	assert.Equal(t, env.Key(), rec.Key)
	assert.Equal(t, env.Entity.ID.String(), rec.Key, "item events are keyed by item id")
	assert.Equal(t, env.EventID, rec.Envelope.EventID)
	assert.Equal(t, env.Type, rec.Envelope.Type)
	assert.True(t, env.OccurredAt.Equal(rec.Envelope.OccurredAt))
	assert.Equal(t, env.ActorUserID, rec.Envelope.ActorUserID)
	assert.Equal(t, env.Entity, rec.Envelope.Entity)
	assert.JSONEq(t, string(env.Data), string(rec.Envelope.Data))
	assert.Equal(t, env.TraceID, rec.Envelope.TraceID)
	assert.Equal(t, env.RequestID, rec.Envelope.RequestID)

	for _, h := range []string{broker.HeaderTraceparent, broker.HeaderRequestID, broker.HeaderEventType, broker.HeaderEventID} {
		assert.Len(t, rec.HeaderValues(h), 1, "exactly one %s header", h)
	}
	assert.Regexp(t, fmt.Sprintf(`^00-%s-[0-9a-f]{16}-01$`, env.TraceID), rec.Header(broker.HeaderTraceparent))
	assert.NotEqual(t, "0000000000000000", rec.Header(broker.HeaderTraceparent)[36:52])
	assert.Equal(t, env.RequestID, rec.Header(broker.HeaderRequestID))
	assert.Equal(t, string(env.Type), rec.Header(broker.HeaderEventType))
	assert.Equal(t, env.EventID.String(), rec.Header(broker.HeaderEventID))

	reader.CatchUp(t, waitTimeout)
	assert.Len(t, reader.All(brokertest.Any), 1, "published exactly once")
}

func TestPublish_SameKeyArrivesInPublishOrder(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	itemA, itemB := uuid.New(), uuid.New()
	const n = 40

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var published []uuid.UUID
	for i := range n {
		item := itemA
		if i%4 == 3 {
			item = itemB // interleave another key
		}
		env := brokertest.ItemEnvelope(t, item, map[string]any{"seq": i})
		require.NoError(t, p.Publish(ctx, env))
		if item == itemA {
			published = append(published, env.EventID)
		}
	}

	got := reader.WaitForN(t, waitTimeout, len(published), brokertest.Key(itemA.String()))
	require.Len(t, got, len(published))
	var ids []uuid.UUID
	for i, rec := range got {
		ids = append(ids, rec.Envelope.EventID)
		assert.Equal(t, got[0].Partition, rec.Partition, "one key, one partition")
		if i > 0 {
			assert.Greater(t, rec.Offset, got[i-1].Offset)
		}
	}
	assert.Equal(t, published, ids, "records of one key arrive in publish order")
	reader.WaitForN(t, waitTimeout, n-len(published), brokertest.Key(itemB.String()))
}

func TestPublish_ConcurrentCallsEachGetTheirOwnReport(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	const n = 50
	envs := make([]events.Envelope, n)
	errs := make(chan error, n)
	for i := range envs {
		envs[i] = brokertest.ItemEnvelope(t, uuid.New(), nil)
		go func() { errs <- p.Publish(ctx, envs[i]) }()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	reader.CatchUp(t, waitTimeout)
	got := reader.All(brokertest.Any)
	require.Len(t, got, n)
	seen := map[uuid.UUID]bool{}
	for _, rec := range got {
		seen[rec.Envelope.EventID] = true
	}
	for _, env := range envs {
		assert.True(t, seen[env.EventID], "event %s delivered", env.EventID)
	}
}

func TestPublish_RefusesInvalidEnvelope(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 1)
	reader := brokertest.NewReader(t, brokers, topic)
	env := brokertest.ItemEnvelope(t, uuid.New(), nil)
	env.RequestID = ""

	err := p.Publish(context.Background(), env)
	require.ErrorIs(t, err, events.ErrInvalidEnvelope)
	reader.CatchUp(t, waitTimeout)
	assert.Empty(t, reader.All(brokertest.Any))
}

func TestPublish_HonoursContextWhileBrokerIsDown(t *testing.T) {
	t.Parallel()
	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: unusedAddr(t), Topic: "test.down", MessageTimeout: time.Minute, CloseTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	defer p.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Publish(ctx, brokertest.ItemEnvelope(t, uuid.New(), nil))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestProducer_PublishAfterCloseFails(t *testing.T) {
	t.Parallel()
	_, _, p := setup(t, 1)
	p.Close()
	p.Close() // idempotent
	err := p.Publish(context.Background(), brokertest.ItemEnvelope(t, uuid.New(), nil))
	require.ErrorIs(t, err, broker.ErrProducerClosed)
}

func TestProducer_PublishBatchDeliversEveryEnvelopeInOrderPerKey(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	keys := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	var envs []events.Envelope
	for i := range 60 {
		envs = append(envs, brokertest.ItemEnvelope(t, keys[i%len(keys)], map[string]any{"n": i}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	n, err := p.PublishBatch(ctx, envs)
	require.NoError(t, err)
	require.Equal(t, len(envs), n)

	reader.CatchUp(t, waitTimeout)
	for _, key := range keys {
		var want, got []uuid.UUID
		for _, env := range envs {
			if env.Key() == key.String() {
				want = append(want, env.EventID)
			}
		}
		for _, r := range reader.All(brokertest.Key(key.String())) {
			got = append(got, r.Envelope.EventID)
		}
		assert.Equal(t, want, got, "key %s: each envelope once, in batch order", key)
	}
}

func TestProducer_PublishBatchFailsWhenBrokerUnreachable(t *testing.T) {
	t.Parallel()
	p, err := broker.NewProducer(broker.ProducerConfig{
		Brokers:        unusedAddr(t),
		Topic:          "test.unreachable",
		MessageTimeout: 2 * time.Second,
		CloseTimeout:   time.Second,
	})
	require.NoError(t, err)
	defer p.Close()

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	start := time.Now()
	envs := []events.Envelope{brokertest.ItemEnvelope(t, uuid.New(), nil), brokertest.ItemEnvelope(t, uuid.New(), nil)}
	n, err := p.PublishBatch(ctx, envs)
	elapsed := time.Since(start)

	require.Error(t, err, "the drainer must see the failure to keep the events")
	assert.Zero(t, n, "nothing acknowledged")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the delivery report, not the context, ends the attempt")
	var kerr kafka.Error
	require.True(t, errors.As(err, &kerr), "delivery error from the report: %v", err)
	assert.Equal(t, kafka.ErrMsgTimedOut, kerr.Code())
	assert.Less(t, elapsed, 15*time.Second)
}

func TestProducer_PublishBatchStopsAtAnInvalidEnvelope(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t, 1)
	reader := brokertest.NewReader(t, brokers, topic)
	good, bad, after := brokertest.ItemEnvelope(t, uuid.New(), nil), brokertest.ItemEnvelope(t, uuid.New(), nil), brokertest.ItemEnvelope(t, uuid.New(), nil)
	bad.Type = "ItemArchived"

	n, err := p.PublishBatch(context.Background(), []events.Envelope{good, bad, after})
	assert.ErrorIs(t, err, events.ErrInvalidEnvelope)
	assert.Equal(t, 1, n, "the envelopes before the invalid one are acknowledged")
	reader.CatchUp(t, waitTimeout)
	assert.Len(t, reader.All(brokertest.EventID(good.EventID)), 1)
	assert.Empty(t, reader.All(brokertest.EventID(after.EventID)), "nothing after the invalid envelope is sent")
}
