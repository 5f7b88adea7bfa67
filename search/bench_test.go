package search_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
	"github.com/atlasapp/atlas/testfactory"
)

// benchDuration is how long a steady-rate benchmark writes (ATLAS_BENCH_SECONDS, default 10).
func benchDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 10 * time.Second
}

// percentile returns the p-th percentile (0..100) of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p int) float64 {
	i := min(len(sorted)*p/100, len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// indexerStats is what a benchmark learns from wrapping the indexer's batch handler.
type indexerStats struct {
	handled atomic.Int64
	mu      sync.Mutex
	arrival []time.Duration // event committed (occurred_at) → its batch handed to the indexer
	batch   []time.Duration // batch handed over → acknowledged by Elasticsearch
}

func (s *indexerStats) report(b *testing.B) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.arrival)
	slices.Sort(s.batch)
	if len(s.arrival) > 0 {
		b.ReportMetric(percentile(s.arrival, 50), "to_indexer_p50_ms")
		b.ReportMetric(percentile(s.arrival, 99), "to_indexer_p99_ms")
	}
	if len(s.batch) > 0 {
		b.ReportMetric(percentile(s.batch, 50), "batch_p50_ms")
		b.ReportMetric(percentile(s.batch, 99), "batch_p99_ms")
		b.ReportMetric(float64(s.handled.Load())/float64(len(s.batch)), "events/batch")
	}
}

// runIndexer runs the production indexer (default batching, no forced refresh) on topic until
// the benchmark ends, counting the events it has handled.
func runIndexer(b *testing.B, brokers, topic string, syncer *search.Syncer) *indexerStats {
	b.Helper()
	stats := &indexerStats{}
	c, err := broker.NewEventsConsumer(broker.ConsumerConfig{
		Brokers: brokers, Topics: []string{topic}, DeadLetterTopic: topic + ".dlq", GroupID: "atlas-indexer-bench-" + uuid.NewString()[:8],
	}, search.GroupID, syncer.Handle,
		func(h broker.BatchHandler) broker.BatchHandler {
			return func(ctx context.Context, batch []broker.Delivery) error {
				start := time.Now()
				err := h(ctx, batch)
				if err == nil {
					stats.handled.Add(int64(len(batch)))
					stats.mu.Lock()
					stats.batch = append(stats.batch, time.Since(start))
					for _, d := range batch {
						stats.arrival = append(stats.arrival, start.Sub(d.Envelope.OccurredAt))
					}
					stats.mu.Unlock()
				}
				return err
			}
		})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		require.NoError(b, <-done)
	})
	return stats
}

// BenchmarkWriteToSearchable writes items through the item service at a steady 50 writes/s while the
// worker publishes the outbox and the indexer (production settings: 50 ms batches, refresh
// every second) indexes them, and measures from the start of each write request to the item
// appearing in search results (a reader searches every 10 ms, from the oldest write it has not
// seen yet). Target: p99 under 2 s.
//
//	go test ./search -run '^$' -bench WriteToSearchable -benchtime 1x
func BenchmarkWriteToSearchable(b *testing.B) {
	const rate = 50
	d := benchDuration()
	for range b.N {
		brokers := brokertest.Brokers(b)
		topic := brokertest.UniqueTopic(b, brokers, 6)
		env := testfactory.New(b)
		ix := searchtest.NewIndex(b, search.RefreshNone)
		syncer, err := search.NewSyncer(search.SyncerParams{DB: env.Pool, Index: ix})
		require.NoError(b, err)
		brokertest.StartDrainer(b, env.Pool, brokers, topic)
		stats := runIndexer(b, brokers, topic, syncer)
		u := env.NewUser(b)
		c := env.NewCollection(b, u)

		var mu sync.Mutex
		sent := map[uuid.UUID]time.Time{}
		createdAt := map[uuid.UUID]time.Time{}
		seen := map[uuid.UUID]time.Time{}
		stop := make(chan struct{})
		var reader sync.WaitGroup
		reader.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				mu.Lock()
				var oldest time.Time
				for id, at := range createdAt {
					if _, ok := seen[id]; !ok && (oldest.IsZero() || at.Before(oldest)) {
						oldest = at
					}
				}
				mu.Unlock()
				if oldest.IsZero() {
					continue
				}
				// Every item created since the oldest unseen one, oldest first.
				after := []any{oldest.UnixMilli() - 1, ""}
				for after != nil {
					res, err := ix.Search(context.Background(), search.Params{CollectionIDs: []uuid.UUID{c.ID},
						Sort: search.SortCreatedAt, Order: search.OrderAsc, SearchAfter: after, Limit: search.MaxLimit})
					if err != nil {
						break
					}
					now := time.Now()
					mu.Lock()
					for _, h := range res.Hits {
						if _, ok := seen[h.ID]; !ok {
							seen[h.ID] = now
						}
					}
					mu.Unlock()
					after = res.NextSearchAfter
				}
			}
		})

		b.ResetTimer()
		tick := time.NewTicker(time.Second / rate)
		deadline := time.Now().Add(d)
		var writers sync.WaitGroup
		for time.Now().Before(deadline) {
			<-tick.C
			writers.Go(func() {
				start := time.Now()
				// Off the benchmark's goroutine: report with Errorf, never FailNow.
				created, err := env.Items.Create(context.Background(), u.ID, c.ID, item.CreateParams{Title: "latency probe", Tags: []string{"bench"}})
				if err != nil {
					b.Errorf("write: %v", err)
					return
				}
				mu.Lock()
				sent[created.ID] = start
				createdAt[created.ID] = created.CreatedAt
				mu.Unlock()
			})
		}
		tick.Stop()
		writers.Wait()
		require.EventuallyWithT(b, func(collect *assert.CollectT) {
			mu.Lock()
			defer mu.Unlock()
			missing := 0
			for id := range sent {
				if _, ok := seen[id]; !ok {
					missing++
				}
			}
			assert.Zero(collect, missing, "writes not yet searchable")
		}, time.Minute, 20*time.Millisecond, "every write became searchable")
		close(stop)
		reader.Wait()
		b.StopTimer()

		lat := make([]time.Duration, 0, len(sent))
		for id, start := range sent {
			lat = append(lat, seen[id].Sub(start))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(sent))/d.Seconds(), "writes/s")
		b.ReportMetric(percentile(lat, 50), "p50_ms")
		b.ReportMetric(percentile(lat, 99), "p99_ms")
		b.ReportMetric(percentile(lat, 100), "max_ms")
		stats.report(b)
	}
}

// BenchmarkIndexerBacklog measures the indexer draining a backlog of 100,000 ItemCreated events
// (items bulk-loaded into Postgres beforehand, spread over 100 collections) on a 6-partition
// topic, from start (group join included) until every event is handled and acknowledged by
// Elasticsearch.
//
//	go test ./search -run '^$' -bench IndexerBacklog -benchtime 1x
func BenchmarkIndexerBacklog(b *testing.B) {
	const backlog = 100_000
	for range b.N {
		b.StopTimer()
		brokers := brokertest.Brokers(b)
		topic := brokertest.UniqueTopic(b, brokers, 6)
		env := testfactory.New(b)
		ix := searchtest.NewIndex(b, search.RefreshNone)
		syncer, err := search.NewSyncer(search.SyncerParams{DB: env.Pool, Index: ix})
		require.NoError(b, err)
		u := env.NewUser(b)
		colls := make([]uuid.UUID, 100)
		for i := range colls {
			colls[i] = env.NewCollection(b, u).ID
		}
		cor := newCorpus(2)
		ids := make([]uuid.UUID, backlog)
		collOf := make([]uuid.UUID, backlog)
		titles, descs := make([]string, backlog), make([]string, backlog)
		for i := range ids {
			ids[i], collOf[i] = uuid.Must(uuid.NewV7()), colls[i%len(colls)]
			titles[i], descs[i] = cor.text(3, 8), cor.text(10, 30)
		}
		_, err = env.Pool.Exec(context.Background(), `
INSERT INTO items (id, collection_id, title, description, created_by, version, created_at, updated_at)
SELECT t.id, t.coll, t.title, t.description, $5, 1, now(), now()
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS t (id, coll, title, description)`,
			ids, collOf, titles, descs, u.ID)
		require.NoError(b, err)
		produceItemEvents(b, brokers, topic, ids, collOf)

		b.StartTimer()
		start := time.Now()
		stats := runIndexer(b, brokers, topic, syncer)
		require.Eventually(b, func() bool { return stats.handled.Load() >= backlog }, 10*time.Minute, 20*time.Millisecond, "backlog not drained")
		elapsed := time.Since(start)
		b.StopTimer()

		require.NoError(b, ix.Refresh(context.Background()))
		res, err := ix.Search(context.Background(), search.Params{CollectionIDs: colls, Limit: 1})
		require.NoError(b, err)
		require.EqualValues(b, backlog, res.Total)
		var recorded int
		require.NoError(b, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM search_index_state`).Scan(&recorded))
		require.Equal(b, backlog, recorded)
		b.ReportMetric(float64(backlog)/elapsed.Seconds(), "events/s")
		b.ReportMetric(elapsed.Seconds(), "drain_s")
		stats.report(b)
	}
}

// produceItemEvents writes one valid ItemCreated envelope per item to topic, keyed by item.
func produceItemEvents(b *testing.B, brokers, topic string, ids, colls []uuid.UUID) {
	b.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": brokers, "acks": "all",
		"linger.ms": 20, "enable.idempotence": true, "go.logs.channel.enable": false})
	require.NoError(b, err)
	defer p.Close()
	done := make(chan error, 1)
	go func() {
		var failed error
		for reports := 0; reports < len(ids); {
			m, ok := (<-p.Events()).(*kafka.Message)
			if !ok {
				continue
			}
			reports++
			if m.TopicPartition.Error != nil && failed == nil {
				failed = m.TopicPartition.Error
			}
		}
		done <- failed
	}()
	for i, id := range ids {
		env, err := events.New(events.ItemCreated, nil,
			events.Entity{Type: events.EntityItem, ID: id, CollectionID: colls[i]},
			map[string]any{"title": "bench", "version": 1}, events.Meta{RequestID: "bench-" + strconv.Itoa(i)})
		require.NoError(b, err)
		value, err := json.Marshal(env)
		require.NoError(b, err)
		for {
			err = p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
				Key: []byte(env.Key()), Value: value}, nil)
			if err == nil {
				break
			}
			p.Flush(100) // local queue full: let it drain
		}
	}
	require.NoError(b, <-done)
}
