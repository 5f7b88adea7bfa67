// Package brokertest helps tests assert what reached a real Kafka topic: a
// Reader that sees only records written after it was created, predicates to
// pick a test's own records out of a shared topic, and helpers to find the
// broker and make throw-away topics.
//
// A Reader never joins a consumer group (it assigns partitions directly), so
// any number of them, in parallel tests, can read the same topic without
// taking records from each other or from the application's consumers.
package brokertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
)

// EnvBrokers names the environment variable holding the broker list for
// tests; DefaultBrokers applies when it is unset.
const (
	EnvBrokers     = "ATLAS_KAFKA_BROKERS"
	DefaultBrokers = "127.0.0.1:9092"
)

// metadataTimeout bounds each broker round trip a helper makes.
const metadataTimeout = 10 * time.Second

// Brokers returns the broker list from ATLAS_KAFKA_BROKERS (default
// 127.0.0.1:9092) after checking that a broker answers; it fails the test if
// none does (start one with scripts/kafka start).
func Brokers(t testing.TB) string {
	t.Helper()
	brokers := os.Getenv(EnvBrokers)
	if brokers == "" {
		brokers = DefaultBrokers
	}
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers})
	if err != nil {
		t.Fatalf("brokertest: admin client for %s: %v", brokers, err)
	}
	defer admin.Close()
	if _, err := admin.GetMetadata(nil, false, int(metadataTimeout.Milliseconds())); err != nil {
		t.Fatalf("brokertest: no Kafka broker answers at %s (%s; run scripts/kafka start): %v", brokers, EnvBrokers, err)
	}
	return brokers
}

var unsafeTopicChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// UniqueTopic creates a topic with the given partition count whose name is
// derived from the test's name plus a random suffix, and deletes it when the
// test ends. Parallel tests each get their own topic.
func UniqueTopic(t testing.TB, brokers string, partitions int) string {
	t.Helper()
	name := unsafeTopicChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 150 {
		name = name[:150]
	}
	topic := "test." + name + "." + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	ctx, cancel := context.WithTimeout(context.Background(), 2*metadataTimeout)
	defer cancel()
	if err := broker.EnsureTopics(ctx, brokers, broker.Security{}, broker.TopicSpec{Name: topic, Partitions: partitions}); err != nil {
		t.Fatalf("brokertest: create topic %s: %v", topic, err)
	}
	t.Cleanup(func() { deleteTopic(t, brokers, topic) })
	return topic
}

// deleteTopic removes a test topic, best effort: a leftover topic costs
// only disk space on a test broker.
func deleteTopic(t testing.TB, brokers, topic string) {
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers})
	if err != nil {
		t.Logf("brokertest: delete topic %s: %v", topic, err)
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), metadataTimeout)
	defer cancel()
	if _, err := admin.DeleteTopics(ctx, []string{topic}); err != nil {
		t.Logf("brokertest: delete topic %s: %v", topic, err)
	}
}

// Header is one record header.
type Header struct {
	Key   string
	Value string
}

// Received is one record read from the topic.
type Received struct {
	// Envelope is the decoded value; DecodeErr is set instead when the
	// value is not an envelope.
	Envelope  events.Envelope
	DecodeErr error
	// Value is the raw record value.
	Value     []byte
	Key       string
	Headers   []Header
	Partition int32
	Offset    int64
	Timestamp time.Time
	// ReceivedAt is when this reader got the record (for latency figures).
	ReceivedAt time.Time
}

// Header returns the first value of the named header, or "" if absent.
func (r Received) Header(name string) string {
	for _, h := range r.Headers {
		if h.Key == name {
			return h.Value
		}
	}
	return ""
}

// HeaderValues returns every value of the named header, in record order.
func (r Received) HeaderValues(name string) []string {
	var vs []string
	for _, h := range r.Headers {
		if h.Key == name {
			vs = append(vs, h.Value)
		}
	}
	return vs
}

// Match selects records.
type Match func(Received) bool

// Any matches every record.
func Any(Received) bool { return true }

// EventID matches records whose envelope has the given event id.
func EventID(id uuid.UUID) Match {
	return func(r Received) bool { return r.DecodeErr == nil && r.Envelope.EventID == id }
}

// RequestID matches records whose envelope carries the given request id.
func RequestID(id string) Match {
	return func(r Received) bool { return r.DecodeErr == nil && r.Envelope.RequestID == id }
}

// EntityID matches records whose envelope is about the given entity.
func EntityID(id uuid.UUID) Match {
	return func(r Received) bool { return r.DecodeErr == nil && r.Envelope.Entity.ID == id }
}

// OfType matches records whose envelope has the given event type.
func OfType(t events.Type) Match {
	return func(r Received) bool { return r.DecodeErr == nil && r.Envelope.Type == t }
}

// Key matches records with the given record key.
func Key(key string) Match {
	return func(r Received) bool { return r.Key == key }
}

// And matches records that every one of ms matches.
func And(ms ...Match) Match {
	return func(r Received) bool {
		for _, m := range ms {
			if !m(r) {
				return false
			}
		}
		return true
	}
}

// Reader collects the records written to one topic after NewReader returned.
type Reader struct {
	topic    string
	consumer *kafka.Consumer
	stop     chan struct{}
	stopped  chan struct{}

	mu      sync.Mutex
	records []Received
	next    map[int32]int64 // next offset to read, per partition
	changed chan struct{}   // closed and replaced whenever records or next change
	lastErr error
}

// NewReader starts reading topic at its current end, so the test sees
// exactly the records produced after this call. It stops when the test ends.
func NewReader(t testing.TB, brokers, topic string) *Reader {
	t.Helper()
	return newReader(t, brokers, topic, false)
}

// NewReaderFromStart reads topic from its first record.
func NewReaderFromStart(t testing.TB, brokers, topic string) *Reader {
	t.Helper()
	return newReader(t, brokers, topic, true)
}

func newReader(t testing.TB, brokers, topic string, fromStart bool) *Reader {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers":        brokers,
		"group.id":                 "atlas-brokertest-" + uuid.NewString(),
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"fetch.wait.max.ms":        50,
		"go.logs.channel.enable":   false,
	})
	if err != nil {
		t.Fatalf("brokertest: new consumer: %v", err)
	}
	md, err := c.GetMetadata(&topic, false, int(metadataTimeout.Milliseconds()))
	if err != nil {
		c.Close()
		t.Fatalf("brokertest: metadata of %s: %v", topic, err)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() != kafka.ErrNoError || len(tm.Partitions) == 0 {
		c.Close()
		t.Fatalf("brokertest: topic %s not found (create it first): %v", topic, tm.Error)
	}
	r := &Reader{
		topic:    topic,
		consumer: c,
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
		next:     make(map[int32]int64, len(tm.Partitions)),
		changed:  make(chan struct{}),
	}
	assignment := make([]kafka.TopicPartition, 0, len(tm.Partitions))
	for _, p := range tm.Partitions {
		high, err := r.endOffset(p.ID)
		if err != nil {
			c.Close()
			t.Fatalf("brokertest: %v", err)
		}
		if fromStart {
			high = 0
		}
		r.next[p.ID] = high
		assignment = append(assignment, kafka.TopicPartition{Topic: &r.topic, Partition: p.ID, Offset: kafka.Offset(high)})
	}
	if err := c.Assign(assignment); err != nil {
		c.Close()
		t.Fatalf("brokertest: assign %s: %v", topic, err)
	}
	go r.run()
	t.Cleanup(r.close)
	return r
}

// endOffset returns the offset the next record written to partition p will
// get, retrying while the partition's leader is still taking over (as it is
// for a moment after the topic is created).
func (r *Reader) endOffset(p int32) (int64, error) {
	deadline := time.Now().Add(metadataTimeout)
	for {
		_, high, err := r.consumer.QueryWatermarkOffsets(r.topic, p, int(metadataTimeout.Milliseconds()))
		if err == nil {
			return high, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("end offset of %s[%d]: %w", r.topic, p, err)
		}
		time.Sleep(50 * time.Millisecond) // poll interval while the leader settles
	}
}

func (r *Reader) run() {
	defer close(r.stopped)
	for {
		select {
		case <-r.stop:
			return
		default:
		}
		switch ev := r.consumer.Poll(100).(type) {
		case *kafka.Message:
			r.add(ev)
		case kafka.Error:
			r.mu.Lock()
			r.lastErr = ev
			r.mu.Unlock()
		}
	}
}

func (r *Reader) add(m *kafka.Message) {
	rec := Received{
		Value:      m.Value,
		Key:        string(m.Key),
		Partition:  m.TopicPartition.Partition,
		Offset:     int64(m.TopicPartition.Offset),
		Timestamp:  m.Timestamp,
		ReceivedAt: time.Now(),
	}
	for _, h := range m.Headers {
		rec.Headers = append(rec.Headers, Header{Key: h.Key, Value: string(h.Value)})
	}
	if err := json.Unmarshal(m.Value, &rec.Envelope); err != nil {
		rec.DecodeErr = fmt.Errorf("decode envelope: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	if rec.Offset+1 > r.next[rec.Partition] {
		r.next[rec.Partition] = rec.Offset + 1
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *Reader) close() {
	close(r.stop)
	<-r.stopped
	r.consumer.Close()
}

// All returns the records received so far that match, in arrival order
// (which is offset order within a partition).
func (r *Reader) All(match Match) []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.matching(match)
}

func (r *Reader) matching(match Match) []Received {
	var out []Received
	for _, rec := range r.records {
		if match(rec) {
			out = append(out, rec)
		}
	}
	return out
}

// WaitFor waits until at least one received record matches and returns all
// matching records received by then; it fails the test after timeout.
func (r *Reader) WaitFor(t testing.TB, timeout time.Duration, match Match) []Received {
	t.Helper()
	return r.WaitForN(t, timeout, 1, match)
}

// WaitForN waits until at least n received records match and returns all
// matching records received by then; it fails the test after timeout. To
// assert that exactly n arrived, follow it with CatchUp and All.
func (r *Reader) WaitForN(t testing.TB, timeout time.Duration, n int, match Match) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		got := r.matching(match)
		changed, total, lastErr := r.changed, len(r.records), r.lastErr
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("brokertest: waited %s for %d matching records on %s: %d matched of %d received (last client error: %v)",
				timeout, n, r.topic, len(got), total, lastErr)
			return nil
		}
	}
}

// CatchUp waits until the reader has received every record that is in the
// topic at the time of the call, so that All then gives an exact answer
// (for example "published exactly once"); it fails the test after timeout.
func (r *Reader) CatchUp(t testing.TB, timeout time.Duration) {
	t.Helper()
	r.mu.Lock()
	partitions := make([]int32, 0, len(r.next))
	for p := range r.next {
		partitions = append(partitions, p)
	}
	r.mu.Unlock()
	end := make(map[int32]int64, len(partitions))
	for _, p := range partitions {
		high, err := r.endOffset(p)
		if err != nil {
			t.Fatalf("brokertest: %v", err)
		}
		end[p] = high
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		behind := map[int32]int64{}
		for p, high := range end {
			if r.next[p] < high {
				behind[p] = high - r.next[p]
			}
		}
		changed, lastErr := r.changed, r.lastErr
		r.mu.Unlock()
		if len(behind) == 0 {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("brokertest: waited %s to catch up with %s; records missing per partition: %v (last client error: %v)",
				timeout, r.topic, behind, lastErr)
			return
		}
	}
}

// ItemEnvelope returns a valid ItemUpdated envelope for itemID, in a random
// collection, with fresh correlation ids and the given data.
func ItemEnvelope(t testing.TB, itemID uuid.UUID, data any) events.Envelope {
	t.Helper()
	env, err := NewItemEnvelope(itemID, data)
	require.NoError(t, err)
	return env
}

// NewItemEnvelope is ItemEnvelope for any goroutine: it returns the error
// instead of failing the test.
func NewItemEnvelope(itemID uuid.UUID, data any) (events.Envelope, error) {
	actor := uuid.New()
	return events.New(events.ItemUpdated, &actor,
		events.Entity{Type: events.EntityItem, ID: itemID, CollectionID: uuid.New()},
		data, events.Meta{TraceID: events.NewTraceID(), RequestID: "req-" + uuid.NewString()})
}

// NewProducer returns a producer writing to topic, closed when the test ends.
func NewProducer(t testing.TB, brokers, topic string) *broker.Producer {
	t.Helper()
	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Topic: topic})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}
