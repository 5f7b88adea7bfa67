package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/leaktest"
)

// TestMain fails the run if a consumer, drainer or server outlives the tests.
func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}

// eventWait bounds how long a test waits for an event to travel the pipeline.
const eventWait = 30 * time.Second

// pipeline is an API whose outbox drainer publishes to a topic of the test's
// own, with a reader that sees every record published after it started.
type pipeline struct {
	*apitest.Env
	brokers, topic string
	reader         *brokertest.Reader
}

// newPipeline starts the drainer unless the test starts it later itself
// (startWorker false), to look at the outbox before anything is published.
func newPipeline(t *testing.T, env *apitest.Env, startWorker bool) *pipeline {
	t.Helper()
	brokers := brokertest.Brokers(t)
	p := &pipeline{Env: env, brokers: brokers, topic: brokertest.UniqueTopic(t, brokers, 3)}
	p.reader = brokertest.NewReader(t, brokers, p.topic)
	if startWorker {
		brokertest.StartDrainer(t, p.Pool, brokers, p.topic)
	}
	return p
}

// consumerConfig is a consumer of the pipeline's topic in a group of its own,
// quick to retry and to rebalance.
func (p *pipeline) consumerConfig(t *testing.T, group string) broker.ConsumerConfig {
	return broker.ConsumerConfig{
		Brokers: p.brokers, Topics: []string{p.topic}, GroupID: group + "-" + uuid.NewString()[:8],
		DeadLetterTopic: brokertest.UniqueTopic(t, p.brokers, 1),
		BatchWait:       20 * time.Millisecond, RetryMin: 50 * time.Millisecond, RetryMax: time.Second,
		Logger: slog.New(slog.DiscardHandler),
	}
}

// run runs c until the test ends, and checks that it then stops cleanly.
func run(t *testing.T, c *broker.Consumer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(eventWait):
			t.Error("consumer did not stop")
		}
	})
}

// handled wraps a batch handler and remembers the events it acknowledged.
type handled struct{ ids sync.Map }

func (h *handled) wrap(next broker.BatchHandler) broker.BatchHandler {
	return func(ctx context.Context, batch []broker.Delivery) error {
		if err := next(ctx, batch); err != nil {
			return err
		}
		for _, d := range batch {
			h.ids.Store(d.Envelope.EventID, true)
		}
		return nil
	}
}

func (h *handled) has(id uuid.UUID) bool { _, ok := h.ids.Load(id); return ok }

// traced sends a request with a fresh request id and traceparent and
// returns them.
func traced(t *testing.T, env *apitest.Env, method, path, token string, body any) (apitest.Response, string, string) {
	t.Helper()
	reqID := "test-" + uuid.NewString()
	trace := uuid.New()
	traceID := fmt.Sprintf("%x", trace[:])
	resp := env.Do(t, method, path, token, body, "X-Request-ID", reqID,
		"traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	return resp, reqID, traceID
}

// searchPage is the part of a search answer the tests read.
type searchPage struct {
	Items []struct {
		ID    uuid.UUID `json:"id"`
		Title string    `json:"title"`
		Tags  []string  `json:"tags"`
	} `json:"items"`
	Total struct {
		Value int `json:"value"`
	} `json:"total"`
}

// searchAPI runs a search over the API and requires a 200 (t may be the
// CollectT of a require.EventuallyWithT condition).
func searchAPI(t apitest.T, env *apitest.Env, token string, kv ...string) searchPage {
	t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/search/items?"+q.Encode(), token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "search %v: %s", q, resp.Body)
	var page searchPage
	resp.JSON(t, &page)
	return page
}
