package broker_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// deadLetter writes a record to the dead-letter topic as a consumer of
// group would have.
func deadLetter(t *testing.T, brokers, topic, group string, value []byte) {
	t.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": brokers, "acks": "all"})
	require.NoError(t, err)
	defer p.Close()
	reports := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Value:          value,
		Headers: []kafka.Header{
			{Key: broker.HeaderDLQConsumerGroup, Value: []byte(group)},
			{Key: broker.HeaderDLQReason, Value: []byte("invalid envelope")},
		},
	}, reports))
	m := (<-reports).(*kafka.Message)
	require.NoError(t, m.TopicPartition.Error)
}

func TestReplayDeadLetters_ReplaysFixedRecordsOnceAndReportsThePoisonedOne(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	dlq := brokertest.UniqueTopic(t, brokers, 2)
	group := "test-replay-" + uuid.NewString()
	fixed := brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"title": "valid after the fix"})
	raw, err := json.Marshal(fixed)
	require.NoError(t, err)
	deadLetter(t, brokers, dlq, group, []byte(`{"poisoned": true`))
	deadLetter(t, brokers, dlq, group, raw)
	deadLetter(t, brokers, dlq, "another-group", raw)

	var mu sync.Mutex
	var handled []broker.Delivery
	h := func(_ context.Context, b []broker.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, b...)
		return nil
	}
	params := broker.ReplayParams{Brokers: brokers, Topic: dlq, Group: group}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	dry := params
	dry.DryRun = true
	rep, err := broker.ReplayDeadLetters(ctx, dry, h)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Read)
	assert.Equal(t, 1, rep.Replayed)
	assert.Equal(t, 1, rep.Skipped, "the other group's dead letter is not ours")
	require.Len(t, rep.StillInvalid, 1)
	assert.Contains(t, rep.StillInvalid[0].Reason, "invalid")
	assert.Empty(t, handled, "a dry run hands nothing to the handler")

	rep, err = broker.ReplayDeadLetters(ctx, params, h)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Replayed)
	assert.Len(t, rep.StillInvalid, 1, "the dry run committed nothing")
	require.Len(t, handled, 1)
	assert.Equal(t, fixed.EventID, handled[0].Envelope.EventID)

	rep, err = broker.ReplayDeadLetters(ctx, params, h)
	require.NoError(t, err)
	assert.Zero(t, rep.Read, "a second replay starts where the first stopped")
	assert.Len(t, handled, 1)
}

func TestReplayDeadLetters_HandlerFailureLeavesTheRecordsForTheNextRun(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	dlq := brokertest.UniqueTopic(t, brokers, 1)
	group := "test-replay-" + uuid.NewString()
	raw, err := json.Marshal(brokertest.ItemEnvelope(t, uuid.New(), nil))
	require.NoError(t, err)
	deadLetter(t, brokers, dlq, group, raw)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	params := broker.ReplayParams{Brokers: brokers, Topic: dlq, Group: group}

	_, err = broker.ReplayDeadLetters(ctx, params, func(context.Context, []broker.Delivery) error { return assert.AnError })
	require.ErrorIs(t, err, assert.AnError)
	calls := 0
	rep, err := broker.ReplayDeadLetters(ctx, params, func(context.Context, []broker.Delivery) error { calls++; return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Replayed)
	assert.Equal(t, 1, calls)
}
