package broker

// A batch's life: collected, decoded, handed to the handler, retried with
// backoff while it fails, and its offsets committed once it succeeded.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/telemetry"
)

// collect polls until a batch is full, BatchWait has passed since its first
// record, or ctx ends. Records polled while an earlier batch was retried
// come first.
func (c *Consumer) collect(ctx context.Context) ([]*kafka.Message, error) {
	batch := c.carry
	c.carry = nil
	c.revoked = false
	var deadline time.Time
	if len(batch) > 0 {
		deadline = time.Now().Add(c.cfg.BatchWait)
	}
	for len(batch) < c.cfg.BatchSize && ctx.Err() == nil {
		wait := idlePoll
		if !deadline.IsZero() {
			wait = time.Until(deadline)
			if wait <= 0 {
				break
			}
		}
		m, err := c.poll(wait)
		if err != nil {
			return nil, err
		}
		if m == nil {
			if deadline.IsZero() {
				return batch, nil // idle: let Run refresh the lag and check ctx
			}
			continue
		}
		batch = append(batch, m)
		if deadline.IsZero() {
			deadline = time.Now().Add(c.cfg.BatchWait)
		}
		if c.revoked {
			// A rebalance inside Poll revoked partitions: drop the records
			// of theirs already collected.
			batch = c.owned(batch)
			c.revoked = false
		}
	}
	return batch, nil
}

// owned drops records of partitions no longer assigned.
func (c *Consumer) owned(ms []*kafka.Message) []*kafka.Message {
	out := ms[:0]
	for _, m := range ms {
		if c.assigned[keyOf(m.TopicPartition)] {
			out = append(out, m)
		}
	}
	return out
}

// batch is a decoded batch and the state of its handling.
type batch struct {
	msgs []*kafka.Message
	ds   []Delivery
	bad  []invalidRecord
	// dead is set once the invalid records reached the dead-letter topic.
	dead bool
	// done delivers the result of the first attempt; err holds it once
	// received (finished).
	done     chan error
	err      error
	finished bool
}

// keep drops the records of partitions not in assigned. It allocates new
// slices: a handler may still hold the old ones.
func (b *batch) keep(assigned map[topicPartition]bool) {
	var msgs []*kafka.Message
	for _, m := range b.msgs {
		if assigned[keyOf(m.TopicPartition)] {
			msgs = append(msgs, m)
		}
	}
	var ds []Delivery
	for _, d := range b.ds {
		if assigned[topicPartition{topic: d.Topic, partition: d.Partition}] {
			ds = append(ds, d)
		}
	}
	var bad []invalidRecord
	for _, r := range b.bad {
		if assigned[keyOf(r.msg.TopicPartition)] {
			bad = append(bad, r)
		}
	}
	b.msgs, b.ds, b.bad = msgs, ds, bad
}

// try makes one attempt at a batch: dead-letter its invalid records (once),
// then hand its deliveries to the handler.
func (c *Consumer) try(ctx context.Context, b *batch) error {
	if !b.dead && len(b.bad) > 0 {
		if err := c.deadLetter(ctx, b.bad); err != nil {
			return err
		}
		b.dead = true
	}
	if len(b.ds) == 0 {
		return nil
	}
	ctx, span := c.batchSpan(ctx, b.ds)
	defer span.End()
	err := c.handler(ctx, b.ds)
	c.logDeliveries(ctx, b.ds, err)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "batch handler failed; will retry")
		return fmt.Errorf("batch handler: %w", err)
	}
	return nil
}

// maxSpanLinks caps the links of a batch span: one per record, as
// OpenTelemetry's messaging conventions have it, up to the SDK's default
// limit.
const maxSpanLinks = 128

// batchSpan starts the consumer span of one attempt at a batch, linked to
// the publish span of each record (its traceparent header), so a request's
// trace leads to the batches that handled its events.
func (c *Consumer) batchSpan(ctx context.Context, ds []Delivery) (context.Context, trace.Span) {
	links := make([]trace.Link, 0, min(len(ds), maxSpanLinks))
	for _, d := range ds {
		if len(links) == maxSpanLinks {
			break
		}
		if sc := telemetry.RemoteSpan(d.Traceparent()); sc.IsValid() {
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	return telemetry.Tracer().Start(ctx, "process "+c.cfg.GroupID, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithLinks(links...),
		trace.WithAttributes(
			semconv.MessagingSystemKafka, semconv.MessagingOperationTypeProcess,
			semconv.MessagingConsumerGroupName(c.cfg.GroupID), semconv.MessagingBatchMessageCount(len(ds)),
		))
}

// logDeliveries logs each event of a handled batch with the correlation ids
// of the request that caused it (request_id, trace_id), so a request can be
// followed into the consumers: at debug when handled, at warn when the
// handler failed (the batch is then retried).
func (c *Consumer) logDeliveries(ctx context.Context, ds []Delivery, err error) {
	level, msg := slog.LevelDebug, "event handled"
	if err != nil {
		level, msg = slog.LevelWarn, "event handling failed; will retry"
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	for _, d := range ds {
		attrs := []slog.Attr{
			slog.String("event_id", d.Envelope.EventID.String()), slog.String("event_type", string(d.Envelope.Type)),
			slog.String("request_id", d.Envelope.RequestID), slog.String("trace_id", d.Envelope.TraceID),
			slog.Int("partition", int(d.Partition)), slog.Int64("offset", d.Offset),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		c.log.LogAttrs(ctx, level, msg, attrs...)
	}
}

// start makes the batch's first attempt on its own goroutine.
func (c *Consumer) start(hctx context.Context, b *batch) {
	b.done = make(chan error, 1)
	c.pending = b
	go func() { b.done <- c.try(hctx, b) }()
}

// wait waits for the first attempt of b to end.
func (c *Consumer) wait(b *batch) {
	if !b.finished {
		b.err = <-b.done
		b.finished = true
	}
}

// finish waits for the pending batch; if its first attempt failed it is
// retried here until it succeeds, its partitions are all revoked, or ctx
// ends. Offsets of a batch are marked done only when it succeeded, then
// committed.
func (c *Consumer) finish(ctx, hctx context.Context) {
	if b := c.pending; b != nil {
		c.wait(b)
		c.pending = nil
		if b.err != nil {
			c.inflight = b
			c.retry(ctx, hctx, b)
			c.inflight = nil
		} else {
			c.handled(b)
		}
	}
	// Also commits what a rebalance callback marked done.
	c.commit()
}

// retry retries a failed batch with capped exponential backoff, polling
// (with fetching paused) while it waits so the member stays in the group
// and rebalances are served; revoked partitions leave the batch.
func (c *Consumer) retry(ctx, hctx context.Context, b *batch) {
	defer c.resume()
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			c.log.Info("batch abandoned at shutdown; it will be redelivered", "records", len(b.msgs), "error", b.err)
			return
		}
		delay := retry.Backoff{Base: c.cfg.RetryMin, Max: c.cfg.RetryMax}.Delay(attempt)
		c.log.Warn("batch failed; retrying", "attempt", attempt, "retry_in", delay,
			"records", len(b.msgs), "error", b.err)
		c.pause()
		c.waitPolling(ctx, delay)
		if ctx.Err() != nil {
			c.log.Info("batch abandoned at shutdown; it will be redelivered", "records", len(b.msgs))
			return
		}
		if len(b.msgs) == 0 {
			c.log.Info("batch dropped: all its partitions were revoked")
			return
		}
		if b.err = c.try(hctx, b); b.err == nil {
			c.handled(b)
			return
		}
	}
}

// decode splits records into schema-valid deliveries and invalid records
// with the reason each was rejected, keeping their order. Schema
// validation dominates the consumer's CPU use, so large batches are
// decoded on every CPU.
func (c *Consumer) decode(ms []*kafka.Message) *batch {
	ds := make([]Delivery, len(ms))
	errs := make([]error, len(ms))
	workers := min(runtime.GOMAXPROCS(0), len(ms)/parallelDecodeMin)
	if workers <= 1 {
		for i, m := range ms {
			ds[i], errs[i] = decodeDelivery(m)
		}
	} else {
		var wg sync.WaitGroup
		chunk := (len(ms) + workers - 1) / workers
		for lo := 0; lo < len(ms); lo += chunk {
			hi := min(lo+chunk, len(ms))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					ds[i], errs[i] = decodeDelivery(ms[i])
				}
			}()
		}
		wg.Wait()
	}
	b := &batch{msgs: ms, ds: ds[:0]}
	for i, m := range ms {
		if errs[i] != nil {
			b.bad = append(b.bad, invalidRecord{msg: m, reason: errs[i]})
			continue
		}
		b.ds = append(b.ds, ds[i])
	}
	return b
}

type invalidRecord struct {
	msg    *kafka.Message
	reason error
}

func decodeDelivery(m *kafka.Message) (Delivery, error) {
	if err := events.ValidateJSON(m.Value); err != nil {
		return Delivery{}, err
	}
	var env events.Envelope
	if err := json.Unmarshal(m.Value, &env); err != nil {
		return Delivery{}, fmt.Errorf("%w: decode: %w", events.ErrInvalidEnvelope, err)
	}
	d := Delivery{
		Envelope:  env,
		Value:     m.Value,
		Topic:     keyOf(m.TopicPartition).topic,
		Partition: m.TopicPartition.Partition,
		Offset:    int64(m.TopicPartition.Offset),
		Key:       string(m.Key),
		Timestamp: m.Timestamp,
	}
	if len(m.Headers) > 0 {
		d.Headers = make([]Header, len(m.Headers))
		for i, h := range m.Headers {
			d.Headers[i] = Header{Key: h.Key, Value: string(h.Value)}
		}
	}
	return d, nil
}

// handled marks a successful batch's offsets done, after the
// fault-injection hook (if any) had its chance to stop the process first.
func (c *Consumer) handled(b *batch) {
	if c.cfg.BeforeCommitFunc != nil {
		c.cfg.BeforeCommitFunc(len(b.msgs))
	}
	c.markDone(b.msgs)
}

// markDone records the offsets after the batch's records as ready to commit.
func (c *Consumer) markDone(ms []*kafka.Message) {
	for _, m := range ms {
		tp := keyOf(m.TopicPartition)
		if next := int64(m.TopicPartition.Offset) + 1; next > c.done[tp] {
			c.done[tp] = next
		}
	}
}

// commit commits the done offsets of still-assigned partitions. A failed
// commit is logged and kept for the next attempt: the records stay
// processed, and at worst are delivered again to whoever owns them next.
func (c *Consumer) commit() {
	c.commitPartitions(func(topicPartition) bool { return true })
}

func (c *Consumer) commitPartitions(include func(topicPartition) bool) {
	var offsets []kafka.TopicPartition
	for tp, off := range c.done {
		if !include(tp) {
			continue
		}
		if !c.assigned[tp] {
			delete(c.done, tp)
			continue
		}
		k := tp.kafka()
		k.Offset = kafka.Offset(off)
		offsets = append(offsets, k)
	}
	if len(offsets) == 0 {
		return
	}
	committed, err := c.kc.CommitOffsets(offsets)
	if err != nil {
		c.log.Warn("commit offsets failed; will retry", "error", err)
		return
	}
	for _, k := range committed {
		tp := keyOf(k)
		if k.Error != nil {
			c.log.Warn("commit offset failed; will retry", "topic", tp.topic, "partition", tp.partition, "error", k.Error)
			continue
		}
		if c.done[tp] == int64(k.Offset) {
			delete(c.done, tp)
		}
		c.base[tp] = int64(k.Offset)
	}
}
