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
//	atlas_outbox_publish_duration_seconds{outcome="ok|error"}
//	atlas_outbox_publish_failures_total{event_type}
//	atlas_outbox_event_delay_seconds  (event occurred → broker acknowledged)
func NewPublisherMetrics(reg prometheus.Registerer) *PublisherMetrics {
	m := &PublisherMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "outbox", Name: "publish_duration_seconds",
			Help: "Time to publish one event to Kafka and get the broker's acknowledgement, by outcome.", Buckets: latencyBuckets,
		}, []string{"outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "outbox", Name: "publish_failures_total",
			Help: "Event publish attempts that failed (the outbox job retries them), by event type.",
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
// attempt.
func (m *PublisherMetrics) Wrap(pub events.Publisher) events.Publisher {
	return &instrumentedPublisher{pub: pub, m: m}
}

type instrumentedPublisher struct {
	pub events.Publisher
	m   *PublisherMetrics
}

// Publish implements events.Publisher.
func (p *instrumentedPublisher) Publish(ctx context.Context, env events.Envelope) error {
	start := p.m.nowFunc()
	err := p.pub.Publish(ctx, env)
	end := p.m.nowFunc()
	if err != nil {
		p.m.duration.WithLabelValues("error").Observe(end.Sub(start).Seconds())
		p.m.failures.WithLabelValues(string(env.Type)).Inc()
		return err
	}
	p.m.duration.WithLabelValues("ok").Observe(end.Sub(start).Seconds())
	if !env.OccurredAt.IsZero() {
		p.m.delay.Observe(max(end.Sub(env.OccurredAt), 0).Seconds())
	}
	return nil
}
