package broker

import "context"

// Cluster is a Kafka cluster as Atlas reaches it: the bootstrap brokers
// (comma-separated host:port) and how to authenticate. Its methods are the
// package's cluster-wide operations bound to those settings, so process
// wiring builds it once and hands it to what needs the cluster (readiness
// checks, topic creation, the audit checkpoints) behind their own small
// interfaces.
type Cluster struct {
	Brokers  string
	Security Security
}

// Ping asks the cluster for its broker list (see Ping).
func (c Cluster) Ping(ctx context.Context) error { return Ping(ctx, c.Brokers, c.Security) }

// EnsureTopics creates the missing topics of specs (see EnsureTopics).
func (c Cluster) EnsureTopics(ctx context.Context, specs ...TopicSpec) error {
	return EnsureTopics(ctx, c.Brokers, c.Security, specs...)
}

// PutLatest writes value under key to the compacted topic (see PutLatest).
func (c Cluster) PutLatest(ctx context.Context, topic, key string, value []byte) error {
	return PutLatest(ctx, c.Brokers, c.Security, topic, key, value)
}

// ReadLatest reads the last value under key of the compacted topic (see
// ReadLatest).
func (c Cluster) ReadLatest(ctx context.Context, topic, key string) ([]byte, bool, error) {
	return ReadLatest(ctx, c.Brokers, c.Security, topic, key)
}
