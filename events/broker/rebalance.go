package broker

// Group membership: partition assignment and revocation, and pausing
// fetches while a failed batch is retried.

import (
	"context"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

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
