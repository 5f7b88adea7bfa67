package broker

// Consumer lag: how far each assigned partition's committed offset trails
// its end.

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

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
		c.logLag(snapshot)
	}
}

// lagGrowthWarn is how many consecutive lag intervals a partition's lag must
// grow before logLag warns: one interval of growth is normal under load.
const lagGrowthWarn = 2

// logLag logs each partition's lag, once per LagInterval: at WARN while it
// keeps growing (the consumer is falling behind), at DEBUG otherwise. The
// lag itself is a metric (ops.ConsumerMetrics.RegisterLag), so the log is
// only for the moment it matters.
func (c *Consumer) logLag(snapshot map[topicPartition]int64) {
	prev := c.loggedLag
	c.loggedLag = snapshot
	for tp, n := range snapshot {
		p, seen := prev[tp]
		switch {
		case seen && n > p:
			c.lagGrowth[tp]++
		default:
			delete(c.lagGrowth, tp)
		}
		if c.lagGrowth[tp] >= lagGrowthWarn {
			c.log.Warn("consumer lag is growing", "topic", tp.topic, "partition", tp.partition, "lag", n,
				"intervals", c.lagGrowth[tp])
			continue
		}
		c.log.Debug("consumer lag", "topic", tp.topic, "partition", tp.partition, "lag", n)
	}
}
