package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
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

// consumerSetup is what a consumer test needs: a broker, a fresh topic, a
// producer on it, a fresh dead-letter topic and a unique group id.
type consumerSetup struct {
	brokers, topic, dlq, group string
	producer                   *broker.Producer
}

func newConsumerSetup(t *testing.T, partitions int) consumerSetup {
	t.Helper()
	brokers, topic, p := setup(t, partitions)
	return consumerSetup{
		brokers:  brokers,
		topic:    topic,
		dlq:      brokertest.UniqueTopic(t, brokers, 1),
		group:    "test-group-" + uuid.NewString(),
		producer: p,
	}
}

func (s consumerSetup) config() broker.ConsumerConfig {
	return broker.ConsumerConfig{
		Brokers:         s.brokers,
		GroupID:         s.group,
		Topics:          []string{s.topic},
		DeadLetterTopic: s.dlq,
		BatchSize:       50,
		BatchWait:       20 * time.Millisecond,
		RetryMin:        10 * time.Millisecond,
		RetryMax:        80 * time.Millisecond,
		Logger:          slog.New(slog.DiscardHandler),
		// Rebalances are signalled through heartbeats: beat often so group
		// changes take effect quickly.
		Properties: map[string]string{"heartbeat.interval.ms": "300"},
	}
}

// publish publishes n item events, each for a new item (so they spread over
// the partitions), and returns them.
func (s consumerSetup) publish(t *testing.T, n int) []events.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	envs := make([]events.Envelope, n)
	for i := range envs {
		envs[i] = brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"seq": i})
		require.NoError(t, s.producer.Publish(ctx, envs[i]))
	}
	return envs
}

// running is a consumer started in the background.
type running struct {
	c      *broker.Consumer
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg broker.ConsumerConfig, h broker.BatchHandler) *running {
	t.Helper()
	c, err := broker.NewConsumer(cfg, h)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{c: c, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- c.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the consumer and waits for Run to return; it fails the test
// if Run returned an error or took too long.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			require.NoError(t, err, "Run must return nil after a clean stop")
			close(r.done)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("consumer did not stop within %s", waitTimeout)
	}
}

// sink records what a handler was given. fail decides, per call (1-based),
// whether that call fails.
type sink struct {
	mu        sync.Mutex
	calls     int
	failed    [][]broker.Delivery
	succeeded [][]broker.Delivery
	fail      func(call int, batch []broker.Delivery) error
}

func (s *sink) handle(_ context.Context, batch []broker.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		if err := s.fail(s.calls, batch); err != nil {
			s.failed = append(s.failed, slices.Clone(batch))
			return err
		}
	}
	s.succeeded = append(s.succeeded, slices.Clone(batch))
	return nil
}

// ok returns every delivery of successful calls, in call order.
func (s *sink) ok() []broker.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []broker.Delivery
	for _, b := range s.succeeded {
		out = append(out, b...)
	}
	return out
}

func (s *sink) okIDs() map[uuid.UUID]int {
	ids := map[uuid.UUID]int{}
	for _, d := range s.ok() {
		ids[d.Envelope.EventID]++
	}
	return ids
}

func containsAll(got map[uuid.UUID]int, envs []events.Envelope) bool {
	for _, e := range envs {
		if got[e.EventID] == 0 {
			return false
		}
	}
	return true
}

func lagIsZero(c *broker.Consumer, partitions int) bool {
	lag := c.Lag()
	if len(lag) != partitions {
		return false
	}
	for _, n := range lag {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestNewConsumer_RejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	h := func(context.Context, []broker.Delivery) error { return nil }
	full := broker.ConsumerConfig{Brokers: "127.0.0.1:9092", GroupID: "g"}
	tests := map[string]struct {
		mutate  func(*broker.ConsumerConfig)
		handler broker.BatchHandler
	}{
		"no brokers":             {func(c *broker.ConsumerConfig) { c.Brokers = "" }, h},
		"no group":               {func(c *broker.ConsumerConfig) { c.GroupID = "" }, h},
		"no handler":             {func(*broker.ConsumerConfig) {}, nil},
		"topic is dead letter":   {func(c *broker.ConsumerConfig) { c.Topics = []string{"t"}; c.DeadLetterTopic = "t" }, h},
		"default topic is dlq'd": {func(c *broker.ConsumerConfig) { c.DeadLetterTopic = broker.TopicEvents }, h},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := full
			tc.mutate(&cfg)
			_, err := broker.NewConsumer(cfg, tc.handler)
			require.Error(t, err)
		})
	}
	_, err := broker.NewConsumer(full, h)
	require.NoError(t, err)
}

func TestConsumer_DeliversEnvelopesWithRecordMetadataAndCommits(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 3)
	envs := s.publish(t, 30)
	var got sink
	r := start(t, s.config(), got.handle)

	require.Eventually(t, func() bool { return containsAll(got.okIDs(), envs) }, waitTimeout, 20*time.Millisecond, "all 30 events delivered")
	byID := map[uuid.UUID]broker.Delivery{}
	for _, d := range got.ok() {
		_, dup := byID[d.Envelope.EventID]
		require.False(t, dup, "event %s delivered twice to a single healthy consumer", d.Envelope.EventID)
		byID[d.Envelope.EventID] = d
	}
	require.Len(t, byID, len(envs))
	for _, env := range envs {
		d := byID[env.EventID]
		assert.Equal(t, s.topic, d.Topic)
		assert.Equal(t, env.Key(), d.Key)
		assert.Equal(t, env.RequestID, d.RequestID())
		assert.Regexp(t, fmt.Sprintf(`^00-%s-[0-9a-f]{16}-01$`, env.TraceID), d.Traceparent())
		assert.Equal(t, string(env.Type), d.Header(broker.HeaderEventType))
		assert.Equal(t, env.EventID.String(), d.Header(broker.HeaderEventID))
		assert.GreaterOrEqual(t, d.Offset, int64(0))
		assert.False(t, d.Timestamp.IsZero())
		assert.True(t, env.OccurredAt.Equal(d.Envelope.OccurredAt))
		assert.Equal(t, env.Entity, d.Envelope.Entity)
		assert.Equal(t, env.ActorUserID, d.Envelope.ActorUserID)
		assert.JSONEq(t, string(env.Data), string(d.Envelope.Data))
		require.NoError(t, events.ValidateJSON(d.Value))
	}
	// Offsets within a partition arrive in order.
	last := map[int32]int64{}
	for _, d := range got.ok() {
		if prev, ok := last[d.Partition]; ok {
			assert.Greater(t, d.Offset, prev, "partition %d out of order", d.Partition)
		}
		last[d.Partition] = d.Offset
	}
	require.Eventually(t, func() bool { return lagIsZero(r.c, 3) }, waitTimeout, 20*time.Millisecond, "lag of 3 partitions reaches 0")
	r.stop(t)
	committed := committedOffsets(t, s.brokers, s.group, s.topic, 3)
	for p, off := range last {
		assert.Equal(t, off+1, committed[p], "partition %d committed after its last record", p)
	}
}

func TestConsumer_RetriesFailedBatchesWithoutLosingOrSkipping(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 3)
	envs := s.publish(t, 150)
	got := sink{fail: func(call int, _ []broker.Delivery) error {
		if call <= 3 || call%3 == 0 {
			return errors.New("transient failure")
		}
		return nil
	}}
	cfg := s.config()
	cfg.BatchSize = 16
	r := start(t, cfg, got.handle)

	require.Eventually(t, func() bool { return containsAll(got.okIDs(), envs) }, waitTimeout, 20*time.Millisecond, "all 150 events handled despite failures")
	require.Eventually(t, func() bool { return lagIsZero(r.c, 3) }, waitTimeout, 20*time.Millisecond, "lag reaches 0")
	r.stop(t)

	got.mu.Lock()
	failed, calls := got.failed, got.calls
	got.mu.Unlock()
	require.NotEmpty(t, failed)
	require.Greater(t, calls, 3)

	// Exactly once per success (one healthy member, no rebalance), and per
	// partition the successful offsets are contiguous: nothing skipped.
	ids := got.okIDs()
	for _, env := range envs {
		assert.Equal(t, 1, ids[env.EventID], "event %s handled successfully exactly once", env.EventID)
	}
	offsets := map[int32][]int64{}
	for _, d := range got.ok() {
		offsets[d.Partition] = append(offsets[d.Partition], d.Offset)
	}
	total := 0
	for p, offs := range offsets {
		for i := 1; i < len(offs); i++ {
			require.Equal(t, offs[i-1]+1, offs[i], "partition %d: offsets handled in order with no gap", p)
		}
		total += len(offs)
	}
	assert.Equal(t, len(envs), total)
	// A failed batch is retried with the same records first.
	okIDs := got.okIDs()
	for _, b := range failed {
		for _, d := range b {
			assert.Equal(t, 1, okIDs[d.Envelope.EventID], "record of a failed batch later handled")
		}
	}
}

// rawProducer writes arbitrary records, as a misbehaving producer could.
func rawProducer(t *testing.T, brokers string) *kafka.Producer {
	t.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": brokers, "acks": "all", "go.logs.channel.enable": false})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

func produceRaw(t *testing.T, p *kafka.Producer, topic string, key, value []byte, headers ...kafka.Header) {
	t.Helper()
	report := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0},
		Key:            key, Value: value, Headers: headers,
	}, report))
	select {
	case ev := <-report:
		m, ok := ev.(*kafka.Message)
		require.True(t, ok)
		require.NoError(t, m.TopicPartition.Error)
	case <-time.After(waitTimeout):
		t.Fatal("no delivery report")
	}
}

func TestConsumer_SendsMalformedRecordsToDeadLetterTopicAndContinues(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 1)
	dead := brokertest.NewReader(t, s.brokers, s.dlq)
	raw := rawProducer(t, s.brokers)

	first := s.publish(t, 1)
	noRequestID := brokertest.ItemEnvelope(t, uuid.New(), nil)
	noRequestID.RequestID = ""
	badEnvelope, err := noRequestID.MarshalJSON()
	require.NoError(t, err)
	malformed := []struct{ value, key string }{
		{"not json at all", "k1"},
		{string(badEnvelope), "k2"},
		{"", "k3"},
	}
	for _, m := range malformed {
		produceRaw(t, raw, s.topic, []byte(m.key), []byte(m.value), kafka.Header{Key: "origin", Value: []byte("test")})
	}
	last := s.publish(t, 1)

	var got sink
	r := start(t, s.config(), got.handle)
	require.Eventually(t, func() bool { return containsAll(got.okIDs(), append(first, last...)) }, waitTimeout, 20*time.Millisecond, "valid events around the bad ones handled")

	recs := dead.WaitForN(t, waitTimeout, len(malformed), brokertest.Any)
	require.Len(t, recs, len(malformed))
	for i, rec := range recs {
		assert.Equal(t, malformed[i].key, rec.Key)
		assert.Equal(t, malformed[i].value, string(rec.Value))
		assert.Equal(t, "test", rec.Header("origin"), "original headers kept")
		assert.Contains(t, rec.Header(broker.HeaderDLQReason), events.ErrInvalidEnvelope.Error())
		assert.Equal(t, s.topic, rec.Header(broker.HeaderDLQSourceTopic))
		assert.Equal(t, "0", rec.Header(broker.HeaderDLQSourcePartition))
		assert.Equal(t, strconv.Itoa(i+1), rec.Header(broker.HeaderDLQSourceOffset), "offsets 1..3 are the bad records")
		assert.Equal(t, s.group, rec.Header(broker.HeaderDLQConsumerGroup))
		_, err := time.Parse(time.RFC3339Nano, rec.Header(broker.HeaderDLQFailedAt))
		assert.NoError(t, err)
	}
	assert.Contains(t, recs[1].Header(broker.HeaderDLQReason), "request_id")
	assert.Len(t, got.ok(), 2, "the handler never sees malformed records")

	// The partition is not blocked: later records still flow, and the bad
	// ones are committed past.
	more := s.publish(t, 2)
	require.Eventually(t, func() bool { return containsAll(got.okIDs(), more) }, waitTimeout, 20*time.Millisecond, "events after the bad ones handled")
	require.Eventually(t, func() bool { return lagIsZero(r.c, 1) }, waitTimeout, 20*time.Millisecond, "lag reaches 0")
	dead.CatchUp(t, waitTimeout)
	assert.Len(t, dead.All(brokertest.Any), len(malformed), "each bad record dead-lettered once")
}

func TestConsumer_RestartResumesFromCommittedOffsets(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 3)
	envs := s.publish(t, 90)
	cfg := s.config()
	cfg.BatchSize = 10

	// The first member handles three batches, then fails every later one
	// (as if its database went away) until it is stopped.
	first := sink{fail: func(call int, _ []broker.Delivery) error {
		if call > 3 {
			return errors.New("database unavailable")
		}
		return nil
	}}
	r1 := start(t, cfg, first.handle)
	require.Eventually(t, func() bool {
		first.mu.Lock()
		defer first.mu.Unlock()
		return len(first.succeeded) == 3 && len(first.failed) >= 2
	}, waitTimeout, 20*time.Millisecond, "first member handled 3 batches and then failed")
	envs = append(envs, s.publish(t, 5)...) // more arrives while it is stuck
	pending := int64(len(envs) - len(first.okIDs()))
	require.Eventually(t, func() bool {
		var sum int64
		for _, n := range r1.c.Lag() {
			sum += n
		}
		return sum == pending
	}, waitTimeout, 20*time.Millisecond, "a stuck member reports its lag (%d records)", pending)
	r1.stop(t)
	done := first.okIDs()
	require.NotEmpty(t, done)

	envs = append(envs, s.publish(t, 30)...) // written while no member runs
	var second sink
	r2 := start(t, cfg, second.handle)
	require.Eventually(t, func() bool {
		got := second.okIDs()
		for id := range done {
			got[id]++
		}
		return containsAll(got, envs)
	}, waitTimeout, 20*time.Millisecond, "the restarted member handles everything the first did not")
	require.Eventually(t, func() bool { return lagIsZero(r2.c, 3) }, waitTimeout, 20*time.Millisecond, "lag reaches 0")
	for id, n := range second.okIDs() {
		assert.Zero(t, done[id], "event %s was committed by the first member and must not be redelivered", id)
		assert.Equal(t, 1, n)
	}
	assert.Len(t, second.okIDs(), len(envs)-len(done))
}

func TestConsumer_StopCommitsAndLeavesTheGroup(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 2)
	envs := s.publish(t, 20)
	var got sink
	r := start(t, s.config(), got.handle)
	require.Eventually(t, func() bool { return containsAll(got.okIDs(), envs) }, waitTimeout, 20*time.Millisecond, "events handled")

	began := time.Now()
	r.stop(t)
	assert.Less(t, time.Since(began), 10*time.Second, "stop is prompt")

	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": s.brokers})
	require.NoError(t, err)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	res, err := admin.DescribeConsumerGroups(ctx, []string{s.group})
	require.NoError(t, err)
	require.Len(t, res.ConsumerGroupDescriptions, 1)
	desc := res.ConsumerGroupDescriptions[0]
	assert.Empty(t, desc.Members, "the member left the group")
	assert.Equal(t, kafka.ConsumerGroupStateEmpty, desc.State)

	committed := committedOffsets(t, s.brokers, s.group, s.topic, 2)
	var sum int64
	for _, off := range committed {
		sum += off
	}
	assert.Equal(t, int64(len(envs)), sum, "every handled record committed")
}

// TestConsumer_RebalanceDiscardsRevokedRecordsAndLosesNothing has a member
// stuck retrying a batch when a second member joins: the partitions moved
// to the newcomer leave the stuck member's batch, and the newcomer handles
// them.
func TestConsumer_RebalanceDiscardsRevokedRecordsAndLosesNothing(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 6)
	envs := s.publish(t, 120)
	cfg := s.config()
	cfg.BatchSize = 500
	cfg.BatchWait = 500 * time.Millisecond // one batch spans every partition

	stuck := sink{fail: func(int, []broker.Delivery) error { return errors.New("stuck") }}
	a := start(t, cfg, stuck.handle)
	require.Eventually(t, func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		return len(stuck.failed) >= 1
	}, waitTimeout, 20*time.Millisecond, "member A is retrying a batch")
	stuck.mu.Lock()
	firstFailed := len(stuck.failed[0])
	partitionsBefore := partitionsOf(stuck.failed[0])
	stuck.mu.Unlock()

	var joiner sink
	b := start(t, cfg, joiner.handle)
	require.Eventually(t, func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		lastBatch := stuck.failed[len(stuck.failed)-1]
		return len(joiner.ok()) > 0 && len(lastBatch) < firstFailed
	}, waitTimeout, 20*time.Millisecond, "B handles moved partitions and A's retried batch shrank")
	stuck.mu.Lock()
	partitionsAfter := partitionsOf(stuck.failed[len(stuck.failed)-1])
	stuck.mu.Unlock()
	assert.Less(t, len(partitionsAfter), len(partitionsBefore))
	for p := range joiner.okPartitions() {
		assert.False(t, partitionsAfter[p], "partition %d is B's now; A no longer retries its records", p)
	}

	a.stop(t) // A leaves; B takes over the rest
	require.Eventually(t, func() bool {
		all := joiner.okIDs()
		for id := range stuck.okIDs() {
			all[id]++
		}
		return containsAll(all, envs)
	}, waitTimeout, 20*time.Millisecond, "every event handled by A or B")
	require.Eventually(t, func() bool { return lagIsZero(b.c, 6) }, waitTimeout, 20*time.Millisecond, "B owns all 6 partitions at lag 0")
}

func partitionsOf(batch []broker.Delivery) map[int32]bool {
	ps := map[int32]bool{}
	for _, d := range batch {
		ps[d.Partition] = true
	}
	return ps
}

func (s *sink) okPartitions() map[int32]bool {
	return partitionsOf(s.ok())
}

// committedOffsets returns the group's committed offset per partition.
func committedOffsets(t *testing.T, brokers, group, topic string, partitions int) map[int32]int64 {
	t.Helper()
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers})
	require.NoError(t, err)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	tps := make([]kafka.TopicPartition, partitions)
	for i := range tps {
		tps[i] = kafka.TopicPartition{Topic: &topic, Partition: int32(i)}
	}
	res, err := admin.ListConsumerGroupOffsets(ctx, []kafka.ConsumerGroupTopicPartitions{{Group: group, Partitions: tps}})
	require.NoError(t, err)
	require.Len(t, res.ConsumerGroupsTopicPartitions, 1)
	out := map[int32]int64{}
	for _, tp := range res.ConsumerGroupsTopicPartitions[0].Partitions {
		require.NoError(t, tp.Error)
		off := int64(tp.Offset)
		if off < 0 {
			off = 0 // nothing committed
		}
		out[tp.Partition] = off
	}
	return out
}

// logSink collects JSON log records.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) records(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(l.buf.Bytes(), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func TestConsumer_LogsSteadyLagPerPartitionAtDebugOnly(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 2)
	envs := s.publish(t, 10)
	var logs logSink
	cfg := s.config()
	cfg.LagInterval = 100 * time.Millisecond
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var got sink
	start(t, cfg, got.handle)
	require.Eventually(t, func() bool { return containsAll(got.okIDs(), envs) }, waitTimeout, 20*time.Millisecond, "events handled")
	require.Eventually(t, func() bool {
		seen := map[float64]bool{}
		for _, rec := range logs.records("consumer lag") {
			if rec["consumer_group"] == s.group && rec["topic"] == s.topic && rec["lag"] == float64(0) && rec["level"] == "DEBUG" {
				seen[rec["partition"].(float64)] = true
			}
		}
		return len(seen) == 2
	}, waitTimeout, 20*time.Millisecond, "a DEBUG lag line with consumer_group, topic, partition and lag 0 for both partitions")
	assert.Empty(t, logs.records("consumer lag is growing"), "a consumer keeping up never warns about its lag")
}

// TestConsumer_RebalanceLetsTheBatchInProgressFinishAndCommit has a slow
// member lose partitions while its handler is busy: the batch in progress
// finishes and is committed before the partitions move, and the newcomer
// starts after it, so nothing is handled twice or lost.
func TestConsumer_RebalanceLetsTheBatchInProgressFinishAndCommit(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 6)
	envs := s.publish(t, 600)
	cfg := s.config()
	cfg.BatchSize = 20 // A needs seconds for the backlog: B joins midway

	slow := sink{fail: func(int, []broker.Delivery) error {
		time.Sleep(150 * time.Millisecond) // a slow handler: the batch is in progress when B joins
		return nil
	}}
	a := start(t, cfg, slow.handle)
	require.Eventually(t, func() bool { return len(slow.ok()) > 0 }, waitTimeout, 20*time.Millisecond, "A handled a batch")

	var fast sink
	b := start(t, cfg, fast.handle)
	require.Eventually(t, func() bool {
		all := fast.okIDs()
		for id, n := range slow.okIDs() {
			all[id] += n
		}
		return containsAll(all, envs)
	}, waitTimeout, 20*time.Millisecond, "every event handled by A or B")
	require.Eventually(t, func() bool {
		return lagIsZero(a.c, len(a.c.Lag())) && lagIsZero(b.c, len(b.c.Lag()))
	}, waitTimeout, 20*time.Millisecond, "both caught up")
	require.NotEmpty(t, fast.ok(), "B took over partitions")

	all := fast.okIDs()
	for id, n := range slow.okIDs() {
		all[id] += n
	}
	for _, env := range envs {
		assert.Equal(t, 1, all[env.EventID], "event %s handled exactly once across the rebalance", env.EventID)
	}
}

func TestConsumer_LogsEachEventWithItsRequestIDs(t *testing.T) {
	t.Parallel()
	s := newConsumerSetup(t, 1)
	envs := s.publish(t, 3)
	var logs logSink
	cfg := s.config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var got sink
	start(t, cfg, got.handle)
	require.Eventually(t, func() bool { return containsAll(got.okIDs(), envs) }, waitTimeout, 20*time.Millisecond, "events handled")
	require.Eventually(t, func() bool {
		byID := map[string]map[string]any{}
		for _, rec := range logs.records("event handled") {
			byID[rec["event_id"].(string)] = rec
		}
		for _, e := range envs {
			rec, ok := byID[e.EventID.String()]
			if !ok || rec["request_id"] != e.RequestID || rec["trace_id"] != e.TraceID || rec["consumer_group"] != s.group {
				return false
			}
		}
		return true
	}, waitTimeout, 20*time.Millisecond, "one debug line per event with event_id, request_id, trace_id and consumer_group")
}
