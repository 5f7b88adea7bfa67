package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// produceBacklog writes n valid envelopes (item events spread over 1,000
// collections) to topic as fast as the producer allows.
func produceBacklog(b *testing.B, brokers, topic string, n int) {
	b.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": brokers, "acks": "all",
		"linger.ms": 20, "enable.idempotence": true, "go.logs.channel.enable": false})
	require.NoError(b, err)
	defer p.Close()
	collections := make([]uuid.UUID, 1000)
	for i := range collections {
		collections[i] = uuid.Must(uuid.NewV7())
	}
	done := make(chan error, 1)
	go func() {
		var failed error
		for reports := 0; reports < n; {
			m, ok := (<-p.Events()).(*kafka.Message)
			if !ok {
				continue // client-level events; failures show in the reports
			}
			reports++
			if m.TopicPartition.Error != nil && failed == nil {
				failed = m.TopicPartition.Error
			}
		}
		done <- failed
	}()
	for i := range n {
		actor := uuid.Must(uuid.NewV7()) // Atlas ids are UUIDv7
		env, err := events.New(events.ItemUpdated, &actor,
			events.Entity{Type: events.EntityItem, ID: uuid.Must(uuid.NewV7()), CollectionID: collections[i%len(collections)]},
			map[string]any{"changes": map[string]any{"title": events.Change{Before: "old title", After: fmt.Sprintf("title %d", i)}}, "version": 2},
			events.Meta{RequestID: "bench-" + uuid.NewString()})
		require.NoError(b, err)
		value, err := json.Marshal(env)
		require.NoError(b, err)
		for {
			err = p.Produce(&kafka.Message{
				TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
				Key:            []byte(env.Key()), Value: value,
				Headers: []kafka.Header{{Key: broker.HeaderRequestID, Value: []byte(env.RequestID)}},
			}, nil)
			if err == nil {
				break
			}
			p.Flush(100) // local queue full: let it drain
		}
	}
	require.NoError(b, <-done)
}

// maxSeq is the newest audit row's seq (b may be a require.EventuallyWithT
// condition's CollectT).
func maxSeq(b testfactory.T, pool *pgxpool.Pool) int64 {
	var n int64
	require.NoError(b, pool.QueryRow(context.Background(), `SELECT coalesce(max(seq), 0) FROM audit_events`).Scan(&n))
	return n
}

// BenchmarkBacklogDrain measures the audit consumer's sustained insert rate
// against a backlog of 100,000 events already on a 6-partition topic, from
// start (group join included) until the last row is committed. Target:
// at least 5,000 events/s on the 2-core development machine.
//
//	go test ./audit -run '^$' -bench BacklogDrain -benchtime 1x
func BenchmarkBacklogDrain(b *testing.B) {
	const backlog = 100_000
	for range b.N {
		b.StopTimer()
		pool := dbtest.New(b, dbtest.Opts{MaxConns: 4})
		s := newKafkaSetup(b, 6)
		produceBacklog(b, s.brokers, s.topic, backlog)
		b.StartTimer()

		start := time.Now()
		stop, _ := s.runConsumerWith(b, pool, 1000, 50*time.Millisecond)
		require.EventuallyWithT(b, func(collect *assert.CollectT) {
			assert.GreaterOrEqual(collect, maxSeq(collect, pool), int64(backlog))
		}, 5*time.Minute, 50*time.Millisecond, "backlog not drained")
		elapsed := time.Since(start)
		b.StopTimer()
		stop()
		require.EqualValues(b, backlog, count(b, pool))
		b.ReportMetric(float64(backlog)/elapsed.Seconds(), "events/s")
		b.ReportMetric(elapsed.Seconds(), "drain-s")
		b.StartTimer()
	}
}

// BenchmarkWriteToAuditRow measures the whole path at a steady 200 writes/s:
// a write (the item service's Create, what the API calls) commits its
// outbox event, the worker's drainer publishes it to Kafka, the audit
// consumer appends the row. Latency runs from starting the write to the row
// being visible to a reader that polls every 5 ms. Target: p99 under 1 s.
//
//	go test ./audit -run '^$' -bench WriteToAuditRow -benchtime 1x
func BenchmarkWriteToAuditRow(b *testing.B) {
	const (
		rate     = 200
		duration = 15 * time.Second
	)
	for range b.N {
		b.StopTimer()
		env := testfactory.New(b)
		s := newKafkaSetup(b, 6)
		brokertest.StartDrainer(b, env.Pool, s.brokers, s.topic)
		// Stage times per request id: when the worker produced the record
		// (its Kafka timestamp) and when the audit handler got it.
		var stageMu sync.Mutex
		produced, handled := map[string]time.Time{}, map[string]time.Time{}
		rec := audit.NewRecorder(audit.RecorderParams{DB: env.Pool, Logger: slog.New(slog.DiscardHandler)})
		s.runHandler(b, func(ctx context.Context, batch []broker.Delivery) error {
			now := time.Now()
			stageMu.Lock()
			for _, d := range batch {
				produced[d.Envelope.RequestID], handled[d.Envelope.RequestID] = d.Timestamp, now
			}
			stageMu.Unlock()
			return rec.Handle(ctx, batch)
		}, 1000, 20*time.Millisecond)
		owner := env.NewUser(b)
		collections := make([]uuid.UUID, 10)
		for i := range collections {
			collections[i] = env.NewCollection(b, owner).ID
		}
		// The collections' own events reach the trail first.
		require.EventuallyWithT(b, func(collect *assert.CollectT) {
			assert.GreaterOrEqual(collect, maxSeq(collect, env.Pool), int64(len(collections)))
		}, time.Minute, 10*time.Millisecond, "the collections' events reached the trail")
		base := maxSeq(b, env.Pool)
		b.StartTimer()

		var mu sync.Mutex
		sent := map[string]time.Time{}
		visible := map[string]time.Time{}
		var writeLatencies []time.Duration
		ctx, cancelWatch := context.WithCancel(context.Background())
		watchDone := make(chan struct{})
		go func() { // the reader: stamps rows as they become visible
			defer close(watchDone)
			last := base
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for ctx.Err() == nil {
				<-tick.C
				rows, err := env.Pool.Query(ctx, `SELECT seq, request_id FROM audit_events WHERE seq > $1 ORDER BY seq`, last)
				if err != nil {
					continue
				}
				now := time.Now()
				mu.Lock()
				for rows.Next() {
					var reqID string
					if rows.Scan(&last, &reqID) == nil {
						visible[reqID] = now
					}
				}
				mu.Unlock()
				rows.Close()
			}
		}()

		total := int(duration.Seconds()) * rate
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / rate)
		for i := range total {
			<-tick.C
			wg.Add(1)
			go func() {
				defer wg.Done()
				reqID := fmt.Sprintf("lat-%d-%s", i, uuid.NewString()[:8])
				start := time.Now()
				mu.Lock()
				sent[reqID] = start
				mu.Unlock()
				ctx := correlation.With(context.Background(), correlation.IDs{RequestID: reqID})
				if _, err := env.Items.Create(ctx, owner.ID, collections[i%len(collections)], item.CreateParams{Title: "Latency " + reqID}); err != nil {
					// Off the benchmark's goroutine: report with Errorf, never FailNow.
					b.Errorf("write %d: %v", i, err)
				}
				mu.Lock()
				writeLatencies = append(writeLatencies, time.Since(start))
				mu.Unlock()
			}()
		}
		tick.Stop()
		wg.Wait()
		require.Eventually(b, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(visible) >= total
		}, 2*time.Minute, 20*time.Millisecond, "every write reached the audit trail")
		cancelWatch()
		<-watchDone
		b.StopTimer()

		mu.Lock()
		stageMu.Lock()
		var lat, toKafka, toHandler, toVisible []time.Duration
		for reqID, at := range sent {
			if v, ok := visible[reqID]; ok {
				lat = append(lat, v.Sub(at))
				toKafka = append(toKafka, produced[reqID].Sub(at))
				toHandler = append(toHandler, handled[reqID].Sub(produced[reqID]))
				toVisible = append(toVisible, v.Sub(handled[reqID]))
			}
		}
		stageMu.Unlock()
		mu.Unlock()
		require.Len(b, lat, total, "every write reached the audit trail")
		slices.Sort(lat)
		slices.Sort(writeLatencies)
		pct := func(d []time.Duration, p float64) float64 {
			return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(lat, 0.50), "p50-ms")
		b.ReportMetric(pct(lat, 0.99), "p99-ms")
		b.ReportMetric(pct(lat, 1), "max-ms")
		b.ReportMetric(pct(writeLatencies, 0.99), "write-p99-ms")
		for name, d := range map[string][]time.Duration{"outbox": toKafka, "kafka": toHandler, "append": toVisible} {
			slices.Sort(d)
			b.ReportMetric(pct(d, 0.50), name+"-p50-ms")
			b.ReportMetric(pct(d, 0.99), name+"-p99-ms")
		}
		b.ReportMetric(float64(total)/duration.Seconds(), "writes/s")
		b.StartTimer()
	}
}

// runConsumerWith is runConsumer with a chosen batch size and wait.
func (s kafkaSetup) runConsumerWith(tb testing.TB, pool *pgxpool.Pool, size int, wait time.Duration) (func(), *broker.Consumer) {
	tb.Helper()
	rec := audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: slog.New(slog.DiscardHandler)})
	return s.runHandler(tb, rec.Handle, size, wait)
}

// runHandler runs a consumer of the setup's topic with handler h.
func (s kafkaSetup) runHandler(tb testing.TB, h broker.BatchHandler, size int, wait time.Duration) (func(), *broker.Consumer) {
	tb.Helper()
	c, err := broker.NewConsumer(broker.ConsumerConfig{
		Brokers: s.brokers, GroupID: s.group, Topics: []string{s.topic}, DeadLetterTopic: s.dlq,
		BatchSize: size, BatchWait: wait, Logger: slog.New(slog.DiscardHandler),
	}, h)
	require.NoError(tb, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("consumer: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	return stop, c
}

// BenchmarkAppend measures Store.Append alone (no Kafka): batches of 1,000
// events with UUIDv7 entity ids over 1,000 collections.
//
//	go test ./audit -run '^$' -bench Append
func BenchmarkAppend(b *testing.B) {
	pool := dbtest.New(b, dbtest.Opts{MaxConns: 2})
	collections := make([]uuid.UUID, 1000)
	for i := range collections {
		collections[i] = uuid.Must(uuid.NewV7())
	}
	const size = 1000
	batches := make([][]audit.Event, b.N)
	for n := range batches {
		batches[n] = make([]audit.Event, size)
		for i := range batches[n] {
			batches[n][i] = newEvent(b, eventOpts{
				Entity: events.Entity{Type: events.EntityItem, ID: uuid.Must(uuid.NewV7()), CollectionID: collections[i%len(collections)]},
				Data:   map[string]any{"changes": map[string]any{"title": events.Change{Before: "old", After: "new"}}, "version": 2},
			})
		}
	}
	b.ResetTimer()
	for n := range b.N {
		if _, err := (audit.Store{}).Append(context.Background(), pool, batches[n]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "events/s")
}
