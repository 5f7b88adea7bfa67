package events

import (
	"context"
	"time"
)

// The consumer contract: how an event reaches a consumer of the stream
// (the audit recorder, the search syncer, a webhooks dispatcher) without the
// consumer knowing the transport. The Kafka consumer group in events/broker
// delivers through it; process wiring (app, cmd/atlas) connects the two.

// Record header names the transport carries beside every envelope: the W3C
// trace context of the write that caused the event, its request id, and the
// envelope's type and id (for tools that read records without decoding them).
const (
	HeaderTraceparent = "traceparent"
	HeaderRequestID   = "request_id"
	HeaderEventType   = "event_type"
	HeaderEventID     = "event_id"
)

// Header is one record header of a Delivery.
type Header struct {
	Key   string
	Value string
}

// Delivery is one decoded, schema-valid envelope as a consumer receives it,
// with where the transport had it (topic, partition, offset) and the
// record's key, time and headers.
type Delivery struct {
	// Envelope is the decoded, schema-valid event.
	Envelope Envelope
	// Value is the raw record value the envelope was decoded from.
	Value     []byte
	Topic     string
	Partition int32
	Offset    int64
	Key       string
	Timestamp time.Time
	Headers   []Header
}

// Header returns the first value of the named record header, or "".
func (d Delivery) Header(name string) string {
	for _, h := range d.Headers {
		if h.Key == name {
			return h.Value
		}
	}
	return ""
}

// Traceparent returns the record's W3C traceparent header, or "".
func (d Delivery) Traceparent() string { return d.Header(HeaderTraceparent) }

// RequestID returns the record's request_id header, or "".
func (d Delivery) RequestID() string { return d.Header(HeaderRequestID) }

// BatchHandler processes a batch of deliveries, and its result is the
// acknowledgement: nil means every delivery is durably processed, so the
// transport may forget them (the Kafka consumer commits their offsets); an
// error means none is, and the same deliveries come again, with backoff. A
// handler must therefore be idempotent: a delivery may also come again after
// a crash or a rebalance. Within a partition, deliveries are in offset
// order, and a handler is never called concurrently with itself.
type BatchHandler func(ctx context.Context, batch []Delivery) error

// Handler is a consumer of the event stream: audit.Recorder and
// search.Syncer implement it, and process wiring subscribes its Handle
// (a BatchHandler) to the transport under the consumer's group.
type Handler interface {
	Handle(ctx context.Context, batch []Delivery) error
}
