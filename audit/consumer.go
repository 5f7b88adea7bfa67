package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// GroupID is the Kafka consumer group of the audit consumer.
const GroupID = "atlas-audit"

// RecorderParams configures a Recorder.
type RecorderParams struct {
	// DB is where rows are appended (normally the pool).
	DB db.Beginner
	// Logger receives a warning when an event carried a secret; nil means
	// slog.Default().
	Logger *slog.Logger
	// NowFunc stamps recorded_at; nil means time.Now.
	NowFunc func() time.Time
}

// Recorder turns consumed envelopes into audit rows.
type Recorder struct {
	db    db.Beginner
	store Store
	log   *slog.Logger
	now   func() time.Time
}

// NewRecorder returns a Recorder.
func NewRecorder(p RecorderParams) *Recorder {
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Recorder{db: p.DB, log: p.Logger.With("component", "audit.recorder"), now: p.NowFunc}
}

// Handle is an events.BatchHandler: it redacts and appends the batch in
// one transaction. Events already recorded are skipped, so a redelivered
// batch is harmless; an error leaves nothing recorded and makes the
// consumer retry.
func (r *Recorder) Handle(ctx context.Context, batch []events.Delivery) error {
	now := r.now()
	evs := make([]Event, 0, len(batch))
	for _, d := range batch {
		e, red, err := fromEnvelope(d.Envelope, now)
		if err != nil {
			// The envelope passed the schema, so its data is an object;
			// this cannot happen short of a bug, and retrying will not help
			// either, but failing loudly beats dropping an event.
			return fmt.Errorf("audit event %s: %w", d.Envelope.EventID, err)
		}
		if len(red.Secrets) > 0 {
			r.log.ErrorContext(ctx, "event carried secret fields; masked before storage",
				"event_id", d.Envelope.EventID.String(), "type", string(d.Envelope.Type),
				"request_id", d.Envelope.RequestID, "fields", red.Secrets)
		}
		evs = append(evs, e)
	}
	res, err := r.store.Append(ctx, r.db, evs)
	if err != nil {
		return err
	}
	r.log.DebugContext(ctx, "audit batch recorded", "inserted", res.Inserted, "duplicates", res.Duplicates, "last_seq", res.LastSeq)
	return nil
}

// ConsumerParams configures NewConsumer.
type ConsumerParams struct {
	Brokers string
	// Topic is the events topic; empty means events.TopicEvents.
	Topic string
	// DeadLetterTopic receives malformed records; empty means
	// events.TopicDeadLetter.
	DeadLetterTopic string
	// GroupID overrides GroupID (tests use their own groups).
	GroupID string
	// BatchSize and BatchWait tune batching (see events.ConsumerConfig);
	// zero means 1000 events and 50 ms.
	BatchSize int
	BatchWait time.Duration
	// RetryMin and RetryMax bound the backoff between attempts of a failed
	// batch (see events.ConsumerConfig).
	RetryMin, RetryMax time.Duration
	// Properties are extra librdkafka settings.
	Properties map[string]string
	// Recorder stores the events; required.
	Recorder *Recorder
	// Wrap, if set, wraps the batch handler (metrics).
	Wrap func(events.BatchHandler) events.BatchHandler
	// Logger receives consumer logs; nil means slog.Default().
	Logger *slog.Logger
}

// NewConsumer returns the audit consumer: group atlas-audit on the events
// topic, recording every batch through p.Recorder. Run it with Run(ctx).
func NewConsumer(p ConsumerParams) (*events.Consumer, error) {
	if p.Recorder == nil {
		return nil, errors.New("audit consumer: no recorder")
	}
	if p.GroupID == "" {
		p.GroupID = GroupID
	}
	if p.Topic == "" {
		p.Topic = events.TopicEvents
	}
	var handler events.BatchHandler = p.Recorder.Handle
	if p.Wrap != nil {
		handler = p.Wrap(handler)
	}
	c, err := events.NewConsumer(events.ConsumerConfig{
		Brokers:         p.Brokers,
		GroupID:         p.GroupID,
		Topics:          []string{p.Topic},
		DeadLetterTopic: p.DeadLetterTopic,
		BatchSize:       p.BatchSize,
		BatchWait:       p.BatchWait,
		RetryMin:        p.RetryMin,
		RetryMax:        p.RetryMax,
		Properties:      p.Properties,
		Logger:          p.Logger,
	}, handler)
	if err != nil {
		return nil, fmt.Errorf("audit consumer: %w", err)
	}
	return c, nil
}
