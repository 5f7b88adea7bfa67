package brokertest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
)

// StartDrainer runs an outbox drainer on pool (what `atlas worker` runs),
// publishing the outbox's events to topic on brokers, until the test ends.
func StartDrainer(t testing.TB, pool *pgxpool.Pool, brokers, topic string) {
	t.Helper()
	producer, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Topic: topic, MessageTimeout: 10 * time.Second})
	require.NoError(t, err)
	drainer := events.NewDrainer(events.DrainerParams{Pool: pool, Publisher: producer, PublishTimeout: 15 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = drainer.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		producer.Close()
	})
}
