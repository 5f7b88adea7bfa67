package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Dead-letter record headers. A record the consumer cannot decode is copied
// to the dead-letter topic with its key, value and original headers, plus
// these headers saying why and where it came from.
const (
	HeaderDLQReason          = "dlq_reason"
	HeaderDLQSourceTopic     = "dlq_source_topic"
	HeaderDLQSourcePartition = "dlq_source_partition"
	HeaderDLQSourceOffset    = "dlq_source_offset"
	HeaderDLQConsumerGroup   = "dlq_consumer_group"
	HeaderDLQFailedAt        = "dlq_failed_at"
)

// Consumer defaults.
const (
	defaultBatchSize      = 1000
	defaultBatchWait      = 50 * time.Millisecond
	defaultRetryMin       = 200 * time.Millisecond
	defaultRetryMax       = 30 * time.Second
	defaultLagInterval    = 30 * time.Second
	defaultShutdownGrace  = 5 * time.Second
	defaultCommitTimeout  = 10 * time.Second
	idlePoll              = 100 * time.Millisecond
	maxDLQReasonBytes     = 1024
	consumerClientTimeout = 5 * time.Second
	// parallelDecodeMin is the batch share per CPU below which decoding
	// stays on one goroutine.
	parallelDecodeMin = 64
)

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	// Brokers is the comma-separated bootstrap list, e.g. "127.0.0.1:9092".
	Brokers string
	// GroupID is the consumer group; members of one group share the
	// partitions and the committed offsets.
	GroupID string
	// Topics are the topics to consume; empty means TopicEvents.
	Topics []string
	// BatchSize caps the records handed to the handler at once; zero means
	// 1000.
	BatchSize int
	// BatchWait is how long a batch may wait to fill up once its first
	// record has arrived; zero means 50ms. It bounds the latency batching
	// adds.
	BatchWait time.Duration
	// DeadLetterTopic receives records that are not valid envelopes; empty
	// means TopicDeadLetter. It is created at start if missing.
	DeadLetterTopic string
	// RetryMin and RetryMax bound the exponential backoff between attempts
	// of a failed batch; zero means 200ms and 30s.
	RetryMin, RetryMax time.Duration
	// LagInterval is how often the lag of every assigned partition is
	// logged; zero means 30s.
	LagInterval time.Duration
	// ShutdownGrace is how long a batch being handled when ctx ends may
	// still run to completion (and be committed); zero means 5s.
	ShutdownGrace time.Duration
	// ClientID names the client in broker logs; empty means the group id.
	ClientID string
	// Properties are extra librdkafka settings (security, session timeout,
	// auto.offset.reset, ...); they cannot turn auto-commit back on.
	Properties map[string]string
	// Logger receives retries, dead-lettered records, lag and client
	// errors; nil means slog.Default().
	Logger *slog.Logger
}

// Header is one Kafka record header.
type Header struct {
	Key   string
	Value string
}

// Delivery is one decoded envelope with the metadata of the Kafka record
// that carried it.
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

// BatchHandler processes a batch of deliveries. Returning nil means every
// delivery is durably processed: their offsets are then committed. Returning
// an error makes the consumer retry the same records (minus those of
// partitions revoked meanwhile) with backoff, so a handler must be
// idempotent: a record may also be seen again after a crash or a rebalance.
// Within a partition, deliveries are in offset order.
type BatchHandler func(ctx context.Context, batch []Delivery) error

// Consumer is an at-least-once consumer group member: it reads envelopes in
// batches, hands them to a BatchHandler, and commits offsets only after the
// handler succeeded. Records that are not valid envelopes go to a
// dead-letter topic and are skipped, so one bad record never blocks a
// partition. The next batch is fetched and decoded while the handler works
// on the current one; the handler itself is never called concurrently.
type Consumer struct {
	cfg     ConsumerConfig
	handler BatchHandler
	log     *slog.Logger

	// Used only by the Run goroutine (rebalance callbacks run inside Poll,
	// on that goroutine); the first attempt at a batch runs on its own
	// goroutine but touches only that batch, until wait has received its
	// result.
	kc  *kafka.Consumer
	dlq *kafka.Producer
	// A batch goes queued (collected and decoded while the previous one is
	// handled) -> pending (its first handler call runs on its own
	// goroutine) -> inflight (being retried, on this goroutine).
	queued, pending, inflight *batch
	carry                     []*kafka.Message // records polled while a batch was retried
	paused                    bool
	revoked                   bool // set when partitions are revoked, for collect
	// nextLagLog is when lagTick next logs the lag; nextLagQuery when it
	// may next ask the broker for watermarks.
	nextLagLog, nextLagQuery time.Time
	assigned                 map[topicPartition]bool
	done                     map[topicPartition]int64 // next offset to commit, not yet committed
	base                     map[topicPartition]int64 // last known committed offset, for lag

	mu  sync.Mutex
	lag map[topicPartition]int64
	ran bool
}

type topicPartition struct {
	topic     string
	partition int32
}

func (tp topicPartition) kafka() kafka.TopicPartition {
	topic := tp.topic
	return kafka.TopicPartition{Topic: &topic, Partition: tp.partition}
}

func keyOf(tp kafka.TopicPartition) topicPartition {
	if tp.Topic == nil {
		return topicPartition{partition: tp.Partition}
	}
	return topicPartition{topic: *tp.Topic, partition: tp.Partition}
}

// NewConsumer checks cfg and returns a Consumer that will hand batches to
// handler once Run is called. It does not contact the brokers.
func NewConsumer(cfg ConsumerConfig, handler BatchHandler) (*Consumer, error) {
	switch {
	case cfg.Brokers == "":
		return nil, errors.New("new event consumer: no brokers")
	case cfg.GroupID == "":
		return nil, errors.New("new event consumer: no group id")
	case handler == nil:
		return nil, errors.New("new event consumer: no handler")
	}
	if len(cfg.Topics) == 0 {
		cfg.Topics = []string{TopicEvents}
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = defaultBatchSize
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = defaultBatchWait
	}
	if cfg.DeadLetterTopic == "" {
		cfg.DeadLetterTopic = TopicDeadLetter
	}
	for _, t := range cfg.Topics {
		if t == cfg.DeadLetterTopic {
			return nil, fmt.Errorf("new event consumer: topic %s is also the dead-letter topic", t)
		}
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = defaultRetryMin
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = defaultRetryMax
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = cfg.RetryMin
	}
	if cfg.LagInterval <= 0 {
		cfg.LagInterval = defaultLagInterval
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = defaultShutdownGrace
	}
	if cfg.ClientID == "" {
		cfg.ClientID = cfg.GroupID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Consumer{
		cfg:     cfg,
		handler: handler,
		log:     cfg.Logger.With("component", "events.consumer", "consumer_group", cfg.GroupID),
		lag:     map[topicPartition]int64{},
	}, nil
}

// Lag returns, per assigned partition, how many records lie between the
// group's committed offset and the partition's end (summed over topics when
// the consumer reads several). It is refreshed after every batch and while
// idle; partitions not (or no longer) assigned are absent.
func (c *Consumer) Lag() map[int32]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[int32]int64, len(c.lag))
	for tp, n := range c.lag {
		out[tp.partition] += n
	}
	return out
}

// Run joins the group and consumes until ctx ends, then commits what the
// handler finished, leaves the group and returns nil. It returns an error
// if the client cannot be created or fails fatally. A Consumer runs once.
func (c *Consumer) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.ran {
		c.mu.Unlock()
		return errors.New("event consumer: Run called twice")
	}
	c.ran = true
	c.mu.Unlock()

	if err := EnsureTopics(ctx, c.cfg.Brokers, TopicSpec{Name: c.cfg.DeadLetterTopic}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("event consumer %s: %w", c.cfg.GroupID, err)
	}
	if err := c.open(); err != nil {
		return fmt.Errorf("event consumer %s: %w", c.cfg.GroupID, err)
	}
	var logs sync.WaitGroup
	logs.Add(2)
	go func() { defer logs.Done(); c.drainLogs(c.kc.Logs()) }()
	go func() { defer logs.Done(); c.drainProducerEvents() }()
	defer func() {
		c.close()
		logs.Wait()
	}()

	if err := c.kc.SubscribeTopics(c.cfg.Topics, c.rebalance); err != nil {
		return fmt.Errorf("event consumer %s: subscribe %v: %w", c.cfg.GroupID, c.cfg.Topics, err)
	}
	c.log.Info("consumer started", "topics", c.cfg.Topics, "dead_letter_topic", c.cfg.DeadLetterTopic)

	// The handler may finish the batch it is working on for a grace period
	// after ctx ends, so a clean stop commits the work in progress.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(c.cfg.ShutdownGrace, hcancel)
		context.AfterFunc(hctx, func() { t.Stop() })
	})
	defer stopGrace()

	// Pipeline: while the handler works on one batch, the next is collected
	// and decoded. Batches are still handed over strictly one after the
	// other, and a batch starts only once the previous one succeeded.
	c.nextLagLog = time.Now().Add(c.cfg.LagInterval)
	defer c.finish(ctx, hctx) // the batch in progress when ctx ends
	for ctx.Err() == nil {
		msgs, err := c.collect(ctx)
		if err != nil {
			return fmt.Errorf("event consumer %s: %w", c.cfg.GroupID, err)
		}
		if len(msgs) > 0 {
			c.queued = c.decode(msgs)
		}
		c.finish(ctx, hctx)
		if next := c.queued; next != nil && len(next.msgs) > 0 && ctx.Err() == nil {
			c.start(hctx, next)
		}
		c.queued = nil
		c.lagTick()
	}
	c.log.Info("consumer stopping")
	return nil
}

func (c *Consumer) open() error {
	conf := kafka.ConfigMap{}
	for k, v := range c.cfg.Properties {
		conf[k] = v
	}
	defaults := kafka.ConfigMap{
		"auto.offset.reset":             "earliest",
		"partition.assignment.strategy": "cooperative-sticky",
	}
	for k, v := range defaults {
		if _, set := conf[k]; !set {
			conf[k] = v
		}
	}
	for k, v := range map[string]kafka.ConfigValue{
		"bootstrap.servers":        c.cfg.Brokers,
		"group.id":                 c.cfg.GroupID,
		"client.id":                c.cfg.ClientID,
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"go.logs.channel.enable":   true,
	} {
		conf[k] = v
	}
	kc, err := kafka.NewConsumer(&conf)
	if err != nil {
		return fmt.Errorf("new kafka consumer: %w", err)
	}
	dlq, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":         c.cfg.Brokers,
		"client.id":                 c.cfg.ClientID + "-dlq",
		"enable.idempotence":        true,
		"acks":                      "all",
		"message.timeout.ms":        int(defaultRetryMax.Milliseconds()),
		"go.delivery.report.fields": "none",
		"go.logs.channel.enable":    true,
	})
	if err != nil {
		_ = kc.Close()
		return fmt.Errorf("new dead-letter producer: %w", err)
	}
	c.kc, c.dlq = kc, dlq
	c.assigned = map[topicPartition]bool{}
	c.done = map[topicPartition]int64{}
	c.base = map[topicPartition]int64{}
	return nil
}

// close commits finished work and leaves the group (revoking, and so
// committing in the rebalance callback, every partition), then releases
// the clients.
func (c *Consumer) close() {
	c.commit()
	if err := c.kc.Close(); err != nil {
		c.log.Warn("close consumer", "error", err)
	}
	if left := c.dlq.Flush(int(consumerClientTimeout.Milliseconds())); left > 0 {
		c.log.Warn("closing with undelivered dead-letter records", "count", left)
	}
	c.dlq.Close()
	c.mu.Lock()
	c.lag = map[topicPartition]int64{}
	c.mu.Unlock()
	c.log.Info("consumer stopped")
}

func (c *Consumer) drainLogs(logs chan kafka.LogEvent) {
	for e := range logs {
		c.log.Log(context.Background(), logLevel(e.Level), "kafka client log",
			"facility", e.Tag, "client", e.Name, "message", e.Message)
	}
}

// drainProducerEvents logs the dead-letter producer's client errors and
// forwards its logs; it ends when the producer is closed.
func (c *Consumer) drainProducerEvents() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.drainLogs(c.dlq.Logs()) }()
	for ev := range c.dlq.Events() {
		if e, ok := ev.(kafka.Error); ok {
			c.clientError("dead-letter producer", e)
		}
	}
	wg.Wait()
}

func (c *Consumer) clientError(client string, e kafka.Error) {
	level := slog.LevelWarn
	switch {
	case e.IsFatal():
		level = slog.LevelError
	case e.Code() == kafka.ErrAllBrokersDown, e.Code() == kafka.ErrTransport:
		level = slog.LevelDebug
	}
	c.log.Log(context.Background(), level, "kafka client error", "client", client,
		"code", e.Code().String(), "fatal", e.IsFatal(), "error", e.Error())
}

// poll waits up to d for one event and handles everything but records,
// which it returns. A fatal client error is returned as an error.
func (c *Consumer) poll(d time.Duration) (*kafka.Message, error) {
	ms := int(d.Milliseconds())
	if ms < 0 {
		ms = 0
	}
	switch ev := c.kc.Poll(ms).(type) {
	case *kafka.Message:
		if ev.TopicPartition.Error != nil {
			c.log.Warn("consume error", "topic", keyOf(ev.TopicPartition).topic,
				"partition", ev.TopicPartition.Partition, "error", ev.TopicPartition.Error)
			return nil, nil
		}
		return ev, nil
	case kafka.Error:
		c.clientError("consumer", ev)
		if ev.IsFatal() {
			return nil, fmt.Errorf("fatal consumer error: %w", ev)
		}
	}
	return nil, nil
}

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
	err := c.handler(ctx, b.ds)
	c.logDeliveries(ctx, b.ds, err)
	if err != nil {
		return fmt.Errorf("batch handler: %w", err)
	}
	return nil
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
			slog.Int("partition", int(d.Partition)), slog.Int64("offset", int64(d.Offset)),
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
			c.markDone(b.msgs)
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
		delay := backoff(c.cfg.RetryMin, c.cfg.RetryMax, attempt)
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
			c.markDone(b.msgs)
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
	if err := ValidateJSON(m.Value); err != nil {
		return Delivery{}, err
	}
	var env Envelope
	if err := json.Unmarshal(m.Value, &env); err != nil {
		return Delivery{}, fmt.Errorf("%w: decode: %w", ErrInvalidEnvelope, err)
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

// deadLetter copies the records to the dead-letter topic and waits until
// the broker has acknowledged every one.
func (c *Consumer) deadLetter(ctx context.Context, bad []invalidRecord) error {
	reports := make(chan kafka.Event, len(bad))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, r := range bad {
		src := keyOf(r.msg.TopicPartition)
		reason := r.reason.Error()
		if len(reason) > maxDLQReasonBytes {
			reason = reason[:maxDLQReasonBytes]
		}
		headers := append([]kafka.Header(nil), r.msg.Headers...)
		headers = append(headers,
			kafka.Header{Key: HeaderDLQReason, Value: []byte(reason)},
			kafka.Header{Key: HeaderDLQSourceTopic, Value: []byte(src.topic)},
			kafka.Header{Key: HeaderDLQSourcePartition, Value: []byte(strconv.Itoa(int(src.partition)))},
			kafka.Header{Key: HeaderDLQSourceOffset, Value: []byte(strconv.FormatInt(int64(r.msg.TopicPartition.Offset), 10))},
			kafka.Header{Key: HeaderDLQConsumerGroup, Value: []byte(c.cfg.GroupID)},
			kafka.Header{Key: HeaderDLQFailedAt, Value: []byte(now)},
		)
		err := c.dlq.Produce(&kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &c.cfg.DeadLetterTopic, Partition: kafka.PartitionAny},
			Key:            r.msg.Key,
			Value:          r.msg.Value,
			Headers:        headers,
		}, reports)
		if err != nil {
			return fmt.Errorf("dead-letter %s[%d]@%d: %w", src.topic, src.partition, r.msg.TopicPartition.Offset, err)
		}
	}
	var errs []error
	for range bad {
		select {
		case ev := <-reports:
			if m, ok := ev.(*kafka.Message); ok && m.TopicPartition.Error != nil {
				errs = append(errs, m.TopicPartition.Error)
			}
		case <-ctx.Done():
			return fmt.Errorf("dead-letter: waiting for delivery: %w", ctx.Err())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dead-letter: delivery: %w", err)
	}
	for _, r := range bad {
		c.log.Warn("record sent to dead-letter topic", "topic", keyOf(r.msg.TopicPartition).topic,
			"partition", r.msg.TopicPartition.Partition, "offset", int64(r.msg.TopicPartition.Offset),
			"dead_letter_topic", c.cfg.DeadLetterTopic, "reason", r.reason.Error())
	}
	return nil
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

// rebalance runs inside Poll. On revocation it waits for the batch being
// handled, commits what is done for the revoked partitions (unless they
// were lost) and discards their records from every batch not yet done; on
// assignment it pauses new partitions if a batch is being retried.
func (c *Consumer) rebalance(kc *kafka.Consumer, ev kafka.Event) error {
	cooperative := kc.GetRebalanceProtocol() == "COOPERATIVE"
	switch e := ev.(type) {
	case kafka.AssignedPartitions:
		var err error
		if cooperative {
			err = kc.IncrementalAssign(e.Partitions)
		} else {
			err = kc.Assign(e.Partitions)
			c.assigned = map[topicPartition]bool{}
		}
		if err != nil {
			c.log.Error("assign partitions", "error", err)
			return err
		}
		for _, p := range e.Partitions {
			c.assigned[keyOf(p)] = true
		}
		if c.paused && len(e.Partitions) > 0 {
			if err := kc.Pause(e.Partitions); err != nil {
				c.log.Warn("pause newly assigned partitions", "error", err)
			}
		}
		c.log.Info("partitions assigned", "partitions", partitionList(e.Partitions), "protocol", kc.GetRebalanceProtocol())
	case kafka.RevokedPartitions:
		revoked := map[topicPartition]bool{}
		for _, p := range e.Partitions {
			revoked[keyOf(p)] = true
		}
		// Let the batch being handled end first: if it succeeds, its offsets
		// are committed below, before the partitions go.
		if b := c.pending; b != nil {
			c.wait(b)
			if b.err == nil {
				c.markDone(b.msgs)
				c.pending = nil
			}
		}
		lost := kc.AssignmentLost()
		if !lost {
			c.commitPartitions(func(tp topicPartition) bool { return revoked[tp] })
		}
		for tp := range revoked {
			delete(c.assigned, tp)
			delete(c.done, tp)
			delete(c.base, tp)
		}
		for _, b := range []*batch{c.queued, c.pending, c.inflight} {
			if b != nil {
				b.keep(c.assigned)
			}
		}
		c.carry = c.owned(c.carry)
		c.revoked = true
		c.mu.Lock()
		for tp := range revoked {
			delete(c.lag, tp)
		}
		c.mu.Unlock()
		var err error
		if cooperative {
			err = kc.IncrementalUnassign(e.Partitions)
		} else {
			err = kc.Unassign()
		}
		if err != nil {
			c.log.Error("unassign partitions", "error", err)
			return err
		}
		c.log.Info("partitions revoked", "partitions", partitionList(e.Partitions), "lost", lost)
	}
	return nil
}

func partitionList(ps []kafka.TopicPartition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		tp := keyOf(p)
		out[i] = tp.topic + "[" + strconv.Itoa(int(tp.partition)) + "]"
	}
	return out
}

func (c *Consumer) assignment() []kafka.TopicPartition {
	out := make([]kafka.TopicPartition, 0, len(c.assigned))
	for tp := range c.assigned {
		out = append(out, tp.kafka())
	}
	return out
}

// pause stops fetching while a batch is retried, so polling (which keeps
// the member in the group and serves rebalances) does not pile up records.
func (c *Consumer) pause() {
	if c.paused {
		return
	}
	if err := c.kc.Pause(c.assignment()); err != nil {
		c.log.Warn("pause partitions", "error", err)
	}
	c.paused = true
}

func (c *Consumer) resume() {
	if !c.paused {
		return
	}
	if err := c.kc.Resume(c.assignment()); err != nil {
		c.log.Warn("resume partitions", "error", err)
	}
	c.paused = false
}

// waitPolling waits d (or until ctx ends) while polling, so rebalances are
// served during a retry backoff. Records that arrive anyway are carried
// over to the next batch.
func (c *Consumer) waitPolling(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for ctx.Err() == nil {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		m, err := c.poll(min(left, idlePoll))
		if err != nil {
			c.log.Error("poll during retry", "error", err)
			return
		}
		if m != nil {
			c.carry = append(c.carry, m)
		}
		c.lagTick() // a stuck consumer's lag grows: keep reporting it
	}
}

// backoff returns the delay before attempt+1: min doubling from min up to
// max, with up to 20% random jitter so members do not retry in lockstep.
func backoff(minD, maxD time.Duration, attempt int) time.Duration {
	d := minD
	for i := 1; i < attempt && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	jitter := time.Duration(rand.Int64N(int64(d)/5 + 1))
	return d - jitter
}

// lagTick refreshes the lag snapshot, and logs it every LagInterval.
func (c *Consumer) lagTick() {
	now := time.Now()
	logIt := now.After(c.nextLagLog)
	if logIt {
		c.nextLagLog = now.Add(c.cfg.LagInterval)
	}
	// The cached high watermarks come with fetch responses, which stop
	// while partitions are paused: then ask the broker, once a second.
	query := logIt || (c.paused && now.After(c.nextLagQuery))
	if query {
		c.nextLagQuery = now.Add(time.Second)
	}
	c.refreshLag(query, logIt)
}

// refreshLag updates the lag snapshot of every assigned partition from the
// client's cached high watermarks (or the broker's, with query), and logs it
// when logIt is set.
func (c *Consumer) refreshLag(query, logIt bool) {
	if len(c.assigned) == 0 {
		return
	}
	var unknown []kafka.TopicPartition
	for tp := range c.assigned {
		if _, ok := c.base[tp]; !ok {
			unknown = append(unknown, tp.kafka())
		}
	}
	if len(unknown) > 0 {
		committed, err := c.kc.Committed(unknown, int(consumerClientTimeout.Milliseconds()))
		if err == nil {
			for _, k := range committed {
				if k.Error == nil && k.Offset >= 0 {
					c.base[keyOf(k)] = int64(k.Offset)
				}
			}
		}
	}
	snapshot := make(map[topicPartition]int64, len(c.assigned))
	for tp := range c.assigned {
		low, high, err := c.kc.GetWatermarkOffsets(tp.topic, tp.partition)
		if query || err != nil || high < 0 {
			low, high, err = c.kc.QueryWatermarkOffsets(tp.topic, tp.partition, int(consumerClientTimeout.Milliseconds()))
		}
		if err != nil || high < 0 {
			continue
		}
		base, ok := c.base[tp]
		if !ok {
			// Nothing committed yet: everything retained is pending.
			if low < 0 {
				low, _, err = c.kc.QueryWatermarkOffsets(tp.topic, tp.partition, int(consumerClientTimeout.Milliseconds()))
				if err != nil {
					continue
				}
			}
			base = low
			c.base[tp] = low
		}
		snapshot[tp] = max(high-base, 0)
	}
	c.mu.Lock()
	c.lag = snapshot
	c.mu.Unlock()
	if logIt {
		for tp, n := range snapshot {
			c.log.Info("consumer lag", "topic", tp.topic, "partition", tp.partition, "lag", n)
		}
	}
}

// NewEventsConsumer is NewConsumer for a domain consumer of the events
// topic (the audit consumer, the search indexer): an empty cfg.GroupID
// becomes group, empty cfg.Topics becomes TopicEvents, and wrap, if set,
// wraps h (metrics, tests).
func NewEventsConsumer(cfg ConsumerConfig, group string, h BatchHandler, wrap func(BatchHandler) BatchHandler) (*Consumer, error) {
	if cfg.GroupID == "" {
		cfg.GroupID = group
	}
	if len(cfg.Topics) == 0 {
		cfg.Topics = []string{TopicEvents}
	}
	if wrap != nil {
		h = wrap(h)
	}
	c, err := NewConsumer(cfg, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", group, err)
	}
	return c, nil
}
