package ops

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atlasapp/atlas/events"
)

// ConsumerMetrics records the work of the Kafka consumers (the audit
// consumer, the search indexer); one instance per process serves all of
// them, told apart by the consumer label (use the consumer group id or a
// short name: "audit", "indexer"). A nil *ConsumerMetrics records nothing.
type ConsumerMetrics struct {
	processed *prometheus.CounterVec
	failed    *prometheus.CounterVec
	batch     *prometheus.HistogramVec
	latency   *prometheus.HistogramVec
	lag       *lagCollector
	nowFunc   func() time.Time
}

// NewConsumerMetrics registers on reg:
//
//	atlas_consumer_records_processed_total{consumer}
//	atlas_consumer_records_failed_total{consumer}   (records of failed batch attempts)
//	atlas_consumer_batch_duration_seconds{consumer,outcome="ok|error"}
//	atlas_consumer_event_latency_seconds{consumer}  (event occurred → processed)
//	atlas_consumer_lag_records{consumer,partition}
func NewConsumerMetrics(reg prometheus.Registerer) *ConsumerMetrics {
	m := &ConsumerMetrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "consumer", Name: "records_processed_total",
			Help: "Kafka records a consumer processed successfully, by consumer.",
		}, []string{"consumer"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "consumer", Name: "records_failed_total",
			Help: "Kafka records in batches whose handling failed (they are retried), by consumer.",
		}, []string{"consumer"}),
		batch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "consumer", Name: "batch_duration_seconds",
			Help: "Time to handle one batch of records, by consumer and outcome.", Buckets: latencyBuckets,
		}, []string{"consumer", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "consumer", Name: "event_latency_seconds",
			Help:    "Time from an event's occurred_at to its processing by a consumer (audit row stored, document indexed).",
			Buckets: delayBuckets,
		}, []string{"consumer"}),
		lag:     newLagCollector(),
		nowFunc: time.Now,
	}
	reg.MustRegister(m.processed, m.failed, m.batch, m.latency, m.lag)
	return m
}

// WrapHandler returns a batch handler that runs h and records the batch
// under the consumer's name, for the transport to call instead of h.
func (m *ConsumerMetrics) WrapHandler(consumer string, h events.BatchHandler) events.BatchHandler {
	if m == nil {
		return h
	}
	return func(ctx context.Context, batch []events.Delivery) error {
		start := m.nowFunc()
		err := h(ctx, batch)
		end := m.nowFunc()
		if err != nil {
			m.batch.WithLabelValues(consumer, "error").Observe(end.Sub(start).Seconds())
			m.failed.WithLabelValues(consumer).Add(float64(len(batch)))
			return err
		}
		m.batch.WithLabelValues(consumer, "ok").Observe(end.Sub(start).Seconds())
		m.processed.WithLabelValues(consumer).Add(float64(len(batch)))
		obs := m.latency.WithLabelValues(consumer)
		for _, d := range batch {
			if !d.Envelope.OccurredAt.IsZero() {
				obs.Observe(max(end.Sub(d.Envelope.OccurredAt), 0).Seconds())
			}
		}
		return nil
	}
}

// ObserveLatency records one event processed by the consumer outside
// WrapHandler (for a consumer that handles records one by one).
func (m *ConsumerMetrics) ObserveLatency(consumer string, occurredAt time.Time) {
	if m == nil {
		return
	}
	m.latency.WithLabelValues(consumer).Observe(max(m.nowFunc().Sub(occurredAt), 0).Seconds())
}

// LagReporter reports records not yet consumed per partition;
// *broker.Consumer implements it.
type LagReporter interface {
	Lag() map[int32]int64
}

// RegisterLag exports the consumer's lag, read at scrape time, until the
// returned function is called (call it when the consumer stops).
func (m *ConsumerMetrics) RegisterLag(consumer string, c LagReporter) (unregister func()) {
	if m == nil {
		return func() {}
	}
	return m.lag.add(consumer, c)
}

// lagCollector exports the lag of every registered consumer.
type lagCollector struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	next uint64 // registration ids, so a stale unregister cannot remove a newer source
	srcs map[string]lagSource
}

type lagSource struct {
	id uint64
	r  LagReporter
}

func newLagCollector() *lagCollector {
	return &lagCollector{
		desc: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "consumer", "lag_records"),
			"Records between a consumer group's committed offset and the end of each assigned partition.",
			[]string{"consumer", "partition"}, nil),
		srcs: map[string]lagSource{},
	}
}

func (c *lagCollector) add(consumer string, r LagReporter) func() {
	c.mu.Lock()
	c.next++
	id := c.next
	c.srcs[consumer] = lagSource{id: id, r: r}
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.srcs[consumer].id == id {
			delete(c.srcs, consumer)
		}
		c.mu.Unlock()
	}
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	srcs := make(map[string]LagReporter, len(c.srcs))
	for k, v := range c.srcs {
		srcs[k] = v.r
	}
	c.mu.Unlock()
	for consumer, r := range srcs {
		for p, n := range r.Lag() {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), consumer, strconv.Itoa(int(p)))
		}
	}
}
