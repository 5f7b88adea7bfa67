package broker

// Latest-value records on a compacted topic: Kafka keeps the last record of
// each key, which makes a small, durable register outside Postgres (the
// audit chain's checkpoints).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// compactedSpec is a one-partition topic that keeps the last record per key.
func compactedSpec(topic string) TopicSpec {
	return TopicSpec{Name: topic, Partitions: 1, Config: map[string]string{"cleanup.policy": "compact"}}
}

// PutLatest writes value under key to the compacted topic (created if
// missing) and waits until the broker has acknowledged it.
func PutLatest(ctx context.Context, brokers string, sec Security, topic, key string, value []byte) error {
	if err := EnsureTopics(ctx, brokers, sec, compactedSpec(topic)); err != nil {
		return err
	}
	conf := sec.configMap(brokers, kafka.ConfigMap{
		"enable.idempotence": true,
		"acks":               "all",
		"message.timeout.ms": int(defaultRetryMax.Milliseconds()),
	})
	p, err := kafka.NewProducer(&conf)
	if err != nil {
		return fmt.Errorf("put %s: %w", topic, err)
	}
	defer p.Close()
	// A short-lived client: the first token outlives it.
	if err := sec.refreshToken(p); err != nil {
		return fmt.Errorf("put %s: %w", topic, err)
	}
	reports := make(chan kafka.Event, 1)
	if err := p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Key: []byte(key), Value: value,
	}, reports); err != nil {
		return fmt.Errorf("put %s: %w", topic, err)
	}
	select {
	case ev := <-reports:
		if m, ok := ev.(*kafka.Message); ok && m.TopicPartition.Error != nil {
			return fmt.Errorf("put %s: %w", topic, m.TopicPartition.Error)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("put %s: %w", topic, ctx.Err())
	}
}

// ReadLatest returns the last value written under key to the compacted
// topic, and false when there is none (or no topic yet).
func ReadLatest(ctx context.Context, brokers string, sec Security, topic, key string) ([]byte, bool, error) {
	conf := sec.configMap(brokers, kafka.ConfigMap{
		"group.id":           "atlas-read-latest",
		"enable.auto.commit": false,
	})
	c, err := kafka.NewConsumer(&conf)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", topic, err)
	}
	defer c.Close()
	if err := sec.refreshToken(c); err != nil {
		return nil, false, fmt.Errorf("read %s: %w", topic, err)
	}
	timeout := int(consumerClientTimeout.Milliseconds())
	md, err := c.GetMetadata(&topic, false, timeout)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", topic, err)
	}
	if tm, ok := md.Topics[topic]; !ok || tm.Error.Code() == kafka.ErrUnknownTopicOrPart || len(tm.Partitions) == 0 {
		return nil, false, nil
	}
	low, high, err := c.QueryWatermarkOffsets(topic, 0, timeout)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", topic, err)
	}
	if high <= low {
		return nil, false, nil
	}
	if err := c.Assign([]kafka.TopicPartition{{Topic: &topic, Partition: 0, Offset: kafka.Offset(low)}}); err != nil {
		return nil, false, fmt.Errorf("read %s: %w", topic, err)
	}
	var last []byte
	found := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		m, err := c.ReadMessage(time.Duration(timeout) * time.Millisecond)
		if err != nil {
			var ke kafka.Error
			if errors.As(err, &ke) && ke.IsTimeout() {
				return nil, false, fmt.Errorf("read %s: end not reached", topic)
			}
			return nil, false, fmt.Errorf("read %s: %w", topic, err)
		}
		if string(m.Key) == key {
			last, found = m.Value, true
		}
		if int64(m.TopicPartition.Offset)+1 >= high {
			return last, found, nil
		}
	}
}
