package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/atlasapp/atlas/retry"
)

// Kafka topics Atlas uses.
const (
	// TopicEvents carries every domain event envelope, keyed by
	// Envelope.Key.
	TopicEvents = "atlas.events.v1"
	// TopicDeadLetter receives records a consumer could not process.
	TopicDeadLetter = "atlas.events.dlq.v1"
)

// DefaultPartitions is the partition count of a topic whose spec leaves it
// zero. It bounds how many members of a consumer group can share the work.
const DefaultPartitions = 6

// defaultAdminTimeout bounds EnsureTopics when ctx has no deadline.
const defaultAdminTimeout = 30 * time.Second

// TopicSpec describes a topic EnsureTopics creates when it is missing.
type TopicSpec struct {
	// Name is the topic name.
	Name string
	// Partitions is the partition count; zero means DefaultPartitions.
	Partitions int
	// ReplicationFactor is the replica count; zero means the broker's
	// default.replication.factor (1 on the local single-node broker).
	ReplicationFactor int
	// Config holds topic-level settings such as retention.ms.
	Config map[string]string
}

// EnsureTopics creates the topics in specs that do not exist yet on the
// cluster at brokers (comma-separated host:port list), reached with sec, and
// waits until every one of them has a leader for each partition, so
// producers and readers can use them at once. Existing topics are left as
// they are, whatever their settings. Without a deadline on ctx, it gives up
// after 30 seconds; if the brokers refuse the client (TLS or SASL), it gives
// up at once with an error wrapping ErrAuth.
func EnsureTopics(ctx context.Context, brokers string, sec Security, specs ...TopicSpec) (err error) {
	if len(specs) == 0 {
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultAdminTimeout)
		defer cancel()
	}
	admin, err := newAdminClient(brokers, sec, kafka.ConfigMap{"client.id": "atlas-admin"})
	if err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	defer admin.Close()
	ctx, stop := admin.guard(ctx)
	defer stop()
	defer func() {
		if err != nil {
			if c := cause(ctx, nil); c != nil {
				err = fmt.Errorf("ensure topics on %s: %w", brokers, c)
			}
		}
	}()

	topics := make([]kafka.TopicSpecification, len(specs))
	names := make([]string, len(specs))
	for i, s := range specs {
		if s.Name == "" {
			return errors.New("ensure topics: topic spec without a name")
		}
		partitions := s.Partitions
		if partitions == 0 {
			partitions = DefaultPartitions
		}
		topics[i] = kafka.TopicSpecification{
			Topic:             s.Name,
			NumPartitions:     partitions,
			ReplicationFactor: s.ReplicationFactor,
			Config:            s.Config,
		}
		names[i] = s.Name
	}

	results, err := admin.CreateTopics(ctx, topics)
	if err != nil {
		return fmt.Errorf("ensure topics %s: %w", strings.Join(names, ","), err)
	}
	var errs []error
	for _, r := range results {
		switch r.Error.Code() {
		case kafka.ErrNoError, kafka.ErrTopicAlreadyExists:
		default:
			errs = append(errs, fmt.Errorf("create topic %s: %w", r.Topic, r.Error))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}

	for _, name := range names {
		if err := waitForLeaders(ctx, admin, name); err != nil {
			return fmt.Errorf("ensure topics: %w", err)
		}
	}
	return nil
}

// waitForLeaders polls until topic exists and the leader of every partition
// serves requests: creation is acknowledged by the controller, and metadata
// names the leaders, a little before the leaders have taken over their
// partitions.
func waitForLeaders(ctx context.Context, admin *adminClient, topic string) error {
	// A fixed, short interval: topics are ready within moments of creation.
	poll := retry.Backoff{Base: 50 * time.Millisecond, Max: 50 * time.Millisecond}
	err := poll.Do(ctx, 0, func(int) error {
		md, err := admin.GetMetadata(&topic, false, 2000)
		if err != nil {
			return err
		}
		if err := topicReady(md, topic); err != nil {
			return err
		}
		return leadersServe(ctx, admin, topic, len(md.Topics[topic].Partitions))
	})
	if err != nil {
		return fmt.Errorf("topic %s not ready: %w", topic, err)
	}
	return nil
}

func topicReady(md *kafka.Metadata, topic string) error {
	t, ok := md.Topics[topic]
	if !ok {
		return fmt.Errorf("topic %s missing from metadata", topic)
	}
	if t.Error.Code() != kafka.ErrNoError {
		return fmt.Errorf("topic %s: %w", topic, t.Error)
	}
	if len(t.Partitions) == 0 {
		return fmt.Errorf("topic %s has no partitions yet", topic)
	}
	for _, p := range t.Partitions {
		if p.Error.Code() != kafka.ErrNoError || p.Leader < 0 {
			return fmt.Errorf("topic %s partition %d has no leader yet", topic, p.ID)
		}
	}
	return nil
}

// leadersServe asks every partition's leader for its end offset, which only
// a leader that has taken over the partition answers.
func leadersServe(ctx context.Context, admin *adminClient, topic string, partitions int) error {
	req := make(map[kafka.TopicPartition]kafka.OffsetSpec, partitions)
	for i := range partitions {
		req[kafka.TopicPartition{Topic: &topic, Partition: int32(i)}] = kafka.LatestOffsetSpec
	}
	res, err := admin.ListOffsets(ctx, req)
	if err != nil {
		return fmt.Errorf("topic %s: list offsets: %w", topic, err)
	}
	for tp, info := range res.ResultInfos {
		if info.Error.Code() != kafka.ErrNoError {
			return fmt.Errorf("topic %s partition %d: %w", topic, tp.Partition, info.Error)
		}
	}
	return nil
}
