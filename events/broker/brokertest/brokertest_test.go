package brokertest_test

import (
	"context"
	"fmt"
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

const timeout = 30 * time.Second

func publish(t *testing.T, p *broker.Producer) events.Envelope {
	t.Helper()
	env, err := events.New(events.CollectionCreated, nil,
		events.Entity{Type: events.EntityCollection, ID: uuid.New(), CollectionID: uuid.New()},
		map[string]any{"name": "c"}, events.Meta{RequestID: "req-" + uuid.NewString()})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	require.NoError(t, p.Publish(ctx, env))
	return env
}

func setup(t *testing.T) (brokers, topic string, p *broker.Producer) {
	t.Helper()
	brokers = brokertest.Brokers(t)
	topic = brokertest.UniqueTopic(t, brokers, 3)
	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Topic: topic})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return brokers, topic, p
}

func TestReader_SeesOnlyRecordsWrittenAfterItStarted(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t)
	before := publish(t, p)

	r := brokertest.NewReader(t, brokers, topic)
	after := publish(t, p)

	got := r.WaitFor(t, timeout, brokertest.EventID(after.EventID))
	require.Len(t, got, 1)
	r.CatchUp(t, timeout)
	assert.Empty(t, r.All(brokertest.EventID(before.EventID)))
	assert.Len(t, r.All(brokertest.Any), 1)
	assert.Equal(t, after.Key(), got[0].Key)
	assert.Equal(t, after.RequestID, got[0].Header(broker.HeaderRequestID))
}

func TestReader_ParallelReadersEachSeeEveryRecord(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t)
	r1 := brokertest.NewReader(t, brokers, topic)
	r2 := brokertest.NewReader(t, brokers, topic)
	envs := []events.Envelope{publish(t, p), publish(t, p), publish(t, p)}

	for _, r := range []*brokertest.Reader{r1, r2} {
		r.CatchUp(t, timeout)
		for _, env := range envs {
			assert.Len(t, r.All(brokertest.And(brokertest.EventID(env.EventID), brokertest.OfType(events.CollectionCreated))), 1)
		}
	}
}

func TestReader_KeepsRecordsThatAreNotEnvelopes(t *testing.T) {
	t.Parallel()
	brokers, topic, _ := setup(t)
	r := brokertest.NewReader(t, brokers, topic)

	raw, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": brokers})
	require.NoError(t, err)
	defer raw.Close()
	report := make(chan kafka.Event, 1)
	require.NoError(t, raw.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 1},
		Key:            []byte("k"),
		Value:          []byte("not json"),
		Headers:        []kafka.Header{{Key: "h", Value: []byte("1")}, {Key: "h", Value: []byte("2")}},
	}, report))
	select {
	case ev := <-report:
		require.NoError(t, ev.(*kafka.Message).TopicPartition.Error)
	case <-time.After(timeout):
		t.Fatal("no delivery report")
	}

	got := r.WaitFor(t, timeout, brokertest.Key("k"))
	require.Len(t, got, 1)
	assert.Error(t, got[0].DecodeErr)
	assert.Equal(t, "not json", string(got[0].Value))
	assert.Equal(t, int32(1), got[0].Partition)
	assert.Equal(t, []string{"1", "2"}, got[0].HeaderValues("h"))
	assert.Equal(t, "1", got[0].Header("h"))
	assert.Empty(t, r.All(brokertest.OfType(events.CollectionCreated)), "undecodable records never match envelope predicates")
}

// recordingTB records a Fatalf instead of stopping the test, so the failure
// path of the helpers can be checked.
type recordingTB struct {
	testing.TB
	fatal string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
}

func TestReader_WaitForFailsTheTestAfterTimeout(t *testing.T) {
	t.Parallel()
	brokers, topic, p := setup(t)
	r := brokertest.NewReader(t, brokers, topic)
	publish(t, p)

	rec := &recordingTB{TB: t}
	start := time.Now()
	got := r.WaitForN(rec, 300*time.Millisecond, 1, brokertest.RequestID("never-sent"))
	assert.Nil(t, got)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.Contains(t, rec.fatal, "0 matched")
	assert.Contains(t, rec.fatal, topic)
}
