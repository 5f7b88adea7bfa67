package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// GroupID is the consumer group of the audit consumer (on Kafka, its
// consumer group id).
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

// Recorder turns consumed envelopes into audit rows: it is the audit
// consumer's events.Handler.
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

var _ events.Handler = (*Recorder)(nil)
