package broker

// The dead-letter topic: where records that are not valid envelopes go, so
// one bad record never blocks its partition.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
