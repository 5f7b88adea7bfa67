package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/telemetry"
)

// Record header names set on every published envelope (see events).
const (
	HeaderTraceparent = events.HeaderTraceparent
	HeaderRequestID   = events.HeaderRequestID
	HeaderEventType   = events.HeaderEventType
	HeaderEventID     = events.HeaderEventID
)

// Producer defaults.
const (
	defaultMessageTimeout = 30 * time.Second
	defaultCloseTimeout   = 10 * time.Second
	defaultClientID       = "atlas"
)

// ErrProducerClosed is returned by Publish after Close.
var ErrProducerClosed = errors.New("event producer closed")

// ProducerConfig configures a Producer.
type ProducerConfig struct {
	// Brokers is the comma-separated bootstrap list, e.g. "127.0.0.1:9092".
	Brokers string
	// Topic receives the envelopes; empty means TopicEvents.
	Topic string
	// ClientID names the client in broker logs and metrics; empty means
	// "atlas".
	ClientID string
	// MessageTimeout bounds how long one record may wait for delivery,
	// retries included, before its delivery report fails; zero means 30s.
	// Keep it below the River job timeout so a job fails with the real
	// cause rather than a cancelled context.
	MessageTimeout time.Duration
	// CloseTimeout bounds how long Close waits for outstanding records;
	// zero means 10s.
	CloseTimeout time.Duration
	// Security says how to reach the brokers (TLS, SASL); the zero value is
	// PLAINTEXT.
	Security Security
	// Properties are extra librdkafka settings (tuning); they cannot
	// override idempotence, acks or the security settings.
	Properties map[string]string
	// Logger receives client-level errors reported outside any delivery;
	// nil means slog.Default().
	Logger *slog.Logger
}

// Producer publishes envelopes to Kafka with an idempotent producer
// (acks=all), one delivery report per call. It is safe for concurrent use.
type Producer struct {
	sec          Security
	topic        string
	closeTimeout time.Duration
	log          *slog.Logger
	kp           *kafka.Producer

	mu     sync.RWMutex // guards closed against Publish racing Close
	closed bool
	done   chan struct{} // closed by Close; wakes waiting Publish calls
	events sync.WaitGroup
}

// NewProducer creates a Producer. It does not contact the brokers: a broker
// that is down shows up as failed deliveries, not as an error here.
func NewProducer(cfg ProducerConfig) (*Producer, error) {
	if cfg.Brokers == "" {
		return nil, errors.New("new event producer: no brokers")
	}
	if cfg.Topic == "" {
		cfg.Topic = TopicEvents
	}
	if cfg.ClientID == "" {
		cfg.ClientID = defaultClientID
	}
	if cfg.MessageTimeout <= 0 {
		cfg.MessageTimeout = defaultMessageTimeout
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = defaultCloseTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// Each publish waits for its own delivery report, so batching delay
	// (linger) is pure latency here; Properties may still override it.
	conf := kafka.ConfigMap{"linger.ms": 1}
	for k, v := range cfg.Properties {
		conf[k] = v
	}
	for k, v := range map[string]kafka.ConfigValue{
		"client.id":          cfg.ClientID,
		"enable.idempotence": true,
		"acks":               "all",
		"message.timeout.ms": int(cfg.MessageTimeout.Milliseconds()),
		// The delivery report is only inspected for its error.
		"go.delivery.report.fields": "none",
		// Client logs go to the events channel, then to slog.
		"go.logs.channel.enable": true,
	} {
		conf[k] = v
	}
	conf = cfg.Security.configMap(cfg.Brokers, conf)
	kp, err := kafka.NewProducer(&conf)
	if err != nil {
		return nil, fmt.Errorf("new event producer: %w", err)
	}
	p := &Producer{
		sec:          cfg.Security,
		topic:        cfg.Topic,
		closeTimeout: cfg.CloseTimeout,
		log:          cfg.Logger.With("component", "broker.producer", "topic", cfg.Topic),
		kp:           kp,
		done:         make(chan struct{}),
	}
	p.events.Add(2)
	go p.drainEvents()
	go p.drainLogs()
	if err := cfg.Security.refreshToken(kp); err != nil {
		p.log.Error("kafka client without a token", "error", err)
	}
	return p, nil
}

// drainEvents logs client-level events (delivery reports go to per-call
// channels); it ends when Close closes the events channel.
func (p *Producer) drainEvents() {
	defer p.events.Done()
	for ev := range p.kp.Events() {
		switch e := ev.(type) {
		case kafka.OAuthBearerTokenRefresh:
			if err := p.sec.refreshToken(p.kp); err != nil {
				p.log.Error("kafka client without a token", "error", err)
			}
		case kafka.Error:
			// librdkafka reconnects by itself and failed records surface in
			// their delivery reports, so connection churn is only debug
			// noise; a fatal error disables the producer for good.
			level := slog.LevelWarn
			switch {
			case e.IsFatal():
				level = slog.LevelError
			case e.Code() == kafka.ErrAllBrokersDown, e.Code() == kafka.ErrTransport:
				level = slog.LevelDebug
			}
			p.log.Log(context.Background(), level, "kafka client error",
				"code", e.Code().String(), "fatal", e.IsFatal(), "error", e.Error())
		case *kafka.Message:
			// A report without a per-call channel: not produced by Publish.
			p.log.Warn("unexpected delivery report", "error", e.TopicPartition.Error)
		}
	}
}

// drainLogs forwards librdkafka's own log lines to slog; it ends when Close
// closes the logs channel.
func (p *Producer) drainLogs() {
	defer p.events.Done()
	for e := range p.kp.Logs() {
		p.log.Log(context.Background(), logLevel(e.Level), "kafka client log",
			"facility", e.Tag, "client", e.Name, "message", e.Message)
	}
}

// Topic is the topic this producer writes to.
func (p *Producer) Topic() string { return p.topic }

// Publish writes env to the topic as JSON, keyed by env.Key(), with the
// headers traceparent (a new span in env's trace), request_id, event_type
// and event_id, and returns once the broker has acknowledged it (all in-sync
// replicas) or delivery has failed. If ctx ends first, Publish returns
// ctx's error; the record may still be delivered later, which consumers
// tolerate because they deduplicate on event_id. An envelope that fails the
// schema is refused with an error wrapping ErrInvalidEnvelope.
func (p *Producer) Publish(ctx context.Context, env events.Envelope) error {
	_, err := p.PublishBatch(ctx, []events.Envelope{env})
	return err
}

// PublishBatch implements events.Publisher: it hands every envelope of envs
// to the client before waiting for any delivery report (the idempotent
// producer keeps their order per partition), then waits for all of them,
// and returns how many, counted from the first, were acknowledged. An
// envelope that fails the schema stops the batch there with an error
// wrapping events.ErrInvalidEnvelope; nothing after it is sent.
func (p *Producer) PublishBatch(ctx context.Context, envs []events.Envelope) (int, error) {
	// Buffered so that a report arriving after PublishBatch gave up never
	// blocks the client's poller.
	report := make(chan kafka.Event, len(envs))
	sent := 0
	var sendErr error
	spans := make([]trace.Span, 0, len(envs))
	failed := make([]error, len(envs))
	defer func() { endPublishSpans(spans, failed) }()
	for _, env := range envs {
		span := p.publishSpan(ctx, env)
		spans = append(spans, span)
		msg, err := p.message(env, span)
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = p.produce(msg, report, sent)
		}
		if err != nil {
			sendErr = fmt.Errorf("publish event %s: %w", env.EventID, err)
			failed[sent] = sendErr
			break
		}
		sent++
	}
	// Reports come back per partition in order, across partitions in any
	// order: collect them all, then count the acknowledged prefix.
	for range sent {
		select {
		case ev := <-report:
			m, ok := ev.(*kafka.Message)
			if !ok {
				return 0, fmt.Errorf("publish events: unexpected delivery event %v", ev)
			}
			i, _ := m.Opaque.(int)
			if m.TopicPartition.Error != nil {
				failed[i] = fmt.Errorf("publish event %s: delivery: %w", envs[i].EventID, m.TopicPartition.Error)
			}
		case <-ctx.Done():
			return 0, fmt.Errorf("publish events: waiting for delivery: %w", ctx.Err())
		case <-p.done:
			return 0, fmt.Errorf("publish events: %w", ErrProducerClosed)
		}
	}
	for i, err := range failed[:sent] {
		if err != nil {
			return i, err
		}
	}
	return sent, sendErr
}

// publishSpan starts the producer span of env's publication, a child of the
// span the event was recorded in (env.Parent).
func (p *Producer) publishSpan(ctx context.Context, env events.Envelope) trace.Span {
	if parent := telemetry.RemoteSpan(env.Parent); parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, parent)
	}
	_, span := telemetry.Tracer().Start(ctx, "publish "+p.topic, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKafka, semconv.MessagingOperationTypeSend, semconv.MessagingDestinationName(p.topic),
			semconv.MessagingMessageID(env.EventID.String()), semconv.MessagingKafkaMessageKey(env.Key()),
			attribute.String("atlas.event.type", string(env.Type)),
		))
	return span
}

// endPublishSpans ends the spans of a batch, each failed one with its error.
func endPublishSpans(spans []trace.Span, failed []error) {
	for i, span := range spans {
		if err := failed[i]; err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "not delivered")
		}
		span.End()
	}
}

// message builds the record of env, with its headers. Its traceparent is
// the publish span's when that span is recorded, else a new span id in the
// event's trace.
func (p *Producer) message(env events.Envelope, span trace.Span) (*kafka.Message, error) {
	value, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	if err := events.ValidateJSON(value); err != nil {
		return nil, err
	}
	return &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &p.topic, Partition: kafka.PartitionAny},
		Key:            []byte(env.Key()),
		Value:          value,
		Headers: []kafka.Header{
			{Key: HeaderTraceparent, Value: []byte(traceparent(env, span))},
			{Key: HeaderRequestID, Value: []byte(env.RequestID)},
			{Key: HeaderEventType, Value: []byte(env.Type)},
			{Key: HeaderEventID, Value: []byte(env.EventID.String())},
		},
	}, nil
}

func (p *Producer) produce(msg *kafka.Message, report chan kafka.Event, index int) error {
	msg.Opaque = index
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrProducerClosed
	}
	if err := p.kp.Produce(msg, report); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Close waits up to the configured close timeout for outstanding records,
// then releases the client. Publish calls still waiting return
// ErrProducerClosed. Close is idempotent.
func (p *Producer) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()

	if left := p.kp.Flush(int(p.closeTimeout.Milliseconds())); left > 0 {
		p.log.Warn("closing with undelivered events", "count", left)
	}
	close(p.done)
	p.kp.Close()
	p.events.Wait()
}

// logLevel maps a syslog level, as librdkafka uses, to slog.
func logLevel(syslog int) slog.Level {
	switch {
	case syslog <= 3:
		return slog.LevelError
	case syslog == 4:
		return slog.LevelWarn
	case syslog <= 6:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}

// traceparent is the header a record of env carries: the publish span when
// it is recorded (tracing on), else a new span id in the event's trace.
func traceparent(env events.Envelope, span trace.Span) string {
	if sc := span.SpanContext(); span.IsRecording() && sc.IsValid() {
		return events.Traceparent(sc.TraceID().String(), sc.SpanID().String())
	}
	return events.Traceparent(env.TraceID, events.NewSpanID())
}
