package ops

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atlasapp/atlas/events"
)

// PublisherMetrics records how the outbox publishes events to Kafka.
type PublisherMetrics struct {
	duration *prometheus.HistogramVec
	failures *prometheus.CounterVec
	delay    prometheus.Histogram
	nowFunc  func() time.Time
}

// NewPublisherMetrics registers on reg:
//
//	atlas_outbox_publish_duration_seconds{outcome="ok|error"}  (one drained batch)
//	atlas_outbox_publish_failures_total{event_type}            (events not acknowledged)
//	atlas_outbox_event_delay_seconds  (event occurred → broker acknowledged)
func NewPublisherMetrics(reg prometheus.Registerer) *PublisherMetrics {
	m := &PublisherMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "outbox", Name: "publish_duration_seconds",
			Help: "Time to publish one drained batch of events to Kafka and get the broker's acknowledgements, by outcome.", Buckets: latencyBuckets,
		}, []string{"outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "outbox", Name: "publish_failures_total",
			Help: "Events whose publish failed (the drainer retries them), by event type.",
		}, []string{"event_type"}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "outbox", Name: "event_delay_seconds",
			Help:    "Time from an event's occurred_at (its transaction) to its acknowledged publish: how long events wait in the outbox.",
			Buckets: delayBuckets,
		}),
		nowFunc: time.Now,
	}
	reg.MustRegister(m.duration, m.failures, m.delay)
	return m
}

// Wrap returns a Publisher that publishes through pub and records each
// batch: its duration, the events that failed, and for every acknowledged
// event its delay since it occurred.
func (m *PublisherMetrics) Wrap(pub events.Publisher) events.Publisher {
	return &instrumentedPublisher{pub: pub, m: m}
}

type instrumentedPublisher struct {
	pub events.Publisher
	m   *PublisherMetrics
}

// PublishBatch implements events.Publisher.
func (p *instrumentedPublisher) PublishBatch(ctx context.Context, envs []events.Envelope) (int, error) {
	start := p.m.nowFunc()
	n, err := p.pub.PublishBatch(ctx, envs)
	end := p.m.nowFunc()
	outcome := "ok"
	if err != nil {
		outcome = "error"
		for _, env := range envs[n:] {
			p.m.failures.WithLabelValues(string(env.Type)).Inc()
		}
	}
	p.m.duration.WithLabelValues(outcome).Observe(end.Sub(start).Seconds())
	for _, env := range envs[:n] {
		if !env.OccurredAt.IsZero() {
			p.m.delay.Observe(max(end.Sub(env.OccurredAt), 0).Seconds())
		}
	}
	return n, err
}

// outboxBacklogQuery counts the events waiting in each lane and the age of
// the oldest; the (lane, seq) index serves it.
const outboxBacklogQuery = `
SELECT l.lane::text, count(o.seq),
       coalesce(extract(epoch FROM now() - min(o.created_at)), 0)::float8
FROM atlas_outbox_lanes l LEFT JOIN atlas_outbox o ON o.lane = l.lane
GROUP BY l.lane`

// outboxCollector exports the outbox backlog from one query per scrape.
type outboxCollector struct {
	db      Querier
	timeout time.Duration
	events  *prometheus.Desc
	oldest  *prometheus.Desc
}

// NewOutboxCollector returns a collector of the outbox backlog; register it
// in the processes that drain the outbox:
//
//	atlas_outbox_events{lane}                   events committed, not yet published
//	atlas_outbox_oldest_event_age_seconds{lane} age of the oldest of them (0: none)
//
// A lane whose age grows is stuck (Kafka down, or no drainer running).
func NewOutboxCollector(db Querier) prometheus.Collector {
	return &outboxCollector{db: db, timeout: DefaultCheckTimeout,
		events: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "outbox", "events"),
			"Events committed to the outbox and not yet published, by lane.", []string{"lane"}, nil),
		oldest: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "outbox", "oldest_event_age_seconds"),
			"Age of the oldest event waiting in the outbox, by lane (0 when none waits).", []string{"lane"}, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.events
	ch <- c.oldest
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	rows, err := c.db.Query(ctx, outboxBacklogQuery)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.events, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var lane string
		var n, age float64
		if err := rows.Scan(&lane, &n, &age); err != nil {
			ch <- prometheus.NewInvalidMetric(c.events, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.events, prometheus.GaugeValue, n, lane)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(age, 0), lane)
	}
	if err := rows.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(c.events, err)
	}
}
