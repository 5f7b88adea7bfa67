package e2e_test

import (
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// BenchmarkWriteToTopicLatency writes items at a steady rate while the
// worker publishes the outbox, and measures the time from the start of each
// write request to its event being read back from Kafka (p50, p99).
func BenchmarkWriteToTopicLatency(b *testing.B) {
	const rate = 100 // writes per second
	d := phase()
	for range b.N {
		brokers := brokertest.Brokers(b)
		topic := brokertest.UniqueTopic(b, brokers, 6)
		env := apitest.New(b)
		reader := brokertest.NewReader(b, brokers, topic)
		brokertest.StartDrainer(b, env.Pool, brokers, topic)
		u := env.NewUser(b)
		c := env.NewCollection(b, u)
		path := "/api/v1/collections/" + c.ID.String() + "/items"

		sent := map[string]time.Time{}
		tick := time.NewTicker(time.Second / rate)
		deadline := time.Now().Add(d)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for time.Now().Before(deadline) {
			<-tick.C
			wg.Add(1)
			go func() {
				defer wg.Done()
				reqID := uuid.NewString()
				start := time.Now()
				resp, err := env.Send(http.MethodPost, path, u.Token, map[string]any{"title": "latency"}, "X-Request-ID", reqID)
				if err != nil || resp.Status != http.StatusCreated {
					b.Errorf("write: %d %s %v", resp.Status, resp.Body, err) // off the benchmark's goroutine: no FailNow
					return
				}
				mu.Lock()
				sent[reqID] = start
				mu.Unlock()
			}()
		}
		tick.Stop()
		wg.Wait()
		got := reader.WaitForN(b, time.Minute, len(sent), brokertest.OfType(events.ItemCreated))
		var lat []time.Duration
		for _, r := range got {
			if start, ok := sent[r.Envelope.RequestID]; ok {
				lat = append(lat, r.ReceivedAt.Sub(start))
			}
		}
		require.Len(b, lat, len(sent))
		slices.Sort(lat)
		b.ReportMetric(float64(len(sent))/d.Seconds(), "writes/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	}
}

// phase is how long the benchmark writes (ATLAS_BENCH_SECONDS, default 5,
// as for the API's throughput benchmarks).
func phase() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 5 * time.Second
}
