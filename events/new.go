package events

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// occurredAtLayout is how occurred_at is written: UTC with microseconds,
// the precision Postgres keeps, so the value round-trips through the
// database unchanged.
const occurredAtLayout = "2006-01-02T15:04:05.000000Z07:00"

// Meta carries the request context an event inherits from the write that
// caused it.
type Meta struct {
	// TraceID is the W3C trace id (32 lower-case hex digits) of the
	// request. When empty, New starts a new trace.
	TraceID string
	// RequestID is the API request id; it is required.
	RequestID string
	// Parent is the W3C traceparent of the span recording the event, if
	// any (see Envelope.Parent).
	Parent string
	// NowFunc returns the current time; nil means time.Now. Tests set it to
	// get deterministic timestamps.
	NowFunc func() time.Time
}

// New builds a complete envelope: a fresh UUIDv7 event id, the current
// envelope version, occurred_at now (UTC, microsecond precision), and data
// marshalled to JSON (nil data becomes {}). data must marshal to a JSON
// object. The result is checked against the envelope schema, so a defect
// (unknown type, empty request id, malformed trace id, ...) is reported here,
// at the write, rather than when the outbox publishes it.
func New(t Type, actor *uuid.UUID, entity Entity, data any, meta Meta) (Envelope, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Envelope{}, fmt.Errorf("new event id: %w", err)
	}
	raw := json.RawMessage("{}")
	if data != nil {
		raw, err = json.Marshal(data)
		if err != nil {
			return Envelope{}, fmt.Errorf("marshal %s event data: %w", t, err)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			return Envelope{}, fmt.Errorf("%w: %s event data must be a JSON object, got %.40s", ErrInvalidEnvelope, t, raw)
		}
	}
	now := time.Now
	if meta.NowFunc != nil {
		now = meta.NowFunc
	}
	traceID := meta.TraceID
	if traceID == "" {
		traceID = NewTraceID()
	}
	env := Envelope{
		EventID:     id,
		Type:        t,
		Version:     EnvelopeVersion,
		OccurredAt:  now().UTC().Truncate(time.Microsecond),
		ActorUserID: actor,
		Entity:      entity,
		Data:        raw,
		TraceID:     traceID,
		RequestID:   meta.RequestID,
		Parent:      meta.Parent,
	}
	if err := env.Validate(); err != nil {
		return Envelope{}, fmt.Errorf("new %s event: %w", t, err)
	}
	return env, nil
}

// Validate checks the envelope against the envelope schema.
func (e Envelope) Validate() error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("%w: marshal: %w", ErrInvalidEnvelope, err)
	}
	return ValidateJSON(b)
}

// envelopeFields has Envelope's fields without its methods, so MarshalJSON
// can reuse the struct tags without recursing.
type envelopeFields Envelope

// MarshalJSON writes the envelope in its wire form. It differs from the
// default encoding only in occurred_at, which is always UTC with exactly six
// fractional digits (the default drops trailing zeros, and with them the
// sub-second precision the schema requires).
func (e Envelope) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		envelopeFields
		OccurredAt string `json:"occurred_at"`
	}{
		envelopeFields: envelopeFields(e),
		OccurredAt:     e.OccurredAt.UTC().Format(occurredAtLayout),
	})
}

// NewTraceID returns a random W3C trace id: 32 lower-case hex digits, not
// all zero.
func NewTraceID() string {
	return randomHex(16)
}

// Traceparent formats a W3C traceparent header (version 00, sampled) for a
// span in the given trace.
func Traceparent(traceID, spanID string) string {
	return "00-" + traceID + "-" + spanID + "-01"
}

// NewSpanID returns a random W3C parent (span) id: 16 lower-case hex digits,
// not all zero.
func NewSpanID() string {
	return randomHex(8)
}

func randomHex(n int) string {
	b := make([]byte, n)
	for {
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
		for _, c := range b {
			if c != 0 {
				return hex.EncodeToString(b)
			}
		}
	}
}
