package broker

// Replaying the dead-letter topic: after a fix (a schema accepted at last, a
// consumer bug repaired), the records a group dead-lettered are read back and
// handed to that group's handler. Handlers are idempotent, and the replay's
// own consumer group remembers how far it got, so running it twice adds
// nothing.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ReplayParams configures ReplayDeadLetters.
type ReplayParams struct {
	// Brokers is the bootstrap list.
	Brokers string
	// Security says how to reach the brokers; the zero value is PLAINTEXT.
	Security Security
	// Topic is the dead-letter topic; empty means TopicDeadLetter.
	Topic string
	// Group is the consumer group whose dead letters are replayed (records
	// carry it in their dlq_consumer_group header); others are skipped.
	Group string
	// DryRun reads and decodes, but hands nothing to the handler and
	// commits nothing.
	DryRun bool
	// BatchSize caps the deliveries per handler call; default 500.
	BatchSize int
}

// ReplayGroupID is the consumer group that remembers how far the replay of
// group's dead letters got.
func ReplayGroupID(group string) string { return group + ".dlq-replay" }

// ReplayReport says what a replay did.
type ReplayReport struct {
	// Read is the number of the group's dead letters read.
	Read int
	// Replayed were valid envelopes now and were handled (or, in a dry
	// run, would have been).
	Replayed int
	// StillInvalid are still not valid envelopes; they stay in the topic
	// and are not offered again by the next run.
	StillInvalid []RejectedRecord
	// Skipped belong to other groups.
	Skipped int
}

// RejectedRecord is a dead letter that still does not decode.
type RejectedRecord struct {
	Partition int32
	Offset    int64
	Reason    string
}

// ReplayDeadLetters reads the dead-letter topic from where the last replay
// of p.Group stopped up to its end at the time of the call, hands the
// records of p.Group that are now valid envelopes to h (in batches, in
// offset order per partition), and commits its position after each
// successful batch. A handler error stops the replay; the records of that
// batch are offered again next time.
func ReplayDeadLetters(ctx context.Context, p ReplayParams, h BatchHandler) (ReplayReport, error) {
	var rep ReplayReport
	if p.Brokers == "" || p.Group == "" || h == nil {
		return rep, errors.New("replay dead letters: brokers, group and handler are required")
	}
	if p.Topic == "" {
		p.Topic = TopicDeadLetter
	}
	if p.BatchSize <= 0 {
		p.BatchSize = 500
	}
	conf := p.Security.configMap(p.Brokers, kafka.ConfigMap{
		"group.id":                 ReplayGroupID(p.Group),
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"auto.offset.reset":        "earliest",
	})
	kc, err := kafka.NewConsumer(&conf)
	if err != nil {
		return rep, fmt.Errorf("replay dead letters: %w", err)
	}
	defer kc.Close()
	// A short-lived client: the first token outlives it.
	if err := p.Security.refreshToken(kc); err != nil {
		return rep, fmt.Errorf("replay dead letters: %w", err)
	}
	timeout := int(consumerClientTimeout.Milliseconds())
	md, err := kc.GetMetadata(&p.Topic, false, timeout)
	if err != nil {
		return rep, fmt.Errorf("replay dead letters: metadata of %s: %w", p.Topic, err)
	}
	tm, ok := md.Topics[p.Topic]
	if !ok || tm.Error.Code() != kafka.ErrNoError {
		return rep, fmt.Errorf("replay dead letters: topic %s: %v", p.Topic, tm.Error)
	}
	var parts []kafka.TopicPartition
	for _, pm := range tm.Partitions {
		parts = append(parts, kafka.TopicPartition{Topic: &p.Topic, Partition: pm.ID})
	}
	committed, err := kc.Committed(parts, timeout)
	if err != nil {
		return rep, fmt.Errorf("replay dead letters: committed offsets: %w", err)
	}
	end := map[int32]int64{}
	var assign []kafka.TopicPartition
	for _, tp := range committed {
		low, high, err := kc.QueryWatermarkOffsets(p.Topic, tp.Partition, timeout)
		if err != nil {
			return rep, fmt.Errorf("replay dead letters: end of %s[%d]: %w", p.Topic, tp.Partition, err)
		}
		from := int64(tp.Offset)
		if from < low {
			from = low
		}
		if from < high {
			end[tp.Partition] = high
			tp.Offset = kafka.Offset(from)
			assign = append(assign, tp)
		}
	}
	if len(assign) == 0 {
		return rep, nil
	}
	if err := kc.Assign(assign); err != nil {
		return rep, fmt.Errorf("replay dead letters: assign: %w", err)
	}
	var batch []Delivery
	next := map[int32]int64{}
	flush := func() error {
		if len(batch) > 0 && !p.DryRun {
			if err := h(ctx, batch); err != nil {
				return fmt.Errorf("replay dead letters: handler: %w", err)
			}
		}
		rep.Replayed += len(batch)
		batch = batch[:0]
		if p.DryRun || len(next) == 0 {
			return nil
		}
		var offs []kafka.TopicPartition
		for part, off := range next {
			offs = append(offs, kafka.TopicPartition{Topic: &p.Topic, Partition: part, Offset: kafka.Offset(off)})
		}
		if _, err := kc.CommitOffsets(offs); err != nil {
			return fmt.Errorf("replay dead letters: commit: %w", err)
		}
		return nil
	}
	deadline := time.Now().Add(defaultCommitTimeout * 6)
	for len(end) > 0 {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if time.Now().After(deadline) {
			return rep, fmt.Errorf("replay dead letters: the topic's end was not reached within %s", defaultCommitTimeout*6)
		}
		m, err := kc.ReadMessage(idlePoll)
		if err != nil {
			var ke kafka.Error
			if errors.As(err, &ke) && ke.IsTimeout() {
				continue
			}
			return rep, fmt.Errorf("replay dead letters: read: %w", err)
		}
		part, off := m.TopicPartition.Partition, int64(m.TopicPartition.Offset)
		next[part] = off + 1
		if off+1 >= end[part] {
			delete(end, part)
		}
		if header(m, HeaderDLQConsumerGroup) != p.Group {
			rep.Skipped++
			continue
		}
		rep.Read++
		d, err := decodeDelivery(m)
		if err != nil {
			rep.StillInvalid = append(rep.StillInvalid, RejectedRecord{Partition: part, Offset: off, Reason: err.Error()})
			continue
		}
		if src := header(m, HeaderDLQSourcePartition); src != "" {
			if n, err := strconv.ParseInt(src, 10, 32); err == nil {
				d.Partition = int32(n) // where the event came from, for logs
			}
		}
		batch = append(batch, d)
		if len(batch) >= p.BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}

func header(m *kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
