package broker

// Admin clients. librdkafka's AdminClient has no event channel of its own,
// so Atlas derives each one from a producer whose events it reads: that is
// where OAUTHBEARER token refreshes and authentication failures arrive.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// adminClient is an AdminClient whose parent producer's events are watched:
// token refreshes are answered, and the first authentication or TLS failure
// is kept, so that guard can end the calls waiting on the cluster with it.
type adminClient struct {
	*kafka.AdminClient
	p   *kafka.Producer
	sec Security

	failOnce sync.Once
	failed   chan struct{} // closed at the first authentication failure
	err      error         // that failure; set before failed is closed
	watching sync.WaitGroup
}

// newAdminClient creates an admin client of brokers with sec applied;
// props are extra librdkafka settings (client.id, log_level, timeouts).
func newAdminClient(brokers string, sec Security, props kafka.ConfigMap) (*adminClient, error) {
	// Callers return what went wrong (authentication failures included);
	// librdkafka's own log lines would only repeat it, unstructured, on
	// stderr.
	base := kafka.ConfigMap{"log_level": 0}
	for k, v := range props {
		base[k] = v
	}
	conf := sec.configMap(brokers, base)
	p, err := kafka.NewProducer(&conf)
	if err != nil {
		return nil, fmt.Errorf("new admin client: %w", err)
	}
	admin, err := kafka.NewAdminClientFromProducer(p)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("new admin client: %w", err)
	}
	a := &adminClient{AdminClient: admin, p: p, sec: sec, failed: make(chan struct{})}
	a.watching.Add(1)
	go a.watch()
	if err := sec.refreshToken(p); err != nil {
		a.fail(err)
	}
	return a, nil
}

func (a *adminClient) watch() {
	defer a.watching.Done()
	for ev := range a.p.Events() {
		switch e := ev.(type) {
		case kafka.OAuthBearerTokenRefresh:
			if err := a.sec.refreshToken(a.p); err != nil {
				a.fail(err)
			}
		case kafka.Error:
			if isAuthFailure(e) {
				a.fail(authError(e))
			}
		}
	}
}

func (a *adminClient) fail(err error) {
	a.failOnce.Do(func() {
		a.err = err
		close(a.failed)
	})
}

// guard returns a context that ends like ctx, or at the client's first
// authentication failure with that failure as its cause (see cause).
func (a *adminClient) guard(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-a.failed:
			cancel(a.err)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}

// cause returns the authentication failure that ended a guarded ctx, or
// err itself.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); errors.Is(c, ErrAuth) {
		return c
	}
	return err
}

// Close releases the admin client and its producer.
func (a *adminClient) Close() {
	a.AdminClient.Close()
	a.p.Close()
	a.watching.Wait()
}

// Ping asks the cluster at brokers, reached with sec, for its broker list
// (a metadata request) and returns nil once it answers. It gives up at ctx's
// end, or as soon as the brokers refuse the client, with an error wrapping
// ErrAuth that says why (an untrusted certificate, rejected credentials).
// Each call uses a client of its own, so it reports the cluster's state now
// rather than a connection cached from earlier.
func Ping(ctx context.Context, brokers string, sec Security) error {
	timeout := defaultAdminTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout < 10*time.Millisecond {
		return context.DeadlineExceeded
	}
	admin, err := newAdminClient(brokers, sec, kafka.ConfigMap{
		"client.id":                          "atlas-readiness",
		"socket.connection.setup.timeout.ms": int(max(timeout.Milliseconds(), 1000)),
	})
	if err != nil {
		return err
	}
	gctx, stop := admin.guard(ctx)
	defer stop()
	type answer struct {
		md  *kafka.Metadata
		err error
	}
	// GetMetadata blocks until it has an answer or its timeout: the
	// goroutine owns the client and closes it, so an authentication failure
	// can be returned before then.
	answers := make(chan answer, 1)
	go func() {
		defer admin.Close()
		md, err := admin.GetMetadata(nil, false, int(timeout.Milliseconds()))
		answers <- answer{md, err}
	}()
	select {
	case a := <-answers:
		if a.err != nil {
			return fmt.Errorf("kafka metadata from %s: %w", brokers, cause(gctx, a.err))
		}
		if len(a.md.Brokers) == 0 {
			return fmt.Errorf("kafka metadata from %s: no brokers", brokers)
		}
		return nil
	case <-gctx.Done():
		return fmt.Errorf("kafka metadata from %s: %w", brokers, cause(gctx, gctx.Err()))
	}
}
