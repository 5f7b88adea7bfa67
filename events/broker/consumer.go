package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/atlasapp/atlas/events"
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
	// checked for growth and logged (DEBUG; WARN while it keeps growing);
	// zero means 30s.
	LagInterval time.Duration
	// ShutdownGrace is how long a batch being handled when ctx ends may
	// still run to completion (and be committed); zero means 5s.
	ShutdownGrace time.Duration
	// ClientID names the client in broker logs; empty means the group id.
	ClientID string
	// Security says how to reach the brokers (TLS, SASL); the zero value is
	// PLAINTEXT. It applies to the dead-letter producer too.
	Security Security
	// Properties are extra librdkafka settings (session timeout,
	// auto.offset.reset, ...); they cannot turn auto-commit back on or
	// override the security settings.
	Properties map[string]string
	// Logger receives retries, dead-lettered records, lag and client
	// errors; nil means slog.Default().
	Logger *slog.Logger
	// BeforeCommitFunc, if set, is called with the size of each batch the
	// handler has just finished, before its offsets are marked done and
	// committed. It is a fault-injection point (scripts/chaos makes the
	// process exit there); production leaves it nil.
	BeforeCommitFunc func(records int)
}

// Header is one Kafka record header (events.Header).
type Header = events.Header

// Delivery is one decoded envelope with the metadata of the Kafka record
// that carried it: the transport-neutral events.Delivery.
type Delivery = events.Delivery

// BatchHandler processes a batch of deliveries; see events.BatchHandler for
// its contract (nil acknowledges the batch: its offsets are committed).
type BatchHandler = events.BatchHandler

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
	loggedLag                map[topicPartition]int64 // lag at the last log, for logLag
	lagGrowth                map[topicPartition]int   // consecutive intervals of growth

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
		log:     cfg.Logger.With("component", "broker.consumer", "consumer_group", cfg.GroupID),
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

	if err := EnsureTopics(ctx, c.cfg.Brokers, c.cfg.Security, TopicSpec{Name: c.cfg.DeadLetterTopic}); err != nil {
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
		"group.id":                 c.cfg.GroupID,
		"client.id":                c.cfg.ClientID,
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"go.logs.channel.enable":   true,
	} {
		conf[k] = v
	}
	conf = c.cfg.Security.configMap(c.cfg.Brokers, conf)
	kc, err := kafka.NewConsumer(&conf)
	if err != nil {
		return fmt.Errorf("new kafka consumer: %w", err)
	}
	dlqConf := c.cfg.Security.configMap(c.cfg.Brokers, kafka.ConfigMap{
		"client.id":                 c.cfg.ClientID + "-dlq",
		"enable.idempotence":        true,
		"acks":                      "all",
		"message.timeout.ms":        int(defaultRetryMax.Milliseconds()),
		"go.delivery.report.fields": "none",
		"go.logs.channel.enable":    true,
	})
	dlq, err := kafka.NewProducer(&dlqConf)
	if err != nil {
		_ = kc.Close()
		return fmt.Errorf("new dead-letter producer: %w", err)
	}
	c.kc, c.dlq = kc, dlq
	c.refreshToken("consumer", kc)
	c.refreshToken("dead-letter producer", dlq)
	c.assigned = map[topicPartition]bool{}
	c.done = map[topicPartition]int64{}
	c.base = map[topicPartition]int64{}
	c.lagGrowth = map[topicPartition]int{}
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
		switch e := ev.(type) {
		case kafka.OAuthBearerTokenRefresh:
			c.refreshToken("dead-letter producer", c.dlq)
		case kafka.Error:
			c.clientError("dead-letter producer", e)
		}
	}
	wg.Wait()
}

// refreshToken hands one of the consumer's clients a fresh OAUTHBEARER
// token, when the security settings make Atlas supply them.
func (c *Consumer) refreshToken(client string, kc tokenSetter) {
	if err := c.cfg.Security.refreshToken(kc); err != nil {
		c.log.Error("kafka client without a token", "client", client, "error", err)
	}
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
	case kafka.OAuthBearerTokenRefresh:
		c.refreshToken("consumer", c.kc)
	case kafka.Error:
		c.clientError("consumer", ev)
		if ev.IsFatal() {
			return nil, fmt.Errorf("fatal consumer error: %w", ev)
		}
	}
	return nil, nil
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
