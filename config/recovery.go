package config

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Recovery settings: how quickly consumers take over from a dead member,
// fault injection, and the periodic reconciliation.
//
// Consumer group membership. A consumer that dies without leaving its group
// (SIGKILL, OOM kill, node loss) keeps its partitions until the broker
// notices it is gone: after ATLAS_KAFKA_SESSION_TIMEOUT without a heartbeat.
// librdkafka's default, 45 s, leaves those partitions' events unaudited and
// unsearchable for as long; Atlas defaults to 10 s (heartbeats every 2 s), so
// a crashed member's events are handled by another member, or by itself
// restarted, within seconds. The broker bounds the value
// (group.min.session.timeout.ms, 6 s by default, to
// group.max.session.timeout.ms, 30 min).
//
// ATLAS_KAFKA_GROUP_INSTANCE_ID turns on static membership (KIP-345): a
// member that comes back under the same id within the session timeout gets
// its partitions back at once, without a rebalance of the others. Use it
// only with names that are stable and unique per process, such as a
// StatefulSet pod's name; two live processes with one id fence each other.
// The id is suffixed with the group name, so the audit consumer and the
// indexer of one pod (or of `atlas dev`) do not collide.
//
// ATLAS_FAULT_CRASH_AFTER_HANDLE is fault injection for scripts/chaos: the
// audit consumer or indexer exits after handling its first batch and before
// committing its offsets, the worst moment for at-least-once delivery. It is
// refused when ATLAS_ENV=production.

// MinSessionTimeout and MaxSessionTimeout bound ATLAS_KAFKA_SESSION_TIMEOUT
// (Kafka's default broker limits are 6 s and 30 min).
const (
	MinSessionTimeout = 6 * time.Second
	MaxSessionTimeout = 5 * time.Minute
)

var groupInstanceID = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,200}$`)

func (c *Config) validateRecovery() error {
	if c.ReconcileInterval != 0 && (c.ReconcileInterval < time.Minute || c.ReconcileInterval > 7*24*time.Hour) {
		return fmt.Errorf("ATLAS_RECONCILE_INTERVAL: must be 0 (off) or between 1m and 168h, got %s", c.ReconcileInterval)
	}
	if c.KafkaSessionTimeout < MinSessionTimeout || c.KafkaSessionTimeout > MaxSessionTimeout {
		return fmt.Errorf("ATLAS_KAFKA_SESSION_TIMEOUT: must be between %s and %s, got %s",
			MinSessionTimeout, MaxSessionTimeout, c.KafkaSessionTimeout)
	}
	if c.KafkaGroupInstanceID != "" && !groupInstanceID.MatchString(c.KafkaGroupInstanceID) {
		return fmt.Errorf("ATLAS_KAFKA_GROUP_INSTANCE_ID: letters, digits, '.', '_' and '-' only (at most 200), got %q", c.KafkaGroupInstanceID)
	}
	if c.FaultCrashAfterHandle && c.Env == EnvProduction {
		return errors.New("ATLAS_FAULT_CRASH_AFTER_HANDLE: fault injection is refused when ATLAS_ENV=production")
	}
	return nil
}

// ConsumerGroupSettings returns the librdkafka properties of a member of
// the named consumer group: the session timeout with heartbeats at a fifth
// of it, and the static member id when ATLAS_KAFKA_GROUP_INSTANCE_ID is set.
func (c Config) ConsumerGroupSettings(group string) map[string]string {
	props := map[string]string{
		"session.timeout.ms":    fmt.Sprint(c.KafkaSessionTimeout.Milliseconds()),
		"heartbeat.interval.ms": fmt.Sprint(max(c.KafkaSessionTimeout.Milliseconds()/5, 500)),
	}
	if c.KafkaGroupInstanceID != "" {
		props["group.instance.id"] = c.KafkaGroupInstanceID + "." + group
	}
	return props
}
